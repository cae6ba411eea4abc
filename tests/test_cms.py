"""jpki.cms: CMS SignedData signed on the (mock) card and verified offline; openssl interop;
the negative corpus (tests/cms_corpus.py); never an exception for bad input."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms as asn1_cms
from cryptography.hazmat.primitives import hashes, serialization

from apdu.replay import RecordingTransport
from jpki import CertKind, JpkiCard, PinIncorrect, PinKind
from jpki.cms import (
    CHECKS,
    CmsReason,
    CmsSigningError,
    CmsVerification,
    from_pem,
    sign_cms,
    sign_cms_with_key,
    to_pem,
    verify_cms,
    write_p7s,
)
from jpki.trust import CrlStore, Purpose, Reason, RevocationPolicy
from mock_card import CardProfile, MockCard
from tests import cms_corpus
from tests.cms_corpus import CONTENT, demo_card, demo_pki, demo_store, negative_corpus

SIGN_PIN = "ABCD1234"
OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


def verify(sig: bytes | str, content: bytes | None = CONTENT, **kw: Any) -> CmsVerification:
    kw.setdefault("trust_store", demo_store())
    return verify_cms(sig, content, **kw)


def assert_valid(result: CmsVerification) -> None:
    assert result.valid, (result.reason, result.message, dict(result.checks))
    assert result.reason is None
    assert bool(result)
    assert set(result.checks) == set(CHECKS)
    for name, outcome in result.checks.items():
        assert not outcome.startswith(("failed", "not checked")) or name == "revocation", (
            name,
            outcome,
        )


# -- round trips on the card ------------------------------------------------------------------


def test_detached_round_trip_on_the_card(jpki_card: JpkiCard, mock_card: MockCard) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    der = sign_cms(jpki_card, CONTENT, pin=SIGN_PIN)
    result = verify(der)
    assert_valid(result)
    assert result.content is None
    assert result.signer_certificate == mock_card.credentials.sign_cert
    assert result.signing_time is not None
    assert before <= result.signing_time <= datetime.now(UTC)
    assert result.checks["signing-certificate-attribute"].startswith("ok")
    assert result.validation is not None and result.validation.valid


def test_attached_round_trip_returns_the_content(jpki_card: JpkiCard) -> None:
    der = sign_cms(jpki_card, CONTENT, pin=SIGN_PIN, detached=False)
    result = verify(der, None)
    assert_valid(result)
    assert result.content == CONTENT
    assert verify(der, CONTENT).valid  # giving the same content again is fine


def test_holder_attributes_are_returned(jpki_card: JpkiCard, mock_card: MockCard) -> None:
    result = verify(sign_cms(jpki_card, CONTENT, pin=SIGN_PIN))
    assert result.holder is not None
    assert result.holder.name == mock_card.holder.name
    assert result.holder.address == mock_card.holder.address
    assert result.holder.birth_date == mock_card.holder.birth_date
    assert result.holder.sex == mock_card.holder.sex.value


def test_include_ca_puts_the_ca_certificate_in(jpki_card: JpkiCard, mock_card: MockCard) -> None:
    der = sign_cms(jpki_card, CONTENT, pin=SIGN_PIN, include_ca=True)
    certs = asn1_cms.ContentInfo.load(der)["content"]["certificates"]
    ders = {c.chosen.dump() for c in certs}
    pem = serialization.Encoding.DER
    assert ders == {
        mock_card.credentials.sign_cert.public_bytes(pem),
        mock_card.credentials.sign_ca_cert.public_bytes(pem),
    }
    assert_valid(verify(der))


@pytest.mark.parametrize("algorithm", [hashes.SHA256(), hashes.SHA384(), hashes.SHA512()])
def test_sha2_family(jpki_card: JpkiCard, algorithm: hashes.HashAlgorithm) -> None:
    der = sign_cms(jpki_card, CONTENT, pin=SIGN_PIN, hash_algorithm=algorithm)
    result = verify(der)
    assert_valid(result)
    assert result.checks["message-digest"] == f"ok ({algorithm.name})"


def test_sha1_is_refused_before_the_card_is_touched(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    with pytest.raises(CmsSigningError):
        sign_cms(JpkiCard(rec), CONTENT, pin=SIGN_PIN, hash_algorithm=hashes.SHA1())
    assert rec.commands == []


def _verify_apdus(rec: RecordingTransport) -> list[bytes]:
    return [c for c in rec.commands if c[1] == 0x20 and len(c) > 4]


def test_one_pin_prompt_one_transaction(mock_card: MockCard) -> None:
    asked: list[tuple[PinKind, int]] = []

    def prompt(kind: PinKind, tries: int) -> str:
        asked.append((kind, tries))
        return SIGN_PIN

    rec = RecordingTransport(mock_card)
    der = sign_cms(JpkiCard(rec), CONTENT, pin=prompt)
    assert asked == [(PinKind.SIGN, 5)]
    # One VERIFY, before reading the signature certificate; the signature relies on it
    # within the same transaction.
    assert len(_verify_apdus(rec)) == 1
    assert_valid(verify(der))


def test_given_certificate_is_not_read_and_pin_verified_once(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    der = sign_cms(
        JpkiCard(rec), CONTENT, pin=SIGN_PIN, certificate=mock_card.credentials.sign_cert
    )
    assert len(_verify_apdus(rec)) == 1
    assert not any(c[1] == 0xB0 for c in rec.commands)  # no READ BINARY
    assert_valid(verify(der))


def test_wrong_pin_is_sent_once_and_never_retried(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    with pytest.raises(PinIncorrect) as info:
        sign_cms(JpkiCard(rec), CONTENT, pin=lambda kind, tries: "WRONG123")
    assert info.value.remaining == 4
    assert len(_verify_apdus(rec)) == 1
    assert mock_card.pin_tries_left("sign") == 4


def test_malformed_pin_never_reaches_the_card(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    with pytest.raises(ValueError):
        sign_cms(JpkiCard(rec), CONTENT, pin="1234")  # an auth-style PIN
    assert _verify_apdus(rec) == []


def test_card_private_key_goes_through_the_same_path(
    jpki_card: JpkiCard, mock_card: MockCard
) -> None:
    cert = mock_card.credentials.sign_cert
    key = jpki_card.private_key(CertKind.SIGN, SIGN_PIN, certificate=cert)
    assert_valid(verify(sign_cms_with_key(key, cert, CONTENT)))


def test_key_not_matching_the_certificate_is_refused() -> None:
    creds = demo_card()
    with pytest.raises(CmsSigningError, match="do not belong together"):
        sign_cms_with_key(creds.auth_key, creds.sign_cert, CONTENT)


def test_signing_time_is_the_one_given() -> None:
    creds = demo_card()
    when = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    result = verify(sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT, signing_time=when))
    assert_valid(result)
    assert result.signing_time == when


def test_certificate_is_checked_at_the_signing_time() -> None:
    """The signing time is the signer's claim: a holder can back-date it into the
    certificate's validity. verify_cms reports it; a live relying party checks it is recent."""
    creds = demo_pki().issue_card(profile=CardProfile.EXPIRED)
    inside = creds.sign_cert.not_valid_after_utc - timedelta(days=1)
    result = verify(
        sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT, signing_time=inside)
    )
    assert result.valid
    assert result.signing_time == inside
    assert result.validation is not None and result.validation.at == inside
    now = verify(sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT))
    assert now.reason is CmsReason.EXPIRED


def test_at_is_the_verification_time() -> None:
    creds = demo_card()
    der = sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT)
    assert verify(der, at=datetime.now(UTC) + timedelta(days=1)).valid
    earlier = verify(der, at=datetime.now(UTC) - timedelta(days=1))
    assert earlier.reason is CmsReason.FUTURE_SIGNING_TIME
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(der, at=datetime.now())  # naive: the point of the test


def test_no_signing_time_attribute_checks_at_the_verification_time() -> None:
    creds = demo_pki().issue_card(profile=CardProfile.EXPIRED)
    good = sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT)

    def drop(attrs: list[dict[str, Any]]) -> None:
        attrs[:] = [a for a in attrs if a["type"] != "signing_time"]

    der = cms_corpus.resign(good, creds.sign_key, drop)
    result = verify(der)
    assert result.signing_time is None
    assert result.reason is CmsReason.EXPIRED
    assert result.checks["signing-time"].startswith("absent")
    inside = creds.sign_cert.not_valid_after_utc - timedelta(days=1)
    assert verify(der, at=inside).valid


def test_revocation_with_a_crl(jpki_card: JpkiCard, mock_card: MockCard) -> None:
    der = sign_cms(jpki_card, CONTENT, pin=SIGN_PIN)
    now = datetime.now(UTC)
    crl = demo_pki().crl(
        "sign", [(123, now - timedelta(days=3))], this_update=now - timedelta(hours=1)
    )
    result = verify(der, crls=CrlStore.from_crls([crl]), policy=RevocationPolicy.REQUIRE)
    assert_valid(result)
    assert result.checks["revocation"] == "ok"
    assert result.validation is not None and result.validation.revocation_checked


def test_auth_certificate_is_fine_for_the_authentication_purpose() -> None:
    creds = demo_card()
    der = sign_cms_with_key(creds.auth_key, creds.auth_cert, CONTENT)
    assert verify(der).reason is CmsReason.WRONG_KEY_USAGE
    result = verify(der, purpose=Purpose.AUTHENTICATION)
    assert result.valid
    assert result.holder is None  # the auth certificate names no person


# -- encodings ---------------------------------------------------------------------------------


def test_pem_round_trip(tmp_path: Path) -> None:
    creds = demo_card()
    der = sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT)
    pem = to_pem(der)
    assert pem.startswith("-----BEGIN CMS-----\n") and pem.endswith("-----END CMS-----\n")
    assert max(len(line) for line in pem.splitlines()) == 64
    assert from_pem(pem) == der
    assert_valid(verify(pem))
    assert_valid(verify(pem.encode().replace(b"CMS", b"PKCS7")))
    assert write_p7s(tmp_path / "a.p7s", der).read_bytes() == der
    assert_valid(verify(write_p7s(tmp_path / "b.p7s", der, pem=True).read_text()))
    assert_valid(verify(bytearray(der)))
    assert_valid(verify(memoryview(der)))


def der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def to_indefinite_ber(der: bytes, max_depth: int = 99, min_depth: int = 0) -> bytes:
    """Constructed elements from ``min_depth`` to ``max_depth`` levels down re-encoded with
    indefinite lengths (those above ``min_depth`` keep definite ones)."""

    def walk(data: bytes, depth: int) -> bytes:
        out, i = bytearray(), 0
        while i < len(data):
            tag = data[i]
            first = data[i + 1]
            if first < 0x80:
                length, start = first, i + 2
            else:
                n = first & 0x7F
                length, start = int.from_bytes(data[i + 2 : i + 2 + n], "big"), i + 2 + n
            body = data[start : start + length]
            if tag & 0x20 and depth < max_depth:
                inner = walk(body, depth + 1)
                if depth < min_depth:
                    out += bytes([tag]) + der_length(len(inner)) + inner
                else:
                    out += bytes([tag, 0x80]) + inner + b"\x00\x00"
            else:
                out += data[i : start + length]
            i = start + length
        return bytes(out)

    return walk(der, 0)


@pytest.mark.parametrize("min_depth", [4, 5], ids=["signer-info", "inside-signer-info"])
def test_ber_only_inside(min_depth: int) -> None:
    """Definite lengths outside, indefinite ones from the SignerInfo (depth 4) or its fields
    (depth 5) down."""
    creds = demo_card()
    der = sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT)
    ber = to_indefinite_ber(der, min_depth=min_depth)
    assert ber[:2] != b"\x30\x80" and b"\xa0\x80\x30\x80\x06\x09" in ber
    assert_valid(verify(ber))


@pytest.mark.parametrize("depth", [1, 4, 5, 99])
@pytest.mark.parametrize("detached", [True, False])
def test_ber_with_indefinite_lengths(depth: int, detached: bool) -> None:
    """Indefinite lengths down to ``depth`` levels: 99 reaches into the signed attributes and
    into the certificates (which asn1crypto alone cannot parse: depth 5 and more)."""
    creds = demo_card()
    der = sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT, detached=detached)
    ber = to_indefinite_ber(der, depth)
    assert ber[:2] == b"\x30\x80"
    if depth == 99:
        assert b"\xa0\x80\x30\x80\x06\x09" in ber  # the signed attributes too
    result = verify(ber, CONTENT)
    assert_valid(result)
    assert result.checks["structure"] == "BER with indefinite lengths"


@pytest.mark.parametrize(
    "ber",
    [
        b"\x30\x80" * 50 + b"\x00\x00" * 50,  # nested too deep
        b"\x30\x80\x02\x01\x01",  # no end-of-contents
        b"\x30\x80\x04\x80\x00\x00\x00\x00",  # indefinite primitive
        b"\x30\x80\x00\x00\xff",  # trailing data
        b"\x30\x80\x30\x85\x01\x00\x00\x00\x00",  # absurd length
    ],
)
def test_damaged_ber_is_malformed(ber: bytes) -> None:
    result = verify(ber)
    assert result.reason is CmsReason.MALFORMED
    assert result.checks["structure"].startswith("failed")


def test_ber_signed_attributes_that_were_not_signed_as_der_fail() -> None:
    """The signature covers the DER of the attributes: a signature over some other
    encoding of the same attributes does not count."""
    creds = demo_card()
    der = sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT)
    info = cms_corpus.load(der)
    si = cms_corpus.signer_info(info)
    ber_attrs = to_indefinite_ber(cms_corpus.to_be_signed(si))
    si["signature"] = cms_corpus.rsa_sign(creds.sign_key, ber_attrs)
    assert verify(cms_corpus.dump(info)).reason is CmsReason.BAD_SIGNATURE


# -- the negative corpus ------------------------------------------------------------------------


CORPUS = negative_corpus()


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_negative_corpus(case: cms_corpus.Case) -> None:
    result = verify_cms(case.signature, case.content, **case.kwargs())
    assert not result.valid
    assert result.reason is case.expected, (result.reason, result.message)
    assert result.reason in CmsVerification.REASONS
    assert result.message and "\n" not in result.message
    failed = [name for name, outcome in result.checks.items() if outcome.startswith("failed")]
    assert failed, dict(result.checks)
    assert set(result.checks) == set(CHECKS)


def test_corpus_covers_every_reason_a_cms_verification_gives() -> None:
    assert {c.expected for c in CORPUS} == CmsVerification.REASONS


def test_every_trust_reason_has_a_cms_reason() -> None:
    for reason in Reason:
        assert CmsReason.from_trust(reason).value == reason.value


# -- interop with openssl -----------------------------------------------------------------------
#
# Verifying ours:  openssl cms -verify -binary -inform DER -in SIG -content FILE -CAfile CA.pem
#                  [-purpose any] [-crl_check, with the CRL appended to CA.pem]
# -binary keeps openssl from translating line ends (S/MIME canonical form) before hashing.
# -purpose any is not needed for JPKI certificates (openssl's default S/MIME-signing purpose
# accepts keyUsage digitalSignature/nonRepudiation without extendedKeyUsage, and it knows the
# critical certificatePolicies extension); it is there for certificates that lack them.


def _pem_files(tmp_path: Path) -> dict[str, Path]:
    creds = demo_card()
    pem = serialization.Encoding.PEM
    files = {
        "cert": creds.sign_cert.public_bytes(pem),
        "auth": creds.auth_cert.public_bytes(pem),
        "ca": creds.sign_ca_cert.public_bytes(pem),
        "key": creds.sign_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        "content": CONTENT,
    }
    out = {}
    for name, data in files.items():
        path = tmp_path / f"{name}.pem"
        path.write_bytes(data)
        out[name] = path
    return out


def openssl(
    command: str, *args: str | Path, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """``openssl`` with the words of ``command`` and then ``args`` (paths may hold spaces)."""
    assert OPENSSL is not None
    argv = [OPENSSL, *command.split(), *map(str, args)]
    return subprocess.run(argv, capture_output=True, check=check, timeout=30)


VERIFY = "cms -verify -binary -inform DER -out /dev/null"


def openssl_verify(
    sig: Path,
    files: dict[str, Path],
    *extra: str | Path,
    detached: bool = True,
    ca: Path | None = None,
) -> subprocess.CompletedProcess[bytes]:
    content = ["-content", files["content"]] if detached else []
    return openssl(VERIFY, "-in", sig, *content, "-CAfile", ca or files["ca"], *extra, check=False)


def openssl_sign(files: dict[str, Path], out: Path, *extra: str) -> bytes:
    openssl(
        "cms -sign -binary -md sha256 -outform DER",
        "-signer", files["cert"], "-inkey", files["key"], "-in", files["content"], "-out", out,
        *extra,
    )  # fmt: skip
    return out.read_bytes()


@needs_openssl
@pytest.mark.parametrize("detached", [True, False])
@pytest.mark.parametrize(
    "purpose", [["-purpose", "any"], []], ids=["purpose-any", "default-purpose"]
)
def test_openssl_verifies_ours(
    tmp_path: Path, jpki_card: JpkiCard, detached: bool, purpose: list[str]
) -> None:
    files = _pem_files(tmp_path)  # demo_card() and the mock card share the demo CA
    sig = write_p7s(
        tmp_path / "ours.p7s", sign_cms(jpki_card, CONTENT, pin=SIGN_PIN, detached=detached)
    )
    done = openssl_verify(sig, files, *purpose, detached=detached)
    assert done.returncode == 0, done.stderr
    assert b"Verification successful" in done.stderr
    if detached:  # and openssl notices a changed content
        files["content"].write_bytes(CONTENT + b"x")
        refused = openssl_verify(sig, files, *purpose)
        assert refused.returncode != 0


@needs_openssl
def test_openssl_crl_check_accepts_ours_and_refuses_the_revoked(tmp_path: Path) -> None:
    """OpenSSL 3.0's ``cms`` has no -CRLfile (3.2 added it): the CRL goes into the CAfile,
    which openssl reads for certificates and CRLs alike."""
    files = _pem_files(tmp_path)
    creds = demo_card()
    sig = write_p7s(
        tmp_path / "ours.p7s", sign_cms_with_key(creds.sign_key, creds.sign_cert, CONTENT)
    )
    now = datetime.now(UTC)
    pem = serialization.Encoding.PEM
    good = demo_pki().crl("sign", [(7, now)], this_update=now - timedelta(hours=1))
    revoked = demo_pki().crl(
        "sign",
        [(creds.sign_cert.serial_number, now - timedelta(days=1))],
        this_update=now - timedelta(hours=1),
    )
    results = {}
    for name, crl in (("good", good), ("revoked", revoked)):
        bundle = tmp_path / f"ca+{name}.pem"
        bundle.write_bytes(files["ca"].read_bytes() + crl.public_bytes(pem))
        results[name] = openssl_verify(sig, files, "-purpose", "any", "-crl_check", ca=bundle)
    assert results["good"].returncode == 0, results["good"].stderr
    assert results["revoked"].returncode != 0
    assert b"revoked" in results["revoked"].stderr
    no_crl = openssl_verify(sig, files, "-crl_check")
    assert no_crl.returncode != 0 and b"unable to get certificate CRL" in no_crl.stderr
    ours = verify(
        sig.read_bytes(), crls=CrlStore.from_crls([revoked]), policy=RevocationPolicy.REQUIRE
    )
    assert ours.reason is CmsReason.REVOKED


@needs_openssl
def test_openssl_accepts_what_we_refuse_for_a_request(tmp_path: Path) -> None:
    """openssl takes an auth-certificate signature (digitalSignature is enough for S/MIME);
    we refuse it for a certificate request. The difference is on purpose."""
    files = _pem_files(tmp_path)
    creds = demo_card()
    files["ca"].write_bytes(creds.auth_ca_cert.public_bytes(serialization.Encoding.PEM))
    der = sign_cms_with_key(creds.auth_key, creds.auth_cert, CONTENT)
    sig = write_p7s(tmp_path / "auth.p7s", der)
    assert openssl_verify(sig, files).returncode == 0
    assert verify(der).reason is CmsReason.WRONG_KEY_USAGE


OPENSSL_SIGN_VARIANTS = {
    "detached": ([], True),
    "attached": (["-nodetach"], False),
    "attached-stream-ber": (["-nodetach", "-stream"], False),
    "stream-ber": (["-stream"], True),  # openssl 3.0 still embeds the content here
    "subject-key-identifier": (["-keyid"], True),
    "cades-signing-certificate-v2": (["-cades"], True),
    "sha512": (["-md", "sha512"], True),
}


@needs_openssl
@pytest.mark.parametrize("variant", list(OPENSSL_SIGN_VARIANTS))
def test_we_verify_what_openssl_signs(tmp_path: Path, variant: str) -> None:
    files = _pem_files(tmp_path)
    extra, detached = OPENSSL_SIGN_VARIANTS[variant]
    der = openssl_sign(files, tmp_path / "openssl.p7s", *extra)
    if "stream" in variant:
        assert der[:2] == b"\x30\x80"  # indefinite length: BER
    result = verify(der, CONTENT if detached else None)
    assert_valid(result)
    assert result.holder is not None
    if variant == "subject-key-identifier":
        assert result.checks["signer-certificate"] == "found by subject key identifier"
    if variant == "cades-signing-certificate-v2":
        assert result.checks["signing-certificate-attribute"].startswith(
            "ok (signing-certificate-v2"
        )
    if not detached:
        assert result.content == CONTENT


@needs_openssl
def test_we_verify_openssl_pem(tmp_path: Path) -> None:
    files = _pem_files(tmp_path)
    out = tmp_path / "openssl.pem"
    openssl_sign(files, out, "-outform", "PEM")
    text = out.read_text()
    assert text.startswith("-----BEGIN CMS-----")  # the label to_pem() uses
    assert_valid(verify(text))


@needs_openssl
@pytest.mark.parametrize(
    ("extra", "reason"),
    [(["-noattr"], CmsReason.UNSUPPORTED), (["-md", "sha1"], CmsReason.UNSUPPORTED)],
    ids=["no-signed-attributes", "sha1"],
)
def test_openssl_variants_we_refuse(tmp_path: Path, extra: list[str], reason: CmsReason) -> None:
    files = _pem_files(tmp_path)
    der = openssl_sign(files, tmp_path / "openssl.p7s", *extra)
    assert verify(der).reason is reason


# -- changed bytes (that nothing raises on any input is in tests/test_fuzz.py) ----------------


GOOD = sign_cms_with_key(demo_card().sign_key, demo_card().sign_cert, CONTENT)


def test_a_changed_signed_byte_is_never_accepted() -> None:
    """Each byte of the signed attributes, flipped: never valid."""
    info = cms_corpus.load(GOOD)
    attrs = cms_corpus.signer_info(info)["signed_attrs"].dump()
    start = GOOD.index(attrs)
    for i in range(start, start + len(attrs)):
        result = verify(cms_corpus.flip_byte(GOOD, i))
        assert not result.valid, i
