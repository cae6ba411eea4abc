"""A JPKI-like *test* PKI for the software mock card.

Everything here is for tests and demos. The CA names say ``O=JPKI-MOCK`` (never
J-LIS's ``O=JPKI``, nor its test hierarchy's ``O=JPKI-TEST``), the keys come
from a public pool shipped with the package (``data/test_keys.pem``), and the
default holder is an obviously fictional person.

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

import re
import secrets
import string
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Final, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from jpki.timeutil import JST

__all__ = [
    "AUTH_CERT_SIZE",
    "DEFAULT_HOLDER",
    "DEMO_CA_NOT_AFTER",
    "DEMO_CA_NOT_BEFORE",
    "DEMO_ORGANISATION",
    "GEN02_NOT_AFTER",
    "GEN02_NOT_BEFORE",
    "JST",
    "KEY_POOL_PATH",
    "MOCK_CPS_URI",
    "MOCK_MUNICIPALITY",
    "MOCK_NOTICE",
    "OID_ADDRESS",
    "OID_ADDRESS_FLAGS",
    "OID_AUTH_POLICY",
    "OID_BIRTH_DATE",
    "OID_NAME",
    "OID_NAME_FLAGS",
    "OID_SEX",
    "OID_SIGN_POLICY",
    "OU_AUTH",
    "OU_JLIS",
    "OU_SIGN",
    "CardCredentials",
    "CardProfile",
    "Holder",
    "MockPki",
    "Municipality",
    "Sex",
    "decode_birth_date",
    "encode_birth_date",
    "fresh_key",
    "generate_key_pool",
    "pool_key",
    "pool_size",
    "substitute_flags",
    "validity_end",
]


# -- OIDs --------------------------------------------------------------------

#: subjectAltName otherName types of the signature certificate (UTF8String values).
OID_NAME: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.1")
OID_NAME_FLAGS: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.2")
OID_SEX: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.3")
OID_BIRTH_DATE: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.4")
OID_ADDRESS: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.5")
OID_ADDRESS_FLAGS: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.6")

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
_REAL_ORGANISATIONS: Final = frozenset({"JPKI", "JPKI-TEST"})
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

DEMO_CA_NOT_BEFORE: Final = datetime(2010, 1, 1, 0, 0, 0, tzinfo=UTC)
DEMO_CA_NOT_AFTER: Final = datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC)
#: The validity of J-LIS's generation 02 roots (:meth:`MockPki.generation_02`).
GEN02_NOT_BEFORE: Final = datetime(2019, 9, 14, 23, 41, 56, tzinfo=UTC)
GEN02_NOT_AFTER: Final = datetime(2029, 9, 14, 14, 59, 59, tzinfo=UTC)
_DEMO_SIGN_CA_SERIAL: Final = 0x4D4F434B01  # "MOCK" 01
_DEMO_AUTH_CA_SERIAL: Final = 0x4D4F434B02  # "MOCK" 02


class Sex(StrEnum):
    """Sex as the text AP and the signature certificate record it."""

    MALE = "1"
    FEMALE = "2"
    NOT_APPLICABLE = "9"


class CardProfile(StrEnum):
    """What state the issued certificates are in relative to ``now``."""

    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REVOKED = "revoked"


def substitute_flags(value: str) -> str:
    """Flags saying no character of ``value`` is a substitute character: one ``0`` each."""
    return "0" * len(value)


@dataclass(frozen=True)
class Holder:
    """The basic four (基本4情報) of a fictional card holder.

    ``name_flags`` / ``address_flags`` are the substitute-character position
    strings (氏名/住所代替文字の使用位置情報): one digit per character of the
    value, ``1`` where the character was replaced by a substitute character
    because it is outside JIS levels 1/2 and the supplementary kanji, ``0``
    elsewhere. Left empty they default to all ``0`` (no substitutes). They are
    not validated, so tests can build malformed ones.

    ``birth_date_code`` is the certificate's ``EYYYYMMDD`` as written, for holders the
    register knows only in part (``019800000``: era unknown, month and day unknown) or
    with an era digit that disagrees; empty: :func:`encode_birth_date` of ``birth_date``
    (which still sets the validity). The text AP gets its last 8 digits.
    """

    name: str = "見本 花子"
    address: str = "架空県見本市試験町一丁目2番3号"
    birth_date: date = date(1990, 4, 1)
    sex: Sex = Sex.FEMALE
    name_flags: str = ""
    address_flags: str = ""
    birth_date_code: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "sex", Sex(self.sex))
        if not self.birth_date_code:
            object.__setattr__(self, "birth_date_code", encode_birth_date(self.birth_date))
        if not self.name_flags:
            object.__setattr__(self, "name_flags", substitute_flags(self.name))
        if not self.address_flags:
            object.__setattr__(self, "address_flags", substitute_flags(self.address))


@dataclass(frozen=True)
class Municipality:
    """The issuing municipality, as it appears in the signature cert's subject and CRL DP.

    ``code`` is the 5-digit local government code (prefecture 2 + city 3);
    ``prefecture`` and ``city`` are romanised like real certificates
    (``Tokyo-to``, ``Kiyose-shi``).
    """

    code: str
    prefecture: str
    city: str


#: A municipality that does not exist: prefecture code 99 is unassigned.
MOCK_MUNICIPALITY: Final = Municipality(code="99999", prefecture="Kaku-ken", city="Mihon-shi")

# -- eras and dates ----------------------------------------------------------

# First day of each era (Gregorian), newest first.
_ERAS: Final[tuple[tuple[date, str], ...]] = (
    (date(2019, 5, 1), "5"),  # 令和
    (date(1989, 1, 8), "4"),  # 平成
    (date(1926, 12, 25), "3"),  # 昭和
    (date(1912, 7, 30), "2"),  # 大正
    (date(1868, 10, 23), "1"),  # 明治 (proclaimed 1868-10-23)
)


def encode_birth_date(d: date) -> str:
    """``EYYYYMMDD``: era digit (1 明治 … 5 令和) and the Gregorian date, as in the certificate.

    >>> encode_birth_date(date(1990, 4, 1))
    '419900401'
    """
    for start, digit in _ERAS:
        if d >= start:
            return f"{digit}{d:%Y%m%d}"
    raise ValueError(f"{d} is before the Meiji era; JPKI has no era digit for it")


#: The default fictional holder.
DEFAULT_HOLDER: Final = Holder()


def decode_birth_date(value: str) -> date:
    """The date in an ``EYYYYMMDD`` string; ``ValueError`` if malformed, unknown (``0``) or
    if the era digit does not match the date."""
    if not re.fullmatch(r"[0-9]{9}", value):
        raise ValueError(f"not an EYYYYMMDD birth date: {value!r}")
    d = datetime.strptime(value[1:], "%Y%m%d").date()
    if encode_birth_date(d) != value:
        raise ValueError(f"era digit {value[0]!r} does not match {d}")
    return d


def _birthday_in(birth_date: date, year: int) -> date:
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def validity_end(birth_date: date, issued: date) -> datetime:
    """23:59:59 JST on the holder's 5th birthday strictly after the issue date.

    A birthday that falls on the issue date does not count. For a 29 February
    birth date the birthday in a common year is taken to be 28 February
    (Japanese law has a person reach a new age at the end of the day before
    the birthday, i.e. during 28 February; J-LIS's own rule for this case is
    not published). ``issued`` may be a datetime; its JST date is used.
    """
    if isinstance(issued, datetime):
        issued = _aware(issued, "issued").astimezone(JST).date()
    if issued < birth_date:
        raise ValueError(f"issue date {issued} is before the birth date {birth_date}")
    first = _birthday_in(birth_date, issued.year)
    if first <= issued:
        first = _birthday_in(birth_date, issued.year + 1)
    fifth = _birthday_in(birth_date, first.year + 4)
    return datetime.combine(fifth, time(23, 59, 59), JST)


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")
    return value


def _jst_midnight(d: date) -> datetime:
    return datetime.combine(d, time(0, 0, 0), JST)


# -- key pool ----------------------------------------------------------------

KEY_POOL_PATH: Final = Path(__file__).resolve().parent / "data" / "test_keys.pem"
_POOL_HEADER: Final = (
    "# PUBLIC TEST KEYS for the JPKI mock card only. These private keys are published\n"
    "# with the source code: never use them for anything but tests and demos.\n"
)
_PEM_BLOCK: Final = re.compile(
    r"-----BEGIN PRIVATE KEY-----\r?\n.*?-----END PRIVATE KEY-----", re.DOTALL
)

# Pool slots: the demo CA pair, a second CA pair for MockPki.generate(), a
# spare pair, then holder keys two per card (auth, sign).
_DEMO_SIGN_CA_SLOT: Final = 0
_DEMO_AUTH_CA_SLOT: Final = 1
_GENERATE_DEFAULT_OFFSET: Final = 2
_HOLDER_BASE_SLOT: Final = 6

_pool_lock = threading.Lock()
_pool_blocks: list[str] | None = None
_pool_keys: dict[int, rsa.RSAPrivateKey] = {}


def fresh_key() -> rsa.RSAPrivateKey:
    """A newly generated RSA-2048 key (e = 65537); slow (tens to hundreds of ms)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def generate_key_pool(n: int) -> str:
    """The text of a key pool file: a comment header and ``n`` fresh PKCS#8 PEM keys."""
    if n < 1:
        raise ValueError("a key pool needs at least one key")
    parts = [_POOL_HEADER]
    for _ in range(n):
        pem = fresh_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        parts.append(pem.decode("ascii"))
    return "".join(parts)


def _blocks() -> list[str]:
    global _pool_blocks  # noqa: PLW0603 - module-level cache, filled once
    if _pool_blocks is None:
        _pool_blocks = _PEM_BLOCK.findall(KEY_POOL_PATH.read_text(encoding="ascii"))
    return _pool_blocks


def pool_size() -> int:
    """How many keys the shipped pool holds."""
    with _pool_lock:
        return len(_blocks())


def pool_key(i: int) -> rsa.RSAPrivateKey:
    """Key ``i`` of the shipped test-key pool, parsed on first use and cached."""
    with _pool_lock:
        key = _pool_keys.get(i)
        if key is not None:
            return key
        blocks = _blocks()
        if not 0 <= i < len(blocks):
            raise IndexError(f"test key pool has {len(blocks)} keys; no key {i}")
        loaded = serialization.load_pem_private_key(
            blocks[i].encode("ascii"), password=None, unsafe_skip_rsa_key_validation=True
        )
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise TypeError(f"test key {i} is not an RSA key")
        _pool_keys[i] = loaded
        return loaded


# -- credentials -------------------------------------------------------------


def _key_matches(key: rsa.RSAPrivateKey, cert: x509.Certificate) -> bool:
    public = cert.public_key()
    return (
        isinstance(public, rsa.RSAPublicKey)
        and public.public_numbers() == key.public_key().public_numbers()
    )


def _key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _load_key(pem: str, what: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(
        pem.encode("ascii"), password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{what} is not an RSA private key")
    return key


@dataclass(frozen=True)
class CardCredentials:
    """The keys and certificates one card carries (JPKI AP EFs 0001/0002/000A/000B and keys)."""

    auth_key: rsa.RSAPrivateKey
    auth_cert: x509.Certificate
    sign_key: rsa.RSAPrivateKey
    sign_cert: x509.Certificate
    auth_ca_cert: x509.Certificate
    sign_ca_cert: x509.Certificate

    def __post_init__(self) -> None:
        if not _key_matches(self.auth_key, self.auth_cert):
            raise ValueError("auth_key does not belong to auth_cert")
        if not _key_matches(self.sign_key, self.sign_cert):
            raise ValueError("sign_key does not belong to sign_cert")

    def to_json_dict(self) -> dict[str, str]:
        """PEM strings (keys unencrypted PKCS#8) for the mock card's state file."""
        return {
            "auth_key": _key_pem(self.auth_key),
            "auth_cert": _cert_pem(self.auth_cert),
            "sign_key": _key_pem(self.sign_key),
            "sign_cert": _cert_pem(self.sign_cert),
            "auth_ca_cert": _cert_pem(self.auth_ca_cert),
            "sign_ca_cert": _cert_pem(self.sign_ca_cert),
        }

    @classmethod
    def from_json_dict(cls, d: Mapping[str, str]) -> CardCredentials:
        """Inverse of :meth:`to_json_dict`; ``KeyError``/``ValueError`` on a damaged dict."""

        def cert(name: str) -> x509.Certificate:
            return x509.load_pem_x509_certificate(d[name].encode("ascii"))

        return cls(
            auth_key=_load_key(d["auth_key"], "auth_key"),
            auth_cert=cert("auth_cert"),
            sign_key=_load_key(d["sign_key"], "sign_key"),
            sign_cert=cert("sign_cert"),
            auth_ca_cert=cert("auth_ca_cert"),
            sign_ca_cert=cert("sign_ca_cert"),
        )


# -- certificate building ----------------------------------------------------


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


def _random_serial() -> int:
    return 1 + secrets.randbelow(2**63 - 1)


def _ski(cert: x509.Certificate) -> x509.SubjectKeyIdentifier:
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


def _build_ca(
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


_demo_lock = threading.Lock()
_demo: MockPki | None = None


@dataclass(frozen=True, eq=False)
class MockPki:
    """A pair of self-signed mock CAs: one issues signature certs, one user-auth certs."""

    organisation: str
    sign_ca_key: rsa.RSAPrivateKey
    sign_ca_cert: x509.Certificate
    auth_ca_key: rsa.RSAPrivateKey
    auth_ca_cert: x509.Certificate

    def __post_init__(self) -> None:
        if self.organisation in _REAL_ORGANISATIONS:
            raise ValueError(f"the mock PKI must not call itself {self.organisation!r}")
        if not _key_matches(self.sign_ca_key, self.sign_ca_cert):
            raise ValueError("sign_ca_key does not belong to sign_ca_cert")
        if not _key_matches(self.auth_ca_key, self.auth_ca_cert):
            raise ValueError("auth_ca_key does not belong to auth_ca_cert")

    # -- construction ------------------------------------------------------

    @classmethod
    def create(
        cls,
        organisation: str,
        sign_ca_key: rsa.RSAPrivateKey,
        auth_ca_key: rsa.RSAPrivateKey,
        *,
        sign_serial: int | None = None,
        auth_serial: int | None = None,
        not_before: datetime = DEMO_CA_NOT_BEFORE,
        not_after: datetime = DEMO_CA_NOT_AFTER,
    ) -> MockPki:
        """A PKI with self-signed CA certs for the given keys (random serials unless given)."""
        if organisation in _REAL_ORGANISATIONS:
            raise ValueError(f"the mock PKI must not call itself {organisation!r}")
        return cls(
            organisation=organisation,
            sign_ca_key=sign_ca_key,
            sign_ca_cert=_build_ca(
                organisation=organisation,
                purpose=OU_SIGN,
                key=sign_ca_key,
                serial=sign_serial if sign_serial is not None else _random_serial(),
                not_before=not_before,
                not_after=not_after,
            ),
            auth_ca_key=auth_ca_key,
            auth_ca_cert=_build_ca(
                organisation=organisation,
                purpose=OU_AUTH,
                key=auth_ca_key,
                serial=auth_serial if auth_serial is not None else _random_serial(),
                not_before=not_before,
                not_after=not_after,
            ),
        )

    @classmethod
    def demo(cls) -> MockPki:
        """The fixed demo PKI: pool keys 0/1, fixed serials and validity, so its CA
        certificates are byte-identical in every process. Built once and cached."""
        global _demo  # noqa: PLW0603 - process-wide cache of an immutable object
        with _demo_lock:
            if _demo is None:
                _demo = cls.create(
                    DEMO_ORGANISATION,
                    pool_key(_DEMO_SIGN_CA_SLOT),
                    pool_key(_DEMO_AUTH_CA_SLOT),
                    sign_serial=_DEMO_SIGN_CA_SERIAL,
                    auth_serial=_DEMO_AUTH_CA_SERIAL,
                )
            return _demo

    @classmethod
    def generate(
        cls,
        organisation: str = DEMO_ORGANISATION,
        key_offset: int | None = _GENERATE_DEFAULT_OFFSET,
    ) -> MockPki:
        """Another CA pair, unrelated to :meth:`demo` (for "untrusted root" tests).

        By default it has the *same* names as the demo PKI but other keys
        (pool slots ``key_offset`` and ``key_offset + 1``; offsets 2 and 4 are
        free for this, higher slots hold the holder keys) and random serials,
        like a later J-LIS root generation: only the signature tells the two
        apart. ``key_offset=None`` uses fresh keys (slow).
        """
        if key_offset is None:
            sign_key, auth_key = fresh_key(), fresh_key()
        else:
            if {key_offset, key_offset + 1} & {_DEMO_SIGN_CA_SLOT, _DEMO_AUTH_CA_SLOT}:
                raise ValueError("key_offset would reuse the demo CA keys")
            sign_key, auth_key = pool_key(key_offset), pool_key(key_offset + 1)
        return cls.create(organisation, sign_key, auth_key)

    @classmethod
    def generation_02(cls) -> MockPki:
        """A CA pair shaped like J-LIS's generation 02 roots: their serials (``0132C4AB``
        signature, ``0133C349`` authentication) and validity (2019-09-14 → 2029-09-14),
        the mock's names and keys (pool slots 2 and 3, as :meth:`generate`). Tests pin it
        in place of the real roots to exercise the pin logic (docs/card.md, "Trust")."""
        return cls.create(
            DEMO_ORGANISATION,
            pool_key(_GENERATE_DEFAULT_OFFSET),
            pool_key(_GENERATE_DEFAULT_OFFSET + 1),
            sign_serial=0x0132C4AB,
            auth_serial=0x0133C349,
            not_before=GEN02_NOT_BEFORE,
            not_after=GEN02_NOT_AFTER,
        )

    # -- issuing -----------------------------------------------------------

    def _ca(self, kind: Literal["sign", "auth"]) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        if kind == "sign":
            return self.sign_ca_key, self.sign_ca_cert
        if kind == "auth":
            return self.auth_ca_key, self.auth_ca_cert
        raise ValueError(f"kind must be 'sign' or 'auth', not {kind!r}")

    def _crl_dp(self, purpose: str, municipality: Municipality) -> x509.CRLDistributionPoints:
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organisation),
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

    def _leaf(
        self,
        *,
        kind: Literal["sign", "auth"],
        subject: x509.Name,
        key: rsa.RSAPrivateKey,
        not_before: datetime,
        not_after: datetime,
        municipality: Municipality,
        san: x509.SubjectAlternativeName | None,
    ) -> x509.Certificate:
        ca_key, ca_cert = self._ca(kind)
        serial = _random_serial()

        def build(padding: int) -> x509.Certificate:
            return self._build_leaf(
                kind=kind,
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
        self,
        *,
        kind: Literal["sign", "auth"],
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
            .add_extension(self._crl_dp(OU_SIGN if sign else OU_AUTH, municipality), critical=False)
            .add_extension(access, critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(ca_cert)),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        return builder.sign(ca_key, hashes.SHA256())

    def issue_card(
        self,
        holder: Holder = DEFAULT_HOLDER,
        *,
        issued: datetime | None = None,
        profile: CardProfile = CardProfile.VALID,
        now: datetime | None = None,
        key_index: int | None = 0,
        municipality: Municipality = MOCK_MUNICIPALITY,
    ) -> CardCredentials:
        """Keys and certificates for one card.

        ``issued`` (notBefore) defaults by ``profile``, relative to ``now``
        (default: the current time):

        * VALID / REVOKED: 00:00 JST, 30 days before now's UTC date;
        * EXPIRED: 00:00 JST, 6 × 366 days before now's UTC date, so the
          5-year validity has run out;
        * NOT_YET_VALID: 00:00 JST, 30 days after now's UTC date.

        notAfter is :func:`validity_end`. ``ValueError`` if the dates do not
        fit the profile (e.g. an explicit ``issued`` that makes a VALID card
        expired, or an EXPIRED card for someone born after the default issue
        date). A REVOKED card is a valid one; :meth:`revocation_crls` lists it.

        ``key_index`` picks the holder keys from the pool (``0``–``4``, two
        keys per card; the same index always gives the same keys, so two cards
        with one index share keys); ``None`` generates fresh keys (slow).
        """
        now_utc = datetime.now(UTC) if now is None else _aware(now, "now").astimezone(UTC)
        profile = CardProfile(profile)
        if issued is None:
            today = now_utc.date()
            if profile is CardProfile.EXPIRED:
                issued = _jst_midnight(today - timedelta(days=6 * 366))
            elif profile is CardProfile.NOT_YET_VALID:
                issued = _jst_midnight(today + timedelta(days=30))
            else:
                issued = _jst_midnight(today - timedelta(days=30))
        not_before = _aware(issued, "issued").replace(microsecond=0)
        not_after = validity_end(holder.birth_date, not_before.astimezone(JST).date())
        _check_profile(profile, not_before, not_after, now_utc)

        if key_index is None:
            auth_key, sign_key = fresh_key(), fresh_key()
        else:
            if key_index < 0:
                raise ValueError("key_index must be >= 0 (or None for fresh keys)")
            auth_key = pool_key(_HOLDER_BASE_SLOT + 2 * key_index)
            sign_key = pool_key(_HOLDER_BASE_SLOT + 2 * key_index + 1)

        auth_subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.COMMON_NAME, _card_id(municipality)),
            ]
        )
        sign_subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.LOCALITY_NAME, municipality.prefecture),
                x509.NameAttribute(NameOID.LOCALITY_NAME, municipality.city),
                x509.NameAttribute(NameOID.COMMON_NAME, _card_id(municipality)),
            ]
        )
        # Order as on a real card: name, birth date, sex, address, name flags, address flags.
        san = x509.SubjectAlternativeName(
            [
                _other_name(OID_NAME, holder.name),
                _other_name(OID_BIRTH_DATE, holder.birth_date_code),
                _other_name(OID_SEX, holder.sex.value),
                _other_name(OID_ADDRESS, holder.address),
                _other_name(OID_NAME_FLAGS, holder.name_flags),
                _other_name(OID_ADDRESS_FLAGS, holder.address_flags),
            ]
        )
        auth_cert = self._leaf(
            kind="auth",
            subject=auth_subject,
            key=auth_key,
            municipality=municipality,
            san=None,
            not_before=not_before,
            not_after=not_after,
        )
        sign_cert = self._leaf(
            kind="sign",
            subject=sign_subject,
            key=sign_key,
            municipality=municipality,
            san=san,
            not_before=not_before,
            not_after=not_after,
        )
        return CardCredentials(
            auth_key=auth_key,
            auth_cert=auth_cert,
            sign_key=sign_key,
            sign_cert=sign_cert,
            auth_ca_cert=self.auth_ca_cert,
            sign_ca_cert=self.sign_ca_cert,
        )

    # -- revocation --------------------------------------------------------

    def crl(
        self,
        kind: Literal["sign", "auth"],
        revoked: Sequence[tuple[int, datetime]] = (),
        *,
        this_update: datetime | None = None,
        next_update: datetime | None = None,
    ) -> x509.CertificateRevocationList:
        """A full CRL of the ``kind`` CA listing ``(serial, revocation date)`` pairs.

        ``this_update`` defaults to now, ``next_update`` to a day later. The
        CRL carries an authority key identifier and a CRL number (the
        thisUpdate time in seconds, so later CRLs have larger numbers).
        """
        ca_key, ca_cert = self._ca(kind)
        this = datetime.now(UTC) if this_update is None else _aware(this_update, "this_update")
        this = this.astimezone(UTC).replace(microsecond=0)
        if next_update is None:
            next_update = this + timedelta(days=1)
        nxt = _aware(next_update, "next_update")
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_cert.subject)
            .last_update(this)
            .next_update(nxt.astimezone(UTC))
        )
        for serial, when in revoked:
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(_aware(when, "revocation date").astimezone(UTC))
                .build()
            )
            builder = builder.add_revoked_certificate(entry)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(ca_cert)),
            critical=False,
        ).add_extension(x509.CRLNumber(max(0, int(this.timestamp()))), critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    def revocation_crls(
        self, creds: CardCredentials, *, now: datetime | None = None
    ) -> tuple[x509.CertificateRevocationList, x509.CertificateRevocationList]:
        """``(sign CRL, auth CRL)``, each listing the card's certificate as revoked at ``now``."""
        try:
            creds.sign_cert.verify_directly_issued_by(self.sign_ca_cert)
            creds.auth_cert.verify_directly_issued_by(self.auth_ca_cert)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise ValueError("these credentials were not issued by this PKI") from exc
        when = datetime.now(UTC) if now is None else _aware(now, "now").astimezone(UTC)
        when = when.replace(microsecond=0)
        return (
            self.crl("sign", [(creds.sign_cert.serial_number, when)], this_update=when),
            self.crl("auth", [(creds.auth_cert.serial_number, when)], this_update=when),
        )


def _check_profile(
    profile: CardProfile, not_before: datetime, not_after: datetime, now: datetime
) -> None:
    if profile is CardProfile.EXPIRED:
        ok = not_after < now
    elif profile is CardProfile.NOT_YET_VALID:
        ok = now < not_before
    else:
        ok = not_before <= now <= not_after
    if not ok:
        raise ValueError(
            f"a {profile.value} card cannot run {not_before.isoformat()} .. "
            f"{not_after.isoformat()} when now is {now.isoformat()}"
        )
