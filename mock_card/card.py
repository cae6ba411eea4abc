"""A software My Number card that answers APDUs as docs/card.md says a real one does.

The card keeps its own definitions of AIDs, FIDs and encodings on purpose: it
is the reference the host library is tested against, so it must not share
the host's constants. ISO 7816-4's own vocabulary — status words and
instruction bytes — it takes from :mod:`apdu` like everyone else.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.hazmat.primitives.serialization import Encoding

from apdu.command import CommandApdu
from apdu.errors import ApduFormatError, CardRemovedError
from apdu.instructions import INS
from apdu.status import SW, retries_sw

from . import textap
from .atrs import ATR_2017, ATR_JUKI, DEFAULT_ATR
from .credentials import CardCredentials
from .faults import MAX_DELAY, FaultKind, FaultPlan, LatencyModel, raise_for
from .holders import CardProfile, Holder
from .pins import PinFormat, PinRecord
from .pki import MockPki
from .tokeninfo import token_info_for

JPKI_AID: Final = bytes.fromhex("D392F000260100000001")
TEXT_AID: Final = bytes.fromhex("D3921000310001010408")
VISUAL_AID: Final = bytes.fromhex("D3921000310001010402")

#: Older names: ``ATR_OLD`` is the 住基カード's (Juki card) ATR, not a My Number card's;
#: ``ATR_NEW`` the My Number card's listed since 2017 (the default). See :mod:`mock_card.atrs`.
ATR_OLD: Final = ATR_JUKI
ATR_NEW: Final = ATR_2017

TOKEN_LABEL: Final = "JPKIAPICCTOKEN2"  # noqa: S105 - a label, not a secret
TOKEN_INFO_SIZE: Final = 160
CERT_FILE_MIN_SIZE: Final = 2048

_DIGEST_INFO_PREFIX: Final[dict[bytes, hashes.HashAlgorithm]] = {
    bytes.fromhex("3021300906052b0e03021a05000414"): hashes.SHA1(),  # noqa: S303 - as cards accept it
    bytes.fromhex("302d300d06096086480165030402040500041c"): hashes.SHA224(),
    bytes.fromhex("3031300d060960864801650304020105000420"): hashes.SHA256(),
    bytes.fromhex("3041300d060960864801650304020205000430"): hashes.SHA384(),
    bytes.fromhex("3051300d060960864801650304020305000440"): hashes.SHA512(),
}


class EfType(Enum):
    BINARY = "binary"
    PIN = "pin"
    KEY = "key"


@dataclass(frozen=True, slots=True)
class Ef:
    type: EfType
    data: bytes = b""
    read_pin: str | None = None  # PIN that must be verified to read
    ref: str | None = None  # PIN name (PIN EF) or key name (key EF)


@dataclass(slots=True)
class Application:
    name: str
    files: dict[int, Ef] = field(default_factory=dict)


def pad_certificate(der: bytes) -> bytes:
    """A certificate EF: the DER followed by padding, as on real cards."""
    size = max(CERT_FILE_MIN_SIZE, -(-len(der) // 256) * 256)
    return der + b"\xff" * (size - len(der))


class MockCard:
    """A software JPKI card.

    ``MockCard()`` is a fresh demo card (auth PIN ``1234``, sign PIN
    ``ABCD1234``, text AP PIN ``1234``) holding an obviously fictional
    person's certificates from the mock PKI. It satisfies
    :class:`apdu.Transport`; :meth:`reset` is a power cycle.

    Unconfirmed behaviour of real cards is configurable:
    ``short_read_sw`` (``9000`` or ``6282`` for a read that runs past the
    end), ``extended_length`` (off by default, so that host code is tested with short APDUs;
    a project tested on real cards reports that they accept extended length) and
    ``select_clears_verification`` (whether selecting an AP ends the verified
    state; on by default, the stricter choice).

    Other kinds of JPKI token (see :mod:`mock_card.profiles`): ``token_info``
    is EF 0006 as stored (160 bytes; default: ``CK_TOKEN_INFO`` for ``token_label``, see
    :mod:`mock_card.tokeninfo`),
    ``auth_cert_needs_pin`` guards EF 000A with the auth PIN (smartphone
    tokens), ``my_number_aps=False`` leaves out the text and visual APs (the Juki
    card and smartphone tokens hold the JPKI AP only).
    """

    def __init__(
        self,
        *,
        auth_pin: str = "1234",
        sign_pin: str = "ABCD1234",
        text_pin: str = "1234",
        holder: Holder | None = None,
        profile: CardProfile = CardProfile.VALID,
        now: datetime | None = None,
        issued: datetime | None = None,
        pki: MockPki | None = None,
        key_index: int = 0,
        credentials: CardCredentials | None = None,
        extended_length: bool = False,
        short_read_sw: int = SW.OK,
        select_clears_verification: bool = True,
        atr: bytes = DEFAULT_ATR,
        token_label: str = TOKEN_LABEL,
        token_info: bytes | None = None,
        auth_cert_needs_pin: bool = False,
        my_number_aps: bool = True,
        latency: LatencyModel | None = None,
        my_number_seed: int = 20240401,
        state_file: str | Path | None = None,
    ) -> None:
        if short_read_sw not in (SW.OK, SW.END_OF_FILE):
            raise ValueError("short_read_sw must be 0x9000 or 0x6282")
        if token_info is not None and len(token_info) != TOKEN_INFO_SIZE:
            raise ValueError(f"token_info must be {TOKEN_INFO_SIZE} bytes")
        self.holder = holder or Holder()
        self.profile = profile
        self.pki = pki or MockPki.demo()
        self.credentials: CardCredentials = credentials or self.pki.issue_card(
            self.holder, issued=issued, profile=profile, now=now, key_index=key_index
        )
        self.pins: dict[str, PinRecord] = {
            "auth": PinRecord.create(auth_pin, PinFormat.DIGITS4, 3),
            "sign": PinRecord.create(sign_pin, PinFormat.SIGN, 5),
            "text": PinRecord.create(text_pin, PinFormat.DIGITS4, 3),
        }
        self.extended_length = extended_length
        self.short_read_sw = short_read_sw
        self.select_clears_verification = select_clears_verification
        self.atr = atr
        self.token_label = token_label
        self.token_info = token_info
        self.auth_cert_needs_pin = auth_cert_needs_pin
        self.my_number_aps = my_number_aps
        self.my_number_seed = my_number_seed
        self.latency = latency
        self.faults = FaultPlan()
        self.state_file: Path | None = Path(state_file) if state_file else None
        self.apdu_count = 0
        self._lock = threading.RLock()  # the card's state, for one call at a time
        self._free = threading.Condition(self._lock)  # signalled when a transaction ends
        self._holder: tuple[int, int] | None = None  # (thread, transaction number)
        self._depth = 0
        self._transactions = 0
        self._removed = False
        self._apps: dict[bytes, Application] = {}
        self._current_app: Application | None = None
        self._current_ef: Ef | None = None
        self._verified: set[str] = set()
        self._build_files()

    # -- card life cycle ---------------------------------------------------

    def reset(self) -> None:
        """Power cycle: nothing selected, no PIN verified."""
        with self._lock:
            self._current_app = None
            self._current_ef = None
            self._verified.clear()

    def remove(self) -> None:
        """Pull the card out: APDUs raise :class:`apdu.CardRemovedError` until :meth:`insert`.

        Never waits for a transaction (a hand pulls the card whatever the reader is
        doing), and ends the one under way."""
        with self._lock:
            self._removed = True
            self.reset()
            self._end_transaction()

    def insert(self) -> None:
        with self._lock:
            self._removed = False
            self.reset()

    @property
    def present(self) -> bool:
        return not self._removed

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Exclusive use for a sequence of APDUs, like a PC/SC transaction: APDUs and
        transactions from other threads wait until it ends; its own thread may nest.

        The state lock is not held in between, so a transaction left open (a session
        never closed, its generator finalised later in another thread) can still end, and
        the card can still be pulled or reset meanwhile."""
        me = threading.get_ident()
        with self._lock:
            self._wait_for_turn(me)
            if self._holder is None:
                self._transactions += 1
                self._holder = (me, self._transactions)
            number = self._holder[1]
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                if self._holder is not None and self._holder[1] == number:
                    self._depth -= 1
                    if self._depth == 0:
                        self._end_transaction()

    def _wait_for_turn(self, me: int) -> None:
        """Wait (holding the state lock) until no other thread's transaction is open."""
        while self._holder is not None and self._holder[0] != me:
            self._free.wait()

    def _end_transaction(self) -> None:
        self._holder = None
        self._depth = 0
        self._free.notify_all()

    def pin_tries_left(self, name: str) -> int:
        return self.pins[name].tries_left

    def reset_pins(self) -> None:
        """Restore every PIN's try counter (what the municipal office does)."""
        with self._lock:
            for pin in self.pins.values():
                pin.tries_left = pin.max_tries
            self._persist()

    def block_pin(self, name: str) -> None:
        with self._lock:
            self.pins[name].tries_left = 0
            self._verified.discard(name)
            self._persist()

    # -- the APDU interface ------------------------------------------------

    def transmit(self, apdu: bytes) -> bytes:
        with self._lock:
            self._wait_for_turn(threading.get_ident())
            if self._removed:
                raise CardRemovedError("the card was removed")
            self.apdu_count += 1
            fault = self.faults.next()
            if fault is not None:
                if fault.kind in (FaultKind.REMOVE, FaultKind.TRANSPORT_ERROR):
                    if fault.kind is FaultKind.REMOVE:
                        self.remove()
                    raise_for(fault)
                if fault.kind is FaultKind.STATUS_WORD:
                    return fault.sw.to_bytes(2, "big")
                if fault.kind is FaultKind.HOLD and fault.gate is not None:
                    fault.gate.wait(MAX_DELAY)
                LatencyModel(per_apdu=fault.seconds).wait(0, False)
            data, sw, signed = self._process(bytes(apdu))
            if self.latency is not None:
                self.latency.wait(len(apdu) + len(data), signed)
            return data + sw.to_bytes(2, "big")

    def _process(self, raw: bytes) -> tuple[bytes, int, bool]:
        if len(raw) < 4:
            return b"", SW.WRONG_LENGTH, False
        cla, ins = raw[0], raw[1]
        if cla not in (0x00, 0x80):
            return b"", SW.CLA_NOT_SUPPORTED, False
        handler = _HANDLERS.get(ins)
        if handler is None:
            return b"", SW.INS_NOT_SUPPORTED, False
        expected_cla = 0x80 if ins == INS.PERFORM_SECURITY_OPERATION else 0x00
        if cla != expected_cla:
            return b"", SW.CLA_NOT_SUPPORTED, False
        try:
            command = CommandApdu.decode(raw)
        except ApduFormatError:
            return b"", SW.WRONG_LENGTH, False
        if command.extended and not self.extended_length:
            return b"", SW.WRONG_LENGTH, False
        return handler(self, command)

    # -- commands ----------------------------------------------------------

    def _select(self, c: CommandApdu) -> tuple[bytes, int, bool]:
        if c.p1 == 0x04:
            if c.p2 != 0x0C:
                return b"", SW.INCORRECT_P1P2, False
            if not c.data:
                return b"", SW.WRONG_LENGTH, False
            app = self._apps.get(c.data)
            if app is None:
                return b"", SW.FILE_NOT_FOUND, False
            if app is not self._current_app and self.select_clears_verification:
                self._verified.clear()
            self._current_app, self._current_ef = app, None
            return b"", SW.OK, False
        if c.p1 == 0x02:
            if c.p2 != 0x0C:
                return b"", SW.INCORRECT_P1P2, False
            if len(c.data) != 2:
                return b"", SW.WRONG_LENGTH, False
            if self._current_app is None:
                return b"", SW.FILE_NOT_FOUND, False
            ef = self._current_app.files.get(int.from_bytes(c.data, "big"))
            if ef is None:
                return b"", SW.FILE_NOT_FOUND, False
            self._current_ef = ef
            return b"", SW.OK, False
        return b"", SW.INCORRECT_P1P2, False

    def _read_binary(self, c: CommandApdu) -> tuple[bytes, int, bool]:
        if c.data or c.le is None:
            return b"", SW.WRONG_LENGTH, False
        if c.p1 & 0x80:  # short EF identifier in P1, offset in P2
            if c.p1 & 0x60:
                return b"", SW.INCORRECT_P1P2, False
            if self._current_app is None:
                return b"", SW.FILE_NOT_FOUND, False
            ef = self._current_app.files.get(c.p1 & 0x1F)
            if ef is None:
                return b"", SW.FILE_NOT_FOUND, False
            self._current_ef = ef
            offset = c.p2
        else:
            ef = self._current_ef
            if ef is None:
                return b"", SW.COMMAND_NOT_ALLOWED, False
            offset = (c.p1 << 8) | c.p2
        if ef.type is not EfType.BINARY:
            return b"", SW.SECURITY_STATUS_NOT_SATISFIED, False
        if ef.read_pin is not None and ef.read_pin not in self._verified:
            return b"", SW.SECURITY_STATUS_NOT_SATISFIED, False
        if offset >= len(ef.data):
            return b"", SW.WRONG_P1P2, False
        chunk = ef.data[offset : offset + c.le]
        return chunk, (SW.OK if len(chunk) == c.le else self.short_read_sw), False

    def _pin_ef(self) -> tuple[str | None, int]:
        ef = self._current_ef
        if ef is None:
            return None, SW.COMMAND_NOT_ALLOWED
        if ef.type is not EfType.PIN or ef.ref is None:
            return None, SW.REFERENCE_DATA_NOT_FOUND
        return ef.ref, SW.OK

    def _verify(self, c: CommandApdu) -> tuple[bytes, int, bool]:
        if c.p1 != 0x00 or c.p2 != 0x80:
            return b"", SW.INCORRECT_P1P2, False
        if c.le is not None:
            return b"", SW.WRONG_LENGTH, False
        name, sw = self._pin_ef()
        if name is None:
            return b"", sw, False
        with self._shared_pin(name) as pin:  # the counter as every process sees it, locked
            if pin is None:
                return b"", SW.MEMORY_FAILURE, False
            if pin.blocked:  # perhaps by another process: a verified state ends too
                self._verified.discard(name)
                return b"", SW.REFERENCE_DATA_NOT_USABLE, False
            if not c.data:  # status: tries left, no try spent
                return b"", retries_sw(pin.tries_left), False
            # As a card does: the try is spent, and saved, before the PIN is compared; if it
            # cannot be saved, nothing is compared (else a full disk gave unlimited guesses).
            self._verified.discard(name)
            pin.tries_left -= 1
            if not self._save_pin(name):
                return b"", SW.MEMORY_FAILURE, False
            if not pin.matches(c.data):
                return b"", retries_sw(pin.tries_left), False
            pin.tries_left = pin.max_tries
            if not self._save_pin(name):
                return b"", SW.MEMORY_FAILURE, False
            self._verified.add(name)
            return b"", SW.OK, False

    def _change_reference_data(self, c: CommandApdu) -> tuple[bytes, int, bool]:
        if c.p1 != 0x01 or c.p2 != 0x80:
            return b"", SW.INCORRECT_P1P2, False
        if not c.data or c.le is not None:
            return b"", SW.WRONG_LENGTH, False
        name, sw = self._pin_ef()
        if name is None:
            return b"", sw, False
        pin = self.pins[name]
        if pin.blocked:
            return b"", SW.REFERENCE_DATA_NOT_USABLE, False
        if name not in self._verified:
            return b"", SW.SECURITY_STATUS_NOT_SATISFIED, False
        if not pin.fmt.accepts(c.data):
            return b"", SW.WRONG_DATA, False
        with self._shared_pin(name) as shared:
            if shared is None:
                return b"", SW.MEMORY_FAILURE, False
            shared.set(c.data)
            return (b"", SW.OK, False) if self._save_pin(name) else (b"", SW.MEMORY_FAILURE, False)

    def _compute_signature(self, c: CommandApdu) -> tuple[bytes, int, bool]:
        if c.p1 != 0x00 or c.p2 != 0x80:
            return b"", SW.INCORRECT_P1P2, False
        if not c.data or c.le is None:
            return b"", SW.WRONG_LENGTH, False
        ef = self._current_ef
        if ef is None:
            return b"", SW.COMMAND_NOT_ALLOWED, False
        if ef.type is not EfType.KEY or ef.ref is None:
            return b"", SW.REFERENCE_DATA_NOT_FOUND, False
        if ef.ref not in self._verified:
            return b"", SW.SECURITY_STATUS_NOT_SATISFIED, False
        key = self.credentials.sign_key if ef.ref == "sign" else self.credentials.auth_key
        if len(c.data) > key.key_size // 8 - 11:
            return b"", SW.WRONG_LENGTH, False
        return pkcs1_sign(key, c.data), SW.OK, True

    # -- files and persistence -----------------------------------------------

    def _build_files(self) -> None:
        creds = self.credentials
        token = self.token_info or (
            token_info_for(self.token_label, creds.auth_cert.serial_number).encode()
        )
        jpki = Application(
            "jpki",
            {
                0x0006: Ef(EfType.BINARY, token),
                0x0008: Ef(EfType.BINARY, b"\x8f\x8f\x00"),
                0x000A: Ef(
                    EfType.BINARY,
                    pad_certificate(creds.auth_cert.public_bytes(Encoding.DER)),
                    read_pin="auth" if self.auth_cert_needs_pin else None,
                ),
                0x000B: Ef(
                    EfType.BINARY, pad_certificate(creds.auth_ca_cert.public_bytes(Encoding.DER))
                ),
                0x0001: Ef(
                    EfType.BINARY,
                    pad_certificate(creds.sign_cert.public_bytes(Encoding.DER)),
                    read_pin="sign",
                ),
                0x0002: Ef(
                    EfType.BINARY, pad_certificate(creds.sign_ca_cert.public_bytes(Encoding.DER))
                ),
                0x0017: Ef(EfType.KEY, ref="auth"),
                0x0018: Ef(EfType.PIN, ref="auth"),
                0x001A: Ef(EfType.KEY, ref="sign"),
                0x001B: Ef(EfType.PIN, ref="sign"),
            },
        )
        text = Application(
            "text",
            {
                0x0001: Ef(
                    EfType.BINARY, textap.my_number_file(self.my_number_seed), read_pin="text"
                ),
                0x0002: Ef(EfType.BINARY, textap.basic_four(self.holder), read_pin="text"),
                0x0005: Ef(EfType.BINARY, textap.ap_info()),
                0x0011: Ef(EfType.PIN, ref="text"),
            },
        )
        self._apps = {JPKI_AID: jpki, TEXT_AID: text, VISUAL_AID: Application("visual")}
        if not self.my_number_aps:
            del self._apps[TEXT_AID], self._apps[VISUAL_AID]

    def _persist(self) -> None:
        if self.state_file is not None:
            from .state import save_card

            save_card(self, self.state_file)

    @contextmanager
    def _shared_pin(self, name: str) -> Iterator[PinRecord | None]:
        """The PIN record ``name`` under the state file's lock, as the file has it now (other
        processes may have spent tries); ``None`` when the file cannot be read. In memory
        only (no state file): the record as it is."""
        if self.state_file is None:
            yield self.pins[name]
            return
        from .state import StateError, read_pin, state_lock

        try:
            with state_lock(self.state_file):
                try:
                    self.pins[name] = read_pin(self.state_file, name, self)
                except StateError:
                    yield None
                    return
                yield self.pins[name]
        except StateError:  # the lock itself
            yield None

    def _save_pin(self, name: str) -> bool:
        """Save the PIN record ``name`` (inside :meth:`_shared_pin`); whether it was saved."""
        if self.state_file is None:
            return True
        from .state import StateError, write_pin

        try:
            write_pin(self.state_file, name, self.pins[name])
        except StateError:
            return False
        return True


_Handler = Callable[[MockCard, CommandApdu], tuple[bytes, int, bool]]
_HANDLERS: dict[int, _Handler] = {
    INS.SELECT: MockCard._select,
    INS.READ_BINARY: MockCard._read_binary,
    INS.VERIFY: MockCard._verify,
    INS.CHANGE_REFERENCE_DATA: MockCard._change_reference_data,
    INS.PERFORM_SECURITY_OPERATION: MockCard._compute_signature,
}


def pkcs1_sign(key: rsa.RSAPrivateKey, digest_info: bytes) -> bytes:
    """RSA PKCS#1 v1.5 over ``digest_info`` exactly as sent (the card does the padding)."""
    for prefix, algorithm in _DIGEST_INFO_PREFIX.items():
        if (
            digest_info.startswith(prefix)
            and len(digest_info) == len(prefix) + algorithm.digest_size
        ):
            digest = digest_info[len(prefix) :]
            return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(algorithm))
    # anything else: pad and exponentiate by hand, as the card would
    k = key.key_size // 8
    encoded = b"\x00\x01" + b"\xff" * (k - 3 - len(digest_info)) + b"\x00" + digest_info
    numbers = key.private_numbers()
    m = int.from_bytes(encoded, "big")
    s1 = pow(m, numbers.dmp1, numbers.p)
    s2 = pow(m, numbers.dmq1, numbers.q)
    h = (numbers.iqmp * (s1 - s2)) % numbers.p
    return (s2 + h * numbers.q).to_bytes(k, "big")
