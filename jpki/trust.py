"""Offline validation of JPKI certificates: pinned J-LIS roots and CRL files given to us.

>>> store = TrustStore.production()                       # the four J-LIS roots
>>> crls = CrlStore.from_paths(["/path/to/crls"])         # doctest: +SKIP
>>> result = store.validate(cert, purpose=Purpose.SIGNATURE, crls=crls)  # doctest: +SKIP
>>> result.valid, result.reason, result.message            # doctest: +SKIP

How a certificate is judged (RFC 5280 path validation, cut down to what JPKI
needs):

* **chain** — the issuer is found by key identifier (AKI = SKI) and proved by
  verifying the signature, never by name alone: the 2015 and 2023 J-LIS roots
  share one subject name. JPKI roots issue holder certificates directly; one
  level of ``intermediates`` is also supported.
* **validity** — every certificate in the path, the trust anchor included,
  must be valid at ``at`` (default: now). Bounds are inclusive.
* **key usage** — :attr:`Purpose.SIGNATURE` needs digitalSignature and
  nonRepudiation (the signature certificate); :attr:`Purpose.AUTHENTICATION`
  needs digitalSignature without nonRepudiation (the user-authentication
  certificate). A CA certificate is never accepted as a holder certificate.
* **revocation** — from CRL files given to us (:class:`CrlStore`), offline.
  Only a CRL whose signature verifies with the issuer's key counts. The newest
  such CRL covering the certificate decides. See :class:`RevocationPolicy`.

When several checks fail the reason reported follows this precedence:
malformed > untrusted > bad signature > validity > key usage > revocation;
:attr:`ValidationResult.checks` shows every check's outcome.

Speed: facts parsed from a certificate (extensions, names, times) and
signature results are cached per certificate (keyed by its DER), and a CRL's
signature is verified once per issuer key and its serials indexed in a dict
when first used. Times and revocation are evaluated on every call.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, StrEnum
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final, Generic, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import CRLEntryExtensionOID, ExtensionOID, NameOID

from .errors import JpkiError
from .timeutil import jst_text, utc
from .verdict import TRUST_CHECKS, Reason

__all__ = [
    "PRODUCTION_ROOTS",
    "CrlStore",
    "Purpose",
    "Reason",
    "RevocationPolicy",
    "TrustDataError",
    "TrustStore",
    "ValidationResult",
    "jpki_generation",
]

#: The J-LIS roots shipped in ``jpki/data`` and their pinned SHA-256 fingerprints
#: (JPKI.md, "Certificate profile"). :meth:`TrustStore.production` refuses a file
#: whose fingerprint differs.
PRODUCTION_ROOTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "sign_ca_2015.pem": "196454 05A1FE14 377434BD 55957628 AC403855 7C542403 A2243F21 C706FC93 55",
        "auth_ca_2015.pem": "4DCFC4 CA0AAF9F B2A3081B 3F0C991C 320B3ACC 008667A3 41EEAEC5 AF1D58CA 7D",
        "sign_ca_2023.pem": "D227F6 CDE11D35 C5252178 F106F843 D2465194 4975413B 539FA2FB 68DBFA36 5F",
        "auth_ca_2023.pem": "64114F 29620C24 ED2631D4 6476A040 E7EE740D 956089C0 0B036A6A 8118C322 B5",
    }
)


class TrustDataError(JpkiError, ValueError):
    """A trust-anchor or CRL file (or object) cannot be used; ``source`` names it."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class RevocationPolicy(StrEnum):
    """What to do about revocation.

    * ``REQUIRE`` — a usable CRL covering the certificate must be given, else
      the result is invalid (:attr:`Reason.NO_CRL`).
    * ``IF_AVAILABLE`` — check with a CRL if one for the issuer was given;
      with none, the certificate can still be valid and the result says
      plainly that revocation was not checked. A CRL that was given but is
      stale or wrongly signed is an error (:attr:`Reason.CRL_STALE`,
      :attr:`Reason.CRL_BAD_SIGNATURE`): it is never silently skipped.
    * ``OFF`` — do not look at CRLs at all.
    """

    REQUIRE = "require"
    IF_AVAILABLE = "if-available"
    OFF = "off"


class Purpose(Enum):
    """What the certificate's key is being used for."""

    SIGNATURE = "signature"
    """A signature (署名用電子証明書): keyUsage digitalSignature + nonRepudiation."""
    AUTHENTICATION = "authentication"
    """A login (利用者証明用電子証明書): keyUsage digitalSignature, no nonRepudiation."""


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of :meth:`TrustStore.validate`.

    ``checks`` maps each check (``format``, ``chain``, ``signature``,
    ``validity``, ``key_usage``, ``revocation``) to its outcome, a string that
    starts with ``ok``, ``failed:``, ``skipped:`` or ``not checked:``.
    ``revocation`` is ``"good"``, ``"revoked"`` or ``"not checked: <why>"``.
    ``anchor`` and ``issuer_generation`` are set only when a trusted path was
    found (also when the certificate fails a later check, e.g. expiry).
    """

    valid: bool
    reason: Reason | None
    message: str
    certificate: x509.Certificate
    anchor: x509.Certificate | None
    issuer_generation: str | None
    revocation_checked: bool
    revocation: str
    checks: Mapping[str, str]
    revoked_at: datetime | None = None
    #: The path from the certificate to the anchor (empty if none was found).
    chain: tuple[x509.Certificate, ...] = ()
    #: The validation time used (aware, UTC).
    at: datetime | None = None


def jpki_generation(anchor: x509.Certificate) -> str:
    """The root's generation: the year its validity starts (``"2015"``, ``"2023"``)."""
    return str(anchor.not_valid_before_utc.year)


# -- small helpers -----------------------------------------------------------------


def _utc(at: datetime | None) -> datetime:
    return utc(at, "the validation time")


def _fp_hex(fp: bytes) -> str:
    return fp.hex().upper()


_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class _BoundedCache(Generic[_K, _V]):
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

_HANDLED_CRITICAL: Final = frozenset(
    {
        ExtensionOID.KEY_USAGE,
        ExtensionOID.BASIC_CONSTRAINTS,
        ExtensionOID.CERTIFICATE_POLICIES,
        ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
        ExtensionOID.EXTENDED_KEY_USAGE,
    }
)


_NEVER: Final = datetime.min.replace(tzinfo=UTC)

_NameKey = tuple[tuple[tuple[str, str], ...], ...]


def _name_key(name: x509.Name) -> _NameKey:
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
class _Facts:
    cert: x509.Certificate
    fp: bytes
    error: str | None
    subject_der: bytes = b""
    issuer_der: bytes = b""
    serial: int = 0
    not_before: datetime = _NEVER
    not_after: datetime = _NEVER
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
    def subject_key(self) -> _NameKey:
        return _name_key(self.cert.subject)

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


_facts_cache: _BoundedCache[x509.Certificate, _Facts] = _BoundedCache(4096)

_PARSE_ERRORS: Final = (ValueError, TypeError, x509.DuplicateExtension, UnsupportedAlgorithm)


def _facts(cert: x509.Certificate) -> _Facts:
    if not isinstance(cert, x509.Certificate):
        raise TypeError(f"expected a cryptography x509.Certificate, got {type(cert).__name__}")
    found = _facts_cache.get(cert)
    if found is None:
        found = _parse_facts(cert)
        _facts_cache.put(cert, found)
    return found


def _parse_facts(cert: x509.Certificate) -> _Facts:
    fp = cert.fingerprint(hashes.SHA256())
    try:
        facts = _Facts(
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
            elif ext.critical and ext.oid not in _HANDLED_CRITICAL and facts.unhandled is None:
                facts.unhandled = f"unsupported critical extension {ext.oid.dotted_string}"
        if cert.version is not x509.Version.v3 and exts:
            return _Facts(cert=cert, fp=fp, error="extensions in a version 1 certificate")
    except _PARSE_ERRORS as exc:
        return _Facts(cert=cert, fp=fp, error=f"cannot be parsed ({exc})")
    return facts


def _verifies(child: _Facts, issuer: _Facts) -> bool:
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


class _Pool:
    """Certificates indexed by subject key identifier and by subject name."""

    def __init__(self, facts: Iterable[_Facts]) -> None:
        self.by_ski: dict[bytes, list[_Facts]] = {}
        self.by_name: dict[bytes, list[_Facts]] = {}
        self.fps: set[bytes] = set()
        self.items: list[_Facts] = []
        for f in facts:
            if f.fp in self.fps:
                continue
            self.fps.add(f.fp)
            self.items.append(f)
            if f.ski is not None:
                self.by_ski.setdefault(f.ski, []).append(f)
            self.by_name.setdefault(f.subject_der, []).append(f)

    def issuer_of(self, child: _Facts) -> tuple[_Facts | None, _Facts | None]:
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
            if _verifies(child, f):
                return f, None
        # The key identifier is only a hint; a verifying signature is proof. Try the
        # remaining certificates of the issuer's name (never accepting the name alone).
        for f in same_name:
            if f not in claimed and _verifies(child, f):
                return f, None
        return None, (claimed[0] if claimed else None)


# -- CRLs ----------------------------------------------------------------------------

_PEM_RE: Final = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?-----END \1-----", re.DOTALL)
_HANDLED_CRL_CRITICAL: Final = frozenset(
    {ExtensionOID.ISSUING_DISTRIBUTION_POINT, ExtensionOID.DELTA_CRL_INDICATOR}
)


class _LoadedCrl:
    """One CRL with what validation needs, parsed once."""

    def __init__(self, crl: x509.CertificateRevocationList, source: str) -> None:
        self.crl = crl
        self.source = source
        self.this_update = crl.last_update_utc
        self.this_update_text = jst_text(self.this_update)
        self.next_update = crl.next_update_utc
        self.aki: bytes | None = None
        self.number = -1
        self.idp: x509.IssuingDistributionPoint | None = None
        self.unusable: str | None = None
        try:
            self.issuer_key = _name_key(crl.issuer)
            for ext in crl.extensions:
                value = ext.value
                if isinstance(value, x509.AuthorityKeyIdentifier):
                    self.aki = value.key_identifier
                elif isinstance(value, x509.CRLNumber):
                    self.number = value.crl_number
                elif isinstance(value, x509.IssuingDistributionPoint):
                    self.idp = value
                elif isinstance(value, x509.DeltaCRLIndicator):
                    self.unusable = "it is a delta CRL (only full CRLs are supported)"
                elif ext.critical and ext.oid not in _HANDLED_CRL_CRITICAL:
                    self.unusable = f"unsupported critical extension {ext.oid.dotted_string}"
        except _PARSE_ERRORS as exc:
            raise TrustDataError(source, f"the CRL cannot be parsed ({exc})") from exc
        self._signed_by: dict[bytes, bool] = {}
        self._serials: dict[int, x509.RevokedCertificate] | None = None
        self._lock = threading.Lock()

    def signed_by(self, issuer: _Facts) -> bool:
        ok = self._signed_by.get(issuer.fp)
        if ok is None:
            try:
                ok = self.crl.is_signature_valid(issuer.cert.public_key())  # type: ignore[arg-type]
            except (ValueError, TypeError, UnsupportedAlgorithm):
                ok = False
            self._signed_by[issuer.fp] = ok
        return ok

    def lookup(self, serial: int) -> x509.RevokedCertificate | None:
        serials = self._serials
        if serials is None:
            with self._lock:
                serials = self._serials
                if serials is None:
                    serials = {entry.serial_number: entry for entry in self.crl}
                    self._serials = serials
        return serials.get(serial)

    def covers(self, cert: _Facts) -> str | None:
        """``None`` if this CRL's scope includes ``cert``, else why not."""
        if self.unusable is not None:
            return self.unusable
        idp = self.idp
        if idp is None:
            return None
        if idp.indirect_crl:
            return "it is an indirect CRL (not supported)"
        if idp.only_contains_attribute_certs:
            return "it lists attribute certificates only"
        if idp.only_some_reasons is not None:
            return "it covers only some revocation reasons"
        if idp.only_contains_ca_certs and not cert.is_ca:
            return "it lists CA certificates only"
        if idp.only_contains_user_certs and cert.is_ca:
            return "it lists end-entity certificates only"
        if idp.full_name is None and idp.relative_name is None:
            return None
        for dp in cert.crl_dps:
            if idp.full_name is not None and dp.full_name is not None:
                if set(idp.full_name) & set(dp.full_name):
                    return None
            elif (
                idp.relative_name is not None
                and dp.relative_name is not None
                and idp.relative_name == dp.relative_name
            ):
                return None
        return "it is for another distribution point (a partitioned CRL)"


class CrlStore:
    """CRLs given to us (offline), indexed by issuer name.

    Loading checks only that each CRL parses; a CRL's signature is checked
    against a certificate's issuer the first time it is used, and the result
    remembered.
    """

    def __init__(self, crls: Iterable[_LoadedCrl] = ()) -> None:
        self._by_issuer: dict[_NameKey, list[_LoadedCrl]] = {}
        self._count = 0
        for loaded in crls:
            self._by_issuer.setdefault(loaded.issuer_key, []).append(loaded)
            self._count += 1

    @classmethod
    def from_crls(cls, crls: Iterable[x509.CertificateRevocationList]) -> CrlStore:
        """A store of CRL objects (``TrustDataError`` if one's extensions cannot be parsed)."""
        loaded = []
        for i, crl in enumerate(crls):
            if not isinstance(crl, x509.CertificateRevocationList):
                raise TypeError(f"expected CertificateRevocationList, got {type(crl).__name__}")
            loaded.append(_LoadedCrl(crl, f"CRL #{i + 1}"))
        return cls(loaded)

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path]) -> CrlStore:
        """CRLs from files and directories (each regular, non-hidden file in a directory,
        not recursing); DER or PEM, several PEM CRLs per file allowed.

        ``TrustDataError`` names the file that is missing, unreadable or holds no CRL.
        """
        loaded = []
        for path, data in _read_files(paths, what="CRL"):
            for i, crl in enumerate(_parse_crls(path, data)):
                source = str(path) if i == 0 else f"{path} (CRL {i + 1})"
                loaded.append(_LoadedCrl(crl, source))
        return cls(loaded)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[x509.CertificateRevocationList]:
        for crls in self._by_issuer.values():
            for loaded in crls:
                yield loaded.crl

    def __repr__(self) -> str:
        return f"<CrlStore: {self._count} CRL(s)>"

    def _for_issuer(self, issuer: _Facts) -> Sequence[_LoadedCrl]:
        return self._by_issuer.get(issuer.subject_key, ())


def _read_files(paths: Iterable[str | Path], *, what: str) -> Iterator[tuple[Path, bytes]]:
    if isinstance(paths, str | Path):
        paths = [paths]
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            try:
                children = sorted(path.iterdir())
            except OSError as exc:
                raise TrustDataError(
                    str(path), f"cannot list the directory ({exc.strerror})"
                ) from exc
            files = [c for c in children if c.is_file() and not c.name.startswith(".")]
        else:
            files = [path]
        for file in files:
            try:
                data = file.read_bytes()
            except FileNotFoundError as exc:
                raise TrustDataError(str(file), f"no such {what} file") from exc
            except OSError as exc:
                raise TrustDataError(
                    str(file), f"cannot read the {what} file ({exc.strerror})"
                ) from exc
            yield file, data


def _pem_blocks(data: bytes, label: bytes) -> tuple[list[bytes], list[str]]:
    found: list[bytes] = []
    others: list[str] = []
    for m in _PEM_RE.finditer(data):
        if m.group(1) == label:
            found.append(m.group(0))
        else:
            others.append(m.group(1).decode("ascii"))
    return found, others


def _parse_crls(path: Path, data: bytes) -> list[x509.CertificateRevocationList]:
    if b"-----BEGIN" in data:
        blocks, others = _pem_blocks(data, b"X509 CRL")
        if not blocks:
            extra = f" (it holds: {', '.join(sorted(set(others)))})" if others else ""
            raise TrustDataError(str(path), f"no PEM 'X509 CRL' block{extra}")
        out = []
        for i, block in enumerate(blocks):
            try:
                out.append(x509.load_pem_x509_crl(block))
            except ValueError as exc:
                raise TrustDataError(str(path), f"PEM CRL {i + 1} is damaged ({exc})") from exc
        return out
    try:
        return [x509.load_der_x509_crl(data)]
    except ValueError as exc:
        raise TrustDataError(str(path), "neither a DER nor a PEM CRL") from exc


def _parse_certificates(path: str, data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        blocks, others = _pem_blocks(data, b"CERTIFICATE")
        if not blocks:
            extra = f" (it holds: {', '.join(sorted(set(others)))})" if others else ""
            raise TrustDataError(path, f"no PEM 'CERTIFICATE' block{extra}")
        out = []
        for i, block in enumerate(blocks):
            try:
                out.append(x509.load_pem_x509_certificate(block))
            except ValueError as exc:
                raise TrustDataError(path, f"PEM certificate {i + 1} is damaged ({exc})") from exc
        return out
    try:
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise TrustDataError(path, "neither a DER nor a PEM certificate") from exc


# -- revocation outcome ------------------------------------------------------------


@dataclass(frozen=True)
class _Revocation:
    reason: Reason | None  # failure reason, None if no failure
    checked: bool
    summary: str  # "good" | "revoked" | "not checked: ..."
    check: str  # the "revocation" entry of ``checks``
    message: str = ""
    revoked_at: datetime | None = None


def _revocation_of(
    *,
    child: _Facts,
    issuer: _Facts,
    crls: CrlStore | None,
    policy: RevocationPolicy,
    at: datetime,
    issuer_label: str,
) -> _Revocation:
    def not_checked(why: str, *, fail: bool, message: str = "") -> _Revocation:
        if fail:
            return _Revocation(
                Reason.NO_CRL,
                False,
                f"not checked: {why}",
                f"failed: {why}",
                message
                or f"Revocation must be checked but {why}; supply a current CRL of {issuer_label}.",
            )
        return _Revocation(None, False, f"not checked: {why}", f"not checked: {why}")

    require = policy is RevocationPolicy.REQUIRE
    if crls is None or len(crls) == 0:
        return not_checked("no CRLs were given", fail=require)
    candidates = crls._for_issuer(issuer)
    if not candidates:
        return not_checked("no CRL for this issuer", fail=require)
    verified = [c for c in candidates if c.signed_by(issuer)]
    if not verified:
        other_key = any(
            c.aki is not None and issuer.ski is not None and c.aki != issuer.ski for c in candidates
        )
        why = "the CRL names this issuer but was signed by another key" + (
            " (its key identifier names another CA key, e.g. another root generation)"
            if other_key
            else ""
        )
        sources = ", ".join(c.source for c in candidates)
        return _Revocation(
            Reason.CRL_BAD_SIGNATURE,
            False,
            f"not checked: {why}",
            f"failed: {why} [{sources}]",
            f"The CRL given for {issuer_label} does not verify with that CA's key ({sources}): "
            "it is damaged, forged or from another root generation; get the CRL from J-LIS again.",
        )
    covering = []
    why_not: list[str] = []
    for c in verified:
        problem = c.covers(child)
        if problem is None:
            covering.append(c)
        else:
            why_not.append(problem)
    if not covering:
        return not_checked(
            f"no CRL covers this certificate ({'; '.join(sorted(set(why_not)))})", fail=require
        )
    crl = max(covering, key=lambda c: (c.this_update, c.number))
    if crl.next_update is not None and crl.next_update < at:
        why = (
            f"the newest CRL for this issuer is stale: its next update was due "
            f"{jst_text(crl.next_update)}, before the validation time"
        )
        return _Revocation(
            Reason.CRL_STALE,
            False,
            f"not checked: {why}",
            f"failed: {why} [{crl.source}]",
            f"The CRL given for {issuer_label} is out of date (next update was due "
            f"{jst_text(crl.next_update)}); the certificate's status is unknown — get a current CRL.",
        )
    entry = crl.lookup(child.serial)
    issued = f"the CRL issued {crl.this_update_text}"
    if entry is None:
        return _Revocation(None, True, "good", "ok", f"not revoked according to {issued}")
    revoked_at = entry.revocation_date_utc
    reason_flag: x509.ReasonFlags | None = None
    for ext in entry.extensions:
        if ext.oid == CRLEntryExtensionOID.CRL_REASON and isinstance(ext.value, x509.CRLReason):
            reason_flag = ext.value.reason
    # A listed certificate is revoked whatever ``at`` is: ``at`` (e.g. a CMS signing time)
    # is usually the signer's own claim, and a revocation dated after it proves nothing
    # about when a signature was really made.
    on_hold = reason_flag is x509.ReasonFlags.certificate_hold
    what = "suspended (certificate hold)" if on_hold else "revoked"
    detail = f" ({reason_flag.value})" if reason_flag is not None and not on_hold else ""
    if revoked_at > at:
        detail += ", after the validation time"
    return _Revocation(
        Reason.REVOKED,
        True,
        "revoked",
        f"failed: {what} on {jst_text(revoked_at)}{detail} [{crl.source}]",
        _revoked_message(child, what, revoked_at, detail),
        revoked_at,
    )


def _revoked_message(child: _Facts, what: str, when: datetime, detail: str) -> str:
    label = child.label
    head = f"The {label} was {what} on {jst_text(when)}{detail}"
    if label == "signature certificate":
        return (
            f"{head}. A signature certificate is revoked when the holder's name, address, "
            "birth date or sex changes, or the card is reported lost; the holder can get a new "
            "one at their municipal office."
        )
    if label == "user-authentication certificate":
        return (
            f"{head}, e.g. because the card was reported lost or returned (a change of address "
            "or name does not revoke it); the holder should contact their municipal office."
        )
    return f"{head}."


# -- the trust store ---------------------------------------------------------------


class TrustStore:
    """Trust anchors (root certificates) and certificate validation against them."""

    def __init__(self, anchors: Iterable[x509.Certificate]) -> None:
        facts = []
        for cert in anchors:
            f = _facts(cert)
            if f.error is not None:
                raise TrustDataError(cert.subject.rfc4514_string(), f"unusable anchor: {f.error}")
            facts.append(f)
        self._pool = _Pool(facts)
        if not self._pool.items:
            raise ValueError("a trust store needs at least one anchor certificate")
        self.anchors: tuple[x509.Certificate, ...] = tuple(f.cert for f in self._pool.items)

    # -- construction ----------------------------------------------------------

    @classmethod
    @cache
    def production(cls) -> TrustStore:
        """The J-LIS roots shipped with the package (2015 and 2023 generations, signature
        and user authentication), each checked against its pinned fingerprint."""
        anchors = []
        folder = resources.files("jpki").joinpath("data")
        for name, fingerprint in PRODUCTION_ROOTS.items():
            source = f"jpki/data/{name}"
            certs = _parse_certificates(source, folder.joinpath(name).read_bytes())
            if len(certs) != 1:
                raise TrustDataError(source, f"expected one certificate, found {len(certs)}")
            actual = _fp_hex(certs[0].fingerprint(hashes.SHA256()))
            if actual != fingerprint.replace(" ", ""):
                raise TrustDataError(source, f"SHA-256 fingerprint {actual} is not the pinned one")
            anchors.append(certs[0])
        return cls(anchors)

    @classmethod
    def from_certificates(cls, certs: Iterable[x509.Certificate]) -> TrustStore:
        """A store trusting exactly these certificates (duplicates are dropped)."""
        return cls(certs)

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path]) -> TrustStore:
        """A store of the certificates in PEM/DER files (several PEM certificates per file
        allowed; directories are read like :meth:`CrlStore.from_paths`)."""
        given = [paths] if isinstance(paths, str | Path) else list(paths)
        anchors: list[x509.Certificate] = []
        for path, data in _read_files(given, what="certificate"):
            anchors.extend(_parse_certificates(str(path), data))
        if not anchors:
            raise TrustDataError(
                ", ".join(map(str, given)) or "(no paths)", "no certificates found"
            )
        return cls(anchors)

    def __repr__(self) -> str:
        return f"<TrustStore: {len(self.anchors)} anchor(s)>"

    # -- queries ---------------------------------------------------------------

    def find_issuer(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The anchor whose key verifies ``cert``'s signature (found by AKI = SKI; by name
        only as a hint, never accepted on the name alone), else ``None``."""
        facts = _facts(cert)
        if facts.error is not None:
            return None
        issuer, _ = self._pool.issuer_of(facts)
        return None if issuer is None else issuer.cert

    def valid_anchors(self, at: datetime | None = None) -> tuple[x509.Certificate, ...]:
        """The anchors whose validity includes ``at`` (default: now)."""
        when = _utc(at)
        return tuple(f.cert for f in self._pool.items if f.not_before <= when <= f.not_after)

    # -- validation ------------------------------------------------------------

    def validate(
        self,
        cert: x509.Certificate,
        *,
        purpose: Purpose,
        at: datetime | None = None,
        crls: CrlStore | None = None,
        policy: RevocationPolicy = RevocationPolicy.IF_AVAILABLE,
        intermediates: Sequence[x509.Certificate] = (),
    ) -> ValidationResult:
        """Validate ``cert`` for ``purpose`` at ``at`` (aware; default now).

        Never raises for a bad certificate or CRL: the result says what is wrong.
        ``ValueError`` only for a naive ``at`` and ``TypeError`` for a non-certificate.
        """
        when = _utc(at)
        purpose = Purpose(purpose)
        policy = RevocationPolicy(policy)
        leaf = _facts(cert)
        v = _Validation(cert, when)

        # 1. format
        if leaf.problem is not None:
            v.checks["format"] = f"failed: {leaf.problem}"
            v.fail(
                Reason.MALFORMED,
                f"The certificate cannot be used: {leaf.problem}. It is damaged or not a "
                "JPKI certificate.",
            )
            for name in TRUST_CHECKS[1:]:
                v.checks[name] = "skipped: the certificate is malformed"
            return v.result(revocation="not checked: the certificate is malformed")
        v.checks["format"] = "ok"

        # 2./3. chain and signatures
        chain = self._build_chain(leaf, intermediates, v)

        # 4. validity of every certificate in the path
        self._check_validity(chain or [leaf], v, when)

        # 5. key usage
        problem = _key_usage_problem(leaf, purpose)
        if problem is None:
            v.checks["key_usage"] = "ok"
        else:
            v.checks["key_usage"] = f"failed: {problem}"
            v.fail(Reason.WRONG_KEY_USAGE, _key_usage_message(leaf, purpose, problem))

        # 6. revocation
        if chain is None:
            summary = "not checked: no trusted issuer"
            v.checks["revocation"] = "skipped: no trusted issuer"
            return v.result(revocation=summary)
        if policy is RevocationPolicy.OFF:
            v.checks["revocation"] = "not checked: policy off"
            v.revocation_note = "revocation not checked: policy off"
            return v.result(revocation="not checked: policy off", chain=chain)
        outcomes = [
            _revocation_of(
                child=chain[i],
                issuer=chain[i + 1],
                crls=crls,
                policy=policy,
                at=when,
                issuer_label=_issuer_label(chain[i + 1]),
            )
            for i in range(len(chain) - 1)
        ]
        if not outcomes:  # the certificate is itself an anchor
            v.checks["revocation"] = "not checked: the certificate is a trust anchor"
            v.revocation_note = "revocation not checked: the certificate is a trust anchor"
            return v.result(
                revocation="not checked: the certificate is a trust anchor", chain=chain
            )
        worst = next((o for o in outcomes if o.reason is not None), None)
        chosen = worst or next((o for o in outcomes if not o.checked), outcomes[0])
        v.checks["revocation"] = chosen.check
        if worst is not None and worst.reason is not None:
            v.fail(worst.reason, worst.message)
        v.revoked_at = chosen.revoked_at
        v.revocation_note = chosen.message if chosen.checked else f"revocation {chosen.summary}"
        return v.result(
            revocation=chosen.summary,
            chain=chain,
            checked=all(o.checked for o in outcomes),
        )

    def _build_chain(
        self, leaf: _Facts, intermediates: Sequence[x509.Certificate], v: _Validation
    ) -> list[_Facts] | None:
        pool = self._pool
        if leaf.fp in pool.fps:
            v.set_anchor(leaf)
            v.checks["chain"] = "ok"
            v.checks["signature"] = "ok: the certificate is itself a trust anchor"
            return [leaf]
        anchor, claimed = pool.issuer_of(leaf)
        if anchor is not None:
            return self._accept([leaf, anchor], v)
        inter_facts = [
            f for f in map(_facts, intermediates) if f.problem is None and f.fp != leaf.fp
        ]
        if inter_facts:
            inter_pool = _Pool(inter_facts)
            inter, inter_claimed = inter_pool.issuer_of(leaf)
            if inter is not None and inter.is_ca:
                root, root_claimed = pool.issuer_of(inter)
                if root is not None:
                    return self._accept([leaf, inter, root], v)
                if root_claimed is not None:
                    self._bad_signature(inter, root_claimed, v)
                    return None
            elif claimed is None and inter_claimed is not None:
                root, _ = pool.issuer_of(inter_claimed)
                if root is not None:
                    self._bad_signature(leaf, inter_claimed, v)
                    return None
        if claimed is not None:
            self._bad_signature(leaf, claimed, v)
            return None
        self._untrusted(leaf, v)
        return None

    def _accept(self, chain: list[_Facts], v: _Validation) -> list[_Facts] | None:
        for issuer in chain[1:]:
            if not issuer.can_sign_certs or (issuer is not chain[-1] and not issuer.is_ca):
                v.checks["chain"] = f"failed: {issuer.cert.subject.rfc4514_string()} is not a CA"
                v.checks["signature"] = "skipped: no trusted issuer"
                v.fail(
                    Reason.UNTRUSTED,
                    f"The issuing certificate {issuer.cert.subject.rfc4514_string()} is not "
                    "allowed to issue certificates; the certificate cannot be trusted.",
                )
                return None
        v.set_anchor(chain[-1])
        v.checks["chain"] = "ok"
        v.checks["signature"] = "ok"
        return chain

    def _bad_signature(self, child: _Facts, claimed: _Facts, v: _Validation) -> None:
        name = claimed.cert.subject.rfc4514_string()
        v.checks["chain"] = f"ok: issuer located by key identifier ({name})"
        v.checks["signature"] = "failed: the signature does not verify with the issuer's key"
        v.fail(
            Reason.BAD_SIGNATURE,
            f"The certificate's signature does not verify with the key of {name}: the "
            "certificate is damaged or forged.",
        )

    def _untrusted(self, leaf: _Facts, v: _Validation) -> None:
        issuer_name = leaf.cert.issuer.rfc4514_string()
        same_name = bool(self._pool.by_name.get(leaf.issuer_der))
        if same_name:
            detail = (
                "its issuer has the name of a trusted root but another key (a test or forged "
                "CA, or a root generation this trust store does not have)"
            )
        else:
            detail = f"its issuer ({issuer_name}) is not a trusted root"
        v.checks["chain"] = f"failed: {detail}"
        v.checks["signature"] = "skipped: no trusted issuer"
        v.fail(
            Reason.UNTRUSTED,
            f"The certificate is not from a trusted J-LIS root: {detail}. Test cards and "
            "other CAs are not accepted.",
        )

    @staticmethod
    def _check_validity(chain: Sequence[_Facts], v: _Validation, when: datetime) -> None:
        for i, f in enumerate(chain):
            who = "the certificate" if i == 0 else f"the issuing root {_issuer_label(f)}"
            if when < f.not_before:
                v.checks["validity"] = f"failed: {who} is valid only from {jst_text(f.not_before)}"
                msg = (
                    f"The certificate is not valid until {jst_text(f.not_before)}; check the "
                    "computer's clock (or the validation time)."
                    if i == 0
                    else f"The validation time is before the issuing root {_issuer_label(f)} "
                    f"became valid ({jst_text(f.not_before)})."
                )
                v.fail(Reason.NOT_YET_VALID, msg)
                return
            if when > f.not_after:
                v.checks["validity"] = f"failed: {who} expired on {jst_text(f.not_after)}"
                msg = (
                    f"The certificate expired on {jst_text(f.not_after)}; the holder can renew it "
                    "at their municipal office."
                    if i == 0
                    else f"The issuing root {_issuer_label(f)} expired on {jst_text(f.not_after)}; "
                    "certificates under it cannot be valid after that."
                )
                v.fail(Reason.EXPIRED, msg)
                return
        v.checks["validity"] = "ok"


def _issuer_label(issuer: _Facts) -> str:
    return issuer.root_label


def _key_usage_problem(leaf: _Facts, purpose: Purpose) -> str | None:
    ku = leaf.key_usage
    if leaf.is_ca:
        return "it is a CA certificate, not a holder certificate"
    if ku is None:
        return "it has no key usage extension"
    if not ku.digital_signature:
        return "its key usage lacks digitalSignature"
    if purpose is Purpose.SIGNATURE and not ku.content_commitment:
        return "a signature needs nonRepudiation, which this key usage lacks"
    if purpose is Purpose.AUTHENTICATION and ku.content_commitment:
        return "authentication needs a user-authentication certificate (no nonRepudiation)"
    return None


def _key_usage_message(leaf: _Facts, purpose: Purpose, problem: str) -> str:
    label = leaf.label
    if purpose is Purpose.SIGNATURE and label == "user-authentication certificate":
        return (
            "This is the user-authentication certificate (利用者証明用); a signature needs "
            "the signature certificate (署名用電子証明書)."
        )
    if purpose is Purpose.AUTHENTICATION and label == "signature certificate":
        return (
            "This is the signature certificate (署名用); a login needs the "
            "user-authentication certificate (利用者証明用電子証明書)."
        )
    return f"The certificate cannot be used for {purpose.value}: {problem}."


class _Validation:
    """Collects check outcomes; the first failure of the highest precedence wins."""

    _ORDER: Final = (
        Reason.MALFORMED,
        Reason.UNTRUSTED,
        Reason.BAD_SIGNATURE,
        Reason.EXPIRED,
        Reason.NOT_YET_VALID,
        Reason.WRONG_KEY_USAGE,
        Reason.REVOKED,
        Reason.CRL_STALE,
        Reason.CRL_BAD_SIGNATURE,
        Reason.NO_CRL,
    )

    def __init__(self, cert: x509.Certificate, at: datetime) -> None:
        self.cert = cert
        self.at = at
        self.checks: dict[str, str] = {}
        self.reason: Reason | None = None
        self.message = ""
        self.anchor: _Facts | None = None
        self.revoked_at: datetime | None = None
        self.revocation_note = ""
        self._rank = len(self._ORDER)

    def fail(self, reason: Reason, message: str) -> None:
        rank = self._ORDER.index(reason)
        if rank < self._rank:
            self._rank, self.reason, self.message = rank, reason, message

    def set_anchor(self, anchor: _Facts) -> None:
        self.anchor = anchor

    def result(
        self,
        *,
        revocation: str,
        chain: Sequence[_Facts] = (),
        checked: bool = False,
    ) -> ValidationResult:
        anchor = self.anchor.cert if self.anchor is not None else None
        generation = self.anchor.generation if self.anchor is not None else None
        valid = self.reason is None
        message = self.message
        if valid:
            leaf = chain[0] if chain else _facts(self.cert)
            root = _issuer_label(self.anchor) if self.anchor is not None else "a trusted root"
            note = self.revocation_note or revocation
            message = f"Valid {leaf.label} under {root}; {note}."
        return ValidationResult(
            valid=valid,
            reason=self.reason,
            message=message,
            certificate=self.cert,
            anchor=anchor,
            issuer_generation=generation,
            revocation_checked=checked,
            revocation=revocation,
            checks=MappingProxyType(dict(self.checks)),
            revoked_at=self.revoked_at,
            chain=tuple(f.cert for f in chain),
            at=self.at,
        )
