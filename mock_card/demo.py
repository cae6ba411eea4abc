"""A narrated tour of the :mod:`jpki` library on the built-in mock card.

``python -m mock_card.demo`` (``make demo``) needs no reader and no pcscd: the
card is an in-process :class:`mock_card.MockCard`, a fresh demo card each
run (the state file in the user's data directory is not touched). The holder
is fictional and the certificates come from the mock PKI (``O=JPKI-MOCK``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Final, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from apdu import INS
from apdu.replay import RecordingTransport
from jpki import CertKind, JpkiCard, PinFormatError, PinIncorrect, PinKind
from jpki.certs import OID_NAME
from jpki.pins import rule
from jpki.timeutil import JST

from .card import MockCard

# The demo card's PINs (a test card's, documented in MockCard); the demo never prints them.
AUTH_PIN: Final = "1234"
SIGN_PIN: Final = "ABCD1234"
TEXT_PIN: Final = "1234"
WRONG_AUTH_PIN: Final = "9999"
MALFORMED_AUTH_PIN: Final = "12a4"
MESSAGE: Final = "こんにちは、JPKI! A message signed by the card.".encode()

PIN_NAMES: Final = {
    PinKind.AUTH: "利用者証明用 user authentication",
    PinKind.SIGN: "署名用 signature",
    PinKind.TEXT: "券面事項入力補助用 text AP",
}
SEX_NAMES: Final = {"1": "男性 male", "2": "女性 female", "9": "適用不能 not applicable"}
#: How the tour names each instruction it sends (PERFORM SECURITY OPERATION: the signature).
_INS_NAMES: Final = {
    INS.SELECT: "SELECT",
    INS.READ_BINARY: "READ BINARY",
    INS.VERIFY: "VERIFY",
    INS.PERFORM_SECURITY_OPERATION: "SIGN",
}


def _ins_name(ins: int) -> str:
    if ins in _INS_NAMES:
        return _INS_NAMES[INS(ins)]
    try:
        return INS(ins).name.replace("_", " ")
    except ValueError:
        return f"INS {ins:02X}"


T = TypeVar("T")


class Demo:
    def __init__(self) -> None:
        self.card = MockCard()
        self.recorder = RecordingTransport(self.card)
        self.session = JpkiCard(self.recorder)
        self.step_no = 0

    # -- output ----------------------------------------------------------------

    def step(self, title: str) -> None:
        self.step_no += 1
        print(f"\n[{self.step_no}] {title}")

    @staticmethod
    def say(text: str) -> None:
        print(f"    {text}")

    @property
    def apdus(self) -> int:
        return len(self.recorder.exchanges)

    def counted(self, action: Callable[[], T]) -> tuple[T, int, str]:
        """Run ``action``; return its result, the APDUs it took and what they were."""
        before = self.apdus
        result = action()
        sent = self.recorder.exchanges[before:]
        kinds: dict[str, int] = {}
        for exchange in sent:
            name = _ins_name(exchange.command[1])
            kinds[name] = kinds.get(name, 0) + 1
        summary = ", ".join(f"{n} x{c}" if c > 1 else n for n, c in kinds.items())
        return result, len(sent), summary

    # -- the tour --------------------------------------------------------------

    def run(self) -> None:
        print(
            "JPKI toolkit demo: a software My Number card (マイナンバーカード), no reader needed."
        )
        print("The holder is fictional and the certificates come from a mock CA (O=JPKI-MOCK).")
        self.detect()
        self.token()
        self.auth_certificate()
        self.pin_counters()
        self.signature()
        self.basic_four()
        self.malformed_pin()
        self.wrong_pin()

    def detect(self) -> None:
        self.step("Detect the card (カード検出): SELECT the JPKI application, ignore the ATR")
        found, n, _ = self.counted(self.session.is_jpki_card)
        if not found:
            raise SystemExit("the mock card has no JPKI application?!")
        self.say(f"JPKI application (公的個人認証AP) found: {n} APDU")

    def token(self) -> None:
        self.step("Token label (トークン情報, EF 0006)")
        info = self.session.token_info()
        self.say(f"label {info.label!r}: {info.describe()} ({info.describe('ja')})")
        self.say(f"model {info.model!r}, serial {info.serial!r}")

    def auth_certificate(self) -> None:
        self.step("User-authentication certificate (利用者証明用電子証明書): free to read")
        cert, n, summary = self.counted(lambda: self.session.read_certificate(CertKind.AUTH))
        size = len(cert.public_bytes(Encoding.DER))
        self.say(f"subject  {cert.subject.rfc4514_string()}")
        self.say(f"issuer   {cert.issuer.rfc4514_string()}")
        self.say(f"expires  {cert.not_valid_after_utc.astimezone(JST):%Y-%m-%d %H:%M:%S} JST")
        self.say(f"read in {n} APDUs ({summary}) for {size} bytes: the length comes from the")
        self.say("DER header, so nothing past the certificate is read")

    def pin_counters(self) -> None:
        self.step("PIN tries left (暗証番号の残り回数): asking spends no try")
        for kind in PinKind:
            tries = self.session.pin_status(kind)
            self.say(f"{tries} of {kind.max_tries}  {PIN_NAMES[kind]} ({rule(kind)})")

    def signature(self) -> None:
        self.step("Sign a message with the signature key (署名用電子証明書の秘密鍵)")
        cert = self.session.read_certificate(CertKind.SIGN, pin=SIGN_PIN)
        signature, n, summary = self.counted(
            lambda: self.session.sign(CertKind.SIGN, MESSAGE, pin=SIGN_PIN)
        )
        self.say(f"message   {MESSAGE.decode()!r} (SHA-256, PKCS#1 v1.5 padded on the card)")
        self.say(f"signature {len(signature)} bytes, {signature[:8].hex()}…, {n} APDUs ({summary})")
        public = cert.public_key()
        assert isinstance(public, rsa.RSAPublicKey)
        try:
            public.verify(signature, MESSAGE, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            self.say("verification with the certificate's public key FAILED")
            raise SystemExit(1) from None
        self.say("verified with the signature certificate's public key: OK (署名検証成功)")
        signer = _signer_name(cert)
        if signer:
            self.say(f"signer    {signer} (氏名 in the certificate's subjectAltName)")

    def basic_four(self) -> None:
        self.step("Basic four (基本4情報) from the text AP (券面事項入力補助AP)")
        info = self.session.read_basic_info(TEXT_PIN)
        self.say(f"氏名 name        {info.name}")
        self.say(f"住所 address     {info.address}")
        self.say(f"生年月日 born    {info.birth_date.isoformat()}")
        self.say(f"性別 sex         {SEX_NAMES.get(info.sex, info.sex)}")
        self.say("(the individual number, 個人番号, is never read unless asked for explicitly)")

    def malformed_pin(self) -> None:
        self.step("A malformed PIN never reaches the card (it would cost a try)")
        before = self.apdus
        try:
            self.session.verify_pin(PinKind.AUTH, MALFORMED_AUTH_PIN)
        except PinFormatError as exc:
            self.say(f"{MALFORMED_AUTH_PIN!r} refused by the host: {exc}")
        else:
            raise SystemExit("a malformed PIN was accepted?!")
        after = self.apdus
        self.say(f"APDUs sent: {after - before} (count before {before}, after {after})")
        self.say(f"tries left: {self.session.pin_status(PinKind.AUTH)} of {PinKind.AUTH.max_tries}")

    def wrong_pin(self) -> None:
        self.step("A wrong PIN costs a try (暗証番号の誤り)")
        try:
            self.session.verify_pin(PinKind.AUTH, WRONG_AUTH_PIN)
        except PinIncorrect as exc:
            self.say(f"card says: {exc}")
        else:
            raise SystemExit("a wrong PIN was accepted?!")
        self.session.verify_pin(PinKind.AUTH, AUTH_PIN)
        tries = self.session.pin_status(PinKind.AUTH)
        self.say(f"the right PIN restores the counter: {tries} of {PinKind.AUTH.max_tries} again")
        self.say(
            "after the last wrong try a PIN is blocked; only the holder's municipal office "
            "(市区町村の窓口) can reset it"
        )


def _signer_name(cert: x509.Certificate) -> str | None:
    """The holder's name (otherName 1.2.392.200149.8.5.5.1, a DER UTF8String)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for other in san.get_values_for_type(x509.OtherName):
        value = other.value
        if other.type_id == OID_NAME and len(value) >= 2 and value[0] == 0x0C:
            n, start = value[1], 2
            if n & 0x80:
                start = 2 + (n & 0x7F)
                n = int.from_bytes(value[2:start], "big")
            return value[start : start + n].decode("utf-8", "replace")
    return None


def main() -> int:
    started = time.perf_counter()
    demo = Demo()
    demo.run()
    elapsed = time.perf_counter() - started
    print(f"\nDone: {demo.apdus} APDUs in {elapsed:.2f} s. (おつかれさまでした)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
