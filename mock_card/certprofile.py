"""The certificate profile of the mock card's JPKI-like *test* PKI: names, extensions, sizes.

Everything here is for tests and demos. The CA names say ``O=JPKI-MOCK`` (never
J-LIS's ``O=JPKI``, nor its test hierarchy's ``O=JPKI-TEST``), the keys come
from a public pool shipped with the package (:mod:`mock_card.keypool`), and the
default holder is an obviously fictional person (:mod:`mock_card.holders`).

The certificate profile follows what is publicly known of real cards
(docs/card.md, "Certificates"), with these sources:

* Issuer/subject RDN order ``C=JP, O=…, OU=JPKI for digital signature |
  user authentication, OU=Japan Agency for Local Authority Information
  Systems``: ``openssl x509 -text`` of cards read with OpenSC's ``pkcs15-tool``
  (Japanese write-ups), and jpki/myna's test data for the auth cert.
* Holder subjects: the user-authentication cert has ``C=JP, CN=<23-character
  id>`` only (a JPKI-TEST card read by soltia48/myna-card: ``CN=997794E9AGCI
  EG13221003A``, which embeds the 5-digit local government code ``13221``);
  the signature cert has ``C=JP, L=<prefecture>, L=<city>, CN=<id>`` with the
  romanised names of the issuing municipality (myna-card's test card shows
  ``Kiyose-shi`` in the signature cert's subject and not in the auth cert's).
* Signature cert extensions: KeyUsage digitalSignature+nonRepudiation,
  critical (``03 02 06 C0``); CertificatePolicies critical, one policy
  ``1.2.392.200149.8.5.1.1.20`` with a CPS URI qualifier (ZeroKeyMate's
  verifier of real cards, citing the J-LIS profile specification 3.2);
  subjectAltName otherNames as UTF8String in the order name, birth date, sex,
  address, name flags, address flags (``openssl x509 -ext subjectAltName`` of
  a real card, blog post "マイナンバーカードに含まれる2つの電子証明書について
  調べてみた"); issuerAltName ``DirName:/C=JP/O=公的個人認証サービス`` on both
  certs (same post); CRL distribution point by directory name ``C=JP, O=JPKI,
  OU=JPKI for digital signature, OU=CRL Distribution Points, OU=<prefecture>,
  CN=<city>`` (a public tool that re-signs a real card's certificate).
* Birth date ``EYYYYMMDD``: era digit 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和
  (0 unknown), then the Gregorian date (Japanese PKI Blog, pki.world-tls.com,
  quoted in the post above; ZeroKeyMate's fixture ``419900102``).
* Substitute-character flags: one digit per character of the value, ``0`` =
  not a substitute character, ``1`` = substitute character (same sources; a
  real card shows ``00000`` for a five-character name).

* Size: a real user-authentication certificate is 1,583 bytes (header
  ``30 82 06 2B`` read from a real card by JPKIReader). The mock's certificate
  policies carry, besides the CPS URI, a user notice saying that it is a mock,
  and an authority information access extension names a (``.invalid``) OCSP
  responder and CA certificate; the notice is filled with dots until the
  user-authentication certificate is exactly :data:`AUTH_CERT_SIZE` bytes, so that
  reading it takes as many READ BINARYs as on a real card. The signature
  certificate gets the same notice and grows with the holder's attributes.

Where the mock departs from real cards, on purpose: the CA certificates are
valid 2010–2049 (real roots run ten years) so that expired and future cards
still sit inside the CA's validity; the CPS URI and issuerAltName name the mock,
not J-LIS; there is one full CRL per CA (real CRLs are partitioned by the
distribution point) and no OCSP.
"""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from typing import Final, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from jpki.certs import (
    OID_ADDRESS,
    OID_ADDRESS_FLAGS,
    OID_BIRTH_DATE,
    OID_NAME,
    OID_NAME_FLAGS,
    OID_SEX,
)

from .holders import Holder, Municipality

__all__ = [
    "AUTH_CERT_SIZE",
    "DEMO_ORGANISATION",
    "MOCK_CPS_URI",
    "MOCK_NOTICE",
    "OID_AUTH_POLICY",
    "OID_SIGN_POLICY",
    "OU_AUTH",
    "OU_JLIS",
    "OU_SIGN",
    "REAL_ORGANISATIONS",
    "auth_subject",
    "build_ca",
    "holder_san",
    "issue_leaf",
    "random_serial",
    "sign_subject",
    "subject_key_id",
]

# -- OIDs --------------------------------------------------------------------

# The subjectAltName otherName types of the signature certificate are jpki's
# (:mod:`jpki.certs.holder`): the mock writes what the library reads.

#: Certificate policy of the signature certificate (J-LIS signing CPS, class 20).
#: JPKI-TEST cards are reported to carry 1.2.392.200149.8.5.1.0.20 instead.
OID_SIGN_POLICY: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.1.1.20")
#: Certificate policy of the user-authentication certificate. Source: the JPKI
#: OID table of Kenji Urushima's jsrsasign add-on ("jpki-cp-authenticate"
#: 1.2.392.200149.8.5.1.3, "jpki-cp-auth-class30" .3.30). Not confirmed against
#: a dump of a real user-authentication certificate.
OID_AUTH_POLICY: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.1.3.30")

# -- names -------------------------------------------------------------------

DEMO_ORGANISATION: Final = "JPKI-MOCK"
#: Organisation names the mock refuses: J-LIS's production and test hierarchies.
REAL_ORGANISATIONS: Final = frozenset({"JPKI", "JPKI-TEST"})
OU_SIGN: Final = "JPKI for digital signature"
OU_AUTH: Final = "JPKI for user authentication"
OU_JLIS: Final = "Japan Agency for Local Authority Information Systems"
_OU_CRL_DP: Final = "CRL Distribution Points"
#: Real certificates name "公的個人認証サービス" in issuerAltName; the mock says it is a mock.
_ISSUER_ALT_ORGANISATION: Final = "公的個人認証サービス（模擬・試験用）"
#: Real certificates point at http://www.jpki.go.jp/cps.html; ``.invalid`` never resolves.
MOCK_CPS_URI: Final = "http://jpki-mock.invalid/cps.html"
#: The size of a real user-authentication certificate (docs/card.md); the mock's is padded
#: to it (see the module's docstring).
AUTH_CERT_SIZE: Final = 1583
#: The user notice in the mock's certificate policies (then dots up to the size).
MOCK_NOTICE: Final = (
    "JPKI-MOCK: a test certificate of the jpki toolkit's mock card, not issued by J-LIS. "
    "試験用の模擬証明書です。"
)
_NOTICE_MAX: Final = 200  # DisplayText is 1..200 characters (RFC 5280)
_MOCK_OCSP_URI: Final = "http://ocsp.jpki-mock.invalid/"
_MOCK_CA_ISSUERS_URI: Final = "http://jpki-mock.invalid/ca/{kind}.cer"


# -- building ----------------------------------------------------


def _der_utf8string(value: str) -> bytes:
    body = value.encode("utf-8")
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return b"\x0c" + length + body


def _other_name(oid: x509.ObjectIdentifier, value: str) -> x509.OtherName:
    return x509.OtherName(oid, _der_utf8string(value))


def _ca_name(organisation: str, purpose: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, purpose),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, OU_JLIS),
        ]
    )


_ID_ALPHABET: Final = string.digits + string.ascii_uppercase


def _card_id(municipality: Municipality) -> str:
    """A 23-character subject CN shaped like the one public sample (meaning of parts unknown):
    14 random [0-9A-Z], the 5-digit local government code, 3 digits, 1 letter."""
    head = "".join(secrets.choice(_ID_ALPHABET) for _ in range(14))
    tail = f"{secrets.randbelow(1000):03d}{secrets.choice(string.ascii_uppercase)}"
    return f"{head}{municipality.code}{tail}"


def random_serial() -> int:
    return 1 + secrets.randbelow(2**63 - 1)


def subject_key_id(cert: x509.Certificate) -> x509.SubjectKeyIdentifier:
    return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value


def _key_usage(*, digital_signature: bool, non_repudiation: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def build_ca(
    *,
    organisation: str,
    purpose: str,
    key: rsa.RSAPrivateKey,
    serial: int,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    name = _ca_name(organisation, purpose)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            _key_usage(digital_signature=False, non_repudiation=False, ca=True), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _crl_dp(
    organisation: str, purpose: str, municipality: Municipality
) -> x509.CRLDistributionPoints:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, purpose),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _OU_CRL_DP),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, municipality.prefecture),
            x509.NameAttribute(NameOID.COMMON_NAME, municipality.city),
        ]
    )
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.DirectoryName(name)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def auth_subject(municipality: Municipality) -> x509.Name:
    """The user-authentication certificate's subject: ``C=JP, CN=<card id>``."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.COMMON_NAME, _card_id(municipality)),
        ]
    )


def sign_subject(municipality: Municipality) -> x509.Name:
    """The signature certificate's subject: ``C=JP, L=<prefecture>, L=<city>, CN=<card id>``."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, municipality.prefecture),
            x509.NameAttribute(NameOID.LOCALITY_NAME, municipality.city),
            x509.NameAttribute(NameOID.COMMON_NAME, _card_id(municipality)),
        ]
    )


def holder_san(holder: Holder) -> x509.SubjectAlternativeName:
    """The signature certificate's subjectAltName: the holder's basic four as otherNames."""
    # Order as on a real card: name, birth date, sex, address, name flags, address flags.
    return x509.SubjectAlternativeName(
        [
            _other_name(OID_NAME, holder.name),
            _other_name(OID_BIRTH_DATE, holder.birth_date_code),
            _other_name(OID_SEX, holder.sex.value),
            _other_name(OID_ADDRESS, holder.address),
            _other_name(OID_NAME_FLAGS, holder.name_flags),
            _other_name(OID_ADDRESS_FLAGS, holder.address_flags),
        ]
    )


def issue_leaf(
    *,
    kind: Literal["sign", "auth"],
    organisation: str,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    municipality: Municipality,
    san: x509.SubjectAlternativeName | None,
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
) -> x509.Certificate:
    """A holder certificate of the ``kind`` CA, with a random serial; the user-authentication
    certificate is padded to :data:`AUTH_CERT_SIZE` bytes (see the module's docstring)."""
    serial = random_serial()

    def build(padding: int) -> x509.Certificate:
        return _build_leaf(
            kind=kind,
            organisation=organisation,
            subject=subject,
            key=key,
            serial=serial,
            not_before=not_before,
            not_after=not_after,
            municipality=municipality,
            san=san,
            notice=MOCK_NOTICE + "." * padding,
            ca_key=ca_key,
            ca_cert=ca_cert,
        )

    padding = 0
    cert = build(padding)
    if kind == "sign":
        return cert
    # the auth certificate: dots until it has the size of a real one (a DER length may
    # grow by a byte on the way, hence more than one step)
    room = _NOTICE_MAX - len(MOCK_NOTICE)
    for _ in range(3):
        size = len(cert.public_bytes(serialization.Encoding.DER))
        wanted = min(room, max(0, padding + AUTH_CERT_SIZE - size))
        if size == AUTH_CERT_SIZE or wanted == padding:
            break
        padding = wanted
        cert = build(padding)
    return cert


def _build_leaf(
    *,
    kind: Literal["sign", "auth"],
    organisation: str,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    municipality: Municipality,
    san: x509.SubjectAlternativeName | None,
    notice: str,
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
) -> x509.Certificate:
    sign = kind == "sign"
    policy = OID_SIGN_POLICY if sign else OID_AUTH_POLICY
    qualifiers: list[str | x509.UserNotice] = [MOCK_CPS_URI, x509.UserNotice(None, notice)]
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before.astimezone(UTC))
        .not_valid_after(not_after.astimezone(UTC))
        .add_extension(
            _key_usage(digital_signature=True, non_repudiation=sign, ca=False), critical=True
        )
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(policy, qualifiers)]),
            critical=True,
        )
    )
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    issuer_alt = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ISSUER_ALT_ORGANISATION),
        ]
    )
    access = x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP,
                x509.UniformResourceIdentifier(_MOCK_OCSP_URI),
            ),
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier(_MOCK_CA_ISSUERS_URI.format(kind=kind)),
            ),
        ]
    )
    builder = (
        builder.add_extension(
            x509.IssuerAlternativeName([x509.DirectoryName(issuer_alt)]), critical=False
        )
        .add_extension(
            _crl_dp(organisation, OU_SIGN if sign else OU_AUTH, municipality), critical=False
        )
        .add_extension(access, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(subject_key_id(ca_cert)),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(ca_key, hashes.SHA256())
