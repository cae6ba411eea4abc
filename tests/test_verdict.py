"""jpki.verdict: one vocabulary for judging certificates, signatures and authentications,
and one result base that a program shows the same way whatever was verified."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from jpki import authn, cms, pdf, trust, verdict
from jpki.authn import AuthenticationResult, Authenticator, authenticate
from jpki.card import JpkiCard
from jpki.certs import serial_hex
from jpki.cms import CmsVerification, sign_cms_with_key, verify_cms
from jpki.pdf import PdfSignatureResult
from jpki.verdict import (
    CERTIFICATE_CHECKS,
    CERTIFICATE_REASONS,
    TRUST_CHECKS,
    Reason,
    SignatureReason,
    Verdict,
    as_sentence,
    one_line,
)
from mock_card import CardProfile, MockCard
from tests.cms_corpus import CONTENT, demo_card, demo_pki, demo_store

RESULTS = (CmsVerification, PdfSignatureResult, AuthenticationResult)


# -- the reasons -------------------------------------------------------------------------------


def test_there_is_one_reason_enum_for_signatures_and_authentications() -> None:
    assert trust.Reason is Reason
    assert cms.CmsReason is pdf.PdfReason is authn.AuthenticationReason is SignatureReason


def test_every_certificate_reason_is_a_signature_reason_of_the_same_value() -> None:
    for reason in Reason:
        assert SignatureReason.from_trust(reason).value == reason.value
    assert {r.value for r in CERTIFICATE_REASONS} == {r.value for r in Reason}
    # the one name that differs: a certificate's bad signature is not the signature's own
    assert SignatureReason.from_trust(Reason.BAD_SIGNATURE) is (
        SignatureReason.BAD_CERTIFICATE_SIGNATURE
    )
    assert SignatureReason.BAD_SIGNATURE.value == "bad-signature"


def test_each_result_lists_its_reasons_and_together_they_use_every_member() -> None:
    for result in RESULTS:
        assert CERTIFICATE_REASONS <= result.REASONS <= set(SignatureReason), result
    assert set().union(*(r.REASONS for r in RESULTS)) == set(SignatureReason)
    assert SignatureReason.SIGNER_COUNT not in PdfSignatureResult.REASONS
    assert SignatureReason.MODIFIED not in CmsVerification.REASONS
    assert SignatureReason.REPLAYED in AuthenticationResult.REASONS


def test_every_result_builds_on_the_verdict() -> None:
    for result in RESULTS:
        assert issubclass(result, Verdict)


def test_the_trust_checks_and_their_names_in_a_signature() -> None:
    assert tuple(CERTIFICATE_CHECKS) == TRUST_CHECKS
    assert set(CERTIFICATE_CHECKS.values()) <= set(cms.CHECKS)
    assert set(CERTIFICATE_CHECKS.values()) <= set(pdf.PDF_CHECKS)
    assert set(CERTIFICATE_CHECKS.values()) <= set(authn.AUTHENTICATION_CHECKS)
    result = trust.TrustStore.production().validate(
        demo_card().sign_cert, purpose=trust.Purpose.SIGNATURE
    )
    assert tuple(result.checks) == TRUST_CHECKS


# -- showing a result ------------------------------------------------------------------------


SIGNED_AT = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


@pytest.fixture(scope="module")
def valid_cms() -> CmsVerification:
    creds = demo_card()
    signature = sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT, signing_time=SIGNED_AT)
    return verify_cms(signature, CONTENT, trust_store=demo_store())


def test_as_dict_of_a_cms_signature(valid_cms: CmsVerification) -> None:
    creds = demo_card()
    data = valid_cms.as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert list(data) == [
        "field",
        "valid",
        "reason",
        "message",
        "level",
        "signing_time",
        "timestamp",
        "signer",
        "certificate",
        "revocation",
        "revocation_checked",
        "checks",
    ]
    assert data["valid"] is True and data["reason"] is None and data["level"] == "CMS"
    signed = SIGNED_AT + timedelta(hours=9)  # in JST, as ISO 8601 says it
    assert data["signing_time"] == signed.replace(tzinfo=None).isoformat() + "+09:00"
    assert valid_cms.holder is not None
    assert data["signer"] == {
        "name": valid_cms.holder.name,
        "address": valid_cms.holder.address,
        "birth_date": valid_cms.holder.birth_date.isoformat(),
        "sex": valid_cms.holder.sex,
        "notes": [],
    }
    serial = data["certificate"]["serial"]
    assert int(serial, 16) == creds.sign_cert.serial_number and len(serial) % 2 == 0
    assert data["certificate"]["issuer_generation"] == "2010"
    assert data["checks"] == dict(valid_cms.checks) and list(data["checks"]) == list(cms.CHECKS)


def test_serials_are_whole_bytes() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "serial")])
    for number, text in ((0xA, "0A"), (0x1234, "1234"), (0x12345, "012345")):
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(number)
            .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2030, 1, 1, tzinfo=UTC))
            .sign(key, hashes.SHA256())
        )
        assert serial_hex(cert) == text


def test_sentence_and_check_lines(valid_cms: CmsVerification) -> None:
    assert valid_cms.sentence() == f"valid: {one_line(valid_cms.message)}"
    refused = verify_cms(b"\x30\x03\x02\x01\x01", CONTENT, trust_store=demo_store())
    assert refused.sentence().startswith("not valid: malformed: ")
    lines = valid_cms.check_lines()
    assert len(lines) == len(cms.CHECKS)
    outcomes = list(valid_cms.checks.values())
    assert all(line.endswith(outcome) for line, outcome in zip(lines, outcomes, strict=True))
    columns = {len(line) - len(outcome) for line, outcome in zip(lines, outcomes, strict=True)}
    assert len(columns) == 1  # the outcomes line up
    assert all(line.startswith("  ") and "\n" not in line for line in lines)


def test_a_result_cannot_put_control_characters_on_a_terminal() -> None:
    hostile = CmsVerification(
        valid=False,
        reason=SignatureReason.UNTRUSTED,
        message="issuer CN=Evil\x1b[2J\nfake: VALID\u2028",
        checks={"certificate-chain\x1b]0;x\x07": "failed: CN=Evil\x1b[31m"},
    )
    assert hostile.sentence() == "not valid: untrusted: issuer CN=Evil\\x1b[2J fake: VALID"
    [line] = hostile.check_lines(indent="")
    assert "\x1b" not in line and "\x07" not in line and "\\x1b[31m" in line
    assert one_line("a\tb\r\nc") == "a b c"
    assert as_sentence("the content changed") == "The content changed."
    assert as_sentence("ends well。") == "Ends well。"


def test_a_pdf_signature_names_its_field_in_its_sentence() -> None:
    result = PdfSignatureResult(
        field_name="Signature2",
        valid=False,
        reason=SignatureReason.MODIFIED,
        message="The document was changed after it was signed.",
    )
    assert result.sentence() == (
        "not valid (Signature2): modified-after-signing: The document was changed after it "
        "was signed."
    )
    data = result.as_dict()
    assert data["field"] == "Signature2" and data["signer"] is None and data["certificate"] is None


# -- authentication --------------------------------------------------------------------------


def test_an_authentication_is_shown_like_a_signature() -> None:
    creds = demo_pki().issue_card()
    card = JpkiCard(MockCard(credentials=creds))
    auth = Authenticator(demo_store())
    challenge = auth.issue_challenge()
    response = authenticate(card, challenge, "1234")
    result = auth.verify(challenge, response.signature, response.certificate)
    assert result.ok and result.valid and result.signer_certificate == creds.auth_cert
    assert result.holder is None  # the user-authentication certificate names no person
    assert tuple(result.checks) == authn.AUTHENTICATION_CHECKS
    assert all(
        outcome.startswith("ok") for name, outcome in result.checks.items() if name != "revocation"
    )
    assert result.sentence().startswith("authenticated: Authenticated. ")
    data = result.as_dict()
    assert data["authenticated"] is True and "valid" not in data  # as jpki authenticate says
    assert data["certificate"]["issuer"] == creds.auth_cert.issuer.rfc4514_string()
    assert data["certificate"]["not_after"].endswith("+09:00")
    assert data["checked_at"].endswith("+09:00")

    again = auth.verify(challenge, response.signature, response.certificate)
    assert again.reason is SignatureReason.REPLAYED
    assert again.checks["challenge"].startswith("failed: ")
    assert again.checks["signature"] == verdict.NOT_CHECKED
    assert again.sentence().startswith("not authenticated: replayed: ")


def test_an_expired_authentication_certificate_is_judged_by_the_trust_store() -> None:
    creds = demo_pki().issue_card(profile=CardProfile.EXPIRED)
    card = JpkiCard(MockCard(credentials=creds))
    auth = Authenticator(demo_store())
    challenge = auth.issue_challenge()
    response = authenticate(card, challenge, "1234")
    result = auth.verify(challenge, response.signature, response.certificate)
    assert result.reason is SignatureReason.EXPIRED
    assert result.checks["signature"].startswith("ok")
    assert result.checks["certificate-validity"].startswith("failed: ")
    assert result.validation is not None
    assert result.message == result.validation.message
    assert result.checked_at - datetime.now(UTC) < timedelta(seconds=5)
