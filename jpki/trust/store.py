"""The trust store: certificate validation against trust anchors (RFC 5280 path validation,
cut down to what JPKI needs; see :mod:`jpki.trust`)."""

from __future__ import annotations

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
from ..timeutil import jst_text, utc
from ..verdict import TRUST_CHECKS, Reason
from ._facts import Facts, Pool, facts_of
from .crl import CrlStore, RevocationPolicy, revocation_of
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


def _utc(at: datetime | None) -> datetime:
    return utc(at, "the validation time")


# -- the trust store ---------------------------------------------------------------


class TrustStore:
    """Trust anchors (root certificates) and certificate validation against them."""

    def __init__(self, anchors: Iterable[x509.Certificate]) -> None:
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
    @cache
    def production(cls) -> TrustStore:
        """The J-LIS roots shipped with the package (2015 and 2023 generations, signature
        and user authentication), each checked against its pinned fingerprint."""
        return cls(production_anchors())

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

    def __repr__(self) -> str:
        return f"<TrustStore: {len(self.anchors)} anchor(s)>"

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
        self, leaf: Facts, intermediates: Sequence[x509.Certificate], v: _Validation
    ) -> list[Facts] | None:
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
            f for f in map(facts_of, intermediates) if f.problem is None and f.fp != leaf.fp
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
        self._untrusted(leaf, v)
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

    def _untrusted(self, leaf: Facts, v: _Validation) -> None:
        issuer_name = leaf.cert.issuer.rfc4514_string()
        same_name = bool(self._pool.by_name.get(leaf.issuer_der))
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

    @staticmethod
    def _check_validity(chain: Sequence[Facts], v: _Validation, when: datetime) -> None:
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


def _issuer_label(issuer: Facts) -> str:
    return issuer.root_label


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
        valid = self.reason is None
        message = self.message
        if valid:
            leaf = chain[0] if chain else facts_of(self.cert)
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
