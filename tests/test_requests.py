"""The signed certificate-request document (jpki/requests/)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jpki import CertKind, JpkiCard
from jpki.cms import verify_cms
from jpki.requests import (
    DEFAULT_CATALOGUE,
    DEFAULT_KIND_CODES,
    MAX_DOCUMENT_SIZE,
    Applicant,
    CertificateRequest,
    ConvenienceStoreDelivery,
    CounterDelivery,
    DeliveryMethod,
    DigitalPdfDelivery,
    DocumentCatalogue,
    DocumentType,
    PostalDelivery,
    RequestSchemaError,
    sign_request,
    sign_request_with_key,
)
from jpki.timeutil import JST
from jpki.trust import TrustStore
from mock_card import MockCard, MockPki
from mock_card.textap import my_number_digits

REPO = Path(__file__).resolve().parent.parent
WHEN = datetime(2025, 4, 1, 10, 15, 30, tzinfo=JST)
REQUEST_ID = "0f8e4c1a-6b2d-4e7f-9a10-3c5d7e9f1b2a"

APPLICANT = Applicant(
    name="見本 花子",
    birth_date=date(1990, 4, 1),
    sex="2",
    address="架空県見本市試験町一丁目2番3号",
    certificate_issuer="OU=JPKI for digital signature,O=JPKI-MOCK,C=JP",
    certificate_serial="2ef06e814402eef",
)

#: The canonical document of :func:`example` — the schema, by example.
EXAMPLE_BYTES = (
    '{"applicant":{"address":"架空県見本市試験町一丁目2番3号","birth_date":"1990-04-01",'
    '"certificate_issuer":"OU=JPKI for digital signature,O=JPKI-MOCK,C=JP",'
    '"certificate_serial":"2ef06e814402eef","name":"見本 花子","sex":"2"},"copies":2,'
    '"delivery":{"method":"digital-pdf","recipient":"株式会社見本"},"kind":"transcript-ja",'
    '"kiosk_id":"kiosk-01","language":"ja","name_at_enrolment":"旧姓 花子",'
    '"purpose":"就職活動","request_id":"0f8e4c1a-6b2d-4e7f-9a10-3c5d7e9f1b2a",'
    '"student_id":"A1234567","time":"2025-04-01T10:15:30+09:00",'
    '"type":"jpki-certificate-request","version":1}'
).encode()


def example(**changes: object) -> CertificateRequest:
    fields: dict[str, object] = {
        "request_id": REQUEST_ID,
        "kiosk_id": "kiosk-01",
        "time": WHEN,
        "kind": "transcript-ja",
        "language": "ja",
        "copies": 2,
        "delivery": DigitalPdfDelivery("株式会社見本"),
        "purpose": "就職活動",
        "applicant": APPLICANT,
        "student_id": "A1234567",
        "name_at_enrolment": "旧姓 花子",
    }
    fields.update(changes)
    return CertificateRequest(**fields)  # type: ignore[arg-type]


def as_dict(request: CertificateRequest) -> dict[str, object]:
    return json.loads(request.to_bytes())


def encode(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


DELIVERIES = [
    PostalDelivery("見本 花子", "東京都千代田区富士見2-17-1", "102-8160"),
    PostalDelivery("Hanako Mihon", "1 Example Street, Springfield", None, country="US"),
    CounterDelivery("ichigaya-student-affairs"),
    ConvenienceStoreDelivery("seven-eleven", date(2025, 4, 15)),
    DigitalPdfDelivery("株式会社見本"),
]


# -- canonical form ---------------------------------------------------------------------------


def test_the_example_document_is_exactly_these_bytes() -> None:
    assert example().to_bytes() == EXAMPLE_BYTES
    assert CertificateRequest.from_bytes(EXAMPLE_BYTES) == example()


@pytest.mark.parametrize("delivery", DELIVERIES, ids=lambda d: d.method.value)
def test_every_delivery_method_round_trips(delivery: object) -> None:
    request = example(delivery=delivery)
    data = request.to_bytes()
    assert CertificateRequest.from_bytes(data) == request
    assert CertificateRequest.from_bytes(data).to_bytes() == data
    obj = json.loads(data)
    assert data == encode(obj)  # sorted keys, no insignificant whitespace, raw UTF-8
    assert list(obj) == sorted(obj)
    assert list(obj["delivery"]) == sorted(obj["delivery"])
    assert obj["delivery"]["method"] == request.delivery_method.value


def test_non_ascii_text_is_raw_utf8_not_escaped() -> None:
    data = example().to_bytes()
    assert "見本".encode() in data
    assert b"\\u" not in data


def test_non_canonical_encodings_are_refused() -> None:
    obj = as_dict(example())
    pretty = json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=1).encode()
    unsorted = json.dumps(dict(reversed(obj.items())), separators=(",", ":"), ensure_ascii=False)
    escaped = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    for data in (pretty, unsorted.encode(), escaped, EXAMPLE_BYTES + b"\n"):
        with pytest.raises(RequestSchemaError, match="canonical"):
            CertificateRequest.from_bytes(data)
        # ...but they are valid requests when canonical form is not required
        assert CertificateRequest.from_bytes(data, canonical=False) == example()


def test_create_fills_id_and_time() -> None:
    a = CertificateRequest.create(
        kiosk_id="k1",
        kind="graduation-en",
        language="en",
        copies=1,
        delivery=CounterDelivery("tama"),
        purpose="visa application",
        applicant=APPLICANT,
    )
    b = CertificateRequest.create(
        kiosk_id="k1",
        kind="graduation-en",
        language="en",
        copies=1,
        delivery=CounterDelivery("tama"),
        purpose="visa application",
        applicant=APPLICANT,
    )
    assert a.request_id != b.request_id
    assert a.time.microsecond == 0 and a.time.utcoffset() == timedelta(hours=9)
    assert CertificateRequest.from_bytes(a.to_bytes()) == a
    with pytest.raises(RequestSchemaError, match="unknown document type"):
        CertificateRequest.create(
            kiosk_id="k1",
            kind="diploma",
            language="ja",
            copies=1,
            delivery=CounterDelivery("tama"),
            purpose="x",
            applicant=APPLICANT,
        )


# -- strict validation --------------------------------------------------------------------------


def mutated(change: object) -> bytes:
    obj = as_dict(example())
    change(obj)  # type: ignore[operator]
    return encode(obj)


def _set(path: str, value: object) -> object:
    def change(obj: dict[str, object]) -> None:
        *parents, last = path.split(".")
        target: dict[str, object] = obj
        for p in parents:
            target = target[p]  # type: ignore[assignment]
        target[last] = value

    return change


def _drop(path: str) -> object:
    def change(obj: dict[str, object]) -> None:
        *parents, last = path.split(".")
        target: dict[str, object] = obj
        for p in parents:
            target = target[p]  # type: ignore[assignment]
        del target[last]

    return change


BAD = [
    ("unknown top key", _set("pin", "1234"), "unknown key.*pin"),
    ("unknown my number key", _set("my_number", "123456789012"), "unknown key.*my_number"),
    ("unknown applicant key", _set("applicant.my_number", "1"), "applicant has unknown key"),
    ("missing key", _drop("purpose"), "lacks key.*purpose"),
    ("missing applicant key", _drop("applicant.birth_date"), "applicant lacks"),
    ("copies as string", _set("copies", "2"), "copies must be an integer"),
    ("copies as boolean", _set("copies", True), "copies must be an integer"),
    ("copies zero", _set("copies", 0), "between 1 and 10"),
    ("copies eleven", _set("copies", 11), "between 1 and 10"),
    ("unknown kind", _set("kind", "diploma"), "unknown document type 'diploma'"),
    ("kind not a code", _set("kind", "成績"), "not a code"),
    ("unknown delivery", _set("delivery", {"method": "drone"}), "unknown delivery method"),
    ("delivery no method", _set("delivery", {"recipient": "x"}), "delivery.method"),
    (
        "postal without details",
        _set("delivery", {"method": "postal"}),
        r"delivery \(postal\) lacks its details",
    ),
    (
        "store without deadline",
        _set("delivery", {"method": "convenience-store", "store": "lawson"}),
        "lacks its details: print_deadline",
    ),
    (
        "digital with postal key",
        _set("delivery.address", "x"),
        r"delivery \(digital-pdf\) has unknown key",
    ),
    ("empty recipient", _set("delivery.recipient", ""), "must not be empty"),
    ("language", _set("language", "fr"), "language must be one of"),
    ("request id upper case", _set("request_id", REQUEST_ID.upper()), "canonical lower-case"),
    ("request id not uuid", _set("request_id", "R-0001"), "not a UUID"),
    ("time without offset", _set("time", "2025-04-01T10:15:30"), "is not a time"),
    ("time with Z", _set("time", "2025-04-01T01:15:30Z"), "is not a time"),
    ("time with fraction", _set("time", "2025-04-01T10:15:30.5+09:00"), "is not a time"),
    ("bad date", _set("applicant.birth_date", "1990-02-30"), "not a valid date"),
    ("birth date type", _set("applicant.birth_date", 19900401), "must be a date string"),
    ("sex", _set("applicant.sex", "F"), "applicant.sex"),
    ("serial", _set("applicant.certificate_serial", "0X1F"), "hexadecimal"),
    ("kiosk id", _set("kiosk_id", "kiosk 1"), "kiosk_id"),
    ("version", _set("version", 2), "version 2 is not supported"),
    ("type", _set("type", "something-else"), "type must be"),
    ("control character", _set("purpose", "a\u0007b"), "control character"),
    ("long purpose", _set("purpose", "x" * 501), "longer than 500"),
    (
        "postal code",
        _set("delivery", {**DELIVERIES[0].details(), "method": "postal", "postal_code": "1028160"}),
        "postal code",
    ),
    ("empty object", lambda obj: obj.clear(), "lacks key"),
    ("student id type", _set("student_id", 1234), "student_id must be a string"),
]


@pytest.mark.parametrize(("label", "change", "message"), BAD, ids=[b[0] for b in BAD])
def test_schema_violations_are_refused_with_a_clear_message(
    label: str, change: object, message: str
) -> None:
    with pytest.raises(RequestSchemaError, match=message):
        CertificateRequest.from_bytes(mutated(change))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[]", "must be an object"),
        (b'{"copies":NaN}', "NaN is not allowed"),
        (b'{"copies":1.0}', "fraction"),
        (b'{"a":1,"a":2}', "appears twice"),
        (b"x" * (MAX_DOCUMENT_SIZE + 1), "at most"),
        (b"[" * 16_000, "not JSON"),
    ],
)
def test_garbage_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(RequestSchemaError, match=message):
        CertificateRequest.from_bytes(data)


def test_allowed_kinds_are_a_parameter() -> None:
    custom = example(kind="enrolment-certificate-de")
    data = custom.to_bytes()
    with pytest.raises(RequestSchemaError, match="unknown document type"):
        CertificateRequest.from_bytes(data)
    assert CertificateRequest.from_bytes(data, allowed_kinds={"enrolment-certificate-de"})
    assert CertificateRequest.from_bytes(data, allowed_kinds=None) == custom
    with pytest.raises(RequestSchemaError, match="unknown document type 'transcript-ja'"):
        CertificateRequest.from_bytes(EXAMPLE_BYTES, allowed_kinds=frozenset({"graduation"}))


def test_construction_checks_values_too() -> None:
    with pytest.raises(RequestSchemaError, match="copies"):
        example(copies=0)
    with pytest.raises(RequestSchemaError, match="UTC offset"):
        example(time=datetime(2025, 4, 1, 10, 0))
    with pytest.raises(RequestSchemaError, match="delivery"):
        example(delivery="post")
    with pytest.raises(RequestSchemaError, match="print_deadline"):
        ConvenienceStoreDelivery("lawson", "2025-04-15")  # type: ignore[arg-type]


# -- catalogue ------------------------------------------------------------------------------------


def test_default_catalogue_is_the_kiosks() -> None:
    assert [t.code for t in DEFAULT_CATALOGUE] == [
        "transcript-ja",
        "transcript-en",
        "graduation-ja",
        "graduation-en",
        "enrolment-ja",
        "expected-graduation-ja",
        "completion-ja",
    ]
    assert DEFAULT_CATALOGUE.codes == DEFAULT_KIND_CODES
    transcript = DEFAULT_CATALOGUE.get("transcript-en")
    assert transcript is not None and transcript.name("ja") == "成績証明書（英文）"
    assert (transcript.language, transcript.fee_yen) == ("en", 300)
    assert transcript.deliveries == tuple(DeliveryMethod)
    assert DEFAULT_CATALOGUE.get("expected-graduation-ja").name_ja == "卒業見込証明書"  # type: ignore[union-attr]
    # the kiosk's default configuration lists none of its own: it offers this one
    assert DocumentCatalogue.from_toml(REPO / "gui" / "default_config.toml") is DEFAULT_CATALOGUE


def test_catalogue_from_a_kiosk_configuration(tmp_path: object) -> None:
    toml = """
[kiosk]
id = "kiosk-01"

[[catalogue]]
code = "transcript"
name_ja = "成績証明書"
name_en = "Academic Transcript"
fee_yen = 400
deliveries = ["counter", "digital-pdf"]

[[catalogue]]
code = "graduation-en"
name_ja = "卒業証明書（英文）"
name_en = "Certificate of Graduation"
language = "en"
"""
    catalogue = DocumentCatalogue.from_toml(toml)
    assert catalogue.codes == {"transcript", "graduation-en"}
    assert [k.code for k in catalogue] == ["transcript", "graduation-en"]
    transcript, graduation = catalogue
    assert transcript == DocumentType(
        "transcript",
        "成績証明書",
        "Academic Transcript",
        "ja",
        400,
        (DeliveryMethod.COUNTER, DeliveryMethod.DIGITAL_PDF),
    )
    assert (graduation.language, graduation.fee_yen) == ("en", 0)
    assert graduation.deliveries == tuple(DeliveryMethod)
    path = tmp_path / "kiosk.toml"  # type: ignore[operator]
    path.write_text(toml, encoding="utf-8")
    assert DocumentCatalogue.from_toml(path) == catalogue
    data = example(kind="enrolment-ja").to_bytes()
    with pytest.raises(RequestSchemaError, match="unknown document type 'enrolment-ja'"):
        CertificateRequest.from_bytes(data, allowed_kinds=catalogue.codes)

    entry = "[[catalogue]]\ncode='x'\nname_ja='a'\nname_en='b'\n"
    for bad, message in [
        ("[[catalogue]]\ncode = 'x'\n", "lacks key"),
        (entry + "price=1\n", "unknown key"),
        (entry + "deliveries=['post']\n", "unknown delivery method 'post'"),
        (entry + "deliveries=[]\n", "one at least"),
        (entry + "deliveries=['counter', 'counter']\n", "at most once"),
        (entry + "language='de'\n", "language of x"),
        (entry + "fee_yen=-1\n", "fee_yen of x"),
        (entry + "fee_yen=1.5\n", "fee_yen of x"),
        ("[[catalogue]]\ncode='X Y'\nname_ja='a'\nname_en='b'\n", "not a code"),
        ("catalogue = []\n", "lists no document type"),
        ("catalogue = 'transcript'\n", "array of tables"),
        ("[[catalogue]\n", "not valid TOML"),
        (entry * 2, "listed twice"),
        ("[[certificate_kinds]]\ncode='x'\nname_ja='a'\nname_en='b'\n", "not read any more"),
    ]:
        with pytest.raises(RequestSchemaError, match=message):
            DocumentCatalogue.from_toml(bad)


# -- the applicant and the card ---------------------------------------------------------------


def test_applicant_comes_from_the_signature_certificate() -> None:
    creds = MockCard().credentials
    applicant = Applicant.from_certificate(creds.sign_cert)
    assert applicant.name == "見本 花子"
    assert applicant.birth_date.as_date() == date(1990, 4, 1)
    assert applicant.sex == "2"
    assert applicant.certificate_serial == format(creds.sign_cert.serial_number, "x")
    assert applicant.matches(_holder(creds.sign_cert), creds.sign_cert) is None
    other = MockCard(key_index=1).credentials.sign_cert
    assert "certificate_serial" in (applicant.matches(_holder(other), other) or "")
    with pytest.raises(ValueError):  # the auth certificate names nobody
        Applicant.from_certificate(creds.auth_cert)


def _holder(cert: object) -> object:
    from jpki.certs import parse_holder_attributes

    return parse_holder_attributes(cert)  # type: ignore[arg-type]


def test_never_a_pin_never_the_my_number() -> None:
    mock = MockCard()
    card = JpkiCard(mock)
    my_number = card.read_my_number("1234").digits
    assert my_number == my_number_digits(20240401)
    request = CertificateRequest.create(
        kiosk_id="kiosk-01",
        kind="transcript-ja",
        language="ja",
        copies=1,
        delivery=DigitalPdfDelivery("株式会社見本"),
        purpose="就職活動",
        applicant=Applicant.from_certificate(card.read_certificate(CertKind.SIGN, pin="ABCD1234")),
    )
    signed = sign_request(card, request, pin="ABCD1234", detached=False)
    for blob in (signed.document, signed.signature):
        assert my_number.encode() not in blob
        assert b"ABCD1234" not in blob

    def strings(value: object) -> list[str]:
        if isinstance(value, dict):
            return [*value, *(s for v in value.values() for s in strings(v))]
        return [value] if isinstance(value, str) else []

    found = strings(json.loads(signed.document))
    assert not {"1234", "ABCD1234", my_number} & set(found)
    assert not [s for s in found if "pin" in s.lower() or "number" in s.lower()]


def test_signed_on_the_card_detached_and_attached() -> None:
    pki = MockPki.demo()
    trust = TrustStore.from_certificates([pki.sign_ca_cert, pki.auth_ca_cert])
    card = JpkiCard(MockCard())
    applicant = Applicant.from_certificate(card.read_certificate(CertKind.SIGN, pin="ABCD1234"))
    request = example(applicant=applicant)
    detached = sign_request(card, request, pin="ABCD1234")
    assert detached.detached and detached.document == request.to_bytes()
    result = verify_cms(detached.signature, detached.document, trust_store=trust)
    assert result.valid, result.message
    attached = sign_request(card, request, pin="ABCD1234", detached=False)
    result = verify_cms(attached.signature, trust_store=trust)
    assert result.valid, result.message
    assert result.content == request.to_bytes()
    assert attached.request_id == REQUEST_ID


def test_sign_with_software_key_matches_card_format() -> None:
    creds = MockCard().credentials
    request = example(applicant=Applicant.from_certificate(creds.sign_cert))
    signed = sign_request_with_key(creds.sign_key, creds.sign_cert, request)
    pki = MockPki.demo()
    trust = TrustStore.from_certificates([pki.sign_ca_cert])
    assert verify_cms(signed.signature, signed.document, trust_store=trust).valid


# -- property: anything valid round-trips -----------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)
_deliveries = st.one_of(
    st.builds(
        PostalDelivery,
        recipient=_text,
        address=_text,
        postal_code=st.from_regex(r"\d{3}-\d{4}", fullmatch=True),
    ),
    st.builds(CounterDelivery, counter=st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)),
    st.builds(
        ConvenienceStoreDelivery,
        store=st.sampled_from(["seven-eleven", "familymart", "lawson"]),
        print_deadline=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    ),
    st.builds(DigitalPdfDelivery, recipient=_text),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(DEFAULT_KIND_CODES)),
    copies=st.integers(1, 10),
    delivery=_deliveries,
    purpose=_text,
    name=_text,
    offset=st.integers(-12 * 60, 14 * 60),
    student_id=st.none() | st.text(alphabet="ABC0123456789", min_size=1, max_size=10),
)
def test_any_valid_request_round_trips(
    kind: str,
    copies: int,
    delivery: object,
    purpose: str,
    name: str,
    offset: int,
    student_id: str | None,
) -> None:
    request = example(
        kind=kind,
        copies=copies,
        delivery=delivery,
        purpose=purpose,
        applicant=Applicant(
            name=name,
            birth_date=date(1990, 4, 1),
            sex="1",
            address="x",
            certificate_issuer="C=JP",
            certificate_serial="1",
        ),
        time=datetime(2025, 4, 1, 10, 0, tzinfo=timezone(timedelta(minutes=offset))),
        student_id=student_id,
    )
    data = request.to_bytes()
    assert CertificateRequest.from_bytes(data) == request
    assert DeliveryMethod(json.loads(data)["delivery"]["method"]) is request.delivery_method
