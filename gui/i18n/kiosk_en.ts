<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>CardProblem</name>
    <message>
        <location filename="../screens/problem.py" line="21"/>
        <source>user-authentication certificate</source>
        <translation>user-authentication certificate</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="23"/>
        <source>signature certificate</source>
        <translation>signature certificate</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="24"/>
        <source>certificate</source>
        <translation>certificate</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="34"/>
        <source>The {cert} on this card has expired</source>
        <translation>The {cert} on this card has expired</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="40"/>
        <source>Apply for a new certificate at the municipal office where you are registered (where your residence record is), with this card. Then come back to this kiosk.</source>
        <translation>Apply for a new certificate at the municipal office where you are registered (where your residence record is), with this card. Then come back to this kiosk.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="49"/>
        <source>The {cert} on this card is not valid yet</source>
        <translation>The {cert} on this card is not valid yet</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="50"/>
        <source>Its validity starts on a later date, so the card cannot be used here yet.</source>
        <translation>Its validity starts on a later date, so the card cannot be used here yet.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="54"/>
        <source>Please try again from the date the certificate starts. If it should already be valid, the municipal office where you are registered can check the card.</source>
        <translation>Please try again from the date the certificate starts. If it should already be valid, the municipal office where you are registered can check the card.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="64"/>
        <source>The {cert} on this card could not be verified</source>
        <translation>The {cert} on this card could not be verified</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="67"/>
        <source>This kiosk could not confirm that the certificate was issued by the public certification service (J-LIS) and is still valid. Test cards and other cards are not accepted.</source>
        <translation>This kiosk could not confirm that the certificate was issued by the public certification service (J-LIS) and is still valid. Test cards and other cards are not accepted.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="73"/>
        <source>Make sure this is your own My Number card. If it is, the municipal office where you are registered can check the card.</source>
        <translation>Make sure this is your own My Number card. If it is, the municipal office where you are registered can check the card.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="95"/>
        <source>This is not a My Number card with certificates</source>
        <translation>This is not a My Number card with certificates</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="96"/>
        <source>The card has no electronic certificates for signature and user authentication, or it is another kind of card.</source>
        <translation>The card has no electronic certificates for signature and user authentication, or it is another kind of card.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="101"/>
        <source>Insert your My Number card. If your card has no electronic certificates, they are issued at the municipal office where you are registered.</source>
        <translation>Insert your My Number card. If your card has no electronic certificates, they are issued at the municipal office where you are registered.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="109"/>
        <source>This card could not be confirmed as genuine</source>
        <translation>This card could not be confirmed as genuine</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="110"/>
        <source>The card&apos;s answer did not match its user-authentication certificate, so it cannot be used here.</source>
        <translation>The card&apos;s answer did not match its user-authentication certificate, so it cannot be used here.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="115"/>
        <source>Take the card out and try once more. If it happens again, the card may be damaged: the municipal office where you are registered can check it.</source>
        <translation>Take the card out and try once more. If it happens again, the card may be damaged: the municipal office where you are registered can check it.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="126"/>
        <source>Take the card out, then insert it again with the IC chip facing up. If this keeps happening, the card may be damaged: the municipal office where you are registered can check it.</source>
        <translation>Take the card out, then insert it again with the IC chip facing up. If this keeps happening, the card may be damaged: the municipal office where you are registered can check it.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="140"/>
        <source>The signature certificate on this card is no longer valid</source>
        <translation>The signature certificate on this card is no longer valid</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="141"/>
        <source>A signature certificate stops being valid when your name, address, date of birth or sex changes, for example after moving or marriage, or when the card is reported lost.</source>
        <translation>A signature certificate stops being valid when your name, address, date of birth or sex changes, for example after moving or marriage, or when the card is reported lost.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="147"/>
        <source>Apply for a new signature certificate at the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</source>
        <translation>Apply for a new signature certificate at the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="156"/>
        <source>The user-authentication certificate on this card has been revoked</source>
        <translation>The user-authentication certificate on this card has been revoked</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="159"/>
        <source>A user-authentication certificate is revoked when the card is reported lost or stolen, or is returned. A move or a change of name does not revoke it.</source>
        <translation>A user-authentication certificate is revoked when the card is reported lost or stolen, or is returned. A move or a change of name does not revoke it.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="164"/>
        <location filename="../screens/problem.py" line="173"/>
        <source>Ask the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</source>
        <translation>Ask the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="171"/>
        <source>A certificate on this card has been revoked</source>
        <translation>A certificate on this card has been revoked</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="172"/>
        <source>A revoked certificate can no longer be used.</source>
        <translation>A revoked certificate can no longer be used.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="122"/>
        <source>The card could not be read</source>
        <translation>The card could not be read</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="35"/>
        <source>The certificates on a My Number card are valid until your 5th birthday after they were issued. This one is past that date.</source>
        <translation>The certificates on a My Number card are valid until your 5th birthday after they were issued. This one is past that date.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="123"/>
        <source>The card may be the wrong way round, or it was moved while it was read.</source>
        <translation>The card may be the wrong way round, or it was moved while it was read.</translation>
    </message>
</context>
<context>
    <name>Delivery</name>
    <message>
        <location filename="../screens/form.py" line="45"/>
        <source>By post</source>
        <translation>By post</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="47"/>
        <source>Pick up at the office counter</source>
        <translation>Pick up at the office counter</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="49"/>
        <source>Print at a convenience store</source>
        <translation>Print at a convenience store</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="50"/>
        <source>Digital certificate (PDF)</source>
        <translation>Digital certificate (PDF)</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="55"/>
        <source>Mailed to the address below. Check the postal code and the address, and add a building or room number if needed.</source>
        <translation>Mailed to the address below. Check the postal code and the address, and add a building or room number if needed.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="61"/>
        <source>Pick it up at the office counter once it is ready. Bring an identity document and your request number.</source>
        <translation>Pick it up at the office counter once it is ready. Bring an identity document and your request number.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="67"/>
        <source>Print it on a convenience store&apos;s multi-copy machine. The print deadline is {days} days after it is ready; after that it cannot be printed and the fee is not refunded.</source>
        <translation>Print it on a convenience store&apos;s multi-copy machine. The print deadline is {days} days after it is ready; after that it cannot be printed and the fee is not refunded.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="72"/>
        <source>A one-time digital certificate (PDF) that names the company or school you submit it to. Download it once within {days} days after it is ready; for another recipient, make another request.</source>
        <translation>A one-time digital certificate (PDF) that names the company or school you submit it to. Download it once within {days} days after it is ready; for another recipient, make another request.</translation>
    </message>
</context>
<context>
    <name>EndScreen</name>
    <message>
        <location filename="../screens/problem.py" line="220"/>
        <source>What to do</source>
        <translation>What to do</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="183"/>
        <source>You can also request your certificate in person: {counter}, {place}, {hours}.</source>
        <translation>You can also request your certificate in person: {counter}, {place}, {hours}.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="221"/>
        <source>Please take your card.</source>
        <translation>Please take your card.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="222"/>
        <source>Back to start</source>
        <translation>Back to start</translation>
    </message>
</context>
<context>
    <name>Error</name>
    <message>
        <location filename="../screens/problem.py" line="281"/>
        <source>Sorry, something went wrong</source>
        <translation>Sorry, something went wrong</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="283"/>
        <source>Your request could not be completed because of a problem with the card, the reader or this kiosk.</source>
        <translation>Your request could not be completed because of a problem with the card, the reader or this kiosk.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="290"/>
        <source>Take your card and try again from the start. If it happens again, please ask the staff and show them the message below.</source>
        <translation>Take your card and try again from the start. If it happens again, please ask the staff and show them the message below.</translation>
    </message>
</context>
<context>
    <name>Form</name>
    <message>
        <location filename="../screens/form.py" line="92"/>
        <source>¥{amount}</source>
        <translation>¥{amount}</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="406"/>
        <source>Choose a certificate.</source>
        <translation>Choose a certificate.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="408"/>
        <source>Choose how to receive it.</source>
        <translation>Choose how to receive it.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="386"/>
        <source>Enter the company or school that receives the PDF.</source>
        <translation>Enter the company or school that receives the PDF.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="382"/>
        <source>Enter the postal code as 7 digits, for example 123-4567.</source>
        <translation>Enter the postal code as 7 digits, for example 123-4567.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="380"/>
        <source>Enter the postal code.</source>
        <translation>Enter the postal code.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="384"/>
        <source>Enter the address.</source>
        <translation>Enter the address.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="388"/>
        <source>Please describe the purpose.</source>
        <translation>Please describe the purpose.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="415"/>
        <source>Choose a purpose.</source>
        <translation>Choose a purpose.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="497"/>
        <source>Fee: {total} ({each} × {n})</source>
        <translation>Fee: {total} ({each} × {n})</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="582"/>
        <source>Your request</source>
        <translation>Your request</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="583"/>
        <source>1. Which certificate?</source>
        <translation>1. Which certificate?</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="590"/>
        <source>One copy less</source>
        <translation>One copy less</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="591"/>
        <source>One copy more</source>
        <translation>One copy more</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="592"/>
        <source>3. How do you want to receive it?</source>
        <translation>3. How do you want to receive it?</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="593"/>
        <source>Receive by:</source>
        <translation>Receive by:</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="594"/>
        <source>Postal code (for example 123-4567)</source>
        <translation>Postal code (for example 123-4567)</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="595"/>
        <source>Address (from your card; you may change it)</source>
        <translation>Address (from your card; you may change it)</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="597"/>
        <source>The company or school you submit the PDF to</source>
        <translation>The company or school you submit the PDF to</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="599"/>
        <source>4. What is it for?</source>
        <translation>4. What is it for?</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="606"/>
        <source>Fees are not refunded for any reason: please check the certificate, the number of copies and how you receive it.</source>
        <translation>Fees are not refunded for any reason: please check the certificate, the number of copies and how you receive it.</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="563"/>
        <location filename="../screens/form.py" line="603"/>
        <source>Please describe the purpose</source>
        <translation>Please describe the purpose</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="584"/>
        <source>Certificate:</source>
        <translation>Certificate:</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="586"/>
        <source>2. Copies (1 to {n})</source>
        <translation>2. Copies (1 to {n})</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="600"/>
        <source>Purpose:</source>
        <translation>Purpose:</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="602"/>
        <source>Change</source>
        <translation>Change</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="612"/>
        <source>Next: check</source>
        <translation>Next: check</translation>
    </message>
</context>
<context>
    <name>Identity</name>
    <message>
        <location filename="../screens/identity.py" line="50"/>
        <source>Are these your details?</source>
        <translation>Are these your details?</translation>
    </message>
    <message>
        <location filename="../screens/identity.py" line="52"/>
        <source>Read from your card. Please check them before you go on.</source>
        <translation>Read from your card. Please check them before you go on.</translation>
    </message>
    <message>
        <location filename="../screens/identity.py" line="54"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../screens/identity.py" line="55"/>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../screens/identity.py" line="56"/>
        <source>Date of birth</source>
        <translation>Date of birth</translation>
    </message>
    <message>
        <location filename="../screens/identity.py" line="58"/>
        <source>Certificates are issued in the name you had when you were enrolled. If these details are not yours, press Cancel and take your card.</source>
        <translation>Certificates are issued in the name you had when you were enrolled. If these details are not yours, press Cancel and take your card.</translation>
    </message>
    <message>
        <location filename="../screens/identity.py" line="64"/>
        <source>Yes, continue</source>
        <translation>Yes, continue</translation>
    </message>
    <message>
        <location filename="../screens/identity.py" line="78"/>
        <source>Your card&apos;s certificates expire on {date}. You can renew them now at your municipal office (renewal opens 3 months before expiry).</source>
        <translation>Your card&apos;s certificates expire on {date}. You can renew them now at your municipal office (renewal opens 3 months before expiry).</translation>
    </message>
</context>
<context>
    <name>InsertCard</name>
    <message>
        <location filename="../screens/insert.py" line="67"/>
        <source>Please insert your My Number card</source>
        <translation>Please insert your My Number card</translation>
    </message>
    <message>
        <location filename="../screens/insert.py" line="69"/>
        <source>Put the card into the reader below the screen, IC chip facing up, chip end first.</source>
        <translation>Put the card into the reader below the screen, IC chip facing up, chip end first.</translation>
    </message>
    <message>
        <location filename="../screens/insert.py" line="75"/>
        <source>The screen moves on by itself once the card is in.</source>
        <translation>The screen moves on by itself once the card is in.</translation>
    </message>
    <message>
        <location filename="../screens/insert.py" line="97"/>
        <source>You will need three PINs: your user-authentication PIN (4 digits), your personal-information PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</source>
        <translation>You will need three PINs: your user-authentication PIN (4 digits), your personal-information PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</translation>
    </message>
    <message>
        <location filename="../screens/insert.py" line="106"/>
        <source>You will need two PINs: your user-authentication PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</source>
        <translation>You will need two PINs: your user-authentication PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</translation>
    </message>
    <message>
        <location filename="../screens/insert.py" line="79"/>
        <source>Please take your card. To start again, take it out and insert it again.</source>
        <translation>Please take your card. To start again, take it out and insert it again.</translation>
    </message>
    <message>
        <location filename="../screens/insert.py" line="85"/>
        <source>This kiosk is out of service at the moment. Please ask the staff.</source>
        <translation>This kiosk is out of service at the moment. Please ask the staff.</translation>
    </message>
</context>
<context>
    <name>JukiCard</name>
    <message>
        <location filename="../screens/problem.py" line="81"/>
        <source>This is a Juki card, not a My Number card</source>
        <translation>This is a Juki card, not a My Number card</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="82"/>
        <source>Electronic certificates for Juki cards (Basic Resident Register cards) are no longer issued, so this card cannot be used here.</source>
        <translation>Electronic certificates for Juki cards (Basic Resident Register cards) are no longer issued, so this card cannot be used here.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="87"/>
        <source>Please use your My Number card. If you do not have one, you can apply for it at the municipal office where you are registered.</source>
        <translation>Please use your My Number card. If you do not have one, you can apply for it at the municipal office where you are registered.</translation>
    </message>
</context>
<context>
    <name>Keyboard</name>
    <message>
        <location filename="../widgets/keyboard.py" line="319"/>
        <source>Hiragana</source>
        <translation>Hiragana</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="320"/>
        <source>Katakana</source>
        <translation>Katakana</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="321"/>
        <source>ABC</source>
        <translation>ABC</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="322"/>
        <source>Numbers</source>
        <translation>Numbers</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="326"/>
        <source>Space</source>
        <translation>Space</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="327"/>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="330"/>
        <source>Clear all</source>
        <translation>Clear all</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="331"/>
        <source>Capitals</source>
        <translation>Capitals</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="333"/>
        <source>QWERTY order</source>
        <translation>QWERTY order</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="335"/>
        <source>ABC order</source>
        <translation>ABC order</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="338"/>
        <source>Voiced mark</source>
        <translation>Voiced mark</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="339"/>
        <source>Half-voiced mark</source>
        <translation>Half-voiced mark</translation>
    </message>
    <message>
        <location filename="../widgets/keyboard.py" line="340"/>
        <source>Small kana</source>
        <translation>Small kana</translation>
    </message>
    <message>
        <location filename="../screens/text_entry.py" line="118"/>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../screens/text_entry.py" line="119"/>
        <source>Done</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../widgets/keypad.py" line="80"/>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../widgets/keypad.py" line="84"/>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../widgets/keypad.py" line="147"/>
        <source>QWERTY order</source>
        <translation>QWERTY order</translation>
    </message>
    <message>
        <location filename="../widgets/keypad.py" line="149"/>
        <source>ABC order</source>
        <translation>ABC order</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../texts.py" line="36"/>
        <source>The card has not been authenticated in this session. Please start again.</source>
        <translation>The card has not been authenticated in this session. Please start again.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="39"/>
        <source>This is not the card that was authenticated. Please start again.</source>
        <translation>This is not the card that was authenticated. Please start again.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="42"/>
        <source>The signature certificate does not name the person shown earlier. Please start again.</source>
        <translation>The signature certificate does not name the person shown earlier. Please start again.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="46"/>
        <source>The PIN does not have the right form; nothing was sent to the card.</source>
        <translation>The PIN does not have the right form; nothing was sent to the card.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="49"/>
        <source>The card was removed.</source>
        <translation>The card was removed.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="50"/>
        <source>The connection to the card was lost; nothing was sent. Please take the card out and start again.</source>
        <translation>The connection to the card was lost; nothing was sent. Please take the card out and start again.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="55"/>
        <source>Something went wrong. Please ask the staff.</source>
        <translation>Something went wrong. Please ask the staff.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="58"/>
        <source>The request was not accepted: {reason}</source>
        <translation>The request was not accepted: {reason}</translation>
    </message>
    <message>
        <location filename="../texts.py" line="62"/>
        <source>{name} × {copies} (fee ¥{fee})</source>
        <translation>{name} × {copies} (fee ¥{fee})</translation>
    </message>
    <message>
        <location filename="../texts.py" line="63"/>
        <source>By post to {address}.</source>
        <translation>By post to {address}.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="64"/>
        <source>Print it at a convenience store&apos;s multi-copy machine by {deadline}.</source>
        <translation>Print it at a convenience store&apos;s multi-copy machine by {deadline}.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="67"/>
        <source>A signed PDF for {recipient}: download it once within {days} days of issue.</source>
        <translation>A signed PDF for {recipient}: download it once within {days} days of issue.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="71"/>
        <source>Collect it at the office counter when it is ready.</source>
        <translation>Collect it at the office counter when it is ready.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="74"/>
        <source>Approval usually takes about two business days.</source>
        <translation>Approval usually takes about two business days.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="80"/>
        <source>{day} {month_name} {year}</source>
        <translation>{day} {month_name} {year}</translation>
    </message>
    <message>
        <location filename="../texts.py" line="82"/>
        <source>January</source>
        <translation>January</translation>
    </message>
    <message>
        <location filename="../texts.py" line="83"/>
        <source>February</source>
        <translation>February</translation>
    </message>
    <message>
        <location filename="../texts.py" line="84"/>
        <source>March</source>
        <translation>March</translation>
    </message>
    <message>
        <location filename="../texts.py" line="85"/>
        <source>April</source>
        <translation>April</translation>
    </message>
    <message>
        <location filename="../texts.py" line="86"/>
        <source>May</source>
        <translation>May</translation>
    </message>
    <message>
        <location filename="../texts.py" line="87"/>
        <source>June</source>
        <translation>June</translation>
    </message>
    <message>
        <location filename="../texts.py" line="88"/>
        <source>July</source>
        <translation>July</translation>
    </message>
    <message>
        <location filename="../texts.py" line="89"/>
        <source>August</source>
        <translation>August</translation>
    </message>
    <message>
        <location filename="../texts.py" line="90"/>
        <source>September</source>
        <translation>September</translation>
    </message>
    <message>
        <location filename="../texts.py" line="91"/>
        <source>October</source>
        <translation>October</translation>
    </message>
    <message>
        <location filename="../texts.py" line="92"/>
        <source>November</source>
        <translation>November</translation>
    </message>
    <message>
        <location filename="../texts.py" line="93"/>
        <source>December</source>
        <translation>December</translation>
    </message>
    <message>
        <location filename="../texts.py" line="98"/>
        <source>This certificate is not offered here.</source>
        <translation>This certificate is not offered here.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="99"/>
        <source>Choose 1 to {max} copies.</source>
        <translation>Choose 1 to {max} copies.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="100"/>
        <source>This certificate cannot be delivered that way.</source>
        <translation>This certificate cannot be delivered that way.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="103"/>
        <source>Enter the postal address.</source>
        <translation>Enter the postal address.</translation>
    </message>
    <message>
        <location filename="../texts.py" line="104"/>
        <source>Enter the postal code (for example 102-8160).</source>
        <translation>Enter the postal code (for example 102-8160).</translation>
    </message>
    <message>
        <location filename="../texts.py" line="107"/>
        <source>Enter the organisation the PDF is for.</source>
        <translation>Enter the organisation the PDF is for.</translation>
    </message>
</context>
<context>
    <name>Pin</name>
    <message>
        <location filename="../screens/pin.py" line="97"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="106"/>
        <source>Enter your user-authentication PIN</source>
        <translation>Enter your user-authentication PIN</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="108"/>
        <source>This 4-digit PIN shows that the card is yours. The staff will never ask you for it.</source>
        <translation>This 4-digit PIN shows that the card is yours. The staff will never ask you for it.</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="117"/>
        <source>Enter your personal-information PIN</source>
        <translation>Enter your personal-information PIN</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="119"/>
        <source>Why a second PIN? Your name, address and date of birth are kept in a separate part of the card, which has its own 4-digit PIN (券面事項入力補助用). It is read only with that PIN.</source>
        <translation>Why a second PIN? Your name, address and date of birth are kept in a separate part of the card, which has its own 4-digit PIN (券面事項入力補助用). It is read only with that PIN.</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="128"/>
        <source>Enter your signature PIN to read your details</source>
        <translation>Enter your signature PIN to read your details</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="131"/>
        <source>Why a second PIN? Your name, address and date of birth are in the signature certificate, which the card gives out only with your signature PIN. Nothing is signed yet.</source>
        <translation>Why a second PIN? Your name, address and date of birth are in the signature certificate, which the card gives out only with your signature PIN. Nothing is signed yet.</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="139"/>
        <source>Sign your request with your signature PIN</source>
        <translation>Sign your request with your signature PIN</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="141"/>
        <source>Your signature PIN signs the request with your card, like a seal. Then the request is sent.</source>
        <translation>Your signature PIN signs the request with your card, like a seal. Then the request is sent.</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="157"/>
        <source>Add at least one digit</source>
        <translation>Add at least one digit</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="159"/>
        <source>Add at least one letter</source>
        <translation>Add at least one letter</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="171"/>
        <source>The PIN was wrong. 1 try left: if this PIN is wrong too, your {pin} is locked, and only your municipal office can unlock it.</source>
        <translation>The PIN was wrong. 1 try left: if this PIN is wrong too, your {pin} is locked, and only your municipal office can unlock it.</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="177"/>
        <source>1 try left: if this PIN is wrong, your {pin} is locked, and only your municipal office can unlock it.</source>
        <translation>1 try left: if this PIN is wrong, your {pin} is locked, and only your municipal office can unlock it.</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="185"/>
        <source>The PIN was wrong. {n} tries left.</source>
        <translation>The PIN was wrong. {n} tries left.</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="191"/>
        <source>{n} tries left.</source>
        <translation>{n} tries left.</translation>
    </message>
    <message>
        <location filename="../screens/pin.py" line="188"/>
        <source>That PIN has the wrong form; nothing was sent to the card.</source>
        <translation>That PIN has the wrong form; nothing was sent to the card.</translation>
    </message>
</context>
<context>
    <name>PinBlocked</name>
    <message>
        <location filename="../screens/problem.py" line="252"/>
        <source>Your {pin} is locked</source>
        <translation>Your {pin} is locked</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="256"/>
        <source>To protect you, the card locks a PIN after {tries} wrong entries in a row. Nothing on your card has been lost or changed, and nobody can use it with this PIN now.</source>
        <translation>To protect you, the card locks a PIN after {tries} wrong entries in a row. Nothing on your card has been lost or changed, and nobody can use it with this PIN now.</translation>
    </message>
    <message>
        <location filename="../screens/problem.py" line="264"/>
        <source>The PIN can be reset only at the municipal office where you are registered. Bring this card and an identity document (for example a driving licence, a passport or a residence card); the office resets the PIN and you choose a new one. Then come back to this kiosk.</source>
        <translation>The PIN can be reset only at the municipal office where you are registered. Bring this card and an identity document (for example a driving licence, a passport or a residence card); the office resets the PIN and you choose a new one. Then come back to this kiosk.</translation>
    </message>
</context>
<context>
    <name>PinField</name>
    <message>
        <location filename="../widgets/pin_field.py" line="94"/>
        <source>{count} characters entered</source>
        <translation>{count} characters entered</translation>
    </message>
</context>
<context>
    <name>Pins</name>
    <message>
        <location filename="../screens/base.py" line="52"/>
        <source>user-authentication PIN</source>
        <translation>user-authentication PIN</translation>
    </message>
    <message>
        <location filename="../screens/base.py" line="54"/>
        <source>signature PIN</source>
        <translation>signature PIN</translation>
    </message>
    <message>
        <location filename="../screens/base.py" line="55"/>
        <source>personal-information PIN</source>
        <translation>personal-information PIN</translation>
    </message>
    <message>
        <location filename="../screens/base.py" line="60"/>
        <source>6 to 16 letters A–Z and digits 0–9, at least one of each</source>
        <translation>6 to 16 letters A–Z and digits 0–9, at least one of each</translation>
    </message>
    <message>
        <location filename="../screens/base.py" line="61"/>
        <source>4 digits</source>
        <translation>4 digits</translation>
    </message>
</context>
<context>
    <name>Progress</name>
    <message>
        <location filename="../screens/progress.py" line="40"/>
        <source>Reading your card…</source>
        <translation>Reading your card…</translation>
    </message>
    <message>
        <location filename="../screens/progress.py" line="41"/>
        <source>Checking the card&apos;s certificate.</source>
        <translation>Checking the card&apos;s certificate.</translation>
    </message>
    <message>
        <location filename="../screens/progress.py" line="44"/>
        <source>Checking your PIN…</source>
        <translation>Checking your PIN…</translation>
    </message>
    <message>
        <location filename="../screens/progress.py" line="45"/>
        <source>The card is proving that it is yours.</source>
        <translation>The card is proving that it is yours.</translation>
    </message>
    <message>
        <location filename="../screens/progress.py" line="48"/>
        <source>Reading your details…</source>
        <translation>Reading your details…</translation>
    </message>
    <message>
        <location filename="../screens/progress.py" line="49"/>
        <source>Reading your name, address and date of birth from the card.</source>
        <translation>Reading your name, address and date of birth from the card.</translation>
    </message>
    <message>
        <location filename="../screens/progress.py" line="54"/>
        <source>Signing and sending your request…</source>
        <translation>Signing and sending your request…</translation>
    </message>
    <message>
        <location filename="../screens/progress.py" line="55"/>
        <source>This takes a few seconds.</source>
        <translation>This takes a few seconds.</translation>
    </message>
    <message>
        <location filename="../screens/progress.py" line="61"/>
        <source>Do not remove your card.</source>
        <translation>Do not remove your card.</translation>
    </message>
</context>
<context>
    <name>Purpose</name>
    <message>
        <location filename="../screens/form.py" line="82"/>
        <source>Job application</source>
        <translation>Job application</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="83"/>
        <source>Further study</source>
        <translation>Further study</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="84"/>
        <source>Scholarship</source>
        <translation>Scholarship</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="85"/>
        <source>Qualification or licence</source>
        <translation>Qualification or licence</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="86"/>
        <source>Visa or immigration</source>
        <translation>Visa or immigration</translation>
    </message>
    <message>
        <location filename="../screens/form.py" line="87"/>
        <source>Other</source>
        <translation>Other</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <location filename="../receipt.py" line="78"/>
        <location filename="../screens/receipt.py" line="118"/>
        <source>Request number</source>
        <translation>Request number</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="27"/>
        <source>Once approved, the certificate is mailed to the address you gave.</source>
        <translation>Once approved, the certificate is mailed to the address you gave.</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="33"/>
        <source>Once it is ready, pick it up at the office counter with an identity document and this request number.</source>
        <translation>Once it is ready, pick it up at the office counter with an identity document and this request number.</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="41"/>
        <source>Once it is ready, print it at a convenience store within {days} days; after the print deadline it cannot be printed.</source>
        <translation>Once it is ready, print it at a convenience store within {days} days; after the print deadline it cannot be printed.</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="49"/>
        <source>Once it is ready, download the PDF once, within {days} days; it is for {recipient} only.</source>
        <translation>Once it is ready, download the PDF once, within {days} days; it is for {recipient} only.</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="56"/>
        <source>Fees are not refunded. Keep the request number for any questions.</source>
        <translation>Fees are not refunded. Keep the request number for any questions.</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="117"/>
        <location filename="../screens/receipt.py" line="170"/>
        <source>Your request has been sent</source>
        <translation>Your request has been sent</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="119"/>
        <source>What happens next</source>
        <translation>What happens next</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="120"/>
        <source>Please take your card.</source>
        <translation>Please take your card.</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="121"/>
        <source>Print receipt</source>
        <translation>Print receipt</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="122"/>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="181"/>
        <source>The receipt could not be printed: {error}</source>
        <translation>The receipt could not be printed: {error}</translation>
    </message>
    <message>
        <location filename="../screens/receipt.py" line="185"/>
        <source>Receipt printed ({where}).</source>
        <translation>Receipt printed ({where}).</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <location filename="../screens/review.py" line="146"/>
        <location filename="../screens/receipt.py" line="158"/>
        <source>Certificate</source>
        <translation>Certificate</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="147"/>
        <location filename="../screens/receipt.py" line="159"/>
        <source>Copies</source>
        <translation>Copies</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="149"/>
        <location filename="../screens/receipt.py" line="160"/>
        <source>Receive by</source>
        <translation>Receive by</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="143"/>
        <source>Please check your request</source>
        <translation>Please check your request</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="145"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="148"/>
        <source>Fee</source>
        <translation>Fee</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="150"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="151"/>
        <source>Purpose</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="156"/>
        <source>Change</source>
        <translation>Change</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="158"/>
        <source>Fees are not refunded for any reason once the request is sent. Approval takes about 2 business days. The certificate shows the name you had when you were enrolled.</source>
        <translation>Fees are not refunded for any reason once the request is sent. Approval takes about 2 business days. The certificate shows the name you had when you were enrolled.</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="173"/>
        <source>Next you sign the request with your signature PIN.</source>
        <translation>Next you sign the request with your signature PIN.</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="166"/>
        <source>Sign and send</source>
        <translation>Sign and send</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="178"/>
        <source>Sign and send: the signature certificate on your card signs this request — the certificate, copies, delivery and purpose above, with your name — and it is sent to the office. You do not enter your PIN again.</source>
        <translation>Sign and send: the signature certificate on your card signs this request — the certificate, copies, delivery and purpose above, with your name — and it is sent to the office. You do not enter your PIN again.</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="202"/>
        <source>{total} ({each} × {n})</source>
        <translation>{total} ({each} × {n})</translation>
    </message>
    <message>
        <location filename="../screens/review.py" line="216"/>
        <source>Recipient: {name}</source>
        <translation>Recipient: {name}</translation>
    </message>
</context>
<context>
    <name>Window</name>
    <message>
        <location filename="../window.py" line="256"/>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../window.py" line="257"/>
        <source>Continue</source>
        <translation>Continue</translation>
    </message>
    <message>
        <location filename="../window.py" line="339"/>
        <source>No activity: starting over in {n} s. Touch the screen to continue.</source>
        <translation>No activity: starting over in {n} s. Touch the screen to continue.</translation>
    </message>
</context>
</TS>
