"""The trust store: certificate validation against trust anchors (RFC 5280 path validation,
cut down to what JPKI needs; see :mod:`jpki.trust`)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

from cryptography import x509

from ..limits import MAX_CERTIFICATE_FILE_SIZE
from ..messages import explanation
from ..timeutil import jst_text, utc
from ..verdict import TRUST_CHECKS, Reason
from ._facts import Facts, Pool, facts_of
from .crl import CrlStore, RevocationPolicy, revocation_of
from .installed import installed_roots, trust_dir
from .pins import JLIS_ROOTS, PinnedRoot, PinTable
from .roots import (
    Skipped,
    TrustDataError,
    parse_certificates,
    production_anchors,
    read_files,
)

__all__ = ["Purpose", "TrustStore", "ValidationResult"]

_NO_ISSUER: Final = "skipped: no trusted issuer"


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
    ``issuer_root`` is the pinned J-LIS root (generation, purpose) the path ends in and
    ``root_source`` where its bytes came from: ``"shipped"`` (the package),
    ``"installed"`` (``jpki trust install``), ``"presented"`` (the card or the signature
    gave it, and its SHA-256 equals the pin) or ``"given"`` (a store of chosen anchors).
    ``missing_root`` is the pinned root a refused certificate names as its issuer (by key
    identifier) whose bytes this installation does not have.
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
    issuer_root: PinnedRoot | None = None
    root_source: str | None = None
    missing_root: PinnedRoot | None = None

    @property
    def issuer_root_label(self) -> str | None:
        """``the J-LIS 2019 (generation 02) signature root`` (``None`` if not a J-LIS root)."""
        return None if self.issuer_root is None else self.issuer_root.label("en")


def _utc(at: datetime | None) -> datetime:
    return utc(at, "the validation time")


# -- the trust store ---------------------------------------------------------------


class TrustStore:
    """Trust anchors (root certificates) and certificate validation against them."""

    def __init__(
        self,
        anchors: Iterable[x509.Certificate],
        *,
        pins: PinTable | None = None,
        sources: Mapping[bytes, str] | None = None,
    ) -> None:
        """``pins``: the J-LIS roots this store also accepts when a certificate's chain
        presents one (from the card or a signature) whose SHA-256 equals the pin, and
        names when missing (default: none — a store of chosen anchors trusts exactly
        those). ``sources``: fingerprint -> ``"shipped"``/``"installed"``."""
        self.pins = pins if pins is not None else PinTable(())
        self._sources = dict(sources or {})
        facts = []
        for cert in anchors:
            f = facts_of(cert)
            if f.error is not None:
                raise TrustDataError(cert.subject.rfc4514_string(), f"unusable anchor: {f.error}")
            facts.append(f)
        self._pool = Pool(facts)
        if not self._pool.items:
            raise ValueError("a trust store needs at least one anchor certificate")
        self.anchors: tuple[x509.Certificate, ...] = tuple(f.cert for f in self._pool.items)

    # -- construction ----------------------------------------------------------

    @classmethod
    def production(cls, *, pins: PinTable = JLIS_ROOTS, folder: Path | None = None) -> TrustStore:
        """The production trust: every J-LIS root of ``pins`` whose bytes are shipped
        with the package (generations 01 and 03) or installed in the trust ``folder``
        (default :func:`jpki.trust.installed.trust_dir`; ``jpki trust install``), each
        checked against its pinned SHA-256; a pinned root not among them (generation 02)
        is accepted when a chain presents it (see :meth:`validate`). Built once per
        table and folder content."""
        where = trust_dir() if folder is None else folder
        return _production(pins, where, _folder_state(where))

    @classmethod
    def _build_production(cls, pins: PinTable, folder: Path) -> TrustStore:
        anchors: list[x509.Certificate] = []
        sources: dict[bytes, str] = {}
        for root, cert in production_anchors(pins):
            anchors.append(cert)
            sources[root.fingerprint] = "shipped"
        for root, cert, _file in installed_roots(folder, pins):
            anchors.append(cert)
            sources.setdefault(root.fingerprint, "installed")
        return cls(anchors, pins=pins, sources=sources)

    @classmethod
    def from_certificates(cls, certs: Iterable[x509.Certificate]) -> TrustStore:
        """A store trusting exactly these certificates (duplicates are dropped)."""
        return cls(certs)

    @classmethod
    def from_paths(
        cls,
        paths: Iterable[str | Path],
        *,
        on_skip: Skipped | None = None,
        max_size: int = MAX_CERTIFICATE_FILE_SIZE,
    ) -> TrustStore:
        """A store of the certificates in PEM/DER files (several PEM certificates per file
        allowed). A folder gives its certificate files and skips the others (CRLs, …),
        telling ``on_skip``; see :mod:`jpki.trust.roots`. A file is read up to
        ``max_size`` bytes."""
        given = [paths] if isinstance(paths, str | Path) else list(paths)
        anchors: list[x509.Certificate] = []
        for _path, certs in read_files(
            given, what="certificate", limit=max_size, parse=parse_certificates, on_skip=on_skip
        ):
            anchors.extend(certs)
        if not anchors:
            raise TrustDataError(
                ", ".join(map(str, given)) or "(no paths)", "no certificates found"
            )
        return cls(anchors)

    def with_anchors(self, extra: Iterable[x509.Certificate]) -> TrustStore:
        """This store plus ``extra`` anchors (e.g. a kiosk's configured test roots), keeping
        its pins and where its own anchors came from."""
        return TrustStore([*self.anchors, *extra], pins=self.pins, sources=self._sources)

    def __repr__(self) -> str:
        return f"<TrustStore: {len(self.anchors)} anchor(s)>"

    def source_of(self, anchor: x509.Certificate) -> str:
        """``"shipped"``, ``"installed"`` or ``"given"`` (an anchor of this store)."""
        return self._sources.get(facts_of(anchor).fp, "given")

    def root_label(self, anchor: x509.Certificate) -> str:
        """How a message names a root: the pinned J-LIS root's label, else its name."""
        return self._label(facts_of(anchor))

    def _label(self, f: Facts) -> str:
        root = self.pins.by_fingerprint(f.fp)
        return f.root_label if root is None else root.label("en")

    # -- queries ---------------------------------------------------------------

    def find_issuer(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The anchor whose key verifies ``cert``'s signature (found by AKI = SKI; by name
        only as a hint, never accepted on the name alone), else ``None``."""
        facts = facts_of(cert)
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
        leaf = facts_of(cert)
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

        # 2./3. chain and signatures (a pinned root the chain presents counts as an anchor)
        pool = self._pool
        presented = [
            f
            for f in map(facts_of, intermediates)
            if f.error is None and f.fp not in pool.fps and self.pins.by_fingerprint(f.fp)
        ]
        if presented:
            pool = Pool([*pool.items, *presented])
            v.presented = {f.fp for f in presented}
        v.store = self
        chain = self._build_chain(leaf, intermediates, v, pool)

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
            v.checks["revocation"] = _NO_ISSUER
            return v.result(revocation=summary)
        if policy is RevocationPolicy.OFF:
            v.checks["revocation"] = "not checked: policy off"
            v.revocation_note = "revocation not checked: policy off"
            return v.result(revocation="not checked: policy off", chain=chain)
        outcomes = [
            revocation_of(
                child=chain[i],
                issuer=chain[i + 1],
                crls=crls,
                policy=policy,
                at=when,
                issuer_label=self._label(chain[i + 1]),
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
        self,
        leaf: Facts,
        intermediates: Sequence[x509.Certificate],
        v: _Validation,
        pool: Pool,
    ) -> list[Facts] | None:
        if leaf.fp in pool.fps:
            v.set_anchor(leaf)
            v.checks["chain"] = "ok"
            v.checks["signature"] = "ok: the certificate is itself a trust anchor"
            return [leaf]
        anchor, claimed = pool.issuer_of(leaf)
        if anchor is not None:
            return self._accept([leaf, anchor], v)
        inter_facts = [
            f
            for f in map(facts_of, intermediates)
            if f.problem is None and f.fp != leaf.fp and f.fp not in pool.fps
        ]
        if inter_facts:
            inter_pool = Pool(inter_facts)
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
        self._untrusted(leaf, v, pool)
        return None

    def _accept(self, chain: list[Facts], v: _Validation) -> list[Facts] | None:
        for issuer in chain[1:]:
            if not issuer.can_sign_certs or (issuer is not chain[-1] and not issuer.is_ca):
                name = issuer.cert.subject.rfc4514_string()
                v.chain_refused(
                    f"failed: {name} is not a CA",
                    _NO_ISSUER,
                    Reason.UNTRUSTED,
                    f"The issuing certificate {name} is not allowed to issue certificates; the "
                    "certificate cannot be trusted.",
                )
                return None
        v.set_anchor(chain[-1])
        v.checks["chain"] = "ok"
        v.checks["signature"] = "ok"
        return chain

    def _bad_signature(self, child: Facts, claimed: Facts, v: _Validation) -> None:
        name = claimed.cert.subject.rfc4514_string()
        v.chain_refused(
            f"ok: issuer located by key identifier ({name})",
            "failed: the signature does not verify with the issuer's key",
            Reason.BAD_SIGNATURE,
            f"The certificate's signature does not verify with the key of {name}: the "
            "certificate is damaged or forged.",
        )

    def _untrusted(self, leaf: Facts, v: _Validation, pool: Pool) -> None:
        missing = self._missing_root(leaf, pool)
        if missing is not None:
            v.missing_root = missing
            v.chain_refused(
                f"failed: issued by {missing.label('en')}, which this installation does not have",
                _NO_ISSUER,
                Reason.UNTRUSTED,
                explanation(
                    "root_missing",
                    "en",
                    root=missing.label("en"),
                    file=missing.file_name,
                    fingerprint=missing.fingerprint_text(short=True),
                ),
            )
            return
        issuer_name = leaf.cert.issuer.rfc4514_string()
        same_name = bool(pool.by_name.get(leaf.issuer_der))
        if same_name:
            detail = (
                "its issuer has the name of a trusted root but another key (a test or forged "
                "CA, or a root generation this trust store does not have)"
            )
        else:
            detail = f"its issuer ({issuer_name}) is not a trusted root"
        v.chain_refused(
            f"failed: {detail}",
            _NO_ISSUER,
            Reason.UNTRUSTED,
            f"The certificate is not from a trusted J-LIS root: {detail}. Test cards and "
            "other CAs are not accepted.",
        )

    def _missing_root(self, leaf: Facts, pool: Pool) -> PinnedRoot | None:
        """The pinned root ``leaf`` names as its issuer (by key identifier and name) whose
        bytes are not here: a hint for the message, never a reason to trust."""
        if leaf.aki is None:
            return None
        for root in self.pins.by_key_id(leaf.aki):
            if root.fingerprint not in pool.fps:
                return root
        return None

    def _check_validity(self, chain: Sequence[Facts], v: _Validation, when: datetime) -> None:
        for i, f in enumerate(chain):
            who = "the certificate" if i == 0 else f"the issuing root {self._label(f)}"
            if when < f.not_before:
                v.checks["validity"] = f"failed: {who} is valid only from {jst_text(f.not_before)}"
                msg = (
                    f"The certificate is not valid until {jst_text(f.not_before)}; check the "
                    "computer's clock (or the validation time)."
                    if i == 0
                    else f"The validation time is before the issuing root {self._label(f)} "
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
                    else f"The issuing root {self._label(f)} expired on {jst_text(f.not_after)}; "
                    "certificates under it cannot be valid after that."
                )
                v.fail(Reason.EXPIRED, msg)
                return
        v.checks["validity"] = "ok"


def _folder_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What of the trust folder decides the production store: its files' names, sizes and
    modification times (empty if it does not exist)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return ()
    state = []
    for entry in entries:
        try:
            info = entry.stat()
        except OSError:
            continue
        state.append((entry.name, info.st_size, info.st_mtime_ns))
    return tuple(state)


@cache
def _production(
    pins: PinTable, folder: Path, state: tuple[tuple[str, int, int], ...]
) -> TrustStore:
    del state  # part of the cache key only
    return TrustStore._build_production(pins, folder)


def _key_usage_problem(leaf: Facts, purpose: Purpose) -> str | None:
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


def _key_usage_message(leaf: Facts, purpose: Purpose, problem: str) -> str:
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
        self.anchor: Facts | None = None
        self.revoked_at: datetime | None = None
        self.revocation_note = ""
        self.missing_root: PinnedRoot | None = None
        self.presented: set[bytes] = set()
        self.store: TrustStore | None = None
        self._rank = len(self._ORDER)

    def fail(self, reason: Reason, message: str) -> None:
        rank = self._ORDER.index(reason)
        if rank < self._rank:
            self._rank, self.reason, self.message = rank, reason, message

    def chain_refused(self, chain: str, signature: str, reason: Reason, message: str) -> None:
        """The outcomes of the ``chain`` and ``signature`` checks of a path not accepted."""
        self.checks["chain"] = chain
        self.checks["signature"] = signature
        self.fail(reason, message)

    def set_anchor(self, anchor: Facts) -> None:
        self.anchor = anchor

    def result(
        self,
        *,
        revocation: str,
        chain: Sequence[Facts] = (),
        checked: bool = False,
    ) -> ValidationResult:
        anchor = self.anchor.cert if self.anchor is not None else None
        generation = self.anchor.generation if self.anchor is not None else None
        store = self.store
        pinned = source = None
        if self.anchor is not None and store is not None:
            pinned = store.pins.by_fingerprint(self.anchor.fp)
            presented = self.anchor.fp in self.presented
            source = "presented" if presented else store.source_of(self.anchor.cert)
        valid = self.reason is None
        message = self.message
        if valid:
            leaf = chain[0] if chain else facts_of(self.cert)
            if self.anchor is None:
                root = "a trusted root"
            elif store is not None:
                root = store._label(self.anchor)
            else:
                root = self.anchor.root_label
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
            issuer_root=pinned,
            root_source=source,
            missing_root=self.missing_root,
        )
