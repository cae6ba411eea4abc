"""Revocation, offline: the CRL files given to us (:class:`CrlStore`) and what they say about
a certificate under a :class:`RevocationPolicy`. Only a CRL whose signature verifies
with the issuer's key counts; the newest such CRL covering the certificate decides."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.x509.oid import CRLEntryExtensionOID, ExtensionOID

from ..limits import MAX_CRL_FILE_SIZE
from ..timeutil import jst_text
from ..verdict import Reason
from ._facts import PARSE_ERRORS, Facts, NameKey, name_key
from .roots import Skipped, TrustDataError, pem_blocks, read_files

__all__ = ["CrlStore", "LoadedCrl", "Revocation", "RevocationPolicy", "revocation_of"]


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


_HANDLED_CRL_CRITICAL: Final = frozenset(
    {ExtensionOID.ISSUING_DISTRIBUTION_POINT, ExtensionOID.DELTA_CRL_INDICATOR}
)


class LoadedCrl:
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
            self.issuer_key = name_key(crl.issuer)
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
        except PARSE_ERRORS as exc:
            raise TrustDataError(source, f"the CRL cannot be parsed ({exc})") from exc
        self._signed_by: dict[bytes, bool] = {}
        self._serials: dict[int, x509.RevokedCertificate] | None = None
        self._lock = threading.Lock()

    def signed_by(self, issuer: Facts) -> bool:
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

    def covers(self, cert: Facts) -> str | None:
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

    def __init__(self, crls: Iterable[LoadedCrl] = ()) -> None:
        self._by_issuer: dict[NameKey, list[LoadedCrl]] = {}
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
            loaded.append(LoadedCrl(crl, f"CRL #{i + 1}"))
        return cls(loaded)

    @classmethod
    def from_paths(
        cls,
        paths: Iterable[str | Path],
        *,
        on_skip: Skipped | None = None,
        max_size: int = MAX_CRL_FILE_SIZE,
    ) -> CrlStore:
        """CRLs from files and directories (each regular, non-hidden file in a directory,
        not recursing); DER or PEM, several PEM CRLs per file allowed. A directory gives
        its CRL files and skips the others (certificates, …), telling ``on_skip``; a file
        is read up to ``max_size`` bytes.

        ``TrustDataError`` names the file that is missing, unreadable or holds no CRL.
        """
        given = [paths] if isinstance(paths, str | Path) else list(paths)
        loaded = []
        for path, crls in read_files(
            given, what="CRL", limit=max_size, parse=parse_crls, on_skip=on_skip
        ):
            for i, crl in enumerate(crls):
                source = str(path) if i == 0 else f"{path} (CRL {i + 1})"
                loaded.append(LoadedCrl(crl, source))
        if not loaded:
            raise TrustDataError(", ".join(map(str, given)) or "(no paths)", "no CRLs found")
        return cls(loaded)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[x509.CertificateRevocationList]:
        for crls in self._by_issuer.values():
            for loaded in crls:
                yield loaded.crl

    def __repr__(self) -> str:
        return f"<CrlStore: {self._count} CRL(s)>"

    def _for_issuer(self, issuer: Facts) -> Sequence[LoadedCrl]:
        return self._by_issuer.get(issuer.subject_key, ())


def parse_crls(path: Path, data: bytes) -> list[x509.CertificateRevocationList]:
    if b"-----BEGIN" in data:
        blocks, others = pem_blocks(data, b"X509 CRL")
        if not blocks:
            extra = f" (it holds: {', '.join(sorted(set(others)))})" if others else ""
            raise TrustDataError(str(path), f"no PEM 'X509 CRL' block{extra}", other_kind=True)
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
        raise TrustDataError(str(path), "neither a DER nor a PEM CRL", other_kind=True) from exc


# -- revocation outcome ------------------------------------------------------------


@dataclass(frozen=True)
class Revocation:
    reason: Reason | None  # failure reason, None if no failure
    checked: bool
    summary: str  # "good" | "revoked" | "not checked: ..."
    check: str  # the "revocation" entry of ``checks``
    message: str = ""
    revoked_at: datetime | None = None


def revocation_of(
    *,
    child: Facts,
    issuer: Facts,
    crls: CrlStore | None,
    policy: RevocationPolicy,
    at: datetime,
    issuer_label: str,
) -> Revocation:
    def not_checked(why: str, *, fail: bool, message: str = "") -> Revocation:
        if fail:
            return Revocation(
                Reason.NO_CRL,
                False,
                f"not checked: {why}",
                f"failed: {why}",
                message
                or f"Revocation must be checked but {why}; supply a current CRL of {issuer_label}.",
            )
        return Revocation(None, False, f"not checked: {why}", f"not checked: {why}")

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
        return Revocation(
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
        return Revocation(
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
        return Revocation(None, True, "good", "ok", f"not revoked according to {issued}")
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
    return Revocation(
        Reason.REVOKED,
        True,
        "revoked",
        f"failed: {what} on {jst_text(revoked_at)}{detail} [{crl.source}]",
        _revoked_message(child, what, revoked_at, detail),
        revoked_at,
    )


def _revoked_message(child: Facts, what: str, when: datetime, detail: str) -> str:
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
