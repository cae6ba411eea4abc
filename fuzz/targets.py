"""Fuzz targets over the parsers: each takes bytes and returns, or raises one of its
``expected`` errors. Anything else (an untyped exception, a failed assertion) is a bug.

Used by ``fuzz/run.py`` (atheris or hypothesis, millions of inputs) and, at a few hundred
inputs each, by ``tests/test_fuzz.py``. Seeds are valid inputs built from the mock card.

Inputs that carry several parts (the responses of a hostile card, the otherName values of
a subjectAltName) are split by :func:`split_chunks`: a 2-byte big-endian length, then that
many bytes (cut short at the end of the input), repeatedly.

The size and depth targets (``cms-inflated``, ``json-depth``, ``mock-state``,
``catalogue-toml``) turn a small input into a large or deep one — a million signed
attributes, BER nested ten thousand levels, JSON or TOML nested a hundred thousand — and
hold the parsers to their limits: a typed refusal, within a time bound
(:data:`INFLATED_SECONDS`), in bounded memory (libFuzzer's ``-rss_limit_mb``).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "INFLATED_SECONDS",
    "Target",
    "cert_with_san",
    "inflated_cms",
    "join_chunks",
    "san_of_other_names",
    "splice",
    "split_chunks",
    "targets",
]


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], object]
    expected: tuple[type[BaseException], ...]
    seeds: Callable[[], list[bytes]]
    weight: float = 1.0  # share of the inputs of a long run
    max_size: int = 4096  # largest input worth generating

    def one_input(self, data: bytes) -> None:
        """Run one input; swallow the expected errors only."""
        with contextlib.suppress(*self.expected):
            self.run(data)


# -- input framing ----------------------------------------------------------------------------


def split_chunks(data: bytes, limit: int = 64) -> list[bytes]:
    """``data`` as length-prefixed chunks (at most ``limit`` of them)."""
    chunks, pos = [], 0
    while pos < len(data) and len(chunks) < limit:
        n = int.from_bytes(data[pos : pos + 2], "big")
        chunks.append(data[pos + 2 : pos + 2 + n])
        pos += 2 + n
    return chunks


def join_chunks(chunks: list[bytes]) -> bytes:
    return b"".join(len(c).to_bytes(2, "big") + c for c in chunks)


# -- shared fixtures (built once, lazily: the atheris child imports instrumented code first) --


@functools.cache
def _pki() -> Any:
    from mock_card import MockPki

    return MockPki.demo()


@functools.cache
def _card_credentials() -> Any:
    return _pki().issue_card()


@functools.cache
def _trust() -> Any:
    from jpki.trust import TrustStore

    pki = _pki()
    return TrustStore.from_certificates([pki.sign_ca_cert, pki.auth_ca_cert])


CMS_CONTENT = b"a certificate request, as a kiosk would sign it\n" * 4


@functools.cache
def _good_cms() -> tuple[bytes, bytes]:
    from jpki.cms import sign_cms_with_key

    creds = _card_credentials()
    detached = sign_cms_with_key(creds.sign_key, creds.sign_cert, CMS_CONTENT)
    attached = sign_cms_with_key(creds.sign_key, creds.sign_cert, CMS_CONTENT, detached=False)
    return detached, attached


# -- APDU codecs -------------------------------------------------------------------------------


def _command(data: bytes) -> None:
    from apdu import ApduFormatError, CommandApdu

    try:
        command = CommandApdu.decode(data)
    except ApduFormatError:
        return
    assert command.encode() == data, "CommandApdu: decode then encode changed the bytes"
    again = CommandApdu.decode(command.encode())
    assert again == command


def _command_seeds() -> list[bytes]:
    return [
        bytes.fromhex("00A4040C0AD392F000260100000001"),
        bytes.fromhex("00A4020C02000A"),
        bytes.fromhex("00B0000000"),
        bytes.fromhex("00200080"),
        bytes.fromhex("002000800441424344"),
        bytes.fromhex("802A008033") + bytes(51) + b"\x00",
        bytes.fromhex("00B00000000000"),
        bytes.fromhex("00B0000000010003") + b"abc" + b"\x01\x00",
    ]


def _response(data: bytes) -> None:
    from apdu import ApduError, ApduFormatError, ResponseApdu

    try:
        response = ResponseApdu.decode(data)
    except ApduFormatError:
        assert len(data) < 2
        return
    assert response.encode() == data
    assert str(response)
    try:
        assert response.check() == response.data
        assert response.ok
    except ApduError as exc:
        assert exc.sw == response.sw and str(exc)


def _channel(data: bytes) -> None:
    """An ApduChannel against a card answering the chunks in turn (61xx/6Cxx handling)."""
    from apdu import ApduChannel, CommandApdu, CommunicationError, ResponseApdu

    answers = iter(split_chunks(data, limit=300))

    class Card:
        def transmit(self, apdu: bytes) -> bytes:
            try:
                return next(answers)
            except StopIteration:
                raise CommunicationError("no more answers") from None

    result = ApduChannel(Card()).send(CommandApdu(0x00, 0xB0, 0, 0, le=256))
    assert isinstance(result, ResponseApdu)


def _channel_seeds() -> list[bytes]:
    return [
        join_chunks([b"\x01\x02\x90\x00"]),
        join_chunks([b"\x61\x10", b"x" * 16 + b"\x90\x00"]),
        join_chunks([b"\x6c\x20", b"y" * 32 + b"\x90\x00"]),
        join_chunks([b"\x61\x00", b"z" * 256 + b"\x61\x05", b"12345\x62\x82"]),
    ]


# -- BER-TLV -----------------------------------------------------------------------------------


def _tlv(data: bytes) -> None:
    from apdu import ApduFormatError, tlv

    items: list[tlv.Tlv] = []
    with contextlib.suppress(ApduFormatError):
        items = list(tlv.iter_tlv(data))
    for item in items:
        again = tlv.parse_one(tlv.encode(item.tag, item.value))
        assert (again.tag, again.value) == (item.tag, item.value), "TLV round trip"
    try:
        one = tlv.parse_one(data)
    except ApduFormatError:
        return
    tag, start, length = tlv.read_header(data)
    assert (one.tag, one.value) == (tag, data[start : start + length])


def _tlv_seeds() -> list[bytes]:
    from mock_card import Holder, textap

    return [
        textap.basic_four(Holder()),
        textap.my_number_file(1),
        textap.ap_info(),
        bytes.fromhex("5F2403201231") + b"\x00\x00" + bytes.fromhex("9F8101020102"),
        bytes.fromhex("30820004") + b"abcd",
    ]


# -- JPKI files --------------------------------------------------------------------------------


class _FileCard:
    """Answers 9000 to every SELECT and ``answer`` (data + SW, as given) to READ BINARY."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer

    def transmit(self, apdu: bytes) -> bytes:
        return self.answer if apdu[1:2] == b"\xb0" else b"\x90\x00"


def _token_info(data: bytes) -> None:
    from jpki import JpkiCard, TokenKind

    info = JpkiCard(_FileCard(data)).token_info()
    assert isinstance(info.kind, TokenKind) and info.describe("ja")
    fields = (info.label, info.manufacturer, info.model, info.serial)
    assert all(isinstance(f, str) for f in fields)
    assert [len(f) <= size for f, size in zip(fields, (32, 32, 16, 16), strict=True)] == [True] * 4


def _token_seeds() -> list[bytes]:
    return [
        b"JPKIAPICCTOKEN2".ljust(160) + b"\x90\x00",
        b"JPKIAPGPSETOKEN".ljust(160, b"\x00") + b"\x62\x82",
        b"\x6a\x82",
    ]


def _basic_four(data: bytes) -> None:
    from jpki.textap import BasicInfo, parse_basic_four

    info = parse_basic_four(data)
    assert isinstance(info, BasicInfo) and isinstance(info.sex_label, str)


def _basic_four_seeds() -> list[bytes]:
    from datetime import date

    from mock_card import Holder, Sex, textap

    return [
        textap.basic_four(Holder()),
        textap.basic_four(Holder(name="𠮷野 太郎", address="A" * 300, sex=Sex.MALE)),
        textap.basic_four(Holder(birth_date=date(1926, 12, 25), sex=Sex.NOT_APPLICABLE)),
    ]


def _my_number(data: bytes) -> None:
    from jpki.textap import parse_my_number

    number = parse_my_number(data)
    assert len(number.digits) == 12 and number.digits.isascii() and number.digits.isdigit()
    assert number.digits not in (str(number), repr(number), f"{number}")


def _my_number_seeds() -> list[bytes]:
    from mock_card import textap

    return [textap.my_number_file(7), textap.my_number_file(20240401)]


# -- subjectAltName holder attributes --------------------------------------------------------


def _der(tag: int, content: bytes) -> bytes:
    from jpki.cms._der import encode

    return encode(tag, content)


def _children(der: bytes) -> Iterator[bytes]:
    """The TLVs inside the DER element ``der`` (definite lengths, as a certificate has)."""
    first = der[1]
    pos = 2 + (first & 0x7F if first & 0x80 else 0)
    while pos < len(der):
        length_byte = der[pos + 1]
        if length_byte < 0x80:
            start, n = pos + 2, length_byte
        else:
            count = length_byte & 0x7F
            start, n = pos + 2 + count, int.from_bytes(der[pos + 2 : pos + 2 + count], "big")
        yield der[pos : start + n]
        pos = start + n


_SAN_OID_DER = bytes.fromhex("0603551d11")


@functools.cache
def _sign_cert_parts() -> tuple[list[bytes], list[bytes], bytes, bytes, bytes]:
    """The demo signature certificate cut up around its subjectAltName:
    (TBS children before the extensions, the other extensions, the SAN extnValue,
    signature algorithm, signature value)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    der = _card_credentials().sign_cert.public_bytes(Encoding.DER)
    tbs, algorithm, signature = _children(der)
    fields = list(_children(tbs))
    assert fields[-1][0] == 0xA3
    [extensions] = _children(fields[-1])
    others, san = [], b""
    for ext in _children(extensions):
        parts = list(_children(ext))
        if parts[0] == _SAN_OID_DER:
            san = parts[-1][2:] if parts[-1][1] < 0x80 else parts[-1][2 + (parts[-1][1] & 0x7F) :]
        else:
            others.append(ext)
    assert san
    return fields[:-1], others, san, algorithm, signature


def cert_with_san(san_value: bytes) -> bytes:
    """The demo signature certificate's DER with ``san_value`` as its subjectAltName
    extnValue (the signature is not redone: the holder parser does not check it)."""
    head, others, _san, algorithm, signature = _sign_cert_parts()
    san_ext = _der(0x30, _SAN_OID_DER + _der(0x04, san_value))
    extensions = _der(0xA3, _der(0x30, b"".join(others) + san_ext))
    tbs = _der(0x30, b"".join(head) + extensions)
    return _der(0x30, tbs + algorithm + signature)


_HOLDER_OIDS = [f"1.2.392.200149.8.5.5.{i}" for i in range(1, 7)]


@functools.cache
def _holder_oid_ders() -> list[bytes]:
    from asn1crypto import core

    return [core.ObjectIdentifier(oid).dump() for oid in _HOLDER_OIDS]


def san_of_other_names(values: list[bytes], oids: list[int] | None = None) -> bytes:
    """A GeneralNames SEQUENCE of otherNames, value ``i`` under holder OID ``oids[i]``."""
    oid_ders = _holder_oid_ders()
    order = oids if oids is not None else list(range(len(values)))
    names = [
        _der(0xA0, oid_ders[order[i] % 6] + _der(0xA0, value)) for i, value in enumerate(values)
    ]
    return _der(0x30, b"".join(names))


def _san_holder(data: bytes) -> None:
    """First byte even: the rest is the whole SAN extnValue; odd: chunks are the otherName
    values under the six holder OIDs in turn."""
    from cryptography import x509

    from jpki.certs import CertificateInfo, HolderAttributes, parse_holder_attributes

    if not data:
        return
    san = data[1:] if data[0] % 2 == 0 else san_of_other_names(split_chunks(data[1:], 12))
    try:
        cert = x509.load_der_x509_certificate(cert_with_san(san))
    except ValueError:
        return  # refused by the X.509 parser itself: nothing of ours ran
    attrs = parse_holder_attributes(cert)
    assert isinstance(attrs, HolderAttributes)
    assert attrs.name.strip() and attrs.address.strip()
    CertificateInfo.from_x509(cert)


def _san_seeds() -> list[bytes]:
    _head, _others, san, _alg, _sig = _sign_cert_parts()
    values = [
        _der(0x0C, "見本 花子".encode()),
        _der(0x0C, b"00000"),
        _der(0x0C, b"2"),
        _der(0x0C, b"419900401"),
        _der(0x0C, "架空県見本市試験町一丁目2番3号".encode()),
        _der(0x0C, b"0" * 16),
    ]
    return [b"\x00" + san, b"\x01" + join_chunks(values)]


# -- the DER reader of jpki.cms ------------------------------------------------------------------


def _der_reader(data: bytes) -> None:
    """``data`` read as verify_cms reads it: the reader, the BER re-encoder and the certificate
    reader may refuse it with ``ValueError`` only, and what they return lies inside it."""
    from jpki.cms import _der

    reader = _der.DerReader(data)
    try:
        top = reader.read(0, len(data))
    except ValueError:
        top = None
    if top is not None:
        _walk_der(reader, top, len(data), 0)
    try:
        definite = _der.definite_lengths(data)
    except ValueError:
        pass
    else:  # definite lengths only now, and nothing left to change
        assert _der.definite_lengths(definite) == definite, "definite_lengths is not idempotent"
        try:
            whole = _der.DerReader(definite).read(0, len(definite))
        except _der.IndefiniteLength:
            raise AssertionError("an indefinite length survived definite_lengths") from None
        except ValueError:
            pass  # a high-number tag: definite_lengths keeps it, the reader refuses it
        else:
            assert whole[_der.END] == len(definite)
    try:
        issuer, serial = _der.issuer_and_serial(data)
    except ValueError:
        pass
    else:
        assert issuer[:1] == b"\x30" and serial[:1] == b"\x02"
        assert issuer in data and serial in data
    for strict in (True, False):
        try:
            length, after = _der.read_length(data, 0, strict=strict)
        except ValueError:
            continue
        assert 1 <= after <= min(len(data), 5) and length >= 0
        if strict:
            assert _der.encode_length(length) == data[:after], "a DER length is not minimal"


def _walk_der(reader: Any, tlv: tuple[int, int, int, int], end: int, depth: int) -> None:
    from jpki.cms._der import BODY, END, START, TAG

    assert tlv[START] < tlv[BODY] <= tlv[END] <= end, ("element outside its parent", tlv, end)
    if depth > 64:
        return
    if tlv[TAG] in (0x04, 0x24):
        try:
            octets = reader.octet_string(tlv)
        except ValueError:
            return
        assert len(octets) <= tlv[END] - tlv[BODY]
        return
    if not tlv[TAG] & 0x20:
        return
    try:
        children = reader.children(tlv, tlv[TAG], "element")
    except ValueError:
        return
    for child in children:
        assert tlv[BODY] <= child[START], "a child before its parent's contents"
        _walk_der(reader, child, tlv[END], depth + 1)


def _der_seeds() -> list[bytes]:
    from cryptography.hazmat.primitives.serialization import Encoding

    return [
        *_good_cms(),
        _card_credentials().sign_cert.public_bytes(Encoding.DER),
        bytes.fromhex("30803080020101000024800402616204016300000000"),
        bytes.fromhex("308200050203010001"),  # a non-minimal length: BER, not DER
        bytes.fromhex("3f810100"),  # a high-number tag
    ]


# -- CMS and the ledger -------------------------------------------------------------------------


def _cms(data: bytes) -> None:
    from jpki.cms import CmsVerification, verify_cms

    for content in (CMS_CONTENT, None):
        result = verify_cms(data, content, trust_store=_trust())
        assert isinstance(result, CmsVerification) and result.message
        assert result.valid == (result.reason is None)
        if result.valid:  # nothing but a signature by the demo card's key can verify
            signer = result.signer_certificate
            assert signer is not None
            assert signer.public_key() == _card_credentials().sign_cert.public_key()


def _cms_seeds() -> list[bytes]:
    return list(_good_cms())


@functools.cache
def _ledger_and_request() -> tuple[Any, bytes, bytes]:
    from jpki.cms import sign_cms_with_key
    from jpki.ledger import Ledger, LedgerConfig
    from jpki.requests import Applicant, CertificateRequest, CounterDelivery

    creds = _card_credentials()
    request = CertificateRequest.create(
        kiosk_id="fuzz-01",
        kind="transcript",
        language="ja",
        copies=1,
        delivery=CounterDelivery("main"),
        purpose="fuzzing",
        applicant=Applicant.from_certificate(creds.sign_cert),
        time=datetime.now(UTC).replace(microsecond=0),
        allowed_kinds=None,
    )
    document = request.to_bytes()
    signature = sign_cms_with_key(creds.sign_key, creds.sign_cert, document)
    # fuzz/run.py points $JPKI_FUZZ_TMP into fuzz/.work: an atheris child never runs atexit
    folder = tempfile.TemporaryDirectory(
        prefix="jpki-fuzz-ledger-", dir=os.environ.get("JPKI_FUZZ_TMP") or None
    )
    ledger = Ledger.open(
        Path(folder.name) / "ledger.sqlite3",
        config=LedgerConfig(trust_store=_trust(), allowed_kinds=None),
    )

    @atexit.register
    def _clean_up() -> None:
        ledger.close()
        folder.cleanup()

    return ledger, document, signature


def _ledger(data: bytes) -> None:
    from jpki.ledger import SubmitResult

    ledger, document, signature = _ledger_and_request()
    content = document if not data or data[0] % 4 else None
    result = ledger.submit(data[1:], content)
    assert isinstance(result, SubmitResult)
    assert data[1:] == signature or ledger.reverify(result.record.request_id).valid


def _ledger_seeds() -> list[bytes]:
    _ledger, _document, signature = _ledger_and_request()
    return [b"\x01" + signature, b"\x00" + _good_cms()[1]]


def _request_document(data: bytes) -> None:
    from jpki.requests import CertificateRequest

    request = CertificateRequest.from_bytes(data, allowed_kinds=None)
    assert CertificateRequest.from_bytes(request.to_bytes(), allowed_kinds=None) == request


def _request_seeds() -> list[bytes]:
    _ledger, document, _signature = _ledger_and_request()
    return [document]


# -- size and depth: small inputs that describe large ones -------------------------------------

#: The longest any inflated input may take (they take milliseconds; minutes before the limits).
INFLATED_SECONDS = 5.0
_MAX_COPIES = 2_000_000


def splice(data: bytes, old: bytes, new: bytes) -> bytes:
    """``data`` (one DER element) with the element ``old`` inside it replaced by ``new``,
    every length around it re-encoded."""
    from jpki.cms import _der as der

    if data == old:
        return new
    if old not in data or not data[0] & 0x20:
        return data
    reader = der.DerReader(data)
    tlv = reader.read(0, len(data))
    parts, pos = [], tlv[der.BODY]
    while pos < tlv[der.END]:
        child = reader.read(pos, tlv[der.END])
        parts.append(splice(reader.whole(child), old, new))
        pos = child[der.END]
    return der.encode(data[0], b"".join(parts))


@functools.cache
def _cms_parts() -> dict[str, bytes]:
    """The elements of the good attached CMS that :func:`inflated_cms` replaces."""
    from asn1crypto import cms

    info = cms.ContentInfo.load(_good_cms()[1])
    sd = info["content"]
    si = sd["signer_infos"][0]
    return {
        "signed_attrs": bytes(si["signed_attrs"].dump()),
        "certificates": bytes(sd["certificates"].dump()),
        "signer_infos": bytes(sd["signer_infos"].dump()),
        "digest_algorithms": bytes(sd["digest_algorithms"].dump()),
        "message_digest": bytes(si["signed_attrs"][2].dump()),
        "encap": bytes(sd["encap_content_info"].dump()),
    }


def inflated_cms(data: bytes) -> bytes:
    """A CMS made large from a small input: byte 0 picks what is repeated, bytes 1-3 how many
    times (at most two million), the rest is the element repeated (a small default). The
    elements: signed attributes, certificates, signers, digest algorithms, values of one
    attribute, BER nesting, empty chunks of a streamed content, PEM line breaks."""
    from jpki.cms import _der as der
    from jpki.cms import to_pem

    if len(data) < 4:
        return data
    kind, copies = data[0] % 8, min(int.from_bytes(data[1:4], "big"), _MAX_COPIES)
    element = data[4:68]
    good, parts = _good_cms()[1], _cms_parts()
    if kind == 0:
        item = element or der.encode(
            0x30, der.encode(0x06, b"\x2a\x03") + der.encode(0x31, b"\x05\x00")
        )
        return splice(good, parts["signed_attrs"], der.encode(0xA0, item * copies))
    if kind == 1:
        return splice(
            good, parts["certificates"], der.encode(0xA0, (element or b"\x30\x00") * copies)
        )
    if kind == 2:
        return splice(
            good, parts["signer_infos"], der.encode(0x31, (element or b"\x30\x00") * copies)
        )
    if kind == 3:
        item = element or der.encode(
            0x30, der.encode(0x06, b"\x60\x86\x48\x01\x65\x03\x04\x02\x01")
        )
        return splice(good, parts["digest_algorithms"], der.encode(0x31, item * copies))
    if kind == 4:
        attr = parts["message_digest"]
        oid = der.encode(0x06, bytes.fromhex("2a864886f70d010904"))
        values = der.encode(0x31, (element or der.encode(0x04, bytes(32))) * copies)
        return splice(good, attr, der.encode(0x30, oid + values))
    if kind == 5:  # BER: the content nested `copies` levels deep in indefinite lengths
        depth = min(copies, 100_000)
        nested = b"\x30\x80" * depth + (element or b"\x05\x00") + b"\x00\x00" * depth
        return b"\x30\x80" + nested + b"\x00\x00"
    if kind == 6:  # an attached content streamed in `copies` empty chunks
        oid = der.encode(0x06, bytes.fromhex("2a864886f70d010701"))
        chunks = b"\x24\x80" + (element or b"\x04\x00") * copies + b"\x00\x00"
        encap = b"\x30\x80" + oid + b"\xa0\x80" + chunks + b"\x00\x00\x00\x00"
        return splice(good, parts["encap"], encap)
    pem = to_pem(good)
    return pem.replace("\n", "\n" * max(1, min(copies, 200_000)), 1).encode("ascii")


def _cms_inflated(data: bytes) -> None:
    import time

    from jpki.cms import CmsVerification, verify_cms

    signature = inflated_cms(data)
    started = time.monotonic()
    result = verify_cms(signature, CMS_CONTENT, trust_store=_trust())
    elapsed = time.monotonic() - started
    assert isinstance(result, CmsVerification) and result.message
    assert elapsed < INFLATED_SECONDS, f"{elapsed:.1f} s for {len(signature)} bytes"
    if (
        len(data) >= 4
        and int.from_bytes(data[1:4], "big") > 1000
        and data[0] % 8 in (0, 1, 2, 3, 4)
    ):
        assert not result.valid, "a thousand copies of an element passed"


def _cms_inflated_seeds() -> list[bytes]:
    big = (1_000_000).to_bytes(3, "big")
    return [bytes([kind]) + big for kind in range(8)] + [
        bytes([kind, 0, 0, 2]) for kind in range(8)
    ]


def _json_depth(data: bytes) -> None:
    """Request documents nested deep, with long numbers or long strings: refused as
    :class:`RequestSchemaError`, never a RecursionError or a quadratic int conversion."""
    from jpki.requests import CertificateRequest

    if not data:
        return
    n = int.from_bytes(data[1:4], "big") % 300_000
    kind = data[0] % 4
    if kind == 0:
        text = b"[" * n + b"]" * n
    elif kind == 1:
        text = b'{"a":' * n + b"1" + b"}" * n
    elif kind == 2:
        text = b'{"copies":' + b"9" * n + b"}"
    else:
        text = b'{"purpose":"' + b"\\u0041" * n + b'"}'
    CertificateRequest.from_bytes(text + data[4:], allowed_kinds=None)


def _json_depth_seeds() -> list[bytes]:
    return [bytes([k, 0, 0x27, 0x10]) for k in range(4)] + [bytes([k, 3, 0, 0]) for k in range(4)]


@functools.cache
def _state_seed() -> bytes:
    from mock_card import MockCard
    from mock_card.state import card_to_json

    return json.dumps(card_to_json(MockCard(credentials=_card_credentials()))).encode("utf-8")


def _mock_state(data: bytes) -> None:
    """A mock card state file of any bytes (or nested deep): a :class:`StateError`."""
    from mock_card.state import load_card

    if data[:1] == b"\x00":  # nested deep
        n = int.from_bytes(data[1:4], "big") % 300_000
        data = b'{"version":1,"pins":' + b"[" * n + b"]" * n + b"}"
    folder = os.environ.get("JPKI_FUZZ_TMP") or tempfile.gettempdir()
    fd, name = tempfile.mkstemp(prefix="jpki-fuzz-state-", suffix=".json", dir=folder)
    try:
        os.write(fd, data)
        os.close(fd)
        load_card(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _mock_state_seeds() -> list[bytes]:
    return [_state_seed(), b"\x00\x01\x00\x00", b"{}"]


def _catalogue(data: bytes) -> None:
    """A kiosk configuration's TOML, any text (nested deep too): a :class:`RequestSchemaError`."""
    from jpki.requests import DocumentCatalogue

    if data[:1] == b"\x00":
        n = int.from_bytes(data[1:4], "big") % 300_000
        data = b"a = " + b"[" * n + b"]" * n + b"\n"
    text = data.decode("utf-8", "replace")
    if "\n" not in text and "[" not in text:
        text += "\n"  # TOML text, not a path
    DocumentCatalogue.from_toml(text)


def _catalogue_seeds() -> list[bytes]:
    entry = (
        '[[catalogue]]\ncode = "transcript-ja"\nname_ja = "成績証明書"\n'
        'name_en = "Transcript"\nlanguage = "ja"\nfee_yen = 300\n'
    )
    return [entry.encode("utf-8"), b"\x00\x00\x10\x00", b"[x]\n"]


# -- a hostile card ------------------------------------------------------------------------------


class _ScriptCard:
    """Answers each APDU with the next chunk; out of chunks, the reader fails."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = iter(answers)
        self.sent = 0

    def transmit(self, apdu: bytes) -> bytes:
        from apdu import CommunicationError

        self.sent += 1
        try:
            return next(self.answers)
        except StopIteration:
            raise CommunicationError("the hostile card has nothing more to say") from None


_PINS = {"auth": "1234", "sign": "ABCD1234", "text": "1234"}


def _card_operations() -> list[Callable[[Any], object]]:
    from jpki import CertKind, PinKind
    from jpki.authn import CONTEXT, NONCE_SIZE

    nonce = CONTEXT + bytes(NONCE_SIZE)
    return [
        lambda c: c.read_certificate(CertKind.AUTH),
        lambda c: c.read_certificate(CertKind.SIGN, pin=_PINS["sign"]),
        lambda c: c.read_certificate(CertKind.SIGN_CA),
        lambda c: c.pin_status(PinKind.AUTH),
        lambda c: c.verify_pin(PinKind.SIGN, lambda kind, tries: _PINS["sign"]),
        lambda c: c.change_pin(PinKind.AUTH, _PINS["auth"], "5678"),
        lambda c: c.sign(CertKind.AUTH, b"data", pin=_PINS["auth"]),
        lambda c: c.read_basic_info(_PINS["text"]),
        lambda c: c.read_my_number(_PINS["text"]),
        lambda c: c.token_info(),
        lambda c: c.authenticate(nonce, _PINS["auth"]),
        lambda c: c.is_jpki_card(),
    ]


def _hostile_card(data: bytes) -> None:
    """First byte: the operation; the rest: the card's answers, one chunk per APDU."""
    from jpki import JpkiCard

    if not data:
        return
    operations = _card_operations()
    card = _ScriptCard(split_chunks(data[1:], limit=200))
    operations[data[0] % len(operations)](JpkiCard(card))


@functools.cache
def _hostile_seeds() -> list[bytes]:
    """Real answers of the mock card to each operation."""
    from apdu.replay import RecordingTransport
    from jpki import JpkiCard
    from mock_card import MockCard

    seeds = []
    for i, operation in enumerate(_card_operations()):
        recorder = RecordingTransport(MockCard(credentials=_card_credentials()))
        try:
            operation(JpkiCard(recorder))
        finally:
            seeds.append(bytes([i]) + join_chunks([e.response for e in recorder.exchanges]))
    return seeds


def _build() -> list[Target]:
    from apdu import TransportError
    from jpki import CorruptData, JpkiError
    from jpki.certs import CertificateFormatError
    from jpki.ledger import LedgerError
    from jpki.requests import RequestSchemaError
    from mock_card.state import StateError

    return [
        Target("apdu-command", _command, (), _command_seeds, weight=3, max_size=300),
        Target("apdu-response", _response, (), lambda: [b"\x90\x00", b"ab\x62\x82"], 2, 300),
        Target("apdu-channel", _channel, (TransportError,), _channel_seeds, 1, 2048),
        Target("ber-tlv", _tlv, (), _tlv_seeds, weight=3, max_size=600),
        Target("token-info", _token_info, (JpkiError,), _token_seeds, 1, 400),
        Target("text-basic-four", _basic_four, (CorruptData,), _basic_four_seeds, 3, 1024),
        Target("text-my-number", _my_number, (CorruptData,), _my_number_seeds, 2, 64),
        Target("san-holder", _san_holder, (CertificateFormatError,), _san_seeds, 1, 1024),
        Target("der-reader", _der_reader, (), _der_seeds, weight=2, max_size=4096),
        Target("cms-verify", _cms, (), _cms_seeds, weight=0.5, max_size=4096),
        Target("ledger-submit", _ledger, (LedgerError,), _ledger_seeds, 0.3, 4096),
        Target("request-document", _request_document, (RequestSchemaError,), _request_seeds, 1),
        Target("hostile-card", _hostile_card, (JpkiError,), _hostile_seeds, 1, 8192),
        Target("cms-inflated", _cms_inflated, (), _cms_inflated_seeds, 0.05, 68),
        Target("json-depth", _json_depth, (RequestSchemaError,), _json_depth_seeds, 0.1, 64),
        Target("mock-state", _mock_state, (StateError,), _mock_state_seeds, 0.1, 16384),
        Target("catalogue-toml", _catalogue, (RequestSchemaError,), _catalogue_seeds, 0.3, 2048),
    ]


@functools.cache
def targets() -> dict[str, Target]:
    """The targets by name (built on first use: after the atheris child has imported the
    instrumented modules)."""
    return {target.name: target for target in _build()}
