"""``JpkiCard``: one session with the JPKI application (and the text AP) over any transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes

import apdu
from apdu import (
    BLOCKED,
    INS,
    SW,
    ApduChannel,
    CommandApdu,
    ResponseApdu,
    Transport,
    retries_left,
    tlv,
)

from . import errors
from .digestinfo import digest_info, hash_data
from .layout import FID_TOKEN_INFO, JPKI_AID, CertKind, PinKind
from .pins import PinSource, normalize_pin
from .session_errors import translate
from .token import TEXT_SIZE, TokenInfo, parse_token_info

if TYPE_CHECKING:
    from .authn import AuthenticationResponse, Challenge
    from .keys import CardPrivateKey
    from .textap import BasicInfo, MyNumber

READ_CHUNK: Final = 256
MAX_CERTIFICATE_SIZE: Final = 8192  # real ones are 1.2-2 KB; anything far larger is junk
# SELECT: P1 by DF name (AID) / EF under the current DF; P2 no response data
_BY_NAME: Final = 0x04
_EF_BELOW: Final = 0x02
_NO_FCI: Final = 0x0C
# VERIFY / CHANGE REFERENCE DATA: P2 a specific reference data (the selected PIN EF)
_SPECIFIC_PIN: Final = 0x80


class JpkiCard:
    """A session with a My Number card's JPKI application.

    Creating a session sends nothing. The session remembers what it selected
    and never selects it again; it forgets on any transport error. A PIN is
    checked against its rule before anything is sent, used for one command,
    and never kept, logged, retried or put into an exception.
    """

    def __init__(
        self, transport: Transport, *, extended_length: bool = False, reader: str | None = None
    ) -> None:
        self.channel = ApduChannel(transport)
        #: The reader's name when the session was opened through :meth:`open`.
        self.reader = reader
        self.extended_length = extended_length
        self._ap: bytes | None = None
        self._ef: int | None = None
        # PINs verified inside the caller's current transaction; forgotten when it ends
        self._verified: set[PinKind] = set()
        self._transaction = _Transaction(self)

    @property
    def transport(self) -> Transport:
        return self.channel.transport

    @classmethod
    @contextmanager
    def open(cls, reader: str | None = None) -> Iterator[JpkiCard]:
        """A session on the first reader holding a JPKI card (among those whose name contains
        ``reader``, or ``$JPKI_READER``; or the virtual reader of that name, such as the mock
        card's ``mock``: see :mod:`jpki.reader_registry`).

        The connection is exclusive and the card is reset when the block ends.
        """
        from . import readers

        seen: list[errors.JpkiError] = []
        for name in readers.matching_readers(reader):
            with ExitStack() as stack:
                try:
                    session = cls(stack.enter_context(readers.connect(name)), reader=name)
                    if not session.is_jpki_card():
                        seen.append(errors.NotJpkiCard())
                        continue
                except (errors.NoCard, errors.ReaderInUse, errors.CardRemoved) as exc:
                    seen.append(exc)
                    continue
                yield session
                return
        raise _most_telling(seen)

    # -- plumbing ------------------------------------------------------------

    def _send(self, command: CommandApdu) -> ResponseApdu:
        try:
            return self.channel.send(command)
        except apdu.TransportError as exc:
            self.forget_selection()
            raise translate(exc) from exc

    def transaction(self) -> _Transaction:
        """Hold the card for several APDUs (one PC/SC transaction; nested calls join it)."""
        return self._transaction

    def forget_selection(self) -> None:
        """Select again next time (after a reset, or a card removed and put back)."""
        self._ap = None
        self._ef = None
        self._verified.clear()

    def select_application(self, aid: bytes) -> None:
        if self._ap == aid:
            return
        r = self._send(CommandApdu(0x00, INS.SELECT, _BY_NAME, _NO_FCI, aid))
        if r.sw == SW.FILE_NOT_FOUND:
            self.forget_selection()
            if aid == JPKI_AID:
                raise errors.NotJpkiCard()
            raise errors.ApplicationNotFound(aid)
        if not r.ok:
            self.forget_selection()
            raise errors.CardResponseError("select the application", r.sw)
        self._ap, self._ef = aid, None

    def select_file(self, aid: bytes, fid: int) -> None:
        self.select_application(aid)
        if self._ef == fid:
            return
        r = self._send(CommandApdu(0x00, INS.SELECT, _EF_BELOW, _NO_FCI, fid.to_bytes(2, "big")))
        if not r.ok:
            self._ef = None
            raise errors.CardResponseError(f"select file {fid:04X}", r.sw)
        self._ef = fid

    def is_jpki_card(self) -> bool:
        """Whether the card has the JPKI application (detection by SELECT, not by ATR)."""
        try:
            self.select_application(JPKI_AID)
        except errors.NotJpkiCard:
            return False
        return True

    # -- reading files -----------------------------------------------------------

    def read_file(self, aid: bytes, fid: int, *, what: str, pin: PinKind | None = None) -> bytes:
        """Read a file that holds one BER-TLV object, using its header for the length.

        The first READ BINARY asks for 256 bytes (or the whole file with
        extended length), then full chunks follow: 1 + ⌈N/256⌉ - 1 reads.
        """
        with self.transaction():
            self.select_file(aid, fid)
            first = self._read(0, 65536 if self.extended_length else READ_CHUNK, what, pin)
            try:
                _tag, start, length = tlv.read_header(first)
            except apdu.ApduFormatError:
                raise errors.CorruptData(
                    f"the {what} file does not start with a data object"
                ) from None
            total = start + length
            if total > MAX_CERTIFICATE_SIZE:
                raise errors.CorruptData(f"the {what} file claims {total} bytes")
            data = bytearray(first[:total])
            while len(data) < total:
                chunk = self._read(len(data), min(READ_CHUNK, total - len(data)), what, pin)
                if not chunk:
                    break
                data += chunk
            if len(data) < total:
                raise errors.CorruptData(f"the {what} file ends after {len(data)} of {total} bytes")
            return bytes(data[:total])

    def _read(self, offset: int, le: int, what: str, pin: PinKind | None) -> bytes:
        r = self._send(CommandApdu(0x00, INS.READ_BINARY, offset >> 8, offset & 0xFF, le=le))
        if r.sw in (SW.OK, SW.END_OF_FILE):
            return r.data
        if r.sw == SW.WRONG_P1P2:
            return b""
        if r.sw == SW.SECURITY_STATUS_NOT_SATISFIED and pin is not None:
            raise errors.PinRequired(pin, f"reading the {what}")
        raise errors.CardResponseError(f"read the {what}", r.sw)

    def read_certificate_der(self, kind: CertKind, *, pin: PinSource | None = None) -> bytes:
        """The DER of a certificate. ``SIGN`` needs the signature PIN: pass ``pin`` to verify
        it in the same transaction, or call :meth:`verify_pin` first. A smartphone token
        guards ``AUTH`` with the auth PIN: reading it raises :class:`PinRequired` until
        :meth:`verify_pin` (a My Number card needs none)."""
        with self.transaction():
            if pin is not None and kind is CertKind.SIGN:  # the others need no PIN
                self.verify_pin(PinKind.SIGN, pin)
            # a 6982 names the PIN: the signature PIN for SIGN; for AUTH only smartphone
            # tokens (JPKIAPGPSETOKEN / JPKIAPIOSTOKEN) guard it, with the auth PIN
            needs = _READ_PINS.get(kind)
            return self.read_file(JPKI_AID, kind.fid, what=kind.label, pin=needs)

    def read_certificate(self, kind: CertKind, *, pin: PinSource | None = None) -> x509.Certificate:
        der = self.read_certificate_der(kind, pin=pin)
        try:
            return x509.load_der_x509_certificate(der)
        except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion is no ValueError
            raise errors.CorruptData(
                f"the {kind.label} on the card cannot be parsed: {exc}"
            ) from None

    def token_info(self) -> TokenInfo:
        """Label, manufacturer, model and serial of EF 0006 (read only when asked): one
        READ BINARY of the 96 bytes that hold them, none of the integers after them."""
        with self.transaction():
            self.select_file(JPKI_AID, FID_TOKEN_INFO)
            raw = self._read(0, TEXT_SIZE, "token info", None)
        return parse_token_info(raw)

    # -- PINs ---------------------------------------------------------------------

    def pin_status(self, kind: PinKind) -> int:
        """Tries left for ``kind`` (0 when blocked). Spends no try."""
        with self.transaction():
            self.select_file(kind.aid, kind.fid)
            r = self._send(CommandApdu(0x00, INS.VERIFY, 0x00, _SPECIFIC_PIN))
        tries = retries_left(r.sw)
        if tries is not None:
            return tries
        if r.sw in BLOCKED:
            return 0
        if r.ok:
            return kind.max_tries
        raise errors.CardResponseError(f"report the {kind.label} status", r.sw)

    def verify_pin(self, kind: PinKind, pin: PinSource) -> None:
        """Verify ``pin`` (or ask the prompt, showing the tries left). Never retried."""
        if isinstance(pin, str):
            self._verify(kind, normalize_pin(kind, pin))
            return
        with self.transaction():
            tries = self.pin_status(kind)
            if tries == 0:
                raise errors.PinBlocked(kind)
            self._verify(kind, normalize_pin(kind, _ask(pin, kind, tries)))

    def _verify(self, kind: PinKind, pin: bytes) -> None:
        self._verified.discard(kind)
        with self.transaction():
            self.select_file(kind.aid, kind.fid)
            r = self._send(CommandApdu(0x00, INS.VERIFY, 0x00, _SPECIFIC_PIN, pin))
        del pin
        _raise_for_pin(kind, r.sw)
        if self._transaction.active:  # the caller holds the card: later calls may rely on it
            self._verified.add(kind)

    def pin_verified(self, kind: PinKind) -> bool:
        """Whether ``kind`` was verified inside the caller's current transaction (the card's
        security state holds it until the transaction ends or the card is reset)."""
        return kind in self._verified

    def change_pin(self, kind: PinKind, current: PinSource, new: str) -> None:
        """Verify ``current`` and set ``new`` (both checked against the rule before sending)."""
        new_raw = normalize_pin(kind, new)
        with self.transaction():
            self.verify_pin(kind, current)
            r = self._send(
                CommandApdu(0x00, INS.CHANGE_REFERENCE_DATA, 0x01, _SPECIFIC_PIN, new_raw)
            )
        del new_raw
        if r.sw == SW.WRONG_DATA:
            raise errors.PinFormatError(kind, f"the card refused the new {kind.label}'s format")
        _raise_for_pin(kind, r.sw)

    # -- signatures -------------------------------------------------------------------

    def sign(
        self,
        kind: CertKind,
        data: bytes,
        *,
        pin: PinSource | None,
        hash_algorithm: hashes.HashAlgorithm | None = None,
        allow_sha1: bool = False,
    ) -> bytes:
        """Sign ``data`` with the ``AUTH`` or ``SIGN`` key (RSA PKCS#1 v1.5, SHA-256 by default).

        The PIN is verified right before the signature, in the same transaction.
        ``pin=None`` uses a :meth:`verify_pin` made earlier inside the caller's own
        :meth:`transaction` (and raises :class:`PinRequired` otherwise, sending nothing).
        """
        algorithm = hash_algorithm or hashes.SHA256()
        info = digest_info(algorithm, hash_data(algorithm, data), allow_sha1=allow_sha1)
        return self.sign_digest_info(kind, info, pin=pin)

    def sign_prehashed(
        self,
        kind: CertKind,
        digest: bytes,
        hash_algorithm: hashes.HashAlgorithm,
        *,
        pin: PinSource | None,
        allow_sha1: bool = False,
    ) -> bytes:
        """Sign a digest already computed with ``hash_algorithm`` (``pin`` as in :meth:`sign`)."""
        return self.sign_digest_info(
            kind, digest_info(hash_algorithm, digest, allow_sha1=allow_sha1), pin=pin
        )

    def sign_digest_info(self, kind: CertKind, info: bytes, *, pin: PinSource | None) -> bytes:
        """Have the card pad and sign ``info`` as it is (a DER DigestInfo the caller built)."""
        key_fid = kind.key_fid  # raises for the CA kinds
        if isinstance(pin, str):
            normalize_pin(kind.pin, pin)  # fail before anything is sent
        elif pin is None and kind.pin not in self._verified:
            raise errors.PinRequired(kind.pin, f"signing with the {kind.label}'s key")
        with self.transaction():
            if pin is not None:
                self.verify_pin(kind.pin, pin)
            self.select_file(JPKI_AID, key_fid)
            r = self._send(
                CommandApdu(0x80, INS.PERFORM_SECURITY_OPERATION, 0x00, 0x80, info, le=256)
            )
        if r.sw == SW.SECURITY_STATUS_NOT_SATISFIED:
            raise errors.PinRequired(kind.pin, f"signing with the {kind.label}'s key")
        if not r.ok:
            raise errors.CardResponseError(f"sign with the {kind.label}'s key", r.sw)
        if len(r.data) != 256:
            raise errors.CorruptData(f"the card returned a {len(r.data)}-byte signature, not 256")
        return r.data

    def private_key(
        self, kind: CertKind, pin: PinSource, *, certificate: x509.Certificate | None = None
    ) -> CardPrivateKey:
        """An ``RSAPrivateKey`` whose ``sign`` runs on the card (see :mod:`jpki.keys`).

        Pass the ``certificate`` if you have it, so that ``public_key()`` need not read it.
        """
        from .keys import CardPrivateKey

        return CardPrivateKey(self, kind, pin, certificate)

    def authenticate(self, challenge: Challenge | bytes, pin: PinSource) -> AuthenticationResponse:
        """Sign a relying party's challenge with the user-authentication key (see :mod:`jpki.authn`)."""
        from .authn import authenticate

        return authenticate(self, challenge, pin)

    # -- text AP ------------------------------------------------------------------------

    def read_basic_info(self, pin: PinSource) -> BasicInfo:
        """Name, address, birth date and sex from the text AP (needs its 4-digit PIN)."""
        from .textap import read_basic_info

        return read_basic_info(self, pin)

    def read_my_number(self, pin: PinSource) -> MyNumber:
        """The individual number: only where the My Number Act allows you to collect it."""
        from .textap import read_my_number

        return read_my_number(self, pin)


class _Transaction:
    """The session's transaction: only the outermost level begins and ends it on the card."""

    __slots__ = ("_card", "_depth", "_outer")

    def __init__(self, card: JpkiCard) -> None:
        self._card = card
        self._depth = 0
        self._outer: AbstractContextManager[None] | None = None

    @property
    def active(self) -> bool:
        return self._depth > 0

    def __enter__(self) -> None:
        if self._depth == 0:
            outer = self._card.channel.transaction()
            try:
                outer.__enter__()
            except apdu.TransportError as exc:
                self._card.forget_selection()
                raise translate(exc) from exc
            self._outer = outer
        self._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth:
            return
        self._card._verified.clear()  # a verification never outlives the transaction
        outer, self._outer = self._outer, None
        if isinstance(exc, errors.ReaderError):
            self._card.forget_selection()
        if outer is None:
            return
        try:
            outer.__exit__(exc_type, exc, tb)
        except apdu.TransportError as end_exc:
            self._card.forget_selection()
            if exc is None:
                raise translate(end_exc) from end_exc


#: The PIN a "security status not satisfied" when reading a certificate asks for.
_READ_PINS: Final = {CertKind.SIGN: PinKind.SIGN, CertKind.AUTH: PinKind.AUTH}

_TELLING_ORDER: Final = (errors.NotJpkiCard, errors.ReaderInUse, errors.CardRemoved, errors.NoCard)


def _most_telling(seen: list[errors.JpkiError]) -> errors.JpkiError:
    """Of the reasons no reader gave a session, the one that helps the person most."""
    for kind in _TELLING_ORDER:
        for exc in seen:
            if isinstance(exc, kind):
                return exc
    return errors.NoCard("no card in any reader")


def _ask(prompt: Callable[[PinKind, int], str], kind: PinKind, tries: int) -> str:
    value = prompt(kind, tries)
    if not isinstance(value, str):
        raise errors.PinFormatError(kind, f"the {kind.label} prompt returned no text")
    return value


def _raise_for_pin(kind: PinKind, sw: int) -> None:
    if sw == SW.OK:
        return
    remaining = retries_left(sw)
    if remaining == 0:
        raise errors.PinBlocked(kind, just_now=True)
    if remaining is not None:
        raise errors.PinIncorrect(kind, remaining)
    if sw in BLOCKED:
        raise errors.PinBlocked(kind)
    if sw == SW.SECURITY_STATUS_NOT_SATISFIED:
        raise errors.PinRequired(kind, f"changing the {kind.label}")
    raise errors.CardResponseError(f"check the {kind.label}", sw)
