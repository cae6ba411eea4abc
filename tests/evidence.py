"""Replay fixtures from public evidence of real My Number cards (docs/card.md, "Evidence").

No complete APDU log of a real card is public. Each fixture here holds exactly the
bytes a public source shows for a real card (or, where marked, the layout a project
tested on real cards states), with the source. What a fixture needs around those
bytes to run through ``JpkiCard`` — the SELECTs before a VERIFY, the rest of a
certificate after its header — is marked *context*: the standard answer, not part
of the evidence. Tests replay the fixtures through :class:`jpki.JpkiCard` (does the
library understand a real card?) and against :class:`mock_card.MockCard` (does the
mock answer as the real card did?).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from apdu.replay import Exchange

H = bytes.fromhex

#: How sure a fact is (the words docs/card.md uses).
OBSERVED: Final = "observed on a real card"
STATED: Final = "stated by a project tested on real cards"
LISTED: Final = "listed publicly"


@dataclass(frozen=True, slots=True)
class Evidence:
    name: str
    source: str  # where it was published
    certainty: str
    exchanges: tuple[Exchange, ...]  # the real bytes (commands as sent, responses as received)


# -- VERIFY, then the status VERIFY -----------------------------------------------------------
# Source: OpenSC pull request #959 (by the author of OpenSC's JPKI driver),
# https://github.com/OpenSC/OpenSC/pull/959 — a trace from a real card: the user-auth PIN
# verified (9000), then the status VERIFY still reports 3 tries (63C3). The PIN's digits
# are not in the trace; "1234" stands for them (4 ASCII digits, as the auth PIN is).
VERIFY_THEN_STATUS: Final = Evidence(
    "verify then status",
    "https://github.com/OpenSC/OpenSC/pull/959",
    OBSERVED,
    (
        Exchange(H("00200080 04 31323334"), H("9000")),
        Exchange(H("00200080"), H("63C3")),
    ),
)

# -- the header of the user-authentication certificate ----------------------------------------
# Source: JPKIReader (gebogebogebo/JPKIReader, https://github.com/gebogebogebo/JPKIReader),
# a log with a Sony RC-S380 reader: READ BINARY of 4 bytes at offset 0 of EF 000A gives a
# DER SEQUENCE of 0x062B bytes of content: a 1,583-byte certificate.
AUTH_CERT_HEADER: Final = Evidence(
    "auth certificate header",
    "https://github.com/gebogebogebo/JPKIReader",
    OBSERVED,
    (Exchange(H("00B0000004"), H("3082062B 9000")),),
)
AUTH_CERT_SIZE: Final = 4 + 0x062B  # 1,583

# -- the signature certificate needs the signature PIN -----------------------------------------
# Source: OpenSC issue #3169, https://github.com/OpenSC/OpenSC/issues/3169 — reading EF 0001
# of the JPKI AP without the signature PIN answers 6982 (security status not satisfied).
SIGN_CERT_WITHOUT_PIN: Final = Evidence(
    "signature certificate without PIN",
    "https://github.com/OpenSC/OpenSC/issues/3169",
    OBSERVED,
    (Exchange(H("00B0000000"), H("6982")),),
)

# -- a PIN blocked: 63C0 on the failure that exhausts it, 6984 afterwards ----------------------
# Source: soltia48/myna-card, https://github.com/soltia48/myna-card (tested on physical and
# test cards), states these status words; no trace is published. Wrong PIN "0000".
BLOCKING: Final = Evidence(
    "last wrong PIN, then blocked",
    "https://github.com/soltia48/myna-card",
    STATED,
    (
        Exchange(H("00200080 04 30303030"), H("63C0")),
        Exchange(H("00200080"), H("6984")),
    ),
)

# -- EF 0006, the token info --------------------------------------------------------------------
# Source: soltia48/myna-card (as above) states EF 0006 is PKCS#11 CK_TOKEN_INFO: label (32,
# space padded), manufacturer ID (32), model (16, "E16R01NJ"), serial number (16), then
# big-endian integers; labels JPKIAPICCTOKEN2 (My Number card), JPKIAPICCTOKEN (住基カード),
# JPKIAPGPSETOKEN / JPKIAPIOSTOKEN (smartphones) — these also in jpki/myna and OpenSC.
# No dump is public: the manufacturer ID and serial below are placeholders of the stated size.
TOKEN_INFO_TEXT: Final = (
    b"JPKIAPICCTOKEN2".ljust(32) + b"0" * 31 + b"1" + b"E16R01NJ".ljust(16) + b"0000000020500003"
)
TOKEN_INFO: Final = Evidence(
    "token info layout",
    "https://github.com/soltia48/myna-card",
    STATED,
    (Exchange(H("00B0000060"), TOKEN_INFO_TEXT + H("9000")),),
)

# -- ATRs ----------------------------------------------------------------------------------------
# Source: public lists of smart-card ATRs (such as the one pcsc-tools' ATR_analysis uses),
# as gathered in the project's card notes: the contact ATRs of My Number cards (the first
# one listed since 2017), the ATRs PC/SC part 3 contactless readers build for the card, and
# the 住基カード's. Certainty: listed publicly, not observed here. Hosts detect the card by
# SELECT, never by ATR.
ATRS: Final = {
    "2017": H("3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B"),
    "c5": H("3B C5 FF 81 31 FB 45 80 73 C6 01 00 00"),
    "f5-b3a1": H("3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 B3 A1 15"),
    "f5-d1d6": H("3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 00 D1 D6"),
    "contactless": H("3B 88 80 01 00 00 41 E0 B3 81 A1 00 3B"),
    "contactless-05e0": H("3B 88 80 01 05 E0 B3 81 A1 00 7F"),
    "contactless-4b51": H("3B 88 80 01 00 4B 51 FF B3 81 D1 00 0F"),
    "juki": H("3B E0 00 FF 81 31 FE 45 14"),
}

ALL: Final = (VERIFY_THEN_STATUS, AUTH_CERT_HEADER, SIGN_CERT_WITHOUT_PIN, BLOCKING, TOKEN_INFO)
