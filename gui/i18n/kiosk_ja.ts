<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>CardProblem</name>
    <message>
        <source>user-authentication certificate</source>
        <translation>利用者証明用電子証明書</translation>
    </message>
    <message>
        <source>signature certificate</source>
        <translation>署名用電子証明書</translation>
    </message>
    <message>
        <source>certificate</source>
        <translation>電子証明書</translation>
    </message>
    <message>
        <source>The {cert} on this card has expired</source>
        <translation>このカードの{cert}は有効期限が切れています</translation>
    </message>
    <message>
        <source>Apply for a new certificate at the municipal office where you are registered (where your residence record is), with this card. Then come back to this kiosk.</source>
        <translation>このカードをお持ちになり、住民票のある市区町村の窓口で新しい電子証明書の発行を申請してください。その後、もう一度この端末をご利用ください。</translation>
    </message>
    <message>
        <source>The {cert} on this card is not valid yet</source>
        <translation>このカードの{cert}はまだ有効になっていません</translation>
    </message>
    <message>
        <source>Its validity starts on a later date, so the card cannot be used here yet.</source>
        <translation>有効期間の開始日がまだ来ていないため、このカードはまだこの端末では使えません。</translation>
    </message>
    <message>
        <source>Please try again from the date the certificate starts. If it should already be valid, the municipal office where you are registered can check the card.</source>
        <translation>有効期間の開始日以降に、もう一度お試しください。すでに有効なはずの場合は、住民票のある市区町村の窓口でカードを確認してもらえます。</translation>
    </message>
    <message>
        <source>The {cert} on this card could not be verified</source>
        <translation>このカードの{cert}を検証できませんでした</translation>
    </message>
    <message>
        <source>This kiosk could not confirm that the certificate was issued by the public certification service (J-LIS) and is still valid. Test cards and other cards are not accepted.</source>
        <translation>この電子証明書が公的個人認証サービス（J-LIS）の発行したもので、現在も有効であることを、この端末で確認できませんでした。試験用カードなどは使えません。</translation>
    </message>
    <message>
        <source>Make sure this is your own My Number card. If it is, the municipal office where you are registered can check the card.</source>
        <translation>ご本人のマイナンバーカードかどうかご確認ください。ご本人のカードの場合は、住民票のある市区町村の窓口でカードを確認してもらえます。</translation>
    </message>
    <message>
        <source>This is not a My Number card with certificates</source>
        <translation>電子証明書の入ったマイナンバーカードではありません</translation>
    </message>
    <message>
        <source>The card has no electronic certificates for signature and user authentication, or it is another kind of card.</source>
        <translation>このカードには署名用・利用者証明用の電子証明書が入っていないか、別の種類のカードです。</translation>
    </message>
    <message>
        <source>Please use your My Number card. If your card has no electronic certificates, they are issued at the municipal office where you are registered.</source>
        <translation>マイナンバーカードをお使いください。電子証明書が入っていない場合は、住民票のある市区町村の窓口で発行を受けられます。</translation>
    </message>
    <message>
        <source>This card could not be confirmed as genuine</source>
        <translation>カードが正規のものであることを確認できませんでした</translation>
    </message>
    <message>
        <source>The card&apos;s answer did not match its user-authentication certificate, so it cannot be used here.</source>
        <translation>カードの応答が利用者証明用電子証明書と一致しないため、このカードはこの端末では使えません。</translation>
    </message>
    <message>
        <source>Take your card and try once more. If it happens again, the card may be damaged: the municipal office where you are registered can check it.</source>
        <translation>カードをいったんお取りになり、もう一度お試しください。同じことが起きる場合は、カードが故障している可能性があります。住民票のある市区町村の窓口でカードを確認してもらえます。</translation>
    </message>
    <message>
        <source>Take the card out, then insert it again with the IC chip facing up. If this keeps happening, the card may be damaged: the municipal office where you are registered can check it.</source>
        <translation>カードをいったん抜き、ICチップを上にしてもう一度差し込んでください。何度も読み取れない場合は、カードが故障している可能性があります。住民票のある市区町村の窓口でカードを確認してもらえます。</translation>
    </message>
    <message>
        <source>The signature certificate on this card is no longer valid</source>
        <translation>このカードの署名用電子証明書は失効しています</translation>
    </message>
    <message>
        <source>A signature certificate stops being valid when your name, address, date of birth or sex changes, for example after moving or marriage, or when the card is reported lost.</source>
        <translation>署名用電子証明書は、引っ越しや結婚などで氏名・住所・生年月日・性別が変わったときや、カードの紛失を届け出たときに失効します。</translation>
    </message>
    <message>
        <source>Apply for a new signature certificate at the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</source>
        <translation>このカードをお持ちになり、住民票のある市区町村の窓口で新しい署名用電子証明書の発行を申請してください。カードを紛失した・盗まれた場合は、マイナンバー総合フリーダイヤル 0120-95-0178 へお電話ください。</translation>
    </message>
    <message>
        <source>The user-authentication certificate on this card has been revoked</source>
        <translation>このカードの利用者証明用電子証明書は失効しています</translation>
    </message>
    <message>
        <source>A user-authentication certificate is revoked when the card is reported lost or stolen, or is returned. A move or a change of name does not revoke it.</source>
        <translation>利用者証明用電子証明書は、カードの紛失・盗難の届出や返納をしたときに失効します。引っ越しや氏名の変更では失効しません。</translation>
    </message>
    <message>
        <source>Ask the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</source>
        <translation>このカードをお持ちになり、住民票のある市区町村の窓口にご相談ください。カードを紛失した・盗まれた場合は、マイナンバー総合フリーダイヤル 0120-95-0178 へお電話ください。</translation>
    </message>
    <message>
        <source>A certificate on this card has been revoked</source>
        <translation>このカードの電子証明書は失効しています</translation>
    </message>
    <message>
        <source>A revoked certificate can no longer be used.</source>
        <translation>失効した電子証明書は使えません。</translation>
    </message>
    <message>
        <source>The card could not be read</source>
        <translation>カードを読み取れませんでした</translation>
    </message>
    <message>
        <source>The certificates on a My Number card are valid until your 5th birthday after they were issued. This one is past that date.</source>
        <translation>マイナンバーカードの電子証明書の有効期限は、発行後5回目の誕生日までです。この電子証明書は、その期限を過ぎています。</translation>
    </message>
    <message>
        <source>The card may be the wrong way round, or it was moved while it was read.</source>
        <translation>カードの向きが違うか、読み取り中にカードが動いた可能性があります。</translation>
    </message>
</context>
<context>
    <name>CardWords</name>
    <message>
        <source>Please place your card on the reader</source>
        <translation>カードをリーダーに置いてください</translation>
    </message>
    <message>
        <source>Please insert or place your card</source>
        <translation>カードを差し込むか、置いてください</translation>
    </message>
    <message>
        <source>Lay the card on the reader below the screen; keep it still until reading ends.</source>
        <translation>画面の下のリーダーにカードを置き、読み取りが終わるまで動かさないでください。</translation>
    </message>
    <message>
        <source>Insert the card into the reader below the screen (IC chip up, chip end first), or lay it flat on the reader.</source>
        <translation>画面の下のリーダーに、ICチップを上にして差し込むか、平らに置いてください。</translation>
    </message>
    <message>
        <source>The screen moves on by itself once the card is read.</source>
        <translation>カードを読み取ると、画面は自動で進みます。</translation>
    </message>
    <message>
        <source>Please take your card off the reader. To start again, take it off and place it again.</source>
        <translation>カードをリーダーから取ってください。続けて申請する場合は、取ってから置き直してください。</translation>
    </message>
    <message>
        <source>Please take your card. To start again, take it, then insert or place it again.</source>
        <translation>カードをお取りください。続けて申請する場合は、いったん取ってから、もう一度差し込むか置いてください。</translation>
    </message>
    <message>
        <source>Do not move your card until reading ends.</source>
        <translation>読み取りが終わるまでカードを動かさないでください。</translation>
    </message>
    <message>
        <source>Keep your card in place until reading ends.</source>
        <translation>読み取りが終わるまでカードをそのままにしてください。</translation>
    </message>
    <message>
        <source>Please take your card off the reader.</source>
        <translation>カードをリーダーから取ってください。</translation>
    </message>
    <message>
        <source>The card moved off the reader before reading ended; nothing was done. Please place it on the reader again.</source>
        <translation>読み取りの途中でカードがリーダーから離れました。何も行っていませんので、もう一度置いてください。</translation>
    </message>
    <message>
        <source>The card may have moved while it was read.</source>
        <translation>読み取りの途中でカードが動いた可能性があります。</translation>
    </message>
    <message>
        <source>Take the card off the reader, then lay it flat on the reader again and keep it still until reading ends. If this keeps happening, the card may be damaged: the municipal office where you are registered can check it.</source>
        <translation>カードをいったんリーダーから取り、もう一度平らに置いて、読み取りが終わるまで動かさないでください。何度も読み取れない場合は、カードが故障している可能性があります。住民票のある市区町村の窓口でカードを確認してもらえます。</translation>
    </message>
    <message>
        <source>Your application was stopped because the card was taken off the reader before it was finished. To apply, place your card on the reader and start again.</source>
        <translation>申請が終わる前にカードがリーダーから取られたため、申請を中止しました。申請するには、もう一度カードをリーダーに置いてください。</translation>
    </message>
</context>
<context>
    <name>Delivery</name>
    <message>
        <source>By post</source>
        <translation>郵送</translation>
    </message>
    <message>
        <source>Pick up at the office counter</source>
        <translation>窓口で受け取り</translation>
    </message>
    <message>
        <source>Print at a convenience store</source>
        <translation>コンビニで印刷</translation>
    </message>
    <message>
        <source>Digital certificate (PDF)</source>
        <translation>デジタル版の証明書（PDF）</translation>
    </message>
    <message>
        <source>Mailed to the address below. Check the postal code and the address, and add a building or room number if needed.</source>
        <translation>下の住所へ郵送します。郵便番号と住所をご確認のうえ、必要であれば建物名・部屋番号を書き加えてください。</translation>
    </message>
    <message>
        <source>A one-time digital certificate (PDF) that names the company or school you submit it to; for another recipient, make another request.</source>
        <translation>提出先の会社や学校の名前が記載された、1回限りのデジタル版の証明書（PDF）です。ほかの提出先には、別に申請してください。</translation>
    </message>
    <message>
        <source>Pick it up at {place} once it is ready.</source>
        <translation>準備ができたら{place}でお受け取りください。</translation>
    </message>
    <message>
        <source>Print it on a convenience store&apos;s multi-copy machine.</source>
        <translation>コンビニエンスストアのマルチコピー機で印刷してください。</translation>
    </message>
</context>
<context>
    <name>EndScreen</name>
    <message>
        <source>What to do</source>
        <translation>これからの手続き</translation>
    </message>
    <message>
        <source>You can also request your certificate in person: {counter}, {place}, {hours}.</source>
        <translation>こちらの窓口でも証明書を申請できます：{counter}（{place}、{hours}）。</translation>
    </message>
    <message>
        <source>Please take your card.</source>
        <translation>カードをお取りください。</translation>
    </message>
    <message>
        <source>Back to start</source>
        <translation>最初の画面へ</translation>
    </message>
</context>
<context>
    <name>Error</name>
    <message>
        <source>Sorry, something went wrong</source>
        <translation>申し訳ありません。問題が発生しました</translation>
    </message>
    <message>
        <source>Your request could not be completed because of a problem with the card, the reader or this kiosk.</source>
        <translation>カード、カードリーダー、またはこの端末の問題で、申請を完了できませんでした。</translation>
    </message>
    <message>
        <source>Take your card and try again from the start. If it happens again, please ask the staff and show them the message below.</source>
        <translation>カードをお取りになり、最初からやり直してください。また同じことが起きた場合は、係員に下のメッセージをお見せください。</translation>
    </message>
</context>
<context>
    <name>Form</name>
    <message>
        <source>¥{amount}</source>
        <translation>{amount}円</translation>
    </message>
    <message>
        <source>Choose a certificate.</source>
        <translation>証明書を選んでください。</translation>
    </message>
    <message>
        <source>Choose how to receive it.</source>
        <translation>受け取り方法を選んでください。</translation>
    </message>
    <message>
        <source>Enter the company or school that receives the PDF.</source>
        <translation>PDFの提出先（企業・学校）を入力してください。</translation>
    </message>
    <message>
        <source>Enter the postal code as 7 digits, for example 123-4567.</source>
        <translation>郵便番号を7桁で入力してください（例：123-4567）。</translation>
    </message>
    <message>
        <source>Enter the postal code.</source>
        <translation>郵便番号を入力してください。</translation>
    </message>
    <message>
        <source>Enter the address.</source>
        <translation>住所を入力してください。</translation>
    </message>
    <message>
        <source>Please describe the purpose.</source>
        <translation>使用目的を入力してください。</translation>
    </message>
    <message>
        <source>Choose a purpose.</source>
        <translation>使用目的を選んでください。</translation>
    </message>
    <message>
        <source>Fee: {total} ({each} × {n})</source>
        <translation>手数料：{total}（{each} × {n}通）</translation>
    </message>
    <message>
        <source>Your request</source>
        <translation>申請内容の入力</translation>
    </message>
    <message>
        <source>1. Which certificate?</source>
        <translation>1. 証明書の種類</translation>
    </message>
    <message>
        <source>One copy less</source>
        <translation>1通減らす</translation>
    </message>
    <message>
        <source>One copy more</source>
        <translation>1通増やす</translation>
    </message>
    <message>
        <source>3. How do you want to receive it?</source>
        <translation>3. 受け取り方法</translation>
    </message>
    <message>
        <source>Receive by:</source>
        <translation>受け取り方法：</translation>
    </message>
    <message>
        <source>Postal code (for example 123-4567)</source>
        <translation>郵便番号（例：123-4567）</translation>
    </message>
    <message>
        <source>Address (from your card; you may change it)</source>
        <translation>住所（カードから読み取りました。変更できます）</translation>
    </message>
    <message>
        <source>The company or school you submit the PDF to</source>
        <translation>PDFの提出先（企業・学校名）</translation>
    </message>
    <message>
        <source>4. What is it for?</source>
        <translation>4. 使用目的</translation>
    </message>
    <message>
        <source>Fees are not refunded for any reason: please check the certificate, the number of copies and how you receive it.</source>
        <translation>手数料は、理由の如何を問わず返金できません。証明書の種類・通数・受け取り方法をよくお確かめください。</translation>
    </message>
    <message>
        <source>Please describe the purpose</source>
        <translation>使用目的を入力してください</translation>
    </message>
    <message>
        <source>Certificate:</source>
        <translation>証明書：</translation>
    </message>
    <message>
        <source>2. Copies (1 to {n})</source>
        <translation>2. 通数（1〜{n}通）</translation>
    </message>
    <message>
        <source>Purpose:</source>
        <translation>使用目的：</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>変更する</translation>
    </message>
    <message>
        <source>Next: check</source>
        <translation>次へ（確認）</translation>
    </message>
</context>
<context>
    <name>Identity</name>
    <message>
        <source>Are these your details?</source>
        <translation>ご本人の情報に間違いありませんか</translation>
    </message>
    <message>
        <source>Read from your card. Please check them before you go on.</source>
        <translation>カードから読み取った情報です。内容をご確認ください。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住所</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>生年月日</translation>
    </message>
    <message>
        <source>Certificates are issued in the name you had when you were enrolled. If these details are not yours, press Cancel and take your card.</source>
        <translation>証明書は在籍時の氏名で発行します。ご本人の情報でない場合は「中止」を押して、カードをお取りください。</translation>
    </message>
    <message>
        <source>Yes, continue</source>
        <translation>はい、次へ</translation>
    </message>
    <message>
        <source>Your card&apos;s certificates expire on {date}. You can renew them now at your municipal office (renewal opens 3 months before expiry).</source>
        <translation>カードの電子証明書は{date}に有効期限を迎えます。市区町村の窓口で更新できます（有効期限の3か月前から更新可能）。</translation>
    </message>
</context>
<context>
    <name>InsertCard</name>
    <message>
        <source>Your application was stopped because there was no activity for a while.</source>
        <translation>しばらく操作がなかったため、申請を中止しました。</translation>
    </message>
    <message>
        <source>Your application was stopped because the card was taken out before it was finished. To apply, insert your card and start again.</source>
        <translation>申請が終わる前にカードが取り出されたため、申請を中止しました。申請するには、もう一度カードを差し込んでください。</translation>
    </message>
    <message>
        <source>Please insert your My Number card</source>
        <translation>マイナンバーカードを差し込んでください</translation>
    </message>
    <message>
        <source>Put the card into the reader below the screen, IC chip facing up, chip end first.</source>
        <translation>画面の下のカードリーダーに、ICチップを上にして、チップ側から差し込んでください。</translation>
    </message>
    <message>
        <source>The screen moves on by itself once the card is in.</source>
        <translation>カードを差し込むと、画面は自動で進みます。</translation>
    </message>
    <message>
        <source>You will need three PINs: your user-authentication PIN (4 digits), your personal-information PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</source>
        <translation>3つの暗証番号が必要です：利用者証明用電子証明書の暗証番号（数字4桁）、券面事項入力補助用の暗証番号（数字4桁）、署名用電子証明書の暗証番号（英数字6文字以上16文字以下）。</translation>
    </message>
    <message>
        <source>You will need two PINs: your user-authentication PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</source>
        <translation>2つの暗証番号が必要です：利用者証明用電子証明書の暗証番号（数字4桁）と、署名用電子証明書の暗証番号（英数字6文字以上16文字以下）。</translation>
    </message>
    <message>
        <source>Please take your card. To start again, take it out and insert it again.</source>
        <translation>カードをお取りください。続けて申請する場合は、カードをいったん抜いて差し込み直してください。</translation>
    </message>
    <message>
        <source>This kiosk is out of service at the moment. Please ask the staff.</source>
        <translation>ただいまこの端末はご利用いただけません。係員にお尋ねください。</translation>
    </message>
    <message>
        <source>Apply for a certificate</source>
        <translation>証明書を申請する</translation>
    </message>
    <message>
        <source>Check my requests</source>
        <translation>申請状況を確認する</translation>
    </message>
    <message>
        <source>To see your requests and where each stands, you need only your user-authentication PIN (4 digits).</source>
        <translation>申請状況の確認に必要なのは、利用者証明用電子証明書の暗証番号（数字4桁）だけです。</translation>
    </message>
</context>
<context>
    <name>JukiCard</name>
    <message>
        <source>This is a Juki card, not a My Number card</source>
        <translation>これは住基カードです（マイナンバーカードではありません）</translation>
    </message>
    <message>
        <source>Electronic certificates for Juki cards (Basic Resident Register cards) are no longer issued, so this card cannot be used here.</source>
        <translation>住基カード（住民基本台帳カード）の電子証明書は発行が終了しているため、このカードはこの端末では使えません。</translation>
    </message>
    <message>
        <source>Please use your My Number card. If you do not have one, you can apply for it at the municipal office where you are registered.</source>
        <translation>マイナンバーカードをお使いください。お持ちでない場合は、住民票のある市区町村の窓口で申請できます。</translation>
    </message>
</context>
<context>
    <name>Keyboard</name>
    <message>
        <source>Hiragana</source>
        <translation>ひらがな</translation>
    </message>
    <message>
        <source>Katakana</source>
        <translation>カタカナ</translation>
    </message>
    <message>
        <source>ABC</source>
        <translation>英字</translation>
    </message>
    <message>
        <source>Numbers</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>空白</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>1文字消す</translation>
    </message>
    <message>
        <source>Clear all</source>
        <translation>全部消す</translation>
    </message>
    <message>
        <source>Capitals</source>
        <translation>大文字</translation>
    </message>
    <message>
        <source>QWERTY order</source>
        <translation>QWERTY順</translation>
    </message>
    <message>
        <source>ABC order</source>
        <translation>ABC順</translation>
    </message>
    <message>
        <source>Voiced mark</source>
        <translation>濁点</translation>
    </message>
    <message>
        <source>Half-voiced mark</source>
        <translation>半濁点</translation>
    </message>
    <message>
        <source>Small kana</source>
        <translation>小さい文字</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>戻る</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>決定</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <source>Delete</source>
        <translation>1文字消す</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>全部消す</translation>
    </message>
    <message>
        <source>QWERTY order</source>
        <translation>QWERTY順</translation>
    </message>
    <message>
        <source>ABC order</source>
        <translation>ABC順</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>The card has not been authenticated in this session. Please start again.</source>
        <translation>この手続きではまだカードの認証が済んでいません。最初からやり直してください。</translation>
    </message>
    <message>
        <source>This is not the card that was authenticated. Please start again.</source>
        <translation>認証したカードと違うカードです。最初からやり直してください。</translation>
    </message>
    <message>
        <source>The signature certificate does not name the person shown earlier. Please start again.</source>
        <translation>署名用電子証明書の内容が、先に表示した本人情報と一致しません。最初からやり直してください。</translation>
    </message>
    <message>
        <source>The PIN does not have the right form; nothing was sent to the card.</source>
        <translation>暗証番号の形式が正しくありません。カードには送っていません。</translation>
    </message>
    <message>
        <source>The card left the reader.</source>
        <translation>カードがリーダーから離れました。</translation>
    </message>
    <message>
        <source>The connection to the card was lost; nothing was sent. Please take your card and start again.</source>
        <translation>カードとの接続が切れました。申請は送信されていません。カードをお取りになり、最初からやり直してください。</translation>
    </message>
    <message>
        <source>Something went wrong. Please ask the staff.</source>
        <translation>問題が発生しました。係員にお声がけください。</translation>
    </message>
    <message>
        <source>The request was not accepted: {reason}</source>
        <translation>申請を受け付けられませんでした：{reason}</translation>
    </message>
    <message>
        <source>{name} × {copies} (fee ¥{fee})</source>
        <translation>{name} × {copies}通（手数料 {fee}円）</translation>
    </message>
    <message>
        <source>{day} {month_name} {year}</source>
        <translation>{year}年{month_name}{day}日</translation>
    </message>
    <message>
        <source>January</source>
        <translation>1月</translation>
    </message>
    <message>
        <source>February</source>
        <translation>2月</translation>
    </message>
    <message>
        <source>March</source>
        <translation>3月</translation>
    </message>
    <message>
        <source>April</source>
        <translation>4月</translation>
    </message>
    <message>
        <source>May</source>
        <translation>5月</translation>
    </message>
    <message>
        <source>June</source>
        <translation>6月</translation>
    </message>
    <message>
        <source>July</source>
        <translation>7月</translation>
    </message>
    <message>
        <source>August</source>
        <translation>8月</translation>
    </message>
    <message>
        <source>September</source>
        <translation>9月</translation>
    </message>
    <message>
        <source>October</source>
        <translation>10月</translation>
    </message>
    <message>
        <source>November</source>
        <translation>11月</translation>
    </message>
    <message>
        <source>December</source>
        <translation>12月</translation>
    </message>
    <message>
        <source>This certificate is not offered here.</source>
        <translation>この証明書はここでは申請できません。</translation>
    </message>
    <message>
        <source>Choose 1 to {max} copies.</source>
        <translation>通数は1〜{max}通で選んでください。</translation>
    </message>
    <message>
        <source>This certificate cannot be delivered that way.</source>
        <translation>この証明書はその方法では受け取れません。</translation>
    </message>
    <message>
        <source>Enter the postal address.</source>
        <translation>郵送先の住所を入力してください。</translation>
    </message>
    <message>
        <source>Enter the postal code (for example 102-8160).</source>
        <translation>郵便番号を入力してください（例：102-8160）。</translation>
    </message>
    <message>
        <source>Enter the organisation the PDF is for.</source>
        <translation>PDFの提出先を入力してください。</translation>
    </message>
    <message>
        <source>A one-time download link on {site} is sent to {link_to}. The digital certificate names {recipient} and is for them only.</source>
        <translation>1回限りのダウンロード用リンク（{site}）を{link_to}にお送りします。デジタル版の証明書には提出先として{recipient}が記載され、ほかの提出先には使えません。</translation>
    </message>
    <message>
        <source>At {machines}, choose {menu} and enter your request number {number} as the print number.</source>
        <translation>{machines}で{menu}を選び、印刷番号として申請番号{number}を入力してください。</translation>
    </message>
    <message>
        <source>Collect it at {place} ({hours}). Bring {bring}.</source>
        <translation>{place}（{hours}）でお受け取りください。{bring}をお持ちください。</translation>
    </message>
    <message>
        <source>Download it once, within {days} days of the day the link is sent. After that the link no longer works and the fee is not refunded.</source>
        <translation>リンクが送られた日から{days}日以内に、1回だけダウンロードしてください。期間を過ぎるとリンクは使えなくなり、手数料も返金できません。</translation>
    </message>
    <message>
        <source>Fees are not refunded. Keep the request number for any questions.</source>
        <translation>手数料は返金できません。お問い合わせの際に申請番号が必要です。控えておいてください。</translation>
    </message>
    <message>
        <source>It is usually posted to the address you gave within {days} working days after payment. You will be told by {notice} when it is posted.</source>
        <translation>通常、お支払いから{days}営業日以内に、ご記入の住所へ郵送します。発送したら{notice}でお知らせします。</translation>
    </message>
    <message>
        <source>It is usually ready within {days} working days after payment. You will be told by {notice} when it is ready.</source>
        <translation>通常、お支払いから{days}営業日以内に準備ができます。準備ができたら{notice}でお知らせします。</translation>
    </message>
    <message>
        <source>It is usually ready within {days} working days of the request. You will be told by {notice} when it is ready.</source>
        <translation>通常、申請から{days}営業日以内に準備ができます。準備ができたら{notice}でお知らせします。</translation>
    </message>
    <message>
        <source>Pay {total} at the multi-copy machine when you print it.</source>
        <translation>{total}は、印刷するときにマルチコピー機でお支払いください。</translation>
    </message>
    <message>
        <source>Pay {total} at {where} ({hours}) when you collect the certificate.</source>
        <translation>{total}は、証明書を受け取るときに{where}（{hours}）でお支払いください。</translation>
    </message>
    <message>
        <source>Pay {total} at {where} ({hours}). The office prepares the certificate once it is paid.</source>
        <translation>{total}を{where}（{hours}）でお支払いください。お支払いの後に証明書を準備します。</translation>
    </message>
    <message>
        <source>Print it by {deadline} ({days} days from the day of the request). After that day it cannot be printed and the fee is not refunded.</source>
        <translation>{deadline}までに印刷してください（申請日から{days}日後が期限です）。期限を過ぎると印刷できず、手数料も返金できません。</translation>
    </message>
    <message>
        <source>To check the status, ask at {place} with the request number {number}.</source>
        <translation>状況は、{place}で申請番号{number}をお伝えいただければお調べします。</translation>
    </message>
    <message>
        <source>To check the status, use your My Number card at this kiosk, or ask at {place} with the request number {number}.</source>
        <translation>状況は、この端末でマイナンバーカードを使って確認できます。{place}で申請番号{number}をお伝えいただいても確認できます。</translation>
    </message>
    <message>
        <source>on your receipt</source>
        <translation>（受付票に記載）</translation>
    </message>
    <message>
        <source>¥{total} in total (¥{fee} × {copies} + postage ¥{postage})</source>
        <translation>合計{total}円（{fee}円×{copies}通＋郵送料{postage}円）</translation>
    </message>
    <message>
        <source>¥{total} in total (¥{fee} × {copies})</source>
        <translation>合計{total}円（{fee}円×{copies}通）</translation>
    </message>
</context>
<context>
    <name>Pin</name>
    <message>
        <source>OK</source>
        <translation>決定</translation>
    </message>
    <message>
        <source>Enter your user-authentication PIN</source>
        <translation>利用者証明用の暗証番号を入力してください</translation>
    </message>
    <message>
        <source>This 4-digit PIN shows that the card is yours. The staff will never ask you for it.</source>
        <translation>数字4桁の暗証番号で、ご本人のカードであることを確認します。係員が暗証番号をお尋ねすることはありません。</translation>
    </message>
    <message>
        <source>Enter your personal-information PIN</source>
        <translation>券面事項入力補助用の暗証番号を入力してください</translation>
    </message>
    <message>
        <source>Why a second PIN? Your name, address and date of birth are kept in a separate part of the card, which has its own 4-digit PIN (券面事項入力補助用). It is read only with that PIN.</source>
        <translation>なぜもう一度？ 氏名・住所・生年月日は、カードの別の領域（券面事項入力補助用）に記録されていて、専用の数字4桁の暗証番号がないと読み取れないためです。</translation>
    </message>
    <message>
        <source>Enter your signature PIN to read your details</source>
        <translation>署名用の暗証番号を入力してください（本人情報の読み取り）</translation>
    </message>
    <message>
        <source>Why a second PIN? Your name, address and date of birth are in the signature certificate, which the card gives out only with your signature PIN. Nothing is signed yet.</source>
        <translation>なぜもう一度？ 氏名・住所・生年月日は署名用電子証明書に記録されていて、署名用の暗証番号がないと読み取れないためです。ここではまだ署名はしません。</translation>
    </message>
    <message>
        <source>Sign your request with your signature PIN</source>
        <translation>署名用の暗証番号で申請に署名してください</translation>
    </message>
    <message>
        <source>Your signature PIN signs the request with your card, like a seal. Then the request is sent.</source>
        <translation>印鑑の代わりに、カードの署名用電子証明書で申請に電子署名します。署名すると申請が送信されます。</translation>
    </message>
    <message>
        <source>Add at least one digit</source>
        <translation>数字を1文字以上入れてください</translation>
    </message>
    <message>
        <source>Add at least one letter</source>
        <translation>英字を1文字以上入れてください</translation>
    </message>
    <message>
        <source>The PIN was wrong. 1 try left: if this PIN is wrong too, your {pin} is locked, and only your municipal office can unlock it.</source>
        <translation>暗証番号が違います。残り1回です。次に間違えると{pin}がロックされ、市区町村の窓口でしか解除できなくなります。</translation>
    </message>
    <message>
        <source>1 try left: if this PIN is wrong, your {pin} is locked, and only your municipal office can unlock it.</source>
        <translation>残り1回です。次に間違えると{pin}がロックされ、市区町村の窓口でしか解除できなくなります。</translation>
    </message>
    <message>
        <source>The PIN was wrong. {n} tries left.</source>
        <translation>暗証番号が違います。残り{n}回です。</translation>
    </message>
    <message>
        <source>{n} tries left.</source>
        <translation>入力できる残り回数は{n}回です。</translation>
    </message>
    <message>
        <source>That PIN has the wrong form; nothing was sent to the card.</source>
        <translation>暗証番号の形式が正しくありません。カードには送っていません。</translation>
    </message>
</context>
<context>
    <name>PinBlocked</name>
    <message>
        <source>Your {pin} is locked</source>
        <translation>{pin}がロックされています</translation>
    </message>
    <message>
        <source>To protect you, the card locks a PIN after {tries} wrong entries in a row. Nothing on your card has been lost or changed, and nobody can use it with this PIN now.</source>
        <translation>安全のため、暗証番号を{tries}回続けて間違えるとロックされます。カードの中身が消えたり変わったりはしていません。ロック中は、誰もこの暗証番号でカードを使えません。</translation>
    </message>
    <message>
        <source>The PIN can be reset only at the municipal office where you are registered. Bring this card and an identity document (for example a driving licence, a passport or a residence card); the office resets the PIN and you choose a new one. Then come back to this kiosk.</source>
        <translation>ロックの解除（暗証番号の再設定）は、住民票のある市区町村の窓口でのみできます。このカードと本人確認書類（運転免許証、パスポート、在留カードなど）をお持ちください。新しい暗証番号を設定した後、もう一度この端末をご利用ください。</translation>
    </message>
</context>
<context>
    <name>PinField</name>
    <message>
        <source>{count} characters entered</source>
        <translation>{count}文字入力済み</translation>
    </message>
</context>
<context>
    <name>Pins</name>
    <message>
        <source>user-authentication PIN</source>
        <translation>利用者証明用の暗証番号</translation>
    </message>
    <message>
        <source>signature PIN</source>
        <translation>署名用の暗証番号</translation>
    </message>
    <message>
        <source>personal-information PIN</source>
        <translation>券面事項入力補助用の暗証番号</translation>
    </message>
    <message>
        <source>6 to 16 letters A–Z and digits 0–9, at least one of each</source>
        <translation>英大文字（A〜Z）と数字（0〜9）を両方含む6文字以上16文字以下</translation>
    </message>
    <message>
        <source>4 digits</source>
        <translation>数字4桁</translation>
    </message>
</context>
<context>
    <name>Progress</name>
    <message>
        <source>Reading your card…</source>
        <translation>カードを読み取っています…</translation>
    </message>
    <message>
        <source>Checking the card&apos;s certificate.</source>
        <translation>カードの電子証明書を確認しています。</translation>
    </message>
    <message>
        <source>Checking your PIN…</source>
        <translation>暗証番号を確認しています…</translation>
    </message>
    <message>
        <source>The card is proving that it is yours.</source>
        <translation>ご本人のカードであることを確認しています。</translation>
    </message>
    <message>
        <source>Reading your details…</source>
        <translation>本人情報を読み取っています…</translation>
    </message>
    <message>
        <source>Reading your name, address and date of birth from the card.</source>
        <translation>カードから氏名・住所・生年月日を読み取っています。</translation>
    </message>
    <message>
        <source>Signing and sending your request…</source>
        <translation>申請に署名して送信しています…</translation>
    </message>
    <message>
        <source>This takes a few seconds.</source>
        <translation>数秒かかります。</translation>
    </message>
    <message>
        <source>Do not remove your card.</source>
        <translation>カードを抜かないでください。</translation>
    </message>
    <message>
        <source>Looking up your requests…</source>
        <translation>申請状況を確認しています…</translation>
    </message>
</context>
<context>
    <name>Purpose</name>
    <message>
        <source>Job application</source>
        <translation>就職活動</translation>
    </message>
    <message>
        <source>Further study</source>
        <translation>進学</translation>
    </message>
    <message>
        <source>Scholarship</source>
        <translation>奨学金</translation>
    </message>
    <message>
        <source>Qualification or licence</source>
        <translation>資格・免許の申請</translation>
    </message>
    <message>
        <source>Visa or immigration</source>
        <translation>ビザ・在留手続き</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>その他</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <source>Request number</source>
        <translation>申請番号</translation>
    </message>
    <message>
        <source>Your request has been sent</source>
        <translation>申請を受け付けました</translation>
    </message>
    <message>
        <source>What happens next</source>
        <translation>このあとの流れ</translation>
    </message>
    <message>
        <source>Print receipt</source>
        <translation>控えを印刷</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>The receipt could not be printed: {error}</source>
        <translation>控えを印刷できませんでした：{error}</translation>
    </message>
    <message>
        <source>Receipt printed ({where}).</source>
        <translation>控えを印刷しました（{where}）。</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <source>Certificate</source>
        <translation>証明書</translation>
    </message>
    <message>
        <source>Copies</source>
        <translation>通数</translation>
    </message>
    <message>
        <source>Receive by</source>
        <translation>受け取り方法</translation>
    </message>
    <message>
        <source>Please check your request</source>
        <translation>申請内容をご確認ください</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <source>Fee</source>
        <translation>手数料</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>詳細</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>使用目的</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>変更</translation>
    </message>
    <message>
        <source>Next you sign the request with your signature PIN.</source>
        <translation>次に、署名用の暗証番号で申請に電子署名します。</translation>
    </message>
    <message>
        <source>Sign and send</source>
        <translation>署名して送信</translation>
    </message>
    <message>
        <source>Sign and send: the signature certificate on your card signs this request — the certificate, copies, delivery and purpose above, with your name — and it is sent to the office. You do not enter your PIN again.</source>
        <translation>「署名して送信」を押すと、カードの署名用電子証明書でこの申請（上記の証明書・通数・受け取り方法・目的とお名前）に署名し、窓口へ送信します。暗証番号をもう一度入力する必要はありません。</translation>
    </message>
    <message>
        <source>Recipient: {name}</source>
        <translation>提出先：{name}</translation>
    </message>
    <message>
        <source>Fees are not refunded for any reason once the request is sent. The certificate shows the name you had when you were enrolled.</source>
        <translation>送信後は、理由の如何を問わず手数料は返金できません。証明書は在籍時の氏名で発行します。</translation>
    </message>
</context>
<context>
    <name>Screen</name>
    <message>
        <source>Back</source>
        <extracomment>Escape on this screen: Cancel (start over) by default; Finish on the closing screens. Whether the header&apos;s Cancel button is offered on this screen.</extracomment>
        <translation>戻る</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>Your requests</source>
        <translation>申請状況</translation>
    </message>
    <message>
        <source>Requests made with this card, newest first.</source>
        <translation>このカードで行った申請です（新しい順）。</translation>
    </message>
    <message>
        <source>Only the latest {n} are shown.</source>
        <translation>新しいもの{n}件だけを表示しています。</translation>
    </message>
    <message>
        <source>When you take your card, this list is cleared.</source>
        <translation>カードをお取りになると、この一覧は消えます。</translation>
    </message>
    <message>
        <source>There are no requests made with this card.</source>
        <translation>このカードで行った申請はありません。</translation>
    </message>
    <message>
        <source>Status checking is not available here at the moment. Please ask at the counter.</source>
        <translation>ただいま、ここでは申請状況を確認できません。窓口でお尋ねください。</translation>
    </message>
    <message>
        <source>Request number {number}</source>
        <translation>申請番号 {number}</translation>
    </message>
    <message>
        <source>Sent on {date}</source>
        <translation>{date} 申請</translation>
    </message>
    <message>
        <source>Status: {status}</source>
        <translation>状況：{status}</translation>
    </message>
    <message>
        <source>{n} copy</source>
        <translation>{n}通</translation>
    </message>
    <message>
        <source>{n} copies</source>
        <translation>{n}通</translation>
    </message>
    <message>
        <source>Received, waiting for approval</source>
        <translation>受付済み（審査待ちです）</translation>
    </message>
    <message>
        <source>Approved, being prepared</source>
        <translation>承認済み（発行の準備中です）</translation>
    </message>
    <message>
        <source>Not accepted; please ask at the counter</source>
        <translation>受理されませんでした（窓口でお尋ねください）</translation>
    </message>
    <message>
        <source>Ready: pick it up at the counter</source>
        <translation>準備ができました。窓口でお受け取りください</translation>
    </message>
    <message>
        <source>Ready: print it at a convenience store</source>
        <translation>準備ができました。コンビニエンスストアで印刷してください</translation>
    </message>
    <message>
        <source>Ready to download</source>
        <translation>準備ができました。ダウンロードしてください</translation>
    </message>
    <message>
        <source>Issued, to be mailed</source>
        <translation>発行済み（郵送の準備中です）</translation>
    </message>
    <message>
        <source>Mailed</source>
        <translation>郵送済み</translation>
    </message>
    <message>
        <source>Handed over</source>
        <translation>お渡し済み</translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation>ダウンロード済み</translation>
    </message>
    <message>
        <source>Expired: it was not collected in time</source>
        <translation>期限切れ（受け取り期限を過ぎました）</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>終了</translation>
    </message>
</context>
<context>
    <name>Window</name>
    <message>
        <source>Cancel your application?</source>
        <translation>申請を中止しますか？</translation>
    </message>
    <message>
        <source>What you have entered is deleted and nothing is sent.</source>
        <translation>入力した内容は消去され、何も送信されません。</translation>
    </message>
    <message>
        <source>Yes, cancel</source>
        <translation>はい、中止します</translation>
    </message>
    <message>
        <source>No, continue</source>
        <translation>いいえ、続けます</translation>
    </message>
    <message>
        <source>Cancel</source>
        <extracomment>The least room between the header&apos;s Cancel and the language switch (a thumb&apos;s width).</extracomment>
        <translation>中止</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>続ける</translation>
    </message>
    <message>
        <source>No activity: starting over in {n} s. Touch the screen to continue.</source>
        <translation>操作がないため、あと{n}秒で最初の画面に戻ります。続ける場合は画面に触れてください。</translation>
    </message>
</context>
</TS>
