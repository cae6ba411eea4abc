"""Facts about one certificate, parsed once and cached (keyed by its DER), and the pool of
certificates a chain is built from: the issuer is found by key identifier and proved by
its signature, never by name alone."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Final, Generic, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtensionOID, NameOID

__all__ = [
    "PARSE_ERRORS",
    "BoundedCache",
    "Facts",
    "NameKey",
    "Pool",
    "facts_of",
    "jpki_generation",
    "name_key",
    "verifies",
]

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class BoundedCache(Generic[_K, _V]):
    """A dict that forgets its oldest entries beyond ``size`` (thread-safe)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: dict[_K, _V] = {}
        self._lock = threading.Lock()

    def get(self, key: _K) -> _V | None:
        return self._data.get(key)

    def put(self, key: _K, value: _V) -> None:
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._size:
                del self._data[next(iter(self._data))]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


# -- facts about one certificate (pure functions of its DER; cached) -------------------

HANDLED_CRITICAL: Final = frozenset(
    {
        ExtensionOID.KEY_USAGE,
        ExtensionOID.BASIC_CONSTRAINTS,
        ExtensionOID.CERTIFICATE_POLICIES,
        ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
        ExtensionOID.EXTENDED_KEY_USAGE,
    }
)


NEVER: Final = datetime.min.replace(tzinfo=UTC)

NameKey = tuple[tuple[tuple[str, str], ...], ...]


def name_key(name: x509.Name) -> NameKey:
    """A name for matching a CRL to its issuer whatever the string types: attribute OIDs
    and values with white space collapsed and case folded (RFC 5280 7.1, simplified)."""
    return tuple(
        tuple(
            sorted(
                (
                    a.oid.dotted_string,
                    " ".join(a.value.split()).casefold()
                    if isinstance(a.value, str)
                    else a.value.hex(),
                )
                for a in rdn
            )
        )
        for rdn in name.rdns
    )


@dataclass(eq=False)
class Facts:
    cert: x509.Certificate
    fp: bytes
    error: str | None
    subject_der: bytes = b""
    issuer_der: bytes = b""
    serial: int = 0
    not_before: datetime = NEVER
    not_after: datetime = NEVER
    key_usage: x509.KeyUsage | None = None
    is_ca: bool = False
    aki: bytes | None = None
    ski: bytes | None = None
    crl_dps: tuple[x509.DistributionPoint, ...] = ()
    #: A critical extension this module does not process (the certificate cannot be
    #: validated; as a trust anchor it is still usable).
    unhandled: str | None = None
    # issuer fingerprint -> does this certificate's signature verify with its key?
    signed_by: dict[bytes, bool] = field(default_factory=dict)

    @property
    def problem(self) -> str | None:
        return self.error or self.unhandled

    @cached_property
    def subject_key(self) -> NameKey:
        return name_key(self.cert.subject)

    @property
    def can_sign_certs(self) -> bool:
        return self.key_usage is None or self.key_usage.key_cert_sign

    @cached_property
    def generation(self) -> str:
        return jpki_generation(self.cert)

    @cached_property
    def root_label(self) -> str:
        """``'JPKI, JPKI for digital signature' (generation 2023)``."""
        subject = self.cert.subject
        parts = [
            a.value
            for oid in (NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME)
            for a in subject.get_attributes_for_oid(oid)[:1]
            if isinstance(a.value, str)
        ]
        name = ", ".join(parts) or subject.rfc4514_string()
        return f"'{name}' (generation {self.generation})"

    @property
    def label(self) -> str:
        ku = self.key_usage
        if self.is_ca:
            return "CA certificate"
        if ku is not None and ku.digital_signature and ku.content_commitment:
            return "signature certificate"
        if ku is not None and ku.digital_signature:
            return "user-authentication certificate"
        return "certificate"


_facts_cache: BoundedCache[x509.Certificate, Facts] = BoundedCache(4096)

PARSE_ERRORS: Final = (ValueError, TypeError, x509.DuplicateExtension, UnsupportedAlgorithm)


def facts_of(cert: x509.Certificate) -> Facts:
    if not isinstance(cert, x509.Certificate):
        raise TypeError(f"expected a cryptography x509.Certificate, got {type(cert).__name__}")
    found = _facts_cache.get(cert)
    if found is None:
        found = _parse_facts(cert)
        _facts_cache.put(cert, found)
    return found


def _parse_facts(cert: x509.Certificate) -> Facts:
    fp = cert.fingerprint(hashes.SHA256())
    try:
        facts = Facts(
            cert=cert,
            fp=fp,
            error=None,
            subject_der=cert.subject.public_bytes(),
            issuer_der=cert.issuer.public_bytes(),
            serial=cert.serial_number,
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )
        exts = cert.extensions
        for ext in exts:
            value = ext.value
            if isinstance(value, x509.KeyUsage):
                facts.key_usage = value
            elif isinstance(value, x509.BasicConstraints):
                facts.is_ca = value.ca
            elif isinstance(value, x509.AuthorityKeyIdentifier):
                facts.aki = value.key_identifier
            elif isinstance(value, x509.SubjectKeyIdentifier):
                facts.ski = value.digest
            elif isinstance(value, x509.CRLDistributionPoints):
                facts.crl_dps = tuple(value)
            elif ext.critical and ext.oid not in HANDLED_CRITICAL and facts.unhandled is None:
                facts.unhandled = f"unsupported critical extension {ext.oid.dotted_string}"
        if cert.version is not x509.Version.v3 and exts:
            return Facts(cert=cert, fp=fp, error="extensions in a version 1 certificate")
    except PARSE_ERRORS as exc:
        return Facts(cert=cert, fp=fp, error=f"cannot be parsed ({exc})")
    return facts


def verifies(child: Facts, issuer: Facts) -> bool:
    """Whether ``child``'s signature verifies with ``issuer``'s key (and names chain)."""
    ok = child.signed_by.get(issuer.fp)
    if ok is None:
        try:
            child.cert.verify_directly_issued_by(issuer.cert)
            ok = True
        except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
            ok = False
        child.signed_by[issuer.fp] = ok
    return ok


class Pool:
    """Certificates indexed by subject key identifier and by subject name."""

    def __init__(self, facts: Iterable[Facts]) -> None:
        self.by_ski: dict[bytes, list[Facts]] = {}
        self.by_name: dict[bytes, list[Facts]] = {}
        self.fps: set[bytes] = set()
        self.items: list[Facts] = []
        for f in facts:
            if f.fp in self.fps:
                continue
            self.fps.add(f.fp)
            self.items.append(f)
            if f.ski is not None:
                self.by_ski.setdefault(f.ski, []).append(f)
            self.by_name.setdefault(f.subject_der, []).append(f)

    def issuer_of(self, child: Facts) -> tuple[Facts | None, Facts | None]:
        """``(issuer, claimed)``: the certificate whose key verifies ``child``'s signature,
        else ``None`` and the one ``child`` claims by key identifier (whose key failed)."""
        same_name = self.by_name.get(child.issuer_der, ())
        if child.aki is not None:
            claimed = [
                f for f in self.by_ski.get(child.aki, ()) if f.subject_der == child.issuer_der
            ]
        else:
            claimed = list(same_name)
        for f in claimed:
            if verifies(child, f):
                return f, None
        # The key identifier is only a hint; a verifying signature is proof. Try the
        # remaining certificates of the issuer's name (never accepting the name alone).
        for f in same_name:
            if f not in claimed and verifies(child, f):
                return f, None
        return None, (claimed[0] if claimed else None)


def jpki_generation(anchor: x509.Certificate) -> str:
    """The root's generation: the year its validity starts (``"2015"``, ``"2023"``)."""
    return str(anchor.not_valid_before_utc.year)
