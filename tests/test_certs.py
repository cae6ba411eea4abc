"""The certificate model: kinds, holder attributes, dates and explanations (jpki/certs.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID

from jpki.certs import (
    EXPLANATIONS,
    JST,
    OID_ADDRESS,
    OID_ADDRESS_FLAGS,
    OID_BIRTH_DATE,
    OID_NAME,
    OID_NAME_FLAGS,
    OID_SEX,
    CertificateFormatError,
    CertificateInfo,
    CertificateKind,
    HolderAttributes,
    JpkiCertificate,
    certificate_kind,
    explain_expiry,
    explain_revocation,
    explain_validation,
    parse_holder_attributes,
)
from jpki.errors import JpkiError
from jpki.trust import CrlStore, Purpose, TrustStore
from mock_card.holders import CardProfile, Holder, Sex
from mock_card.keypool import pool_key
from mock_card.pki import MockPki

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 6, 15, 3, 0, 0, tzinfo=UTC)
SIGN_POLICY = "1.2.392.200149.8.5.1.1.20"
SIGN_TEST_POLICY = "1.2.392.200149.8.5.1.0.20"
AUTH_POLICY = "1.2.392.200149.8.5.1.3.30"
SIX = (OID_NAME, OID_NAME_FLAGS, OID_SEX, OID_BIRTH_DATE, OID_ADDRESS, OID_ADDRESS_FLAGS)
KEY = pool_key(6)  # a holder-slot key of the public test pool

# -- DER and certificate builders ---------------------------------------------------------


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + length + content


def utf8(text: str) -> bytes:
    return tlv(0x0C, text.encode("utf-8"))


def other_name_der(oid: x509.ObjectIdentifier, value: bytes) -> bytes:
    """A GeneralName otherName: [0] IMPLICIT SEQUENCE { type-id, [0] EXPLICIT value }."""
    return tlv(0xA0, asn1_core.ObjectIdentifier(oid.dotted_string).dump() + tlv(0xA0, value))


HOLDER = {
    OID_NAME: "見本 花子",
    OID_NAME_FLAGS: "00000",
    OID_SEX: "2",
    OID_BIRTH_DATE: "419900401",
    OID_ADDRESS: "架空県見本市試験町一丁目2番3号",
    OID_ADDRESS_FLAGS: "0" * 16,
}


def holder_values(
    **overrides: str | bytes | None,
) -> list[tuple[x509.ObjectIdentifier, bytes]]:
    """The six attributes as DER values; override by name (``name=``, ``sex=`` …) with a
    string (UTF8String), raw DER bytes, or None to leave it out."""
    names = {
        "name": OID_NAME,
        "name_flags": OID_NAME_FLAGS,
        "sex": OID_SEX,
        "birth_date": OID_BIRTH_DATE,
        "address": OID_ADDRESS,
        "address_flags": OID_ADDRESS_FLAGS,
    }
    values: dict[x509.ObjectIdentifier, str | bytes | None] = dict(HOLDER)
    for key, value in overrides.items():
        values[names[key]] = value
    out = []
    for oid, value in values.items():
        if value is None:
            continue
        out.append((oid, utf8(value) if isinstance(value, str) else value))
    return out


def make_cert(
    *,
    san: Sequence[tuple[x509.ObjectIdentifier, bytes]] | None = None,
    key_usage: tuple[bool, bool, bool] | None = (True, True, False),  # ds, nr, keyCertSign
    ca: bool | None = None,
    policies: Sequence[str] = (SIGN_POLICY,),
    not_before: datetime = NOW - timedelta(days=30),
    not_after: datetime = NOW + timedelta(days=365),
    subject_ou: str = "test",
    extra: x509.ExtensionType | None = None,
) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI-MOCK"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, subject_ou),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(KEY.public_key())
        .serial_number(12345)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if key_usage is not None:
        ds, nr, cert_sign = key_usage
        builder = builder.add_extension(
            x509.KeyUsage(ds, nr, False, False, False, cert_sign, cert_sign, False, False),
            critical=True,
        )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
    if policies:
        builder = builder.add_extension(
            x509.CertificatePolicies(
                [x509.PolicyInformation(x509.ObjectIdentifier(p), None) for p in policies]
            ),
            critical=True,
        )
    if san is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.OtherName(oid, value) for oid, value in san]),
            critical=False,
        )
    if extra is not None:
        builder = builder.add_extension(extra, critical=False)
    return builder.sign(KEY, hashes.SHA256())


_PLACEHOLDER_OID = x509.ObjectIdentifier("2.5.29.99")  # encodes as long as 2.5.29.17


def read_tlv(data: bytes, pos: int) -> tuple[int, int]:
    """(start of the content, end of the TLV) of the DER element at ``pos``."""
    first = data[pos + 1]
    if first < 0x80:
        return pos + 2, pos + 2 + first
    count = first & 0x7F
    length = int.from_bytes(data[pos + 2 : pos + 2 + count], "big")
    return pos + 2 + count, pos + 2 + count + length


def with_raw_san(san_der: bytes, **kwargs: object) -> x509.Certificate:
    """A certificate whose subjectAltName extnValue is ``san_der``, whatever it holds
    (cryptography's builder refuses malformed values; a card could still hold them).

    Built with a placeholder extension of an OID that encodes to the same length,
    whose OID bytes are then swapped for subjectAltName's and the TBS re-signed."""
    base = make_cert(extra=x509.UnrecognizedExtension(_PLACEHOLDER_OID, san_der), **kwargs)  # type: ignore[arg-type]
    placeholder = b"\x06\x03\x55\x1d\x63"
    tbs = base.tbs_certificate_bytes
    assert tbs.count(placeholder) == 1
    tbs = tbs.replace(placeholder, b"\x06\x03\x55\x1d\x11")
    outer = base.public_bytes(serialization.Encoding.DER)
    body, _ = read_tlv(outer, 0)
    _, tbs_end = read_tlv(outer, body)
    _, alg_end = read_tlv(outer, tbs_end)
    algorithm = outer[tbs_end:alg_end]
    signature = KEY.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    return x509.load_der_x509_certificate(
        tlv(0x30, tbs + algorithm + tlv(0x03, b"\x00" + signature))
    )


def raw_san_cert(entries: Sequence[bytes]) -> x509.Certificate:
    return with_raw_san(tlv(0x30, b"".join(entries)))


@pytest.fixture(scope="module")
def pki() -> MockPki:
    return MockPki.demo()


# -- kind --------------------------------------------------------------------------------


def test_kinds_of_mock_and_real_certificates(pki: MockPki) -> None:
    card = pki.issue_card(now=NOW)
    assert certificate_kind(card.sign_cert) is CertificateKind.SIGNATURE
    assert certificate_kind(card.auth_cert) is CertificateKind.AUTHENTICATION
    assert certificate_kind(pki.sign_ca_cert) is CertificateKind.CA
    for name in ("sign_ca_2015.pem", "auth_ca_2023.pem"):
        real = x509.load_pem_x509_certificate((ROOT / "jpki" / "data" / name).read_bytes())
        assert certificate_kind(real) is CertificateKind.CA


@pytest.mark.parametrize(
    ("key_usage", "ca", "policies", "kind"),
    [
        ((True, True, False), None, [SIGN_POLICY], CertificateKind.SIGNATURE),
        ((True, True, False), None, [SIGN_TEST_POLICY], CertificateKind.SIGNATURE),
        ((True, True, False), None, ["1.2.392.200149.8.5.1.1.40"], CertificateKind.SIGNATURE),
        ((True, True, False), None, [], CertificateKind.SIGNATURE),
        ((True, True, False), None, ["1.2.3.4"], CertificateKind.SIGNATURE),
        ((True, False, False), None, [AUTH_POLICY], CertificateKind.AUTHENTICATION),
        ((True, False, False), None, [], CertificateKind.AUTHENTICATION),
        # key usage and policy contradict each other
        ((True, True, False), None, [AUTH_POLICY], CertificateKind.UNKNOWN),
        ((True, False, False), None, [SIGN_POLICY], CertificateKind.UNKNOWN),
        # no key usage: a JPKI policy alone decides
        (None, None, [SIGN_POLICY], CertificateKind.SIGNATURE),
        (None, None, [AUTH_POLICY], CertificateKind.AUTHENTICATION),
        (None, None, [], CertificateKind.UNKNOWN),
        ((False, True, False), None, [SIGN_POLICY], CertificateKind.UNKNOWN),
        ((False, False, True), None, [], CertificateKind.CA),
        ((True, True, False), True, [], CertificateKind.CA),
        ((True, True, False), False, [SIGN_POLICY], CertificateKind.SIGNATURE),
    ],
)
def test_kind_from_key_usage_and_policy(
    key_usage: tuple[bool, bool, bool] | None,
    ca: bool | None,
    policies: list[str],
    kind: CertificateKind,
) -> None:
    assert certificate_kind(make_cert(key_usage=key_usage, ca=ca, policies=policies)) is kind


@pytest.mark.parametrize(
    "ou",
    ["JPKI for digital signature", "JPKI for user authentication", "whatever"],
)
def test_kind_ignores_names(ou: str) -> None:
    sign = make_cert(key_usage=(True, True, False), policies=[], subject_ou=ou)
    auth = make_cert(key_usage=(True, False, False), policies=[], subject_ou=ou)
    assert certificate_kind(sign) is CertificateKind.SIGNATURE
    assert certificate_kind(auth) is CertificateKind.AUTHENTICATION


# -- holder attributes --------------------------------------------------------------------


def test_holder_attributes_of_a_mock_card(pki: MockPki) -> None:
    holder = Holder(
        name="髙橋 𠮷子",
        address="架空県見本市試験町一丁目2番3号",
        birth_date=date(1964, 10, 10),
        sex=Sex.FEMALE,
        name_flags="10010",
        address_flags="0000000000000001",
    )
    card = pki.issue_card(holder, now=NOW)
    attrs = parse_holder_attributes(card.sign_cert)
    assert attrs == HolderAttributes(
        name="髙橋 𠮷子",
        sex="2",
        birth_date=date(1964, 10, 10),
        birth_date_era="昭和",
        address="架空県見本市試験町一丁目2番3号",
        name_flags="10010",
        address_flags="0000000000000001",
    )
    assert attrs.name_has_substitutes and attrs.address_has_substitutes
    assert attrs.name_substitute_positions == (0, 3)
    assert attrs.name[3] == "𠮷"
    assert attrs.address_substitute_positions == (15,)
    assert attrs.sex_label == "female" and attrs.sex_label_ja == "女"
    assert attrs.birth_date_ja == "昭和39年10月10日"
    info = CertificateInfo.from_x509(card.sign_cert)
    assert info.holder == attrs


def test_no_substitutes(pki: MockPki) -> None:
    attrs = parse_holder_attributes(pki.issue_card(now=NOW).sign_cert)
    assert attrs.name == "見本 花子"
    assert attrs.name_flags == "00000"
    assert not attrs.name_has_substitutes and not attrs.address_has_substitutes
    assert attrs.name_substitute_positions == ()


@pytest.mark.parametrize(
    ("raw", "era", "birth", "wareki"),
    [
        ("119050101", "明治", date(1905, 1, 1), "明治38年1月1日"),
        ("219200229", "大正", date(1920, 2, 29), "大正9年2月29日"),
        ("219260101", "大正", date(1926, 1, 1), "大正15年1月1日"),
        ("319261225", "昭和", date(1926, 12, 25), "昭和元年12月25日"),
        ("219261225", "大正", date(1926, 12, 25), "大正15年12月25日"),  # change-over day
        ("319890107", "昭和", date(1989, 1, 7), "昭和64年1月7日"),
        ("419890108", "平成", date(1989, 1, 8), "平成元年1月8日"),
        ("420190430", "平成", date(2019, 4, 30), "平成31年4月30日"),
        ("520190501", "令和", date(2019, 5, 1), "令和元年5月1日"),
        ("520240229", "令和", date(2024, 2, 29), "令和6年2月29日"),
        ("019900401", "unknown", date(1990, 4, 1), "1990年4月1日"),
        ("018500101", "unknown", date(1850, 1, 1), "1850年1月1日"),
    ],
)
def test_birth_date_eras(raw: str, era: str, birth: date, wareki: str) -> None:
    attrs = parse_holder_attributes(make_cert(san=holder_values(birth_date=raw)))
    assert attrs.birth_date.as_date() == birth
    assert attrs.birth_date_era == era
    assert attrs.birth_date_ja == wareki
    assert attrs.warnings == ()


@pytest.mark.parametrize(
    ("raw", "era", "birth", "wareki", "warning"),
    [
        ("319890108", "昭和", date(1989, 1, 8), "平成元年1月8日", "disagrees"),
        ("420190501", "平成", date(2019, 5, 1), "令和元年5月1日", "disagrees"),
        ("519900401", "令和", date(1990, 4, 1), "平成2年4月1日", "disagrees"),
        ("119120731", "明治", date(1912, 7, 31), "大正元年7月31日", "disagrees"),
        ("619900401", "unknown", date(1990, 4, 1), "1990年4月1日", "names no era"),
        ("919900401", "unknown", date(1990, 4, 1), "1990年4月1日", "names no era"),
    ],
)
def test_an_era_digit_that_disagrees_is_a_warning(
    raw: str, era: str, birth: date, wareki: str, warning: str
) -> None:
    """The Gregorian digits are authoritative: the date is accepted as written, shown in
    the era the date falls in, and the disagreement is a warning (docs/card.md, "Holder")."""
    cert = make_cert(san=holder_values(birth_date=raw))
    attrs = parse_holder_attributes(cert)
    assert attrs.birth_date.as_date() == birth
    assert attrs.birth_date_era == era and attrs.birth_date_ja == wareki
    assert len(attrs.warnings) == 1 and warning in attrs.warnings[0]
    assert attrs.warnings[0] in attrs.notes("en")
    assert CertificateInfo.from_x509(cert).holder == attrs


@pytest.mark.parametrize(
    ("raw", "iso", "en", "ja"),
    [
        ("019800000", "1980", "1980, month and day unknown", "1980年 月日不詳"),
        ("319800000", "1980", "1980, month and day unknown", "1980年 月日不詳"),
        ("319800500", "1980-05", "May 1980, day unknown", "1980年5月 日不詳"),
        ("019800500", "1980-05", "May 1980, day unknown", "1980年5月 日不詳"),
        ("319800501", "1980-05-01", "1 May 1980", "昭和55年5月1日"),
    ],
)
def test_an_unknown_month_or_day_is_a_partial_date(raw: str, iso: str, en: str, ja: str) -> None:
    attrs = parse_holder_attributes(make_cert(san=holder_values(birth_date=raw)))
    assert attrs.birth_date.isoformat() == iso
    assert attrs.birth_date_text("en") == en and attrs.birth_date_ja == ja
    assert attrs.warnings == ()
    assert (attrs.birth_date.as_date() is None) == (len(iso) < 10)
    assert any("does not know" in n for n in attrs.notes("en")) == (len(iso) < 10)


def test_a_partial_date_is_checked_against_its_era_by_year() -> None:
    attrs = parse_holder_attributes(make_cert(san=holder_values(birth_date="419800000")))
    assert attrs.birth_date.isoformat() == "1980" and "disagrees" in attrs.warnings[0]
    straddling = parse_holder_attributes(make_cert(san=holder_values(birth_date="419890000")))
    assert straddling.warnings == ()  # 1989 is Showa and Heisei


@pytest.mark.parametrize(
    "raw",
    [
        "419900230",  # no 30 February
        "419901301",  # no month 13: structurally broken, refused
        "419900001",  # a day without a month
        "400000101",  # year 0000
        "41990040",  # 8 digits
        "4199004011",
        "4-1990-04-01",
        "419９00401",  # full-width digit
        "",
    ],
)
def test_bad_birth_dates(raw: str) -> None:
    with pytest.raises(CertificateFormatError, match="birth date"):
        parse_holder_attributes(make_cert(san=holder_values(birth_date=raw)))


@pytest.mark.parametrize(
    ("code", "label"), [("1", "male"), ("2", "female"), ("3", "unknown"), ("9", "not applicable")]
)
def test_sex_codes(code: str, label: str) -> None:
    attrs = parse_holder_attributes(make_cert(san=holder_values(sex=code)))
    assert attrs.sex == code and attrs.sex_label == label


@pytest.mark.parametrize("code", ["0", "4", "12", "M", "", "１"])
def test_bad_sex_codes(code: str) -> None:
    with pytest.raises(CertificateFormatError, match="sex"):
        parse_holder_attributes(make_cert(san=holder_values(sex=code)))


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"name": tlv(0x13, b"Mihon")}, "not a UTF8String"),  # PrintableString
        ({"name": tlv(0x02, b"\x01")}, "not a UTF8String"),  # INTEGER
        ({"address": tlv(0x04, "架空".encode())}, "not a UTF8String"),  # OCTET STRING
        ({"sex": tlv(0x30, b"")}, "not a UTF8String"),  # SEQUENCE
        ({"birth_date": tlv(0x18, b"19900401000000Z")}, "not a UTF8String"),  # GeneralizedTime
        ({"name": tlv(0x0C, b"\xff\xfe")}, "not valid UTF-8"),
        ({"name": tlv(0x0C, b"\xed\xa0\x80")}, "not valid UTF-8"),  # a surrogate
        ({"name": ""}, "name is empty"),
        ({"address": "   "}, "address is empty"),
        ({"name": "見本\n花子"}, "control"),
        ({"address": "架空県\x00"}, "control"),
    ],
)
def test_malformed_attribute_values(overrides: dict[str, str | bytes], match: str) -> None:
    cert = make_cert(san=holder_values(**overrides))
    with pytest.raises(CertificateFormatError, match=match):
        parse_holder_attributes(cert)
    with pytest.raises(CertificateFormatError):
        CertificateInfo.from_x509(cert)


@pytest.mark.parametrize(
    ("overrides", "what"),
    [
        ({"name_flags": "0a000"}, "name substitute-character flags"),
        ({"address_flags": "2"}, "address substitute-character flags"),
        ({"name_flags": "０００００"}, "name substitute-character flags"),
    ],
)
def test_malformed_flags_are_a_warning_not_a_refusal(overrides: dict[str, str], what: str) -> None:
    attrs = parse_holder_attributes(make_cert(san=holder_values(**overrides)))
    assert attrs.name == "見本 花子"
    assert len(attrs.warnings) == 1 and attrs.warnings[0].startswith(f"the {what} are not 0/1")
    assert not attrs.name_has_substitutes and not attrs.address_has_substitutes


def test_substitute_characters_are_shown_with_a_note() -> None:
    attrs = parse_holder_attributes(
        make_cert(san=holder_values(name="髙橋 𠮷子", name_flags="10010"))
    )
    assert attrs.name == "髙橋 𠮷子" and attrs.name_substitute_positions == (0, 3)
    assert attrs.notes("en") == [
        "The name has 2 substitute character(s) (代替文字): characters of the resident "
        "register that the card cannot hold, replaced."
    ]
    assert attrs.notes("ja") == [
        "氏名に代替文字が2文字あります（住民票の文字を表せないため置き換えた文字）。"
    ]


@pytest.mark.parametrize(
    "name", ["name", "name_flags", "sex", "birth_date", "address", "address_flags"]
)
def test_a_missing_attribute(name: str) -> None:
    cert = make_cert(san=holder_values(**{name: None}))
    with pytest.raises(CertificateFormatError, match="missing"):
        parse_holder_attributes(cert)
    with pytest.raises(CertificateFormatError, match="missing"):
        CertificateInfo.from_x509(cert)


def test_a_repeated_attribute() -> None:
    san = [*holder_values(), (OID_NAME, utf8("別人"))]
    with pytest.raises(CertificateFormatError, match="more than once"):
        parse_holder_attributes(make_cert(san=san))


def test_no_subject_alt_name() -> None:
    with pytest.raises(CertificateFormatError, match="no subjectAltName"):
        parse_holder_attributes(make_cert())
    # A signature certificate without any holder attribute just has no holder.
    assert CertificateInfo.from_x509(make_cert()).holder is None


def test_unknown_other_names_are_ignored() -> None:
    san = [
        (x509.ObjectIdentifier("1.2.392.200149.8.5.5.7"), utf8("ミホン ハナコ")),  # kana?
        *holder_values(),
        (x509.ObjectIdentifier("1.2.3.4"), tlv(0x02, b"\x05")),
    ]
    assert parse_holder_attributes(make_cert(san=san)).name == "見本 花子"


def test_flags_of_another_length_are_accepted() -> None:
    attrs = parse_holder_attributes(
        make_cert(san=holder_values(name_flags="0001000000", address_flags=""))
    )
    assert attrs.name_has_substitutes  # the flag is set ...
    assert attrs.name_substitute_positions == (3,)
    attrs = parse_holder_attributes(make_cert(san=holder_values(name_flags="000001")))
    assert attrs.name_has_substitutes
    assert attrs.name_substitute_positions == ()  # ... but outside the 5-character name


@pytest.mark.parametrize(
    "entry",
    [
        other_name_der(OID_NAME, b"\x0c\x05ab"),  # length runs past the value
        other_name_der(OID_NAME, b"\x0c\x81\x02ab"),  # non-minimal length
        other_name_der(OID_NAME, b"\x0c\x80ab\x00\x00"),  # indefinite length
        other_name_der(OID_NAME, b""),  # no value at all
        other_name_der(OID_NAME, b"\x0c\x02ab\x00"),  # trailing byte
        b"\xa0\x03\x06\x01\x2a",  # otherName without its value
        b"\xff\xff\xff",
    ],
)
def test_malformed_der_in_the_san_is_a_format_error(entry: bytes) -> None:
    entries = [other_name_der(oid, value) for oid, value in holder_values(name=None)]
    cert = raw_san_cert([entry, *entries])
    with pytest.raises(CertificateFormatError) as info:
        parse_holder_attributes(cert)
    assert "missing" not in str(info.value)  # rejected for the bad entry itself


def test_the_raw_san_builder_round_trips() -> None:
    # Guard for the helper the malformed-DER tests rely on.
    entries = [other_name_der(oid, value) for oid, value in holder_values()]
    attrs = parse_holder_attributes(raw_san_cert(entries))
    assert attrs.name == "見本 花子" and attrs.birth_date.as_date() == date(1990, 4, 1)


def test_format_errors_are_jpki_errors() -> None:
    assert issubclass(CertificateFormatError, JpkiError)
    assert issubclass(CertificateFormatError, ValueError)


def test_certificates_from_der_and_pem(pki: MockPki) -> None:
    card = pki.issue_card(now=NOW)
    der = card.sign_cert.public_bytes(serialization.Encoding.DER)
    pem = card.sign_cert.public_bytes(serialization.Encoding.PEM)
    assert CertificateInfo.from_der(der) == CertificateInfo.from_pem(pem)
    assert CertificateInfo.from_pem(pem.decode()).serial_number == card.sign_cert.serial_number
    assert JpkiCertificate is CertificateInfo
    with pytest.raises(CertificateFormatError, match="DER"):
        CertificateInfo.from_der(b"\x30\x03\x02\x01\x00")
    with pytest.raises(CertificateFormatError, match="PEM"):
        CertificateInfo.from_pem(b"not a certificate")


def test_certificate_info_fields(pki: MockPki) -> None:
    card = pki.issue_card(now=NOW)
    store = TrustStore.from_certificates([pki.sign_ca_cert, pki.auth_ca_cert])
    sign = CertificateInfo.from_x509(card.sign_cert, store=store)
    assert sign.kind is CertificateKind.SIGNATURE
    assert sign.issuer_generation == "2010"
    assert sign.serial_number == card.sign_cert.serial_number
    assert sign.not_before == card.sign_cert.not_valid_before_utc
    assert sign.not_after.tzinfo is not None and sign.not_after.utcoffset() == timedelta(0)
    assert "JPKI-MOCK" in sign.issuer and "CN=" in sign.subject
    auth = CertificateInfo.from_x509(card.auth_cert, store=TrustStore.production())
    assert auth.kind is CertificateKind.AUTHENTICATION
    assert auth.holder is None
    assert auth.issuer_generation is None  # not issued by a J-LIS root
    assert CertificateInfo.from_x509(card.auth_cert).issuer_generation is None


# -- dates ------------------------------------------------------------------------------


def info_ending(not_after: datetime) -> CertificateInfo:
    return CertificateInfo.from_x509(
        make_cert(not_before=not_after - timedelta(days=1800), not_after=not_after)
    )


def jst(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=JST)


def test_renewal_opens_exactly_three_calendar_months_before_expiry() -> None:
    info = info_ending(jst(2031, 4, 1, 23, 59, 59))
    opens = jst(2031, 1, 1, 23, 59, 59)
    assert info.renewal_opens_at == opens
    assert info.renewal_open(opens)
    assert not info.renewal_open(opens - timedelta(seconds=1))
    assert info.renewal_open(jst(2031, 4, 1, 23, 59, 59))
    assert info.renewal_open(jst(2031, 6, 1))  # still true once expired
    assert not info.renewal_open(jst(2030, 4, 1))


@pytest.mark.parametrize(
    ("end", "opens"),
    [
        (jst(2031, 5, 31, 23, 59, 59), jst(2031, 2, 28, 23, 59, 59)),
        (jst(2032, 5, 31, 23, 59, 59), jst(2032, 2, 29, 23, 59, 59)),  # leap year
        (jst(2031, 1, 15, 23, 59, 59), jst(2030, 10, 15, 23, 59, 59)),  # across a year
        (jst(2031, 12, 31, 23, 59, 59), jst(2031, 9, 30, 23, 59, 59)),
        # 2031-03-01 14:59:59 UTC is already 2 March in JST: months count in JST.
        (datetime(2031, 3, 1, 15, 0, 0, tzinfo=UTC), jst(2030, 12, 2, 0, 0, 0)),
    ],
)
def test_renewal_month_arithmetic(end: datetime, opens: datetime) -> None:
    info = info_ending(end)
    assert info.renewal_opens_at == opens
    assert info.renewal_open(opens) and not info.renewal_open(opens - timedelta(seconds=1))


def test_days_left_expired_and_not_yet_valid() -> None:
    end = jst(2031, 4, 1, 23, 59, 59)
    info = info_ending(end)
    assert info.days_left(jst(2031, 4, 1, 0, 0)) == 0  # the last day
    assert info.days_left(end) == 0
    assert info.days_left(jst(2031, 3, 31, 23, 59, 59)) == 1
    assert info.days_left(jst(2031, 3, 2, 12, 0)) == 30
    assert info.days_left(jst(2031, 4, 2, 0, 0)) == -1
    assert info.days_left(datetime(2031, 3, 31, 15, 0, tzinfo=UTC)) == 0  # 00:00 JST on 1 April
    assert not info.is_expired(end)
    assert info.is_expired(end + timedelta(seconds=1))
    assert not info.is_not_yet_valid(info.not_before)
    assert info.is_not_yet_valid(info.not_before - timedelta(seconds=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        info.days_left(datetime(2031, 1, 1))


def test_the_default_time_is_now(pki: MockPki) -> None:
    info = CertificateInfo.from_x509(pki.issue_card().sign_cert)
    assert not info.is_expired() and not info.is_not_yet_valid()
    assert info.days_left() > 300
    assert not info.renewal_open()


def test_dates_of_mock_profiles(pki: MockPki) -> None:
    expired = CertificateInfo.from_x509(
        pki.issue_card(profile=CardProfile.EXPIRED, now=NOW).sign_cert
    )
    assert expired.is_expired(NOW) and expired.days_left(NOW) < 0
    future = CertificateInfo.from_x509(
        pki.issue_card(profile=CardProfile.NOT_YET_VALID, now=NOW).auth_cert
    )
    assert future.is_not_yet_valid(NOW)
    # Mock certificates end at 23:59:59 JST on a birthday.
    assert expired.not_after.astimezone(JST).time().isoformat() == "23:59:59"


# -- explanations --------------------------------------------------------------------------


def test_explanations_have_both_languages() -> None:
    for key, texts in EXPLANATIONS.items():
        assert set(texts) == {"en", "ja"}, key
        assert texts["en"].isascii() or "住民票" in texts["en"], key
        assert not texts["ja"].isascii(), key
    for key in ("expired", "renewal_open", "not_yet_valid", "sign_revoked", "untrusted"):
        assert key in EXPLANATIONS


def test_explain_expiry() -> None:
    info = info_ending(jst(2031, 4, 1, 23, 59, 59))
    expired = explain_expiry(info, jst(2031, 4, 2), lang="en")
    assert "expired on 2031-04-01" in expired and "municipal office" in expired
    assert "市区町村" in explain_expiry(info, jst(2031, 4, 2), lang="ja")
    window = explain_expiry(info, jst(2031, 2, 1))
    assert "renewed now" in window and "days left" in window
    assert "3か月前" in explain_expiry(info, jst(2031, 2, 1), lang="ja")
    valid = explain_expiry(info, jst(2029, 1, 1))
    assert "valid until 2031-04-01" in valid and "2031-01-01" in valid
    early = explain_expiry(info, info.not_before - timedelta(days=1))
    assert "not valid until" in early
    assert "から有効" in explain_expiry(info, info.not_before - timedelta(days=1), lang="ja")
    with pytest.raises(ValueError, match="lang"):
        explain_expiry(info, jst(2029, 1, 1), lang="fr")


def test_explain_revocation() -> None:
    sign = explain_revocation(CertificateKind.SIGNATURE, revoked_at=jst(2026, 5, 1, 10, 0))
    assert "address" in sign and "2026-05-01" in sign
    assert "user-authentication certificate is not revoked" in sign
    sign_ja = explain_revocation(CertificateKind.SIGNATURE, lang="ja")
    assert "住所" in sign_ja and "利用者証明用電子証明書は" in sign_ja
    auth = explain_revocation(CertificateKind.AUTHENTICATION)
    assert "does not revoke it" in auth
    assert "失効しません" in explain_revocation(CertificateKind.AUTHENTICATION, lang="ja")


def test_explain_validation(pki: MockPki) -> None:
    store = TrustStore.from_certificates([pki.sign_ca_cert, pki.auth_ca_cert])
    card = pki.issue_card(now=NOW)
    sign_crl, _ = pki.revocation_crls(card, now=NOW)
    revoked = store.validate(
        card.sign_cert, purpose=Purpose.SIGNATURE, at=NOW, crls=CrlStore.from_crls([sign_crl])
    )
    assert "住所" in explain_validation(revoked, lang="ja")
    untrusted = TrustStore.production().validate(card.sign_cert, purpose=Purpose.SIGNATURE, at=NOW)
    assert "J-LIS" in explain_validation(untrusted)
    expired = store.validate(
        pki.issue_card(profile=CardProfile.EXPIRED, now=NOW).sign_cert,
        purpose=Purpose.SIGNATURE,
        at=NOW,
    )
    assert "有効期限が切れ" in explain_validation(expired, lang="ja")
    ok = store.validate(card.auth_cert, purpose=Purpose.AUTHENTICATION, at=NOW)
    assert "valid until" in explain_validation(ok)
    wrong = store.validate(card.auth_cert, purpose=Purpose.SIGNATURE, at=NOW)
    assert "署名用電子証明書" in explain_validation(wrong, lang="ja")


def test_holder_attributes_check_their_own_fields() -> None:
    with pytest.raises(CertificateFormatError):
        HolderAttributes("a", "7", date(2000, 1, 1), "平成", "b")
    with pytest.raises(CertificateFormatError):
        HolderAttributes("a", "1", date(2000, 1, 1), "Heisei", "b")
    odd = HolderAttributes("a", "1", date(2000, 1, 1), "平成", "b", name_flags="1x")
    assert odd.name_flags == "1x" and not odd.name_has_substitutes  # kept, marks nothing


def test_certs_do_not_depend_on_the_mock() -> None:
    for name in ("certs", "trust", "messages", "timeutil"):
        module = ROOT / "jpki" / name
        files = sorted(module.rglob("*.py")) if module.is_dir() else [module.with_suffix(".py")]
        assert files and all(f.is_file() for f in files), name
        for file in files:
            assert "mock_card" not in file.read_text(encoding="utf-8"), file
