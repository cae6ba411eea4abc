<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>CardProblem</name>
    <message>
        <source>user-authentication certificate</source>
        <translation>user-authentication certificate</translation>
    </message>
    <message>
        <source>signature certificate</source>
        <translation>signature certificate</translation>
    </message>
    <message>
        <source>certificate</source>
        <translation>certificate</translation>
    </message>
    <message>
        <source>The {cert} on this card has expired</source>
        <translation>The {cert} on this card has expired</translation>
    </message>
    <message>
        <source>Apply for a new certificate at the municipal office where you are registered (where your residence record is), with this card. Then come back to this kiosk.</source>
        <translation>Apply for a new certificate at the municipal office where you are registered (where your residence record is), with this card. Then come back to this kiosk.</translation>
    </message>
    <message>
        <source>The {cert} on this card is not valid yet</source>
        <translation>The {cert} on this card is not valid yet</translation>
    </message>
    <message>
        <source>Its validity starts on a later date, so the card cannot be used here yet.</source>
        <translation>Its validity starts on a later date, so the card cannot be used here yet.</translation>
    </message>
    <message>
        <source>Please try again from the date the certificate starts. If it should already be valid, the municipal office where you are registered can check the card.</source>
        <translation>Please try again from the date the certificate starts. If it should already be valid, the municipal office where you are registered can check the card.</translation>
    </message>
    <message>
        <source>The {cert} on this card could not be verified</source>
        <translation>The {cert} on this card could not be verified</translation>
    </message>
    <message>
        <source>This kiosk could not confirm that the certificate was issued by the public certification service (J-LIS) and is still valid. Test cards and other cards are not accepted.</source>
        <translation>This kiosk could not confirm that the certificate was issued by the public certification service (J-LIS) and is still valid. Test cards and other cards are not accepted.</translation>
    </message>
    <message>
        <source>Make sure this is your own My Number card. If it is, the municipal office where you are registered can check the card.</source>
        <translation>Make sure this is your own My Number card. If it is, the municipal office where you are registered can check the card.</translation>
    </message>
    <message>
        <source>This is not a My Number card with certificates</source>
        <translation>This is not a My Number card with certificates</translation>
    </message>
    <message>
        <source>The card has no electronic certificates for signature and user authentication, or it is another kind of card.</source>
        <translation>The card has no electronic certificates for signature and user authentication, or it is another kind of card.</translation>
    </message>
    <message>
        <source>Please use your My Number card. If your card has no electronic certificates, they are issued at the municipal office where you are registered.</source>
        <translation>Please use your My Number card. If your card has no electronic certificates, they are issued at the municipal office where you are registered.</translation>
    </message>
    <message>
        <source>This card could not be confirmed as genuine</source>
        <translation>This card could not be confirmed as genuine</translation>
    </message>
    <message>
        <source>The card&apos;s answer did not match its user-authentication certificate, so it cannot be used here.</source>
        <translation>The card&apos;s answer did not match its user-authentication certificate, so it cannot be used here.</translation>
    </message>
    <message>
        <source>Take your card and try once more. If it happens again, the card may be damaged: the municipal office where you are registered can check it.</source>
        <translation>Take your card and try once more. If it happens again, the card may be damaged: the municipal office where you are registered can check it.</translation>
    </message>
    <message>
        <source>Take the card out, then insert it again with the IC chip facing up. If this keeps happening, the card may be damaged: the municipal office where you are registered can check it.</source>
        <translation>Take the card out, then insert it again with the IC chip facing up. If this keeps happening, the card may be damaged: the municipal office where you are registered can check it.</translation>
    </message>
    <message>
        <source>The signature certificate on this card is no longer valid</source>
        <translation>The signature certificate on this card is no longer valid</translation>
    </message>
    <message>
        <source>A signature certificate stops being valid when your name, address, date of birth or sex changes, for example after moving or marriage, or when the card is reported lost.</source>
        <translation>A signature certificate stops being valid when your name, address, date of birth or sex changes, for example after moving or marriage, or when the card is reported lost.</translation>
    </message>
    <message>
        <source>Apply for a new signature certificate at the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</source>
        <translation>Apply for a new signature certificate at the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</translation>
    </message>
    <message>
        <source>The user-authentication certificate on this card has been revoked</source>
        <translation>The user-authentication certificate on this card has been revoked</translation>
    </message>
    <message>
        <source>A user-authentication certificate is revoked when the card is reported lost or stolen, or is returned. A move or a change of name does not revoke it.</source>
        <translation>A user-authentication certificate is revoked when the card is reported lost or stolen, or is returned. A move or a change of name does not revoke it.</translation>
    </message>
    <message>
        <source>Ask the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</source>
        <translation>Ask the municipal office where you are registered, with this card. If your card was lost or stolen, call the My Number hotline: 0120-95-0178.</translation>
    </message>
    <message>
        <source>A certificate on this card has been revoked</source>
        <translation>A certificate on this card has been revoked</translation>
    </message>
    <message>
        <source>A revoked certificate can no longer be used.</source>
        <translation>A revoked certificate can no longer be used.</translation>
    </message>
    <message>
        <source>The card could not be read</source>
        <translation>The card could not be read</translation>
    </message>
    <message>
        <source>The certificates on a My Number card are valid until your 5th birthday after they were issued. This one is past that date.</source>
        <translation>The certificates on a My Number card are valid until your 5th birthday after they were issued. This one is past that date.</translation>
    </message>
    <message>
        <source>The card may be the wrong way round, or it was moved while it was read.</source>
        <translation>The card may be the wrong way round, or it was moved while it was read.</translation>
    </message>
</context>
<context>
    <name>CardWords</name>
    <message>
        <source>Please place your card on the reader</source>
        <translation>Please place your card on the reader</translation>
    </message>
    <message>
        <source>Please insert or place your card</source>
        <translation>Please insert or place your card</translation>
    </message>
    <message>
        <source>Lay the card on the reader below the screen; keep it still until reading ends.</source>
        <translation>Lay the card on the reader below the screen; keep it still until reading ends.</translation>
    </message>
    <message>
        <source>Insert the card into the reader below the screen (IC chip up, chip end first), or lay it flat on the reader.</source>
        <translation>Insert the card into the reader below the screen (IC chip up, chip end first), or lay it flat on the reader.</translation>
    </message>
    <message>
        <source>The screen moves on by itself once the card is read.</source>
        <translation>The screen moves on by itself once the card is read.</translation>
    </message>
    <message>
        <source>Please take your card off the reader. To start again, take it off and place it again.</source>
        <translation>Please take your card off the reader. To start again, take it off and place it again.</translation>
    </message>
    <message>
        <source>Please take your card. To start again, take it, then insert or place it again.</source>
        <translation>Please take your card. To start again, take it, then insert or place it again.</translation>
    </message>
    <message>
        <source>Do not move your card until reading ends.</source>
        <translation>Do not move your card until reading ends.</translation>
    </message>
    <message>
        <source>Keep your card in place until reading ends.</source>
        <translation>Keep your card in place until reading ends.</translation>
    </message>
    <message>
        <source>Please take your card off the reader.</source>
        <translation>Please take your card off the reader.</translation>
    </message>
    <message>
        <source>The card moved off the reader before reading ended; nothing was done. Please place it on the reader again.</source>
        <translation>The card moved off the reader before reading ended; nothing was done. Please place it on the reader again.</translation>
    </message>
    <message>
        <source>The card may have moved while it was read.</source>
        <translation>The card may have moved while it was read.</translation>
    </message>
    <message>
        <source>Take the card off the reader, then lay it flat on the reader again and keep it still until reading ends. If this keeps happening, the card may be damaged: the municipal office where you are registered can check it.</source>
        <translation>Take the card off the reader, then lay it flat on the reader again and keep it still until reading ends. If this keeps happening, the card may be damaged: the municipal office where you are registered can check it.</translation>
    </message>
    <message>
        <source>Your application was stopped because the card was taken off the reader before it was finished. To apply, place your card on the reader and start again.</source>
        <translation>Your application was stopped because the card was taken off the reader before it was finished. To apply, place your card on the reader and start again.</translation>
    </message>
</context>
<context>
    <name>Delivery</name>
    <message>
        <source>By post</source>
        <translation>By post</translation>
    </message>
    <message>
        <source>Pick up at the office counter</source>
        <translation>Pick up at the office counter</translation>
    </message>
    <message>
        <source>Print at a convenience store</source>
        <translation>Print at a convenience store</translation>
    </message>
    <message>
        <source>Digital certificate (PDF)</source>
        <translation>Digital certificate (PDF)</translation>
    </message>
    <message>
        <source>Mailed to the address below. Check the postal code and the address, and add a building or room number if needed.</source>
        <translation>Mailed to the address below. Check the postal code and the address, and add a building or room number if needed.</translation>
    </message>
    <message>
        <source>A one-time digital certificate (PDF) that names the company or school you submit it to; for another recipient, make another request.</source>
        <translation>A one-time digital certificate (PDF) that names the company or school you submit it to; for another recipient, make another request.</translation>
    </message>
    <message>
        <source>Pick it up at {place} once it is ready.</source>
        <translation>Pick it up at {place} once it is ready.</translation>
    </message>
    <message>
        <source>Print it on a convenience store&apos;s multi-copy machine.</source>
        <translation>Print it on a convenience store&apos;s multi-copy machine.</translation>
    </message>
</context>
<context>
    <name>EndScreen</name>
    <message>
        <source>What to do</source>
        <translation>What to do</translation>
    </message>
    <message>
        <source>You can also request your certificate in person: {counter}, {place}, {hours}.</source>
        <translation>You can also request your certificate in person: {counter}, {place}, {hours}.</translation>
    </message>
    <message>
        <source>Please take your card.</source>
        <translation>Please take your card.</translation>
    </message>
    <message>
        <source>Back to start</source>
        <translation>Back to start</translation>
    </message>
</context>
<context>
    <name>Error</name>
    <message>
        <source>Sorry, something went wrong</source>
        <translation>Sorry, something went wrong</translation>
    </message>
    <message>
        <source>Your request could not be completed because of a problem with the card, the reader or this kiosk.</source>
        <translation>Your request could not be completed because of a problem with the card, the reader or this kiosk.</translation>
    </message>
    <message>
        <source>Take your card and try again from the start. If it happens again, please ask the staff and show them the message below.</source>
        <translation>Take your card and try again from the start. If it happens again, please ask the staff and show them the message below.</translation>
    </message>
</context>
<context>
    <name>Form</name>
    <message>
        <source>¥{amount}</source>
        <translation>¥{amount}</translation>
    </message>
    <message>
        <source>Choose a certificate.</source>
        <translation>Choose a certificate.</translation>
    </message>
    <message>
        <source>Choose how to receive it.</source>
        <translation>Choose how to receive it.</translation>
    </message>
    <message>
        <source>Enter the company or school that receives the PDF.</source>
        <translation>Enter the company or school that receives the PDF.</translation>
    </message>
    <message>
        <source>Enter the postal code as 7 digits, for example 123-4567.</source>
        <translation>Enter the postal code as 7 digits, for example 123-4567.</translation>
    </message>
    <message>
        <source>Enter the postal code.</source>
        <translation>Enter the postal code.</translation>
    </message>
    <message>
        <source>Enter the address.</source>
        <translation>Enter the address.</translation>
    </message>
    <message>
        <source>Please describe the purpose.</source>
        <translation>Please describe the purpose.</translation>
    </message>
    <message>
        <source>Choose a purpose.</source>
        <translation>Choose a purpose.</translation>
    </message>
    <message>
        <source>Fee: {total} ({each} × {n})</source>
        <translation>Fee: {total} ({each} × {n})</translation>
    </message>
    <message>
        <source>Your request</source>
        <translation>Your request</translation>
    </message>
    <message>
        <source>1. Which certificate?</source>
        <translation>1. Which certificate?</translation>
    </message>
    <message>
        <source>One copy less</source>
        <translation>One copy less</translation>
    </message>
    <message>
        <source>One copy more</source>
        <translation>One copy more</translation>
    </message>
    <message>
        <source>3. How do you want to receive it?</source>
        <translation>3. How do you want to receive it?</translation>
    </message>
    <message>
        <source>Receive by:</source>
        <translation>Receive by:</translation>
    </message>
    <message>
        <source>Postal code (for example 123-4567)</source>
        <translation>Postal code (for example 123-4567)</translation>
    </message>
    <message>
        <source>Address (from your card; you may change it)</source>
        <translation>Address (from your card; you may change it)</translation>
    </message>
    <message>
        <source>The company or school you submit the PDF to</source>
        <translation>The company or school you submit the PDF to</translation>
    </message>
    <message>
        <source>4. What is it for?</source>
        <translation>4. What is it for?</translation>
    </message>
    <message>
        <source>Fees are not refunded for any reason: please check the certificate, the number of copies and how you receive it.</source>
        <translation>Fees are not refunded for any reason: please check the certificate, the number of copies and how you receive it.</translation>
    </message>
    <message>
        <source>Please describe the purpose</source>
        <translation>Please describe the purpose</translation>
    </message>
    <message>
        <source>Certificate:</source>
        <translation>Certificate:</translation>
    </message>
    <message>
        <source>2. Copies (1 to {n})</source>
        <translation>2. Copies (1 to {n})</translation>
    </message>
    <message>
        <source>Purpose:</source>
        <translation>Purpose:</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Change</translation>
    </message>
    <message>
        <source>Next: check</source>
        <translation>Next: check</translation>
    </message>
</context>
<context>
    <name>Identity</name>
    <message>
        <source>Are these your details?</source>
        <translation>Are these your details?</translation>
    </message>
    <message>
        <source>Read from your card. Please check them before you go on.</source>
        <translation>Read from your card. Please check them before you go on.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Date of birth</translation>
    </message>
    <message>
        <source>Certificates are issued in the name you had when you were enrolled. If these details are not yours, press Cancel and take your card.</source>
        <translation>Certificates are issued in the name you had when you were enrolled. If these details are not yours, press Cancel and take your card.</translation>
    </message>
    <message>
        <source>Yes, continue</source>
        <translation>Yes, continue</translation>
    </message>
    <message>
        <source>Your card&apos;s certificates expire on {date}. You can renew them now at your municipal office (renewal opens 3 months before expiry).</source>
        <translation>Your card&apos;s certificates expire on {date}. You can renew them now at your municipal office (renewal opens 3 months before expiry).</translation>
    </message>
</context>
<context>
    <name>InsertCard</name>
    <message>
        <source>Your application was stopped because there was no activity for a while.</source>
        <translation>Your application was stopped because there was no activity for a while.</translation>
    </message>
    <message>
        <source>Your application was stopped because the card was taken out before it was finished. To apply, insert your card and start again.</source>
        <translation>Your application was stopped because the card was taken out before it was finished. To apply, insert your card and start again.</translation>
    </message>
    <message>
        <source>Please insert your My Number card</source>
        <translation>Please insert your My Number card</translation>
    </message>
    <message>
        <source>Put the card into the reader below the screen, IC chip facing up, chip end first.</source>
        <translation>Put the card into the reader below the screen, IC chip facing up, chip end first.</translation>
    </message>
    <message>
        <source>The screen moves on by itself once the card is in.</source>
        <translation>The screen moves on by itself once the card is in.</translation>
    </message>
    <message>
        <source>You will need three PINs: your user-authentication PIN (4 digits), your personal-information PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</source>
        <translation>You will need three PINs: your user-authentication PIN (4 digits), your personal-information PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</translation>
    </message>
    <message>
        <source>You will need two PINs: your user-authentication PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</source>
        <translation>You will need two PINs: your user-authentication PIN (4 digits) and your signature PIN (6 to 16 letters and digits).</translation>
    </message>
    <message>
        <source>Please take your card. To start again, take it out and insert it again.</source>
        <translation>Please take your card. To start again, take it out and insert it again.</translation>
    </message>
    <message>
        <source>This kiosk is out of service at the moment. Please ask the staff.</source>
        <translation>This kiosk is out of service at the moment. Please ask the staff.</translation>
    </message>
    <message>
        <source>Apply for a certificate</source>
        <translation>Apply for a certificate</translation>
    </message>
    <message>
        <source>Check my requests</source>
        <translation>Check my requests</translation>
    </message>
    <message>
        <source>To see your requests and where each stands, you need only your user-authentication PIN (4 digits).</source>
        <translation>To see your requests and where each stands, you need only your user-authentication PIN (4 digits).</translation>
    </message>
</context>
<context>
    <name>JukiCard</name>
    <message>
        <source>This is a Juki card, not a My Number card</source>
        <translation>This is a Juki card, not a My Number card</translation>
    </message>
    <message>
        <source>Electronic certificates for Juki cards (Basic Resident Register cards) are no longer issued, so this card cannot be used here.</source>
        <translation>Electronic certificates for Juki cards (Basic Resident Register cards) are no longer issued, so this card cannot be used here.</translation>
    </message>
    <message>
        <source>Please use your My Number card. If you do not have one, you can apply for it at the municipal office where you are registered.</source>
        <translation>Please use your My Number card. If you do not have one, you can apply for it at the municipal office where you are registered.</translation>
    </message>
</context>
<context>
    <name>Keyboard</name>
    <message>
        <source>Hiragana</source>
        <translation>Hiragana</translation>
    </message>
    <message>
        <source>Katakana</source>
        <translation>Katakana</translation>
    </message>
    <message>
        <source>ABC</source>
        <translation>ABC</translation>
    </message>
    <message>
        <source>Numbers</source>
        <translation>Numbers</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>Space</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Clear all</source>
        <translation>Clear all</translation>
    </message>
    <message>
        <source>Capitals</source>
        <translation>Capitals</translation>
    </message>
    <message>
        <source>QWERTY order</source>
        <translation>QWERTY order</translation>
    </message>
    <message>
        <source>ABC order</source>
        <translation>ABC order</translation>
    </message>
    <message>
        <source>Voiced mark</source>
        <translation>Voiced mark</translation>
    </message>
    <message>
        <source>Half-voiced mark</source>
        <translation>Half-voiced mark</translation>
    </message>
    <message>
        <source>Small kana</source>
        <translation>Small kana</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>QWERTY order</source>
        <translation>QWERTY order</translation>
    </message>
    <message>
        <source>ABC order</source>
        <translation>ABC order</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>The card has not been authenticated in this session. Please start again.</source>
        <translation>The card has not been authenticated in this session. Please start again.</translation>
    </message>
    <message>
        <source>This is not the card that was authenticated. Please start again.</source>
        <translation>This is not the card that was authenticated. Please start again.</translation>
    </message>
    <message>
        <source>The signature certificate does not name the person shown earlier. Please start again.</source>
        <translation>The signature certificate does not name the person shown earlier. Please start again.</translation>
    </message>
    <message>
        <source>The PIN does not have the right form; nothing was sent to the card.</source>
        <translation>The PIN does not have the right form; nothing was sent to the card.</translation>
    </message>
    <message>
        <source>The card left the reader.</source>
        <translation>The card left the reader.</translation>
    </message>
    <message>
        <source>The connection to the card was lost; nothing was sent. Please take your card and start again.</source>
        <translation>The connection to the card was lost; nothing was sent. Please take your card and start again.</translation>
    </message>
    <message>
        <source>Something went wrong. Please ask the staff.</source>
        <translation>Something went wrong. Please ask the staff.</translation>
    </message>
    <message>
        <source>The request was not accepted: {reason}</source>
        <translation>The request was not accepted: {reason}</translation>
    </message>
    <message>
        <source>{name} × {copies} (fee ¥{fee})</source>
        <translation>{name} × {copies} (fee ¥{fee})</translation>
    </message>
    <message>
        <source>{day} {month_name} {year}</source>
        <translation>{day} {month_name} {year}</translation>
    </message>
    <message>
        <source>January</source>
        <translation>January</translation>
    </message>
    <message>
        <source>February</source>
        <translation>February</translation>
    </message>
    <message>
        <source>March</source>
        <translation>March</translation>
    </message>
    <message>
        <source>April</source>
        <translation>April</translation>
    </message>
    <message>
        <source>May</source>
        <translation>May</translation>
    </message>
    <message>
        <source>June</source>
        <translation>June</translation>
    </message>
    <message>
        <source>July</source>
        <translation>July</translation>
    </message>
    <message>
        <source>August</source>
        <translation>August</translation>
    </message>
    <message>
        <source>September</source>
        <translation>September</translation>
    </message>
    <message>
        <source>October</source>
        <translation>October</translation>
    </message>
    <message>
        <source>November</source>
        <translation>November</translation>
    </message>
    <message>
        <source>December</source>
        <translation>December</translation>
    </message>
    <message>
        <source>This certificate is not offered here.</source>
        <translation>This certificate is not offered here.</translation>
    </message>
    <message>
        <source>Choose 1 to {max} copies.</source>
        <translation>Choose 1 to {max} copies.</translation>
    </message>
    <message>
        <source>This certificate cannot be delivered that way.</source>
        <translation>This certificate cannot be delivered that way.</translation>
    </message>
    <message>
        <source>Enter the postal address.</source>
        <translation>Enter the postal address.</translation>
    </message>
    <message>
        <source>Enter the postal code (for example 102-8160).</source>
        <translation>Enter the postal code (for example 102-8160).</translation>
    </message>
    <message>
        <source>Enter the organisation the PDF is for.</source>
        <translation>Enter the organisation the PDF is for.</translation>
    </message>
    <message>
        <source>A one-time download link on {site} is sent to {link_to}. The digital certificate names {recipient} and is for them only.</source>
        <translation>A one-time download link on {site} is sent to {link_to}. The digital certificate names {recipient} and is for them only.</translation>
    </message>
    <message>
        <source>At {machines}, choose {menu} and enter your request number {number} as the print number.</source>
        <translation>At {machines}, choose {menu} and enter your request number {number} as the print number.</translation>
    </message>
    <message>
        <source>Collect it at {place} ({hours}). Bring {bring}.</source>
        <translation>Collect it at {place} ({hours}). Bring {bring}.</translation>
    </message>
    <message>
        <source>Download it once, within {days} days of the day the link is sent. After that the link no longer works and the fee is not refunded.</source>
        <translation>Download it once, within {days} days of the day the link is sent. After that the link no longer works and the fee is not refunded.</translation>
    </message>
    <message>
        <source>Fees are not refunded. Keep the request number for any questions.</source>
        <translation>Fees are not refunded. Keep the request number for any questions.</translation>
    </message>
    <message>
        <source>It is usually posted to the address you gave within {days} working days after payment. You will be told by {notice} when it is posted.</source>
        <translation>It is usually posted to the address you gave within {days} working days after payment. You will be told by {notice} when it is posted.</translation>
    </message>
    <message>
        <source>It is usually ready within {days} working days after payment. You will be told by {notice} when it is ready.</source>
        <translation>It is usually ready within {days} working days after payment. You will be told by {notice} when it is ready.</translation>
    </message>
    <message>
        <source>It is usually ready within {days} working days of the request. You will be told by {notice} when it is ready.</source>
        <translation>It is usually ready within {days} working days of the request. You will be told by {notice} when it is ready.</translation>
    </message>
    <message>
        <source>Pay {total} at the multi-copy machine when you print it.</source>
        <translation>Pay {total} at the multi-copy machine when you print it.</translation>
    </message>
    <message>
        <source>Pay {total} at {where} ({hours}) when you collect the certificate.</source>
        <translation>Pay {total} at {where} ({hours}) when you collect the certificate.</translation>
    </message>
    <message>
        <source>Pay {total} at {where} ({hours}). The office prepares the certificate once it is paid.</source>
        <translation>Pay {total} at {where} ({hours}). The office prepares the certificate once it is paid.</translation>
    </message>
    <message>
        <source>Print it by {deadline} ({days} days from the day of the request). After that day it cannot be printed and the fee is not refunded.</source>
        <translation>Print it by {deadline} ({days} days from the day of the request). After that day it cannot be printed and the fee is not refunded.</translation>
    </message>
    <message>
        <source>To check the status, ask at {place} with the request number {number}.</source>
        <translation>To check the status, ask at {place} with the request number {number}.</translation>
    </message>
    <message>
        <source>To check the status, use your My Number card at this kiosk, or ask at {place} with the request number {number}.</source>
        <translation>To check the status, use your My Number card at this kiosk, or ask at {place} with the request number {number}.</translation>
    </message>
    <message>
        <source>on your receipt</source>
        <translation>on your receipt</translation>
    </message>
    <message>
        <source>¥{total} in total (¥{fee} × {copies} + postage ¥{postage})</source>
        <translation>¥{total} in total (¥{fee} × {copies} + postage ¥{postage})</translation>
    </message>
    <message>
        <source>¥{total} in total (¥{fee} × {copies})</source>
        <translation>¥{total} in total (¥{fee} × {copies})</translation>
    </message>
</context>
<context>
    <name>Pin</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Enter your user-authentication PIN</source>
        <translation>Enter your user-authentication PIN</translation>
    </message>
    <message>
        <source>This 4-digit PIN shows that the card is yours. The staff will never ask you for it.</source>
        <translation>This 4-digit PIN shows that the card is yours. The staff will never ask you for it.</translation>
    </message>
    <message>
        <source>Enter your personal-information PIN</source>
        <translation>Enter your personal-information PIN</translation>
    </message>
    <message>
        <source>Why a second PIN? Your name, address and date of birth are kept in a separate part of the card, which has its own 4-digit PIN (券面事項入力補助用). It is read only with that PIN.</source>
        <translation>Why a second PIN? Your name, address and date of birth are kept in a separate part of the card, which has its own 4-digit PIN (券面事項入力補助用). It is read only with that PIN.</translation>
    </message>
    <message>
        <source>Enter your signature PIN to read your details</source>
        <translation>Enter your signature PIN to read your details</translation>
    </message>
    <message>
        <source>Why a second PIN? Your name, address and date of birth are in the signature certificate, which the card gives out only with your signature PIN. Nothing is signed yet.</source>
        <translation>Why a second PIN? Your name, address and date of birth are in the signature certificate, which the card gives out only with your signature PIN. Nothing is signed yet.</translation>
    </message>
    <message>
        <source>Sign your request with your signature PIN</source>
        <translation>Sign your request with your signature PIN</translation>
    </message>
    <message>
        <source>Your signature PIN signs the request with your card, like a seal. Then the request is sent.</source>
        <translation>Your signature PIN signs the request with your card, like a seal. Then the request is sent.</translation>
    </message>
    <message>
        <source>Add at least one digit</source>
        <translation>Add at least one digit</translation>
    </message>
    <message>
        <source>Add at least one letter</source>
        <translation>Add at least one letter</translation>
    </message>
    <message>
        <source>The PIN was wrong. 1 try left: if this PIN is wrong too, your {pin} is locked, and only your municipal office can unlock it.</source>
        <translation>The PIN was wrong. 1 try left: if this PIN is wrong too, your {pin} is locked, and only your municipal office can unlock it.</translation>
    </message>
    <message>
        <source>1 try left: if this PIN is wrong, your {pin} is locked, and only your municipal office can unlock it.</source>
        <translation>1 try left: if this PIN is wrong, your {pin} is locked, and only your municipal office can unlock it.</translation>
    </message>
    <message>
        <source>The PIN was wrong. {n} tries left.</source>
        <translation>The PIN was wrong. {n} tries left.</translation>
    </message>
    <message>
        <source>{n} tries left.</source>
        <translation>{n} tries left.</translation>
    </message>
    <message>
        <source>That PIN has the wrong form; nothing was sent to the card.</source>
        <translation>That PIN has the wrong form; nothing was sent to the card.</translation>
    </message>
</context>
<context>
    <name>PinBlocked</name>
    <message>
        <source>Your {pin} is locked</source>
        <translation>Your {pin} is locked</translation>
    </message>
    <message>
        <source>To protect you, the card locks a PIN after {tries} wrong entries in a row. Nothing on your card has been lost or changed, and nobody can use it with this PIN now.</source>
        <translation>To protect you, the card locks a PIN after {tries} wrong entries in a row. Nothing on your card has been lost or changed, and nobody can use it with this PIN now.</translation>
    </message>
    <message>
        <source>The PIN can be reset only at the municipal office where you are registered. Bring this card and an identity document (for example a driving licence, a passport or a residence card); the office resets the PIN and you choose a new one. Then come back to this kiosk.</source>
        <translation>The PIN can be reset only at the municipal office where you are registered. Bring this card and an identity document (for example a driving licence, a passport or a residence card); the office resets the PIN and you choose a new one. Then come back to this kiosk.</translation>
    </message>
</context>
<context>
    <name>PinField</name>
    <message>
        <source>{count} characters entered</source>
        <translation>{count} characters entered</translation>
    </message>
</context>
<context>
    <name>Pins</name>
    <message>
        <source>user-authentication PIN</source>
        <translation>user-authentication PIN</translation>
    </message>
    <message>
        <source>signature PIN</source>
        <translation>signature PIN</translation>
    </message>
    <message>
        <source>personal-information PIN</source>
        <translation>personal-information PIN</translation>
    </message>
    <message>
        <source>6 to 16 letters A–Z and digits 0–9, at least one of each</source>
        <translation>6 to 16 letters A–Z and digits 0–9, at least one of each</translation>
    </message>
    <message>
        <source>4 digits</source>
        <translation>4 digits</translation>
    </message>
</context>
<context>
    <name>Progress</name>
    <message>
        <source>Reading your card…</source>
        <translation>Reading your card…</translation>
    </message>
    <message>
        <source>Checking the card&apos;s certificate.</source>
        <translation>Checking the card&apos;s certificate.</translation>
    </message>
    <message>
        <source>Checking your PIN…</source>
        <translation>Checking your PIN…</translation>
    </message>
    <message>
        <source>The card is proving that it is yours.</source>
        <translation>The card is proving that it is yours.</translation>
    </message>
    <message>
        <source>Reading your details…</source>
        <translation>Reading your details…</translation>
    </message>
    <message>
        <source>Reading your name, address and date of birth from the card.</source>
        <translation>Reading your name, address and date of birth from the card.</translation>
    </message>
    <message>
        <source>Signing and sending your request…</source>
        <translation>Signing and sending your request…</translation>
    </message>
    <message>
        <source>This takes a few seconds.</source>
        <translation>This takes a few seconds.</translation>
    </message>
    <message>
        <source>Do not remove your card.</source>
        <translation>Do not remove your card.</translation>
    </message>
    <message>
        <source>Looking up your requests…</source>
        <translation>Looking up your requests…</translation>
    </message>
</context>
<context>
    <name>Purpose</name>
    <message>
        <source>Job application</source>
        <translation>Job application</translation>
    </message>
    <message>
        <source>Further study</source>
        <translation>Further study</translation>
    </message>
    <message>
        <source>Scholarship</source>
        <translation>Scholarship</translation>
    </message>
    <message>
        <source>Qualification or licence</source>
        <translation>Qualification or licence</translation>
    </message>
    <message>
        <source>Visa or immigration</source>
        <translation>Visa or immigration</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Other</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <source>Request number</source>
        <translation>Request number</translation>
    </message>
    <message>
        <source>Your request has been sent</source>
        <translation>Your request has been sent</translation>
    </message>
    <message>
        <source>What happens next</source>
        <translation>What happens next</translation>
    </message>
    <message>
        <source>Print receipt</source>
        <translation>Print receipt</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>The receipt could not be printed: {error}</source>
        <translation>The receipt could not be printed: {error}</translation>
    </message>
    <message>
        <source>Receipt printed ({where}).</source>
        <translation>Receipt printed ({where}).</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <source>Certificate</source>
        <translation>Certificate</translation>
    </message>
    <message>
        <source>Copies</source>
        <translation>Copies</translation>
    </message>
    <message>
        <source>Receive by</source>
        <translation>Receive by</translation>
    </message>
    <message>
        <source>Please check your request</source>
        <translation>Please check your request</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Fee</source>
        <translation>Fee</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Change</translation>
    </message>
    <message>
        <source>Next you sign the request with your signature PIN.</source>
        <translation>Next you sign the request with your signature PIN.</translation>
    </message>
    <message>
        <source>Sign and send</source>
        <translation>Sign and send</translation>
    </message>
    <message>
        <source>Sign and send: the signature certificate on your card signs this request — the certificate, copies, delivery and purpose above, with your name — and it is sent to the office. You do not enter your PIN again.</source>
        <translation>Sign and send: the signature certificate on your card signs this request — the certificate, copies, delivery and purpose above, with your name — and it is sent to the office. You do not enter your PIN again.</translation>
    </message>
    <message>
        <source>Recipient: {name}</source>
        <translation>Recipient: {name}</translation>
    </message>
    <message>
        <source>Fees are not refunded for any reason once the request is sent. The certificate shows the name you had when you were enrolled.</source>
        <translation>Fees are not refunded for any reason once the request is sent. The certificate shows the name you had when you were enrolled.</translation>
    </message>
</context>
<context>
    <name>Screen</name>
    <message>
        <source>Back</source>
        <extracomment>Escape on this screen: Cancel (start over) by default; Finish on the closing screens. Whether the header&apos;s Cancel button is offered on this screen.</extracomment>
        <translation>Back</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>Your requests</source>
        <translation>Your requests</translation>
    </message>
    <message>
        <source>Requests made with this card, newest first.</source>
        <translation>Requests made with this card, newest first.</translation>
    </message>
    <message>
        <source>Only the latest {n} are shown.</source>
        <translation>Only the latest {n} are shown.</translation>
    </message>
    <message>
        <source>When you take your card, this list is cleared.</source>
        <translation>When you take your card, this list is cleared.</translation>
    </message>
    <message>
        <source>There are no requests made with this card.</source>
        <translation>There are no requests made with this card.</translation>
    </message>
    <message>
        <source>Status checking is not available here at the moment. Please ask at the counter.</source>
        <translation>Status checking is not available here at the moment. Please ask at the counter.</translation>
    </message>
    <message>
        <source>Request number {number}</source>
        <translation>Request number {number}</translation>
    </message>
    <message>
        <source>Sent on {date}</source>
        <translation>Sent on {date}</translation>
    </message>
    <message>
        <source>Status: {status}</source>
        <translation>Status: {status}</translation>
    </message>
    <message>
        <source>{n} copy</source>
        <translation>{n} copy</translation>
    </message>
    <message>
        <source>{n} copies</source>
        <translation>{n} copies</translation>
    </message>
    <message>
        <source>Received, waiting for approval</source>
        <translation>Received, waiting for approval</translation>
    </message>
    <message>
        <source>Approved, being prepared</source>
        <translation>Approved, being prepared</translation>
    </message>
    <message>
        <source>Not accepted; please ask at the counter</source>
        <translation>Not accepted; please ask at the counter</translation>
    </message>
    <message>
        <source>Ready: pick it up at the counter</source>
        <translation>Ready: pick it up at the counter</translation>
    </message>
    <message>
        <source>Ready: print it at a convenience store</source>
        <translation>Ready: print it at a convenience store</translation>
    </message>
    <message>
        <source>Ready to download</source>
        <translation>Ready to download</translation>
    </message>
    <message>
        <source>Issued, to be mailed</source>
        <translation>Issued, to be mailed</translation>
    </message>
    <message>
        <source>Mailed</source>
        <translation>Mailed</translation>
    </message>
    <message>
        <source>Handed over</source>
        <translation>Handed over</translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation>Downloaded</translation>
    </message>
    <message>
        <source>Expired: it was not collected in time</source>
        <translation>Expired: it was not collected in time</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>Finish</translation>
    </message>
</context>
<context>
    <name>Window</name>
    <message>
        <source>Cancel your application?</source>
        <translation>Cancel your application?</translation>
    </message>
    <message>
        <source>What you have entered is deleted and nothing is sent.</source>
        <translation>What you have entered is deleted and nothing is sent.</translation>
    </message>
    <message>
        <source>Yes, cancel</source>
        <translation>Yes, cancel</translation>
    </message>
    <message>
        <source>No, continue</source>
        <translation>No, continue</translation>
    </message>
    <message>
        <source>Cancel</source>
        <extracomment>The least room between the header&apos;s Cancel and the language switch (a thumb&apos;s width).</extracomment>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continue</translation>
    </message>
    <message>
        <source>No activity: starting over in {n} s. Touch the screen to continue.</source>
        <translation>No activity: starting over in {n} s. Touch the screen to continue.</translation>
    </message>
</context>
</TS>
