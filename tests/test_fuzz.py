"""Property tests and fuzzing: every parser ends in a result or a typed error, and the mock
card keeps its PIN rules whatever it is sent. The one home of the "never raises" properties
(the other test modules test behaviour on chosen inputs).

* APDU codecs (CommandApdu, ResponseApdu, the channel's 61xx/6Cxx handling), BER-TLV, token
  info, the text AP's records, subjectAltName holder attributes (fuzzed otherName values, any
  text read back or refused, CertificateInfo), the DER reader of ``jpki.cms`` (and BER
  trees made definite), CMS (``verify_cms``: random bytes, BER starts, mutations of good
  signatures) and the ledger's ``submit``, and ``JpkiCard`` against a hostile card;
* the mock card as a hypothesis state machine mixing valid commands and random bytes: it
  always answers, never unlocks a blocked PIN, never hands out the signature certificate,
  the text AP's records or a signature without the right PIN verified since the last
  reset or change of application.

The long run over the same targets is ``make fuzz`` (``fuzz/run.py``). The examples per test
come from the ``jpki-fuzz`` hypothesis profile (``jpki-fuzz-ci`` when ``CI`` is set: the same
counts, derandomized); ``JPKI_FUZZ_EXAMPLES`` scales them.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, date, datetime
from typing import Any

import pytest
from cryptography import x509
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from apdu import (
    ApduChannel,
    ApduError,
    ApduFormatError,
    CardRemovedError,
    CommandApdu,
    ResponseApdu,
    TransportError,
    tlv,
)
from fuzz.targets import cert_with_san, join_chunks, san_of_other_names, targets
from jpki import CorruptData, PinFormatError, PinKind, is_valid_pin, normalize_pin
from jpki.certs import (
    OID_ADDRESS,
    OID_ADDRESS_FLAGS,
    OID_BIRTH_DATE,
    OID_NAME,
    OID_NAME_FLAGS,
    OID_SEX,
    CertificateFormatError,
    CertificateInfo,
    HolderAttributes,
    parse_holder_attributes,
)
from jpki.cms import CmsVerification, sign_cms_with_key, verify_cms
from jpki.cms import _der as der
from jpki.ledger import Ledger, LedgerConfig, LedgerError, SubmitResult
from jpki.requests import Applicant, CertificateRequest, CounterDelivery
from jpki.textap import BasicInfo, parse_basic_four, parse_my_number
from jpki.trust import TrustStore
from mock_card import JPKI_AID, TEXT_AID, VISUAL_AID, Holder, MockCard, MockPki, Sex, textap
from mock_card.pins import PinFormat as MockPinFormat
from tests.test_certs import holder_values, make_cert, other_name_der, raw_san_cert, utf8

# -- the hypothesis profile ------------------------------------------------------------------

_SCALE = float(os.environ.get("JPKI_FUZZ_EXAMPLES", "1"))
settings.register_profile(
    "jpki-fuzz",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("jpki-fuzz-ci", settings.get_profile("jpki-fuzz"), derandomize=True)
PROFILE = settings.get_profile("jpki-fuzz-ci" if os.environ.get("CI") else "jpki-fuzz")


def fuzz(examples: int) -> settings:
    """The profile, with ``examples`` (scaled by ``$JPKI_FUZZ_EXAMPLES``)."""
    return settings(PROFILE, max_examples=max(1, int(examples * _SCALE)))


PKI = MockPki.demo()
CREDS = PKI.issue_card()
TRUST = TrustStore.from_certificates([PKI.sign_ca_cert, PKI.auth_ca_cert])


def mutations(seeds: list[bytes], max_changes: int = 6) -> st.SearchStrategy[bytes]:
    """A seed with a few bytes changed, inserted, cut, or the end cut off."""

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(seeds)))
        for _ in range(draw(st.integers(1, max_changes))):
            how = draw(st.integers(0, 3))
            where = draw(st.integers(0, len(data)))
            if how == 0 and data:
                data[where % len(data)] ^= draw(st.integers(1, 255))
            elif how == 1:
                data[where:where] = draw(st.binary(min_size=1, max_size=8))
            elif how == 2:
                del data[where : where + draw(st.integers(1, 16))]
            else:
                data[where:] = b""
        return bytes(data)

    return mutated()


# -- APDU codecs ---------------------------------------------------------------------------------

HEADERS = st.tuples(*[st.integers(0, 255)] * 4)


@st.composite
def apdu_shaped(draw: st.DrawFn) -> bytes:
    """Bytes shaped like APDUs: a header, then short or extended length fields that may or
    may not match what follows."""
    header = bytes(draw(HEADERS))
    data = draw(st.binary(max_size=300))
    form = draw(st.integers(0, 5))
    if form == 0:
        body = b""
    elif form == 1:
        body = bytes([draw(st.integers(0, 255))])
    elif form == 2:
        body = bytes([len(data) & 0xFF]) + data + draw(st.binary(max_size=2))
    elif form == 3:
        body = b"\x00" + len(data).to_bytes(2, "big") + data + draw(st.binary(max_size=3))
    elif form == 4:
        body = b"\x00" + draw(st.binary(min_size=0, max_size=4))
    else:
        body = data
    return header + body


@fuzz(500)
@given(st.one_of(st.binary(max_size=300), apdu_shaped()))
def test_command_decode_gives_a_command_that_encodes_back_or_a_format_error(raw: bytes) -> None:
    try:
        command = CommandApdu.decode(raw)
    except ApduFormatError:
        return
    assert command.encode() == raw
    assert CommandApdu.decode(command.encode()) == command


@st.composite
def commands(draw: st.DrawFn) -> CommandApdu:
    cla, ins, p1, p2 = draw(HEADERS)
    size = draw(st.sampled_from([0, 1, 5, 254, 255, 256, 257, 1000]))
    data = draw(st.binary(min_size=size, max_size=size))
    le = draw(st.none() | st.sampled_from([1, 255, 256, 257, 65535, 65536]) | st.integers(1, 65536))
    return CommandApdu(cla, ins, p1, p2, data, le, draw(st.booleans()))


@fuzz(300)
@given(commands())
def test_command_encode_then_decode_keeps_every_field(command: CommandApdu) -> None:
    again = CommandApdu.decode(command.encode())
    assert (again.header, again.data, again.le) == (command.header, command.data, command.le)
    assert again.is_extended == command.is_extended


@fuzz(200)
@given(
    st.integers(-3, 300),
    st.integers(-3, 300),
    st.integers(-3, 300),
    st.integers(-3, 300),
    st.none() | st.integers(-5, 70000),
)
def test_command_constructor_refuses_out_of_range_fields(
    cla: int, ins: int, p1: int, p2: int, le: int | None
) -> None:
    valid = all(0 <= v <= 255 for v in (cla, ins, p1, p2)) and (le is None or 1 <= le <= 65536)
    try:
        command = CommandApdu(cla, ins, p1, p2, b"", le)
    except ApduFormatError:
        assert not valid
        return
    assert valid and CommandApdu.decode(command.encode()).le == le


@fuzz(300)
@given(st.binary(max_size=300))
def test_response_decode_encode_and_check(raw: bytes) -> None:
    targets()["apdu-response"].one_input(raw)
    if len(raw) >= 2:
        response = ResponseApdu.decode(raw)
        try:
            response.check()
        except ApduError as exc:
            assert exc.sw == response.sw


@fuzz(200)
@given(st.lists(st.binary(max_size=40) | st.sampled_from([b"\x61\x00", b"\x6c\x00"]), max_size=8))
def test_the_channel_ends_in_a_response_or_a_transport_error(answers: list[bytes]) -> None:
    left = list(answers)

    class Card:
        sent = 0

        def transmit(self, apdu: bytes) -> bytes:
            Card.sent += 1
            if not left:
                raise TransportError("no more answers")
            return left.pop(0)

    try:
        response = ApduChannel(Card()).send(CommandApdu(0, 0xB0, 0, 0, le=256))
    except TransportError:
        return
    assert isinstance(response, ResponseApdu)
    assert Card.sent <= len(answers)


# -- BER-TLV ---------------------------------------------------------------------------------------

TAGS = st.one_of(
    st.integers(1, 0xFF).filter(lambda t: t & 0x1F != 0x1F),
    st.builds(lambda a, b: ((a | 0x1F) << 8) | b, st.integers(0, 0xFF), st.integers(0, 0x7F)),
    st.builds(
        lambda a, b, c: ((a | 0x1F) << 16) | ((b | 0x80) << 8) | c,
        st.integers(0, 0xFF),
        st.integers(0, 0xFF),
        st.integers(0, 0x7F),
    ),
)


@fuzz(300)
@given(st.lists(st.tuples(TAGS, st.binary(max_size=300)), max_size=6), st.integers(0, 3))
def test_tlv_encode_then_iterate(items: list[tuple[int, bytes]], padding: int) -> None:
    data = (b"\x00" * padding).join(tlv.encode(tag, value) for tag, value in items)
    assert [(t.tag, t.value) for t in tlv.iter_tlv(data)] == items
    if items:
        first = tlv.parse_one(data + b"trailing")
        assert (first.tag, first.value) == items[0]


@fuzz(500)
@given(st.one_of(st.binary(max_size=300), mutations(targets()["ber-tlv"].seeds())))
def test_tlv_any_bytes(data: bytes) -> None:
    targets()["ber-tlv"].one_input(data)


# -- token info, the text AP --------------------------------------------------------------------


@fuzz(300)
@given(st.one_of(st.binary(max_size=200), mutations(targets()["token-info"].seeds())))
def test_token_info_from_any_file(answer: bytes) -> None:
    targets()["token-info"].one_input(answer)


HOLDER_TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=60)


@fuzz(200)
@given(
    HOLDER_TEXT.filter(str.strip),
    HOLDER_TEXT.filter(str.strip),
    st.dates(date(1900, 1, 1), date(2025, 12, 31)),
    st.sampled_from(list(Sex)),
)
def test_basic_four_round_trip(name: str, address: str, birth: date, sex: Sex) -> None:
    raw = textap.basic_four(Holder(name=name, address=address, birth_date=birth, sex=sex))
    assert parse_basic_four(raw) == BasicInfo(name, address, birth, str(sex.value))


@fuzz(600)
@given(st.one_of(st.binary(max_size=400), mutations(targets()["text-basic-four"].seeds())))
def test_basic_four_from_any_bytes(data: bytes) -> None:
    try:
        info = parse_basic_four(data)
    except CorruptData:
        return
    assert isinstance(info, BasicInfo)


@fuzz(400)
@given(st.one_of(st.binary(max_size=40), mutations(targets()["text-my-number"].seeds())))
def test_my_number_from_any_bytes(data: bytes) -> None:
    try:
        number = parse_my_number(data)
    except CorruptData:
        return
    assert len(number.digits) == 12 and number.digits not in repr(number) + str(number)


# -- subjectAltName holder attributes --------------------------------------------------------------

SIX = (OID_NAME, OID_NAME_FLAGS, OID_SEX, OID_BIRTH_DATE, OID_ADDRESS, OID_ADDRESS_FLAGS)


@st.composite
def asn1_values(draw: st.DrawFn) -> bytes:
    """An otherName value: a UTF8String (or another string type) with an honest, long-form,
    non-minimal, indefinite or wrong length, around text or raw bytes."""
    tag = draw(st.sampled_from([0x0C, 0x0C, 0x0C, 0x13, 0x16, 0x1E, 0x04, 0x30, 0x2C]))
    content = draw(
        st.one_of(
            HOLDER_TEXT.map(lambda s: s.encode("utf-8")),
            st.from_regex(r"[0-9]{9}", fullmatch=True).map(str.encode),
            st.sampled_from([b"1", b"2", b"3", b"9", b"0", b"11"]),
            st.binary(max_size=40),
        )
    )
    n = len(content)
    form = draw(st.integers(0, 5))
    if form == 0:
        length = bytes([n]) if n < 0x80 else bytes([0x82]) + n.to_bytes(2, "big")
    elif form == 1:  # long form for a short length (non-minimal)
        length = bytes([0x81, n & 0xFF])
    elif form == 2:
        length = bytes([0x84]) + n.to_bytes(4, "big")
    elif form == 3:  # indefinite
        length = b"\x80"
        content += b"\x00\x00"
    elif form == 4:
        length = bytes([(n + draw(st.integers(-3, 3))) & 0x7F])
    else:
        length = bytes([0x80 | draw(st.integers(0, 0x7F))])
    return bytes([tag]) + length + content


def _holder_or_format_error(cert: x509.Certificate) -> HolderAttributes | None:
    with contextlib.suppress(CertificateFormatError):
        CertificateInfo.from_x509(cert)
    try:
        attrs = parse_holder_attributes(cert)
    except CertificateFormatError:
        return None
    assert attrs.name.strip() and attrs.address.strip()
    assert attrs.sex in ("1", "2", "3", "9")
    return attrs


@st.composite
def any_tag_values(draw: st.DrawFn) -> bytes:
    """An otherName value under any tag at all, honestly encoded."""
    content = draw(st.binary(max_size=40))
    return bytes([draw(st.integers(0, 255))]) + tlv.encode_length(len(content)) + content


@fuzz(150)
@given(
    st.lists(
        st.tuples(st.sampled_from(SIX), asn1_values() | any_tag_values() | st.binary(max_size=40)),
        min_size=1,
        max_size=3,
    ),
    st.booleans(),
)
def test_fuzzed_other_name_values(changes: list[tuple[Any, bytes]], duplicate: bool) -> None:
    values = dict(holder_values())
    for oid, value in changes:
        values[oid] = value
    entries = [other_name_der(oid, value) for oid, value in values.items()]
    if duplicate:
        entries.append(entries[0])
    _holder_or_format_error(raw_san_cert(entries))


@fuzz(300)
@given(
    st.lists(asn1_values() | st.binary(max_size=30), min_size=0, max_size=8),
    st.lists(st.integers(0, 5), min_size=8, max_size=8),
)
def test_fuzzed_other_names_on_a_spliced_certificate(values: list[bytes], oids: list[int]) -> None:
    """The same on the demo card's signature certificate with its SAN replaced (fast: the
    certificate is not signed again; the holder parser does not check signatures)."""
    try:
        cert = x509.load_der_x509_certificate(cert_with_san(san_of_other_names(values, oids)))
    except ValueError:
        assume(False)
        return
    _holder_or_format_error(cert)


@fuzz(400)
@given(st.one_of(st.binary(max_size=300), mutations(targets()["san-holder"].seeds())))
def test_san_holder_target(data: bytes) -> None:
    targets()["san-holder"].one_input(data)


@fuzz(100)
@given(st.sampled_from(SIX), HOLDER_TEXT | st.text(max_size=20), st.booleans())
def test_any_text_in_the_holder_attributes_is_read_back_or_refused(
    oid: Any, text: str, everywhere: bool
) -> None:
    """Any text as one attribute (or as all of them) in a real certificate: what is parsed
    is exactly what was there, or the certificate is refused with CertificateFormatError."""
    values = [(o, utf8(text) if everywhere or o == oid else v) for o, v in holder_values()]
    attrs = _holder_or_format_error(make_cert(san=values))
    if attrs is None:
        return
    parsed = {
        OID_NAME: attrs.name,
        OID_NAME_FLAGS: attrs.name_flags,
        OID_SEX: attrs.sex,
        OID_ADDRESS: attrs.address,
        OID_ADDRESS_FLAGS: attrs.address_flags,
    }
    for changed in SIX if everywhere else (oid,):
        if changed in parsed:
            assert parsed[changed] == text


def test_the_spliced_certificate_is_the_real_one() -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    san = CREDS.sign_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    der = cert_with_san(san.value.public_bytes())
    cert = x509.load_der_x509_certificate(der)
    assert parse_holder_attributes(cert) == parse_holder_attributes(CREDS.sign_cert)
    assert len(der) == len(CREDS.sign_cert.public_bytes(Encoding.DER))


# -- CMS and the ledger --------------------------------------------------------------------------

CONTENT = b"certificate request: fuzzing\n" * 8
GOOD = sign_cms_with_key(CREDS.sign_key, CREDS.sign_cert, CONTENT)
GOOD_ATTACHED = sign_cms_with_key(CREDS.sign_key, CREDS.sign_cert, CONTENT, detached=False)


def _der_nodes(data: bytes, start: int = 0, end: int | None = None, depth: int = 0) -> list[int]:
    """Offsets of every element of a DER tree (for structure-aware mutations)."""
    end = len(data) if end is None else end
    out, pos = [], start
    while pos < end and depth < 12:
        try:
            _tag, vstart, length = tlv.read_header(data, pos)
        except ApduFormatError:
            break
        out.append(pos)
        if data[pos] & 0x20:  # constructed
            out += _der_nodes(data, vstart, min(vstart + length, end), depth + 1)
        pos = vstart + length
    return out


NODES = {id(GOOD): _der_nodes(GOOD), id(GOOD_ATTACHED): _der_nodes(GOOD_ATTACHED)}


@st.composite
def der_mutated(draw: st.DrawFn) -> bytes:
    """A good signature with one element's tag, length or content changed."""
    base = draw(st.sampled_from([GOOD, GOOD_ATTACHED]))
    pos = draw(st.sampled_from(NODES[id(base)]))
    _tag, vstart, length = tlv.read_header(base, pos)
    head = base[:pos]
    how = draw(st.integers(0, 4))
    if how == 0:  # another tag
        return head + bytes([draw(st.integers(0, 255))]) + base[pos + 1 :]
    if how == 1:  # indefinite length (BER), with end-of-contents
        return head + base[pos : pos + 1] + b"\x80" + base[vstart : vstart + length] + b"\0\0"
    if how == 2:  # a length off by a little
        n = max(0, length + draw(st.integers(-2, 2)))
        return head + base[pos : pos + 1] + tlv.encode_length(n) + base[vstart:]
    if how == 3:  # non-minimal long-form length
        return head + base[pos : pos + 1] + b"\x84" + length.to_bytes(4, "big") + base[vstart:]
    content = draw(st.binary(max_size=40))
    return head + tlv.encode(base[pos], content) + base[vstart + length :]


def _verify_any(signature: bytes, content: bytes | None) -> CmsVerification:
    result = verify_cms(signature, content, trust_store=TRUST)
    assert isinstance(result, CmsVerification) and result.message
    assert result.valid == (result.reason is None)
    if result.valid:
        assert result.signer_certificate is not None
        assert result.signer_certificate.public_key() == CREDS.sign_cert.public_key()
    return result


@fuzz(250)
@given(
    st.one_of(
        st.binary(max_size=600),
        st.binary(max_size=600).map(lambda d: b"\x30\x80" + d),  # a BER SEQUENCE's start
        mutations([GOOD, GOOD_ATTACHED]),
        der_mutated(),
    ),
    st.sampled_from([CONTENT, None, b"", CONTENT + b"x"]),
)
def test_verify_cms_never_raises(signature: bytes, content: bytes | None) -> None:
    _verify_any(signature, content)


@fuzz(60)
@given(st.text(max_size=200))
def test_verify_cms_takes_any_text(text: str) -> None:
    _verify_any("-----BEGIN PKCS7-----\n" + text + "\n-----END PKCS7-----\n", CONTENT)
    _verify_any(text, None)


# -- the DER reader of jpki.cms ------------------------------------------------------------------

PRIMITIVE_TAGS = st.sampled_from([0x02, 0x04, 0x05, 0x06, 0x0C, 0x13, 0x17, 0x80, 0x81])
CONSTRUCTED_TAGS = st.sampled_from([0x30, 0x31, 0xA0, 0xA1, 0xA3])


def der_trees() -> st.SearchStrategy[Any]:
    """(tag, contents) for a primitive element, (tag, [children]) for a constructed one."""
    leaves = st.tuples(PRIMITIVE_TAGS, st.binary(max_size=300))
    return st.recursive(
        leaves, lambda kids: st.tuples(CONSTRUCTED_TAGS, st.lists(kids, max_size=4)), max_leaves=12
    )


def der_of(tree: Any) -> bytes:
    tag, contents = tree
    body = contents if isinstance(contents, bytes) else b"".join(map(der_of, contents))
    return der.encode(tag, body)


def ber_of(tree: Any, indefinite: Any) -> bytes:
    """The tree in BER: each constructed element with an indefinite length or not (drawn)."""
    tag, contents = tree
    if isinstance(contents, bytes):
        return der.encode(tag, contents)
    body = b"".join(ber_of(child, indefinite) for child in contents)
    if indefinite():
        return bytes([tag, 0x80]) + body + b"\x00\x00"
    return der.encode(tag, body)


def read_back(reader: der.DerReader, tlv: der.Tlv) -> Any:
    tag = tlv[der.TAG]
    if tag & 0x20:
        return (tag, [read_back(reader, c) for c in reader.children(tlv, tag, "element")])
    return (tag, reader.contents(tlv, tag, "element"))


@fuzz(300)
@given(der_trees(), st.data())
def test_ber_with_indefinite_lengths_becomes_the_der_of_the_same_tree(
    tree: Any, data: st.DataObject
) -> None:
    encoded = der_of(tree)
    ber = ber_of(tree, lambda: data.draw(st.booleans()))
    assert der.definite_lengths(ber) == encoded
    assert der.definite_lengths(encoded) == encoded  # DER is copied byte for byte
    reader = der.DerReader(encoded)
    assert read_back(reader, reader.read(0, len(encoded))) == tree
    if ber != encoded:
        with pytest.raises(der.IndefiniteLength):
            read_back(der.DerReader(ber), der.DerReader(ber).read(0, len(ber)))


@fuzz(300)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_der_lengths_round_trip_and_only_the_minimal_form_is_der(n: int, width: int) -> None:
    encoded = der.encode_length(n)
    assert der.read_length(encoded + b"rest", 0) == (n, len(encoded))
    padded = bytes([0x80 | width]) + n.to_bytes(4, "big")[-width:]
    if int.from_bytes(padded[1:], "big") == n and padded != encoded:  # another form of n
        assert der.read_length(padded, 0, strict=False) == (n, len(padded))
        with pytest.raises(ValueError, match="non-minimal"):
            der.read_length(padded, 0)


@fuzz(300)
@given(st.one_of(st.binary(max_size=600), mutations(targets()["der-reader"].seeds())))
def test_der_reader_target(data: bytes) -> None:
    targets()["der-reader"].one_input(data)


@pytest.fixture(scope="module")
def fuzz_ledger(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("fuzz-ledger")
    request = CertificateRequest.create(
        kiosk_id="fuzz-01",
        kind="transcript",
        language="ja",
        copies=1,
        delivery=CounterDelivery("main"),
        purpose="fuzzing",
        applicant=Applicant.from_certificate(CREDS.sign_cert),
        time=datetime.now(UTC).replace(microsecond=0),
        allowed_kinds=None,
    )
    document = request.to_bytes()
    signature = sign_cms_with_key(CREDS.sign_key, CREDS.sign_cert, document)
    with Ledger.open(
        folder / "ledger.sqlite3", config=LedgerConfig(trust_store=TRUST, allowed_kinds=None)
    ) as ledger:
        yield ledger, document, signature


def _submit(ledger: Ledger, signature: Any, content: Any) -> SubmitResult | None:
    try:
        result = ledger.submit(signature, content)
    except LedgerError:
        return None
    assert isinstance(result, SubmitResult)
    assert ledger.reverify(result.record.request_id).valid
    return result


@fuzz(200)
@given(st.data())
def test_ledger_submit_never_raises_anything_else(fuzz_ledger: Any, data: st.DataObject) -> None:
    ledger, document, signature = fuzz_ledger
    before = sum(ledger.count().values())
    bad = data.draw(
        st.one_of(
            st.binary(max_size=400),
            mutations([signature, GOOD_ATTACHED]),
            st.sampled_from([b"", b"-----BEGIN PKCS7-----\nxx\n-----END PKCS7-----", "text", 7]),
        )
    )
    content = data.draw(st.sampled_from([document, None, b"", document[:-1], CONTENT]))
    stored = _submit(ledger, bad, content)
    after = sum(ledger.count().values())
    assert after - before == (1 if stored is not None and stored.created else 0)


@fuzz(60)
@given(mutations([b'{"x": 1}'], 3) | st.binary(max_size=300), st.booleans())
def test_ledger_submit_of_signed_junk_documents(
    fuzz_ledger: Any, document: bytes, attached: bool
) -> None:
    """Well-signed, but the document is junk: refused by the schema, never an exception."""
    ledger, request_document, _ = fuzz_ledger
    assume(document != request_document)
    signature = sign_cms_with_key(CREDS.sign_key, CREDS.sign_cert, document, detached=not attached)
    assert _submit(ledger, signature, None if attached else document) is None


@fuzz(300)
@given(mutations(targets()["request-document"].seeds(), 4) | st.binary(max_size=200))
def test_request_documents(data: bytes) -> None:
    targets()["request-document"].one_input(data)


# -- JpkiCard against a hostile card --------------------------------------------------------------


@fuzz(400)
@given(
    st.one_of(
        mutations(targets()["hostile-card"].seeds()),
        st.builds(
            lambda op, answers: bytes([op]) + join_chunks(answers),
            st.integers(0, 255),
            st.lists(
                st.one_of(
                    st.binary(max_size=3),
                    st.binary(max_size=300).map(lambda d: d + b"\x90\x00"),
                    st.sampled_from(
                        [b"\x90\x00", b"\x63\xc2", b"\x69\x84", b"\x69\x82", b"\x61\x10"]
                    ),
                ),
                max_size=14,
            ),
        ),
    )
)
def test_jpki_card_against_a_hostile_card(data: bytes) -> None:
    """Any answers end in a result or a :class:`JpkiError`."""
    targets()["hostile-card"].one_input(data)


# -- every target of the long run, on its seeds --------------------------------------------------


@pytest.mark.parametrize("name", list(targets()))
def test_fuzz_targets_accept_their_seeds(name: str) -> None:
    target = targets()[name]
    for seed in target.seeds():
        target.one_input(seed)


# -- PIN rules ------------------------------------------------------------------------------------


@fuzz(500)
@given(st.sampled_from(list(PinKind)), st.text(max_size=20))
def test_a_pin_that_passes_the_rule_is_what_the_card_expects(kind: PinKind, text: str) -> None:
    try:
        raw = normalize_pin(kind, text)
    except PinFormatError as exc:
        assert not is_valid_pin(kind, text)
        # the message never repeats the PIN (beyond words any such message has)
        assert text not in str(exc) or text in str(PinFormatError(kind, _rule_message(kind)))
        return
    assert is_valid_pin(kind, text)
    assert MockPinFormat.SIGN.accepts(raw) if kind is PinKind.SIGN else len(raw) == 4


def _rule_message(kind: PinKind) -> str:
    try:
        normalize_pin(kind, "")
    except PinFormatError as exc:
        return str(exc)
    raise AssertionError("an empty PIN was accepted")


@pytest.mark.parametrize("pin", ["abcdſ1", "ﬀ12345", "straße1", "ıııı11"])
def test_a_sign_pin_with_non_ascii_letters_is_refused(pin: str) -> None:
    assert not is_valid_pin(PinKind.SIGN, pin)


# -- the mock card as a state machine --------------------------------------------------------------

PINS = {"auth": b"9753", "sign": b"ZQ8X7W6V5U4T", "text": b"8642"}
PIN_EF = {"auth": (JPKI_AID, 0x0018), "sign": (JPKI_AID, 0x001B), "text": (TEXT_AID, 0x0011)}
KEY_EF = {"auth": 0x0017, "sign": 0x001A}
SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
NAMES = st.sampled_from(sorted(PINS))


def select_ap(aid: bytes) -> bytes:
    return b"\x00\xa4\x04\x0c" + bytes([len(aid)]) + aid


def select_ef(fid: int) -> bytes:
    return b"\x00\xa4\x02\x0c\x02" + fid.to_bytes(2, "big")


def verify(pin: bytes = b"") -> bytes:
    return b"\x00\x20\x00\x80" + (bytes([len(pin)]) + pin if pin else b"")


def change(pin: bytes) -> bytes:
    return b"\x00\x24\x01\x80" + bytes([len(pin)]) + pin


def read(offset: int, le: int) -> bytes:
    return bytes([0, 0xB0, offset >> 8, offset & 0xFF, le & 0xFF])


VALID_COMMANDS = [
    select_ap(JPKI_AID),
    select_ap(TEXT_AID),
    select_ef(0x0001),
    select_ef(0x001B),
    verify(),
    verify(PINS["sign"]),
    change(b"NEWPIN12"),
    read(0, 0),
    read(0x100, 0x80),
    bytes.fromhex("00B08A0004"),
    b"\x80\x2a\x00\x80\x33" + SHA256_PREFIX + bytes(32) + b"\x00",
]


class MockCardMachine(RuleBasedStateMachine):
    """Valid commands, wrong PINs and random bytes against one mock card.

    The model knows each PIN's value (it follows successful changes), which PINs are
    blocked, and which were verified with the right value since the last reset or change
    of application. The mock's own state is looked at only to know which file or key a
    command addressed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.card = MockCard(
            credentials=CREDS,
            auth_pin=PINS["auth"].decode(),
            sign_pin=PINS["sign"].decode(),
            text_pin=PINS["text"].decode(),
        )
        self.pins = dict(PINS)
        self.blocked: set[str] = set()
        self.verified: set[str] = set()
        self.sign_cert_ef = self.card._apps[JPKI_AID].files[0x0001]
        self.protected = {
            id(self.sign_cert_ef): "sign",
            id(self.card._apps[TEXT_AID].files[0x0001]): "text",
            id(self.card._apps[TEXT_AID].files[0x0002]): "text",
        }
        self.sent = 0

    # -- sending, and what each answer tells -------------------------------------------------

    def send(self, raw: bytes) -> tuple[bytes, int]:
        card = self.card
        app_before, ef_before = card._current_app, card._current_ef
        response = card.transmit(raw)
        self.sent += 1
        assert len(response) >= 2, (raw.hex(), response.hex())
        data, sw = response[:-2], int.from_bytes(response[-2:], "big")
        ins = raw[1] if len(raw) > 1 else None
        pin_name = (
            ef_before.ref if ef_before is not None and ef_before.type.value == "pin" else None
        )
        key_name = (
            ef_before.ref if ef_before is not None and ef_before.type.value == "key" else None
        )
        if card._current_app is not app_before:
            self.verified.clear()
        if ins == 0x20 and len(raw) > 5 and pin_name is not None:
            self._after_verify(raw, pin_name, sw)
        if ins == 0x20 and sw == 0x6984:
            assert pin_name in self.blocked, "6984 for a PIN that is not blocked"
        if ins == 0x24 and sw == 0x9000:
            assert pin_name is not None and pin_name not in self.blocked
            assert pin_name in self.verified, "a PIN changed without its VERIFY"
            self.pins[pin_name] = CommandApdu.decode(raw).data
        if ins == 0xB0 and sw in (0x9000, 0x6282) and data:
            needs = self.protected.get(id(card._current_ef))
            assert needs is None or needs in self.verified, f"read a file that needs {needs}"
        if ins == 0x2A and sw == 0x9000:
            assert key_name in self.verified, f"signed with the {key_name} key, PIN not verified"
            assert len(data) == 256
        return data, sw

    def _after_verify(self, raw: bytes, name: str, sw: int) -> None:
        try:
            command = CommandApdu.decode(raw)
        except ApduFormatError:
            return
        well_formed = (command.cla, command.p1, command.p2, command.le) == (0, 0, 0x80, None)
        right = command.data == self.pins[name]
        if name in self.blocked:
            assert sw in (0x6984, 0x6700, 0x6A86, 0x6E00), f"blocked {name} PIN answered {sw:04X}"
            return
        if sw == 0x9000:
            assert right, f"a wrong {name} PIN was accepted"
            self.verified.add(name)
        elif well_formed and right:
            raise AssertionError(f"the right {name} PIN was refused: {sw:04X}")
        if sw >> 4 == 0x63C:
            self.verified.discard(name)
            if sw & 0xF == 0:
                self.blocked.add(name)

    def select_pin(self, name: str) -> None:
        aid, fid = PIN_EF[name]
        self.send(select_ap(aid))
        self.send(select_ef(fid))

    # -- rules --------------------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        self.card.reset()

    @rule(aid=st.sampled_from([JPKI_AID, TEXT_AID, VISUAL_AID, b"\xd3\x92" + bytes(8)]))
    def select_application(self, aid: bytes) -> None:
        self.send(select_ap(aid))

    @rule(fid=st.sampled_from([1, 2, 5, 6, 8, 0xA, 0xB, 0x11, 0x17, 0x18, 0x1A, 0x1B, 0x3F00]))
    def select_file(self, fid: int) -> None:
        self.send(select_ef(fid))

    @rule(name=NAMES, right=st.booleans(), garbage=st.binary(min_size=1, max_size=16))
    def verify_pin(self, name: str, right: bool, garbage: bytes) -> None:
        self.select_pin(name)
        pin = self.pins[name] if right else garbage
        assume(right or garbage != self.pins[name])
        self.send(verify(pin))

    @rule(name=NAMES)
    def verify_status(self, name: str) -> None:
        self.select_pin(name)
        _, sw = self.send(verify())
        tries = self.card.pin_tries_left(name)
        assert sw == (0x6984 if name in self.blocked else 0x63C0 | tries)

    @rule(name=NAMES)
    def burn_pin(self, name: str) -> None:
        """Wrong PINs until the card says it is blocked."""
        self.select_pin(name)
        for _ in range(6):
            _, sw = self.send(verify(b"0000" if self.pins[name] != b"0000" else b"1111"))
            if sw == 0x6984:
                break
        assert name in self.blocked and self.card.pin_tries_left(name) == 0

    @rule(
        name=NAMES,
        new=st.one_of(
            st.sampled_from([b"1357", b"2468", b"AB12CD34", b"QQQQ99"]),
            st.binary(min_size=1, max_size=17),
        ),
    )
    def change_pin(self, name: str, new: bytes) -> None:
        self.select_pin(name)
        self.send(change(new))

    @rule(offset=st.integers(0, 0x900), le=st.integers(0, 255), sfi=st.booleans())
    def read_binary(self, offset: int, le: int, sfi: bool) -> None:
        if sfi:
            self.send(bytes([0, 0xB0, 0x80 | (offset & 0x1F), offset >> 5 & 0xFF, le]))
        else:
            self.send(read(offset, le))

    @rule(fid=st.sampled_from([0x0001, 0x0002, 0x000A]), text=st.booleans())
    def read_file(self, fid: int, text: bool) -> None:
        self.send(select_ap(TEXT_AID if text else JPKI_AID))
        self.send(select_ef(fid))
        self.send(read(0, 0))

    @rule(key=st.sampled_from(sorted(KEY_EF)), info=st.binary(max_size=60), good=st.booleans())
    def compute_signature(self, key: str, info: bytes, good: bool) -> None:
        self.send(select_ef(KEY_EF[key]))
        body = SHA256_PREFIX + bytes(32) if good else info
        self.send(b"\x80\x2a\x00\x80" + bytes([len(body) & 0xFF]) + body + b"\x00")

    @rule(raw=st.binary(max_size=300))
    def random_bytes(self, raw: bytes) -> None:
        self.send(raw)

    @rule(
        cla=st.sampled_from([0x00, 0x80, 0x0C, 0xFF]),
        ins=st.sampled_from([0xA4, 0xB0, 0x20, 0x24, 0x2A, 0xC0, 0x2C, 0x00]),
        p1p2=st.tuples(st.integers(0, 255), st.integers(0, 255)),
        body=st.binary(max_size=40),
    )
    def random_command(self, cla: int, ins: int, p1p2: tuple[int, int], body: bytes) -> None:
        self.send(bytes([cla, ins, *p1p2]) + body)

    @rule(raw=mutations(VALID_COMMANDS, 3))
    def mutated_command(self, raw: bytes) -> None:
        self.send(raw)

    @rule()
    def power_cycle(self) -> None:
        self.card.reset()
        self.verified.clear()

    @rule()
    def pulled_out_and_back(self) -> None:
        self.card.remove()
        with pytest.raises(CardRemovedError):
            self.card.transmit(select_ap(JPKI_AID))
        self.card.insert()
        self.verified.clear()

    @precondition(lambda self: bool(self.blocked))
    @rule()
    def municipal_office(self) -> None:
        self.card.reset_pins()
        self.blocked.clear()

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def blocked_stays_blocked(self) -> None:
        for name in self.blocked:
            assert self.card.pin_tries_left(name) == 0

    @invariant()
    def the_card_verified_nothing_the_model_did_not(self) -> None:
        assert self.card._verified <= self.verified, (self.card._verified, self.verified)


MockCardMachine.TestCase.settings = settings(
    PROFILE, max_examples=max(1, int(60 * _SCALE)), stateful_step_count=40
)
test_mock_card_state_machine = MockCardMachine.TestCase


@fuzz(300)
@given(st.binary(max_size=300) | mutations(VALID_COMMANDS))
def test_the_mock_card_always_answers(raw: bytes) -> None:
    card = MockCard(credentials=CREDS)
    for command in (select_ap(JPKI_AID), raw, raw, select_ef(0x0001), read(0, 0)):
        response = card.transmit(command)
        assert len(response) >= 2
    # the signature certificate (or, after a stray SELECT, the individual number): no PIN
    assert response[-2:] not in (b"\x90\x00", b"\x62\x82"), response.hex()
