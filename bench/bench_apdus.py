"""APDUs of one complete kiosk request: every command, the step that sent it, and why.

One applicant, start to finish, through the real flow and services (``gui.flow.step`` and
``gui.services.KioskServices``) over the mock card in process: card check, authentication
(auth PIN), identity (signature PIN, once), request signed and stored. Commands are short
APDUs (no extended length: the kiosk does not ask for it); a READ BINARY asks for at most 256
bytes (Le ``00``). Counting APDUs is deterministic, so ``tests/test_kiosk_apdus.py`` holds the
same goal (<= 30) as a test.

The certificates are the largest variable: the mock card's are smaller than real ones. The
budget below is printed both for this card and for real-size certificates (user
authentication 1,583 bytes as measured on a card; signature certificate up to 2,048 bytes):
each certificate costs ⌈size / 256⌉ READ BINARY.

    .venv/bin/python bench/bench_apdus.py
"""

from __future__ import annotations

import math
import sys
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apdu import INS
from jpki.layout import JPKI_AID, CertKind, PinKind

GOAL: Final = 30
READ_LE: Final = 256
#: real-size certificates: the user-authentication one as measured on a card, and the most a
#: signature certificate (with the holder's name and address) is expected to need
REAL_AUTH_CERT: Final = 1583
REAL_SIGN_CERT: Final = 2048
TEXT_AID: Final = bytes.fromhex("D3921000310001010408")

_EF_NAMES: Final = {
    **{kind.fid: kind.label for kind in CertKind},
    **{pin.fid: f"{pin.label} EF" for pin in PinKind},
    CertKind.AUTH.key_fid: "user-authentication key",
    CertKind.SIGN.key_fid: "signature key",
}


@dataclass(frozen=True, slots=True)
class Apdu:
    step: str  # the kiosk effect that sent it
    command: bytes
    sw: int

    @property
    def ins(self) -> int:
        return self.command[1]

    @property
    def is_read(self) -> bool:
        return self.ins == INS.READ_BINARY

    def reason(self) -> str:
        """Why the kiosk sends this command (PIN bytes are never shown)."""
        c = self.command
        ins, p1, p2 = c[1], c[2], c[3]
        if ins == INS.SELECT and p1 == 0x04:
            aid = c[5 : 5 + c[4]]
            name = "JPKI AP" if aid == JPKI_AID else "text AP" if aid == TEXT_AID else aid.hex()
            return f"SELECT the {name}"
        if ins == INS.SELECT:
            fid = int.from_bytes(c[5:7], "big")
            return f"SELECT EF {fid:04X} ({_EF_NAMES.get(fid, 'file')})"
        if ins == INS.READ_BINARY:
            offset = (p1 << 8) | p2
            return f"READ BINARY at {offset} (Le {c[4] or 256})"
        if ins == INS.VERIFY and len(c) == 4:
            return "VERIFY without data: PIN tries left (spends none)"
        if ins == INS.VERIFY:
            return "VERIFY the PIN entered (its one VERIFY)"
        if ins == INS.PERFORM_SECURITY_OPERATION:
            return "COMPUTE DIGITAL SIGNATURE"
        return f"INS {ins:02X}"


@dataclass
class _Counting:
    """A transport that records every command with the step under way."""

    inner: Any  # the mock card: a transport with transactions
    step: str = ""
    seen: list[Apdu] = field(default_factory=list)

    def transmit(self, command: bytes) -> bytes:
        response = self.inner.transmit(command)
        sw = int.from_bytes(response[-2:], "big") if len(response) >= 2 else 0
        self.seen.append(Apdu(self.step, bytes(command), sw))
        return response

    def transaction(self) -> AbstractContextManager[None]:
        held: AbstractContextManager[None] = self.inner.transaction()
        return held


def complete_request(ledger_path: Path) -> list[Apdu]:
    """Every APDU of one complete request (counter pick-up) on a fresh demo mock card."""
    from gui.config import load_config
    from gui.flow import (
        CardInserted,
        ConfirmIdentity,
        ConfirmReview,
        Event,
        Finish,
        PinEntered,
        RequestForm,
        Screen,
        Secret,
        SubmitForm,
        Wipe,
        initial,
        step,
    )
    from gui.services import KioskServices
    from gui.setup import ledger_config
    from jpki.card import JpkiCard
    from jpki.ledger import Ledger
    from jpki.trust import TrustStore
    from mock_card import MockCard, MockPki

    config = load_config()
    pki = MockPki.demo()
    trust = TrustStore.from_certificates([pki.sign_ca_cert, pki.auth_ca_cert])
    card = MockCard(pki=pki)
    counting = _Counting(card)

    @contextmanager
    def opener() -> Iterator[JpkiCard]:
        try:
            yield JpkiCard(counting, reader="mock")
        finally:
            card.reset()

    with Ledger.open(ledger_path, config=ledger_config(config, trust, None)) as ledger:
        services = KioskServices(config, opener, trust_store=trust, ledger=ledger)
        model = initial(config)

        def send(event: Event) -> None:
            nonlocal model
            queue = [event]
            while queue:
                model, effects = step(model, queue.pop(0))
                for effect in effects:
                    counting.step = type(effect).__name__
                    result = services.run(effect)
                    if result is not None:
                        queue.append(result)

        send(CardInserted())
        send(PinEntered(Secret("1234")))
        send(PinEntered(Secret("ABCD1234")))
        send(ConfirmIdentity())
        send(SubmitForm(RequestForm("transcript-ja", copies=1)))
        send(ConfirmReview())
        if model.screen is not Screen.RECEIPT:
            raise RuntimeError(f"the request did not go through: {model.screen} {model.error}")
        send(Finish())
        assert not any(a.step == Wipe.__name__ for a in counting.seen)  # a reset, no APDU
    return counting.seen


def reads_of(size: int) -> int:
    return math.ceil(size / READ_LE)


def budget(apdus: list[Apdu], auth_size: int, sign_size: int) -> dict[str, int]:
    """The count split into fixed commands and certificate reads, and projected to other
    certificate sizes."""
    reads = sum(a.is_read for a in apdus)
    fixed = len(apdus) - reads
    return {
        "fixed": fixed,
        "reads": reads,
        "total": len(apdus),
        "real_reads": reads_of(REAL_AUTH_CERT) + reads_of(REAL_SIGN_CERT),
        "real_total": fixed + reads_of(REAL_AUTH_CERT) + reads_of(REAL_SIGN_CERT),
        "auth_size": auth_size,
        "sign_size": sign_size,
    }


def main() -> dict[str, tuple[str, str]]:
    from jpki.card import JpkiCard
    from mock_card import MockCard

    with tempfile.TemporaryDirectory() as tmp:
        apdus = complete_request(Path(tmp) / "ledger.sqlite3")
    probe = JpkiCard(MockCard())
    auth_size = len(probe.read_certificate_der(CertKind.AUTH))
    probe.verify_pin(PinKind.SIGN, "ABCD1234")
    sign_size = len(probe.read_certificate_der(CertKind.SIGN))

    print("== APDUs of one complete request (mock card, short APDUs, counter pick-up)")
    width = max(len(a.step) for a in apdus)
    for i, a in enumerate(apdus, 1):
        head = a.command[:4].hex(" ").upper()
        print(f"{i:3d}  {a.step:<{width}}  {head:<11}  {a.sw:04X}  {a.reason()}")
    b = budget(apdus, auth_size, sign_size)
    print()
    print(
        f"total {b['total']} APDUs (goal <= {GOAL}): {b['fixed']} fixed + {b['reads']} READ "
        f"BINARY for the certificates ({auth_size} + {sign_size} bytes, each read once)"
    )
    print(
        f"real-size certificates ({REAL_AUTH_CERT} + {REAL_SIGN_CERT} bytes): "
        f"{b['fixed']} + {reads_of(REAL_AUTH_CERT)} + {reads_of(REAL_SIGN_CERT)} = "
        f"{b['real_total']} APDUs (goal <= {GOAL})"
    )
    print("before this change (issue 15): 53 APDUs (auth certificate read 4x, signature cert 2x)")
    return {
        "kiosk APDUs per request (mock card)": (str(b["total"]), f"<= {GOAL}"),
        "kiosk APDUs per request (real-size certificates)": (str(b["real_total"]), f"<= {GOAL}"),
    }


if __name__ == "__main__":
    main()
