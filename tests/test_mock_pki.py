"""The mock card's JPKI-like test PKI (mock_card/pki.py, certprofile.py, holders.py, keypool.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import core as asn1_core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import (
    ClientVerifier,
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jpki.certs import (
    OID_ADDRESS,
    OID_ADDRESS_FLAGS,
    OID_BIRTH_DATE,
    OID_NAME,
    OID_NAME_FLAGS,
    OID_SEX,
)
from jpki.timeutil import JST
from mock_card.certprofile import (
    AUTH_CERT_SIZE,
    DEMO_ORGANISATION,
    MOCK_CPS_URI,
    MOCK_NOTICE,
    OID_AUTH_POLICY,
    OID_SIGN_POLICY,
    OU_AUTH,
    OU_JLIS,
    OU_SIGN,
)
from mock_card.credentials import CardCredentials
from mock_card.holders import (
    MOCK_MUNICIPALITY,
    CardProfile,
    Holder,
    Municipality,
    Sex,
    decode_birth_date,
    encode_birth_date,
    validity_end,
)
from mock_card.keypool import KEY_POOL_PATH, fresh_key, pool_key, pool_size
from mock_card.pki import MockPki

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 6, 15, 3, 0, 0, tzinfo=UTC)  # 12:00 JST


@pytest.fixture(scope="module")
def pki() -> MockPki:
    return MockPki.demo()


@pytest.fixture(scope="module")
def creds(pki: MockPki) -> CardCredentials:
    return pki.issue_card(now=NOW)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def san_values(cert: x509.Certificate) -> list[tuple[str, str]]:
    """(OID, value) of every otherName in the SAN, decoded independently with asn1crypto."""
    parsed = asn1_x509.Certificate.load(der(cert))
    out = []
    for general_name in parsed.subject_alt_name_value:
        assert general_name.name == "other_name"
        other = general_name.chosen
        value = other["value"].parsed
        assert isinstance(value, asn1_core.UTF8String), type(value)
        out.append((other["type_id"].dotted, value.native))
    return out


def client_verifier(root: x509.Certificate, at: datetime) -> ClientVerifier:
    # Real JPKI leaf certs mark certificatePolicies critical and the auth cert has no
    # SAN; the WebPKI defaults reject both, so the EE policy has to allow them.
    ee = (
        ExtensionPolicy.webpki_defaults_ee()
        .may_be_present(x509.CertificatePolicies, Criticality.AGNOSTIC, None)
        .may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
    )
    return (
        PolicyBuilder()
        .store(Store([root]))
        .time(at)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee)
        .build_client_verifier()
    )


def verify_chain(leaf: x509.Certificate, root: x509.Certificate, at: datetime) -> None:
    client_verifier(root, at).verify(leaf, [])


# -- key pool ----------------------------------------------------------------


def test_the_key_pool_is_labelled_as_public_test_keys() -> None:
    first = KEY_POOL_PATH.read_text(encoding="ascii").splitlines()[0]
    assert first.startswith("#")
    assert "PUBLIC TEST KEYS" in first
    assert "mock card" in first


def test_pool_keys_are_distinct_rsa_2048_e65537_and_cached() -> None:
    assert pool_size() >= 12
    moduli = set()
    for i in range(pool_size()):
        key = pool_key(i)
        assert key.key_size == 2048
        numbers = key.private_numbers()
        assert numbers.public_numbers.e == 65537
        # The keys really are RSA keys: p * q = n.
        assert numbers.p * numbers.q == numbers.public_numbers.n
        moduli.add(numbers.public_numbers.n)
    assert len(moduli) == pool_size()
    assert pool_key(3) is pool_key(3)
    with pytest.raises(IndexError):
        pool_key(pool_size())
    with pytest.raises(IndexError):
        pool_key(-1)


def test_a_pool_key_signs_and_verifies() -> None:
    key = pool_key(0)
    signature = key.sign(b"message", padding.PKCS1v15(), hashes.SHA256())
    key.public_key().verify(signature, b"message", padding.PKCS1v15(), hashes.SHA256())


def test_fresh_key_is_new_rsa_2048() -> None:
    key = fresh_key()
    assert key.key_size == 2048
    assert key.public_key().public_numbers().e == 65537
    pool = {pool_key(i).public_key().public_numbers().n for i in range(pool_size())}
    assert key.public_key().public_numbers().n not in pool


# -- demo CA -----------------------------------------------------------------


def test_demo_ca_certificates_are_byte_identical_across_processes(pki: MockPki) -> None:
    script = (
        "import sys\n"
        "from cryptography.hazmat.primitives.serialization import Encoding\n"
        "from mock_card.pki import MockPki\n"
        "p = MockPki.demo()\n"
        "sys.stdout.write(p.sign_ca_cert.public_bytes(Encoding.DER).hex() + ' '"
        " + p.auth_ca_cert.public_bytes(Encoding.DER).hex())\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
    assert outputs[0] == der(pki.sign_ca_cert).hex() + " " + der(pki.auth_ca_cert).hex()


def test_demo_is_cached(pki: MockPki) -> None:
    assert MockPki.demo() is pki


def test_ca_names_mirror_jpki_rdn_order_with_a_mock_organisation(pki: MockPki) -> None:
    for cert, purpose in ((pki.sign_ca_cert, OU_SIGN), (pki.auth_ca_cert, OU_AUTH)):
        attributes = [(a.oid, a.value) for a in cert.subject]
        assert attributes == [
            (NameOID.COUNTRY_NAME, "JP"),
            (NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, purpose),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, OU_JLIS),
        ]
        assert cert.issuer == cert.subject


def test_organisation_is_never_the_real_jlis_name(pki: MockPki) -> None:
    assert pki.organisation == "JPKI-MOCK"
    for cert in (pki.sign_ca_cert, pki.auth_ca_cert):
        orgs = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
        assert orgs == ["JPKI-MOCK"]
    with pytest.raises(ValueError, match="JPKI"):
        MockPki.create("JPKI", pool_key(2), pool_key(3))
    with pytest.raises(ValueError, match="JPKI-TEST"):
        MockPki.generate(organisation="JPKI-TEST")


def test_ca_extensions(pki: MockPki) -> None:
    for cert in (pki.sign_ca_cert, pki.auth_ca_cert):
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert bc.critical
        assert bc.value.ca
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
        assert ku.critical
        assert ku.value.key_cert_sign
        assert ku.value.crl_sign
        assert not ku.value.digital_signature
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        assert ski.value == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
        cert.verify_directly_issued_by(cert)  # self-signed
        assert cert.signature_hash_algorithm is not None
        assert cert.signature_hash_algorithm.name == "sha256"


def test_generate_gives_an_unrelated_pair_with_the_same_names(
    pki: MockPki, creds: CardCredentials
) -> None:
    other = MockPki.generate()
    assert other.sign_ca_cert.subject == pki.sign_ca_cert.subject
    assert other.sign_ca_cert != pki.sign_ca_cert
    assert (
        other.sign_ca_key.public_key().public_numbers()
        != pki.sign_ca_key.public_key().public_numbers()
    )
    # Same name, other key: only the signature tells them apart.
    with pytest.raises(VerificationError):
        verify_chain(creds.sign_cert, other.sign_ca_cert, NOW)
    with pytest.raises(InvalidSignature):
        creds.sign_cert.verify_directly_issued_by(other.sign_ca_cert)
    renamed = MockPki.generate(organisation="JPKI-MOCK-OTHER", key_offset=4)
    assert renamed.organisation == "JPKI-MOCK-OTHER"
    with pytest.raises(ValueError, match="demo"):
        MockPki.generate(key_offset=0)


# -- holder certificates ----------------------------------------------------


def test_holder_certs_chain_to_their_ca(creds: CardCredentials) -> None:
    for leaf, ca in ((creds.sign_cert, creds.sign_ca_cert), (creds.auth_cert, creds.auth_ca_cert)):
        assert leaf.issuer == ca.subject
        leaf.verify_directly_issued_by(ca)
        ca_key = ca.public_key()
        assert isinstance(ca_key, rsa.RSAPublicKey)
        assert leaf.signature_hash_algorithm is not None
        ca_key.verify(
            leaf.signature,
            leaf.tbs_certificate_bytes,
            padding.PKCS1v15(),
            leaf.signature_hash_algorithm,
        )
        verify_chain(leaf, ca, NOW)
    # Each certificate verifies under its own CA only.
    with pytest.raises(VerificationError):
        verify_chain(creds.sign_cert, creds.auth_ca_cert, NOW)
    with pytest.raises(VerificationError):
        verify_chain(creds.auth_cert, creds.sign_ca_cert, NOW)


def test_the_webpki_default_policy_rejects_real_jpki_shaped_certs(creds: CardCredentials) -> None:
    # Documented so host code knows: cryptography's defaults refuse a critical
    # certificatePolicies extension, which real JPKI certificates carry.
    verifier = PolicyBuilder().store(Store([creds.sign_ca_cert])).time(NOW)
    with pytest.raises(VerificationError, match=r"2\.5\.29\.32"):
        verifier.build_client_verifier().verify(creds.sign_cert, [])


def test_aki_is_the_issuer_ski(creds: CardCredentials) -> None:
    for leaf, ca in ((creds.sign_cert, creds.sign_ca_cert), (creds.auth_cert, creds.auth_ca_cert)):
        aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert aki.key_identifier == ski.digest
        leaf_ski = leaf.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert leaf_ski == x509.SubjectKeyIdentifier.from_public_key(leaf.public_key())


def test_key_usages_and_criticality(creds: CardCredentials) -> None:
    sign_ku = creds.sign_cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert sign_ku.critical
    assert sign_ku.value.digital_signature
    assert sign_ku.value.content_commitment  # nonRepudiation
    auth_ku = creds.auth_cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert auth_ku.critical
    assert auth_ku.value.digital_signature
    assert not auth_ku.value.content_commitment
    for ku in (sign_ku.value, auth_ku.value):
        assert not ku.key_encipherment
        assert not ku.data_encipherment
        assert not ku.key_agreement
        assert not ku.key_cert_sign
        assert not ku.crl_sign
    # The exact DER of the sign cert's KeyUsage, as on a real card: 03 02 06 C0.
    assert sign_ku.value.public_bytes() == bytes.fromhex("030206c0")
    for cert in (creds.sign_cert, creds.auth_cert):
        with pytest.raises(x509.ExtensionNotFound):
            cert.extensions.get_extension_for_class(x509.BasicConstraints)


def test_policy_oids(creds: CardCredentials) -> None:
    for cert, oid in ((creds.sign_cert, OID_SIGN_POLICY), (creds.auth_cert, OID_AUTH_POLICY)):
        ext = cert.extensions.get_extension_for_class(x509.CertificatePolicies)
        assert ext.critical
        assert [p.policy_identifier for p in ext.value] == [oid]
    assert OID_SIGN_POLICY.dotted_string == "1.2.392.200149.8.5.1.1.20"
    assert OID_AUTH_POLICY.dotted_string == "1.2.392.200149.8.5.1.3.30"


def test_san_other_names_decode_to_the_holder_data_including_kanji(
    creds: CardCredentials,
) -> None:
    holder = Holder()
    assert san_values(creds.sign_cert) == [
        (OID_NAME.dotted_string, "見本 花子"),
        (OID_BIRTH_DATE.dotted_string, "419900401"),
        (OID_SEX.dotted_string, "2"),
        (OID_ADDRESS.dotted_string, "架空県見本市試験町一丁目2番3号"),
        (OID_NAME_FLAGS.dotted_string, "00000"),
        (OID_ADDRESS_FLAGS.dotted_string, "0" * len(holder.address)),
    ]


def test_san_carries_other_holders_and_explicit_flags(pki: MockPki) -> None:
    holder = Holder(
        name="試験 太郎",
        address="架空県見本市𠮷野町1番地",
        birth_date=date(1960, 2, 29),
        sex=Sex.MALE,
        address_flags="000000100000",
    )
    values = dict(san_values(pki.issue_card(holder, now=NOW).sign_cert))
    assert values[OID_NAME.dotted_string] == "試験 太郎"
    assert values[OID_ADDRESS.dotted_string] == "架空県見本市𠮷野町1番地"
    assert values[OID_BIRTH_DATE.dotted_string] == "319600229"
    assert values[OID_SEX.dotted_string] == "1"
    assert values[OID_NAME_FLAGS.dotted_string] == "00000"
    assert values[OID_ADDRESS_FLAGS.dotted_string] == "000000100000"


def test_holder_defaults() -> None:
    holder = Holder()
    assert holder.name_flags == "0" * len(holder.name)
    assert holder.address_flags == "0" * len(holder.address)
    assert Holder(name="山田 太郎").name_flags == "00000"
    assert Holder(sex="9").sex is Sex.NOT_APPLICABLE  # type: ignore[arg-type]


def test_the_auth_cert_carries_no_personal_data(pki: MockPki, creds: CardCredentials) -> None:
    holder = Holder()
    with pytest.raises(x509.ExtensionNotFound):
        creds.auth_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert [a.oid for a in creds.auth_cert.subject] == [NameOID.COUNTRY_NAME, NameOID.COMMON_NAME]
    raw = der(creds.auth_cert)
    for personal in (holder.name, holder.address, "見本", encode_birth_date(holder.birth_date)):
        assert personal.encode("utf-8") not in raw
    # Nor does any subject name: the signature cert's subject names only the municipality.
    for cert in (creds.sign_cert, creds.auth_cert):
        subject = cert.subject.rfc4514_string()
        assert holder.name not in subject
        assert "見本" not in subject


def test_subject_shapes(creds: CardCredentials) -> None:
    sign_subject = [(a.oid, a.value) for a in creds.sign_cert.subject]
    assert sign_subject[:3] == [
        (NameOID.COUNTRY_NAME, "JP"),
        (NameOID.LOCALITY_NAME, MOCK_MUNICIPALITY.prefecture),
        (NameOID.LOCALITY_NAME, MOCK_MUNICIPALITY.city),
    ]
    assert sign_subject[3][0] == NameOID.COMMON_NAME
    card_id = re.compile(r"[0-9A-Z]{14}" + MOCK_MUNICIPALITY.code + r"[0-9]{3}[A-Z]")
    for cert in (creds.sign_cert, creds.auth_cert):
        cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        assert isinstance(cn, str)
        assert card_id.fullmatch(cn), cn


def test_crl_distribution_point_is_a_directory_name(creds: CardCredentials) -> None:
    for cert, purpose in ((creds.sign_cert, OU_SIGN), (creds.auth_cert, OU_AUTH)):
        dps = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert len(dps) == 1
        (name,) = dps[0].full_name or []
        assert isinstance(name, x509.DirectoryName)
        assert [(a.oid, a.value) for a in name.value] == [
            (NameOID.COUNTRY_NAME, "JP"),
            (NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, purpose),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, "CRL Distribution Points"),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, MOCK_MUNICIPALITY.prefecture),
            (NameOID.COMMON_NAME, MOCK_MUNICIPALITY.city),
        ]


def test_serials_are_random_positive_and_distinct(pki: MockPki) -> None:
    serials = set()
    for _ in range(5):
        card = pki.issue_card(now=NOW)
        serials.update({card.sign_cert.serial_number, card.auth_cert.serial_number})
    assert len(serials) == 10
    assert all(s > 0 for s in serials)


def test_key_index_selects_pool_keys(pki: MockPki) -> None:
    def modulus(key: rsa.RSAPrivateKey) -> int:
        return key.public_key().public_numbers().n

    a = pki.issue_card(now=NOW, key_index=0)
    b = pki.issue_card(now=NOW, key_index=1)
    a2 = pki.issue_card(now=NOW, key_index=0)
    assert modulus(a.sign_key) == modulus(a2.sign_key)
    assert modulus(a.sign_key) != modulus(a.auth_key)
    keys = {modulus(k) for k in (a.sign_key, a.auth_key, b.sign_key, b.auth_key)}
    ca_keys = {modulus(pki.sign_ca_key), modulus(pki.auth_ca_key)}
    assert len(keys) == 4
    assert not keys & ca_keys
    with pytest.raises(ValueError, match="key_index"):
        pki.issue_card(now=NOW, key_index=-1)
    with pytest.raises(IndexError):
        pki.issue_card(now=NOW, key_index=pool_size())


def test_key_index_none_uses_fresh_keys(pki: MockPki) -> None:
    card = pki.issue_card(now=NOW, key_index=None)
    pool = {pool_key(i).public_key().public_numbers().n for i in range(pool_size())}
    assert card.sign_key.public_key().public_numbers().n not in pool
    assert card.auth_key.public_key().public_numbers().n not in pool


def test_the_keys_match_their_certificates(creds: CardCredentials) -> None:
    for key, cert in ((creds.sign_key, creds.sign_cert), (creds.auth_key, creds.auth_cert)):
        signature = key.sign(b"digest me", padding.PKCS1v15(), hashes.SHA256())
        public = cert.public_key()
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(signature, b"digest me", padding.PKCS1v15(), hashes.SHA256())


# -- validity ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "issued", "end"),
    [
        # Birthday later in the issue year: it is the 1st of the five.
        (date(1990, 4, 1), date(2024, 3, 1), date(2028, 4, 1)),
        # Birthday earlier in the issue year: the 1st is next year.
        (date(1990, 4, 1), date(2024, 5, 1), date(2029, 4, 1)),
        # Issued on the birthday: that birthday does not count.
        (date(1990, 4, 1), date(2024, 4, 1), date(2029, 4, 1)),
        # The day before the birthday.
        (date(1990, 4, 1), date(2024, 3, 31), date(2028, 4, 1)),
        # 29 February: 28 February in common years ...
        (date(2000, 2, 29), date(2023, 1, 10), date(2027, 2, 28)),
        # ... and 29 February when the 5th birthday falls in a leap year.
        (date(2000, 2, 29), date(2019, 3, 1), date(2024, 2, 29)),
        # Issued on 28 February of a common year: that is the birthday, so it does not count.
        (date(2000, 2, 29), date(2023, 2, 28), date(2028, 2, 29)),
        # Issued on the day of birth.
        (date(2020, 6, 1), date(2020, 6, 1), date(2025, 6, 1)),
    ],
)
def test_validity_end(birth: date, issued: date, end: date) -> None:
    result = validity_end(birth, issued)
    assert result == datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=JST)
    assert result.utcoffset() == timedelta(hours=9)


def test_validity_end_is_1459_59_utc() -> None:
    end = validity_end(date(1990, 4, 1), date(2024, 5, 1)).astimezone(UTC)
    assert end == datetime(2029, 4, 1, 14, 59, 59, tzinfo=UTC)


def test_validity_end_takes_the_jst_date_of_a_datetime() -> None:
    # 2024-03-31T20:00Z is already 1 April in Japan: the 2024 birthday does not count.
    issued = datetime(2024, 3, 31, 20, 0, tzinfo=UTC)
    assert validity_end(date(1990, 4, 1), issued).date() == date(2029, 4, 1)
    with pytest.raises(ValueError, match="before the birth"):
        validity_end(date(1990, 4, 1), date(1989, 1, 1))


def test_cert_validity_is_issued_to_validity_end(pki: MockPki) -> None:
    issued = datetime(2026, 5, 1, 0, 0, tzinfo=JST)
    card = pki.issue_card(issued=issued, now=NOW)
    for cert in (card.sign_cert, card.auth_cert):
        assert cert.not_valid_before_utc == issued
        # 1 April 2026 had passed: the five birthdays are 2027 .. 2031.
        assert cert.not_valid_after_utc == datetime(2031, 4, 1, 14, 59, 59, tzinfo=UTC)


def test_default_issue_date_is_30_days_ago_at_midnight_jst(creds: CardCredentials) -> None:
    expected = datetime(2026, 5, 16, 0, 0, tzinfo=JST)
    assert creds.sign_cert.not_valid_before_utc == expected
    assert creds.auth_cert.not_valid_before_utc == expected


def test_default_card_is_valid_today(pki: MockPki) -> None:
    card = pki.issue_card()
    now = datetime.now(UTC)
    for cert in (card.sign_cert, card.auth_cert):
        assert cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


@pytest.mark.parametrize(
    ("d", "encoded"),
    [
        (date(1990, 4, 1), "419900401"),
        (date(2019, 4, 30), "420190430"),
        (date(2019, 5, 1), "520190501"),
        (date(1989, 1, 7), "319890107"),
        (date(1989, 1, 8), "419890108"),
        (date(1926, 12, 24), "219261224"),
        (date(1926, 12, 25), "319261225"),
        (date(1912, 7, 29), "119120729"),
        (date(1912, 7, 30), "219120730"),
        (date(1900, 1, 1), "119000101"),
    ],
)
def test_encode_birth_date(d: date, encoded: str) -> None:
    assert encode_birth_date(d) == encoded
    assert decode_birth_date(encoded) == d


def test_birth_date_errors() -> None:
    with pytest.raises(ValueError, match="Meiji"):
        encode_birth_date(date(1868, 1, 1))
    with pytest.raises(ValueError, match="era"):
        decode_birth_date("519900401")
    with pytest.raises(ValueError, match="EYYYYMMDD"):
        decode_birth_date("19900401")


# -- profiles and revocation ----------------------------------------------------


def test_profile_expired(pki: MockPki) -> None:
    card = pki.issue_card(profile=CardProfile.EXPIRED, now=NOW)
    for cert in (card.sign_cert, card.auth_cert):
        assert cert.not_valid_after_utc < NOW
    with pytest.raises(VerificationError, match="not valid"):
        verify_chain(card.sign_cert, card.sign_ca_cert, NOW)
    # It was a good certificate while it lasted.
    verify_chain(card.sign_cert, card.sign_ca_cert, card.sign_cert.not_valid_before_utc)


def test_profile_not_yet_valid(pki: MockPki) -> None:
    card = pki.issue_card(profile=CardProfile.NOT_YET_VALID, now=NOW)
    for cert in (card.sign_cert, card.auth_cert):
        assert cert.not_valid_before_utc > NOW
    with pytest.raises(VerificationError, match="not valid"):
        verify_chain(card.auth_cert, card.auth_ca_cert, NOW)
    verify_chain(card.auth_cert, card.auth_ca_cert, card.auth_cert.not_valid_before_utc)


def test_profile_revoked(pki: MockPki) -> None:
    card = pki.issue_card(profile=CardProfile.REVOKED, now=NOW)
    for cert in (card.sign_cert, card.auth_cert):
        assert cert.not_valid_before_utc <= NOW <= cert.not_valid_after_utc
    sign_crl, auth_crl = pki.revocation_crls(card, now=NOW)
    for crl, cert, ca, other in (
        (sign_crl, card.sign_cert, pki.sign_ca_cert, card.auth_cert),
        (auth_crl, card.auth_cert, pki.auth_ca_cert, card.sign_cert),
    ):
        assert crl.issuer == ca.subject
        ca_key = ca.public_key()
        assert isinstance(ca_key, rsa.RSAPublicKey)
        assert crl.is_signature_valid(ca_key)
        assert crl.signature_hash_algorithm is not None
        ca_key.verify(
            crl.signature, crl.tbs_certlist_bytes, padding.PKCS1v15(), crl.signature_hash_algorithm
        )
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        assert entry is not None
        assert entry.revocation_date_utc == NOW
        assert crl.get_revoked_certificate_by_serial_number(other.serial_number) is None
        assert crl.last_update_utc == NOW
        assert crl.next_update_utc is not None
        assert crl.next_update_utc > NOW
        aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert aki.key_identifier == ski.digest
        crl.extensions.get_extension_for_class(x509.CRLNumber)
    # The other CA's key does not verify it.
    other_key = pki.auth_ca_cert.public_key()
    assert isinstance(other_key, rsa.RSAPublicKey)
    assert not sign_crl.is_signature_valid(other_key)


def test_revocation_crls_refuse_foreign_credentials(creds: CardCredentials) -> None:
    with pytest.raises(ValueError, match="not issued by this PKI"):
        MockPki.generate().revocation_crls(creds, now=NOW)


def test_crl_lists_the_given_serials(pki: MockPki) -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    crl = pki.crl(
        "auth",
        [(1234, when), (5678, when)],
        this_update=NOW,
        next_update=NOW + timedelta(days=7),
    )
    assert sorted(r.serial_number for r in crl) == [1234, 5678]
    assert crl.next_update_utc == NOW + timedelta(days=7)
    assert crl.is_signature_valid(pki.auth_ca_key.public_key())
    empty = pki.crl("sign", this_update=NOW)
    assert len(empty) == 0
    assert empty.is_signature_valid(pki.sign_ca_key.public_key())
    later = pki.crl("sign", this_update=NOW + timedelta(hours=1))
    number = later.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number > empty.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    with pytest.raises(ValueError, match="kind"):
        pki.crl("other", this_update=NOW)  # type: ignore[arg-type]


def test_profiles_refuse_contradictory_dates(pki: MockPki) -> None:
    long_ago = datetime(2015, 1, 1, tzinfo=JST)
    with pytest.raises(ValueError, match="valid card"):
        pki.issue_card(issued=long_ago, profile=CardProfile.VALID, now=NOW)
    with pytest.raises(ValueError, match="expired card"):
        pki.issue_card(issued=datetime(2026, 6, 1, tzinfo=JST), profile="expired", now=NOW)  # type: ignore[arg-type]
    # Someone born after the default issue date of an expired card cannot have one.
    with pytest.raises(ValueError, match="before the birth"):
        pki.issue_card(Holder(birth_date=date(2024, 1, 1)), profile=CardProfile.EXPIRED, now=NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        pki.issue_card(now=datetime(2026, 6, 15))


# -- serialization and tools ---------------------------------------------------


def test_json_round_trip(creds: CardCredentials) -> None:
    data = creds.to_json_dict()
    assert set(data) == {
        "auth_key",
        "auth_cert",
        "sign_key",
        "sign_cert",
        "auth_ca_cert",
        "sign_ca_cert",
    }
    assert all(isinstance(v, str) and v.startswith("-----BEGIN ") for v in data.values())
    back = CardCredentials.from_json_dict(json.loads(json.dumps(data)))
    for name in ("auth_cert", "sign_cert", "auth_ca_cert", "sign_ca_cert"):
        assert der(getattr(back, name)) == der(getattr(creds, name))
    for name in ("auth_key", "sign_key"):
        assert getattr(back, name).private_numbers() == getattr(creds, name).private_numbers()
    assert back.to_json_dict() == data


def test_from_json_dict_rejects_mismatched_keys(creds: CardCredentials) -> None:
    data = creds.to_json_dict()
    data["auth_key"], data["sign_key"] = data["sign_key"], data["auth_key"]
    with pytest.raises(ValueError, match="does not belong"):
        CardCredentials.from_json_dict(data)
    del data["auth_cert"]
    with pytest.raises(KeyError):
        CardCredentials.from_json_dict(data)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_openssl_parses_the_holder_certs(creds: CardCredentials, tmp_path: Path) -> None:
    for cert, expect in (
        (creds.sign_cert, ("Digital Signature, Non Repudiation", "1.2.392.200149.8.5.1.1.20")),
        (creds.auth_cert, ("Digital Signature", "1.2.392.200149.8.5.1.3.30")),
    ):
        path = tmp_path / "cert.pem"
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        result = subprocess.run(
            ["openssl", "x509", "-noout", "-text", "-in", str(path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        for text in (*expect, "JPKI-MOCK", "sha256WithRSAEncryption", "2048 bit"):
            assert text in result.stdout
    # openssl shows the SAN otherNames of the signature cert with their OIDs.
    path = tmp_path / "sign.pem"
    path.write_bytes(creds.sign_cert.public_bytes(serialization.Encoding.PEM))
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert "1.2.392.200149.8.5.5.1" in out
    assert "1.2.392.200149.8.5.5.6" in out


def test_issue_card_is_fast_after_the_first_call(pki: MockPki) -> None:
    pki.issue_card(now=NOW)
    start = time.perf_counter()
    for _ in range(10):
        pki.issue_card(now=NOW)
    per_card = (time.perf_counter() - start) / 10
    # Two RSA-2048 signatures with pool keys: a few milliseconds; generous bound for CI.
    assert per_card < 0.1, f"{per_card * 1000:.1f} ms per card"


# -- property ------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(min_size=1, max_size=60),
    address=st.text(min_size=1, max_size=200),
    birth_date=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    sex=st.sampled_from(Sex),
)
def test_any_holder_round_trips_through_the_san(
    name: str, address: str, birth_date: date, sex: Sex
) -> None:
    holder = Holder(name=name, address=address, birth_date=birth_date, sex=sex)
    card = MockPki.demo().issue_card(holder, now=NOW)
    values = san_values(card.sign_cert)
    assert [oid for oid, _ in values] == [
        OID_NAME.dotted_string,
        OID_BIRTH_DATE.dotted_string,
        OID_SEX.dotted_string,
        OID_ADDRESS.dotted_string,
        OID_NAME_FLAGS.dotted_string,
        OID_ADDRESS_FLAGS.dotted_string,
    ]
    decoded = dict(values)
    assert decoded[OID_NAME.dotted_string] == name
    assert decoded[OID_ADDRESS.dotted_string] == address
    assert decode_birth_date(decoded[OID_BIRTH_DATE.dotted_string]) == birth_date
    assert Sex(decoded[OID_SEX.dotted_string]) is sex
    assert decoded[OID_NAME_FLAGS.dotted_string] == "0" * len(name)
    assert decoded[OID_ADDRESS_FLAGS.dotted_string] == "0" * len(address)
    # cryptography's own parser agrees with asn1crypto.
    san = card.sign_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    others = san.get_values_for_type(x509.OtherName)
    assert others[0].value == b"\x0c" + _der_length(len(name.encode())) + name.encode()


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


# -- the size of a real certificate (docs/card.md, "Certificates") --------------------------------


@pytest.mark.parametrize(
    "municipality",
    [
        MOCK_MUNICIPALITY,
        Municipality(code="13221", prefecture="Tokyo-to", city="Kiyose-shi"),
        Municipality(code="01100", prefecture="Hokkaido", city="Sapporo-shi"),
        Municipality(code="47382", prefecture="Okinawa-ken", city="Yonaguni-cho"),
    ],
)
@pytest.mark.parametrize("profile", [CardProfile.VALID, CardProfile.EXPIRED])
def test_the_auth_cert_has_the_size_of_a_real_one(
    pki: MockPki, municipality: Municipality, profile: CardProfile
) -> None:
    """A real user-authentication certificate is 1,583 bytes (``30 82 06 2B``, read from a
    real card by JPKIReader): the mock's is exactly that, whatever the municipality."""
    for key_index in (0, 1):
        creds = pki.issue_card(municipality=municipality, profile=profile, key_index=key_index)
        der = creds.auth_cert.public_bytes(serialization.Encoding.DER)
        assert len(der) == AUTH_CERT_SIZE == 1583
        assert der[:4] == bytes.fromhex("3082062B")


def test_the_padding_is_a_user_notice_that_says_mock(creds: CardCredentials) -> None:
    for cert in (creds.auth_cert, creds.sign_cert):
        policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies)
        qualifiers = policies.value[0].policy_qualifiers
        assert qualifiers[0] == MOCK_CPS_URI
        notice = qualifiers[1]
        assert isinstance(notice, x509.UserNotice) and notice.explicit_text is not None
        assert notice.explicit_text.startswith(MOCK_NOTICE)
        assert len(notice.explicit_text) <= 200  # RFC 5280 DisplayText
        assert set(notice.explicit_text[len(MOCK_NOTICE) :]) <= {"."}
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        assert all(".invalid/" in d.access_location.value for d in access)
    sign = creds.sign_cert.public_bytes(serialization.Encoding.DER)
    assert 1583 < len(sign) < 2048  # a real-looking size, with the holder's attributes


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_openssl_reads_the_padded_certificate(creds: CardCredentials) -> None:
    der = creds.auth_cert.public_bytes(serialization.Encoding.DER)
    out = subprocess.run(
        ["openssl", "x509", "-inform", "DER", "-noout", "-text"],
        input=der,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "Explicit Text: JPKI-MOCK" in out or "User Notice" in out
    assert "OCSP - URI:http://ocsp.jpki-mock.invalid/" in out
