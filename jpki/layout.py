"""What is where on a My Number card: applications, files, certificate and PIN kinds."""

from __future__ import annotations

from enum import Enum
from typing import Final

JPKI_AID: Final = bytes.fromhex("D392F000260100000001")
TEXT_AID: Final = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP

#: What a person calls each application (in messages).
APPLICATION_NAMES: Final = {
    JPKI_AID: "JPKI application (公的個人認証AP)",
    TEXT_AID: "text AP (券面事項入力補助AP)",
}

FID_TOKEN_INFO: Final = 0x0006
FID_TEXT_MY_NUMBER: Final = 0x0001
FID_TEXT_BASIC_FOUR: Final = 0x0002


class CertKind(Enum):
    """The four certificates in the JPKI AP; the value is the FID of its file."""

    AUTH = 0x000A
    AUTH_CA = 0x000B
    SIGN = 0x0001
    SIGN_CA = 0x0002

    @property
    def fid(self) -> int:
        return self.value

    @property
    def key_fid(self) -> int:
        """The private key's EF (``AUTH`` and ``SIGN`` only)."""
        if self is CertKind.AUTH:
            return 0x0017
        if self is CertKind.SIGN:
            return 0x001A
        raise ValueError(f"{self.name} has no private key on the card")

    @property
    def pin(self) -> PinKind:
        """The PIN that guards this certificate's key."""
        if self in (CertKind.SIGN, CertKind.SIGN_CA):
            return PinKind.SIGN
        return PinKind.AUTH

    @property
    def label(self) -> str:
        return _CERT_LABELS[self]


_CERT_LABELS = {
    CertKind.AUTH: "user-authentication certificate",
    CertKind.AUTH_CA: "user-authentication CA certificate",
    CertKind.SIGN: "signature certificate",
    CertKind.SIGN_CA: "signature CA certificate",
}


class PinKind(Enum):
    """The three PINs: which application and EF hold them, and how many tries they allow."""

    AUTH = "auth"
    SIGN = "sign"
    TEXT = "text"

    @property
    def aid(self) -> bytes:
        return TEXT_AID if self is PinKind.TEXT else JPKI_AID

    @property
    def fid(self) -> int:
        return _PIN_FIDS[self]

    @property
    def max_tries(self) -> int:
        return 5 if self is PinKind.SIGN else 3

    @property
    def label(self) -> str:
        return {
            PinKind.AUTH: "user-authentication PIN (利用者証明用)",
            PinKind.SIGN: "signature PIN (署名用)",
            PinKind.TEXT: "text-AP PIN (券面事項入力補助用)",
        }[self]


_PIN_FIDS = {PinKind.AUTH: 0x0018, PinKind.SIGN: 0x001B, PinKind.TEXT: 0x0011}
