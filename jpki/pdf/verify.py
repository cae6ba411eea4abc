"""Verifying every signature of a PDF offline: :func:`verify_pdf` (see :mod:`jpki.pdf`)."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Final

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import EmbeddedPdfSignature, ModificationInfo, SignatureCoverageLevel
from pyhanko.sign.validation.generic_cms import collect_timing_info, validate_sig_integrity
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from ..digestinfo import SHA2
from ..limits import MAX_PDF_SIZE
from ..timeutil import jst_iso, jst_text, utc
from ..trust import CrlStore, Purpose, RevocationPolicy, TrustStore
from ..verdict import (
    CERTIFICATE_CHECKS,
    CERTIFICATE_REASONS,
    CLOCK_SKEW,
    NOT_CHECKED,
    SignatureReason,
    Verdict,
    as_sentence,
    certificate_checks,
    certificate_refusal,
)
from .document import (
    PdfFormatError,
    asn1_certificate,
    is_pdf,
    read_input,
)

__all__ = ["PDF_CHECKS", "TIME_SKEW", "PdfReason", "PdfSignatureResult", "verify_pdf"]

#: PdfReason: :class:`jpki.verdict.SignatureReason` (the reasons :func:`verify_pdf` gives are
#: :attr:`PdfSignatureResult.REASONS`); TIME_SKEW: :data:`jpki.verdict.CLOCK_SKEW`.
PdfReason = SignatureReason
TIME_SKEW: Final = CLOCK_SKEW


#: The checks :func:`verify_pdf` reports for each signature, in order.
PDF_CHECKS: Final = (
    "structure",
    "document-digest",
    "signature",
    "coverage",
    "modifications",
    "timestamp",
    "signing-time",
    *CERTIFICATE_CHECKS.values(),
)
_SIGNATURE_CERT_REQUIRED: Final = (
    "The PDF was signed with the user-authentication certificate (利用者証明用); "
    "a signature needs the signature certificate (署名用電子証明書)."
)
#: The signature's own failures, the one that decides first (the certificate's come last).
_PRECEDENCE: Final = (
    PdfReason.MALFORMED,
    PdfReason.UNSUPPORTED,
    PdfReason.DIGEST_MISMATCH,
    PdfReason.BAD_SIGNATURE,
    PdfReason.COVERAGE,
    PdfReason.MODIFIED,
    PdfReason.TIMESTAMP_INVALID,
    PdfReason.FUTURE_SIGNING_TIME,
)


@dataclass(frozen=True)
class PdfSignatureResult(Verdict):
    """The outcome for one signature of :func:`verify_pdf` (see :class:`jpki.verdict.Verdict`).

    ``signer_certificate``, ``holder`` and ``signing_time`` are what the signature
    *claims*; rely on them only when ``valid``. ``timestamp`` is set only for a
    time-stamp token that is intact and from a trusted TSA. ``level`` is ``"PAdES B-T"``
    (trusted time-stamp), ``"PAdES B-B"``, or ``"PKCS#7"`` for an
    ``adbe.pkcs7.detached`` signature. ``checks`` maps each of :data:`PDF_CHECKS` to its
    outcome (``ok…``, ``failed: …``, ``not checked: …``, ``skipped: …``).
    """

    field_name: str
    signing_time: datetime | None = None
    timestamp: datetime | None = None
    level: str = ""
    coverage: str = ""
    later_revisions: int = 0
    reason_text: str | None = None
    location: str | None = None

    REASONS: ClassVar[frozenset[SignatureReason]] = CERTIFICATE_REASONS | set(_PRECEDENCE)

    def _head(self) -> dict[str, Any]:
        return {"field": self.field_name}

    def _details(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "coverage": self.coverage,
            "later_revisions": self.later_revisions,
            "signing_time": jst_iso(self.signing_time),
            "timestamp": jst_iso(self.timestamp),
            "pdf_reason": self.reason_text,
            "pdf_location": self.location,
        }

    def _where(self) -> str:
        return f" ({self.field_name})"


class _Outcome:
    """Collects check outcomes; the failure of the highest precedence decides."""

    def __init__(self, field_name: str) -> None:
        self.field_name = field_name
        self.checks: dict[str, str] = dict.fromkeys(PDF_CHECKS, NOT_CHECKED)
        self.reason: PdfReason | None = None
        self.message = ""
        self._rank = len(_PRECEDENCE) + 1

    def fail(self, check: str, reason: PdfReason, message: str, outcome: str = "") -> None:
        self.checks[check] = f"failed: {outcome or message}"
        rank = _PRECEDENCE.index(reason) if reason in _PRECEDENCE else len(_PRECEDENCE)
        if rank < self._rank:
            self._rank, self.reason, self.message = rank, reason, as_sentence(message)


def verify_pdf(
    data: bytes | str | os.PathLike[str],
    *,
    trust_store: TrustStore | None = None,
    crls: CrlStore | None = None,
    policy: RevocationPolicy = RevocationPolicy.IF_AVAILABLE,
    at: datetime | None = None,
    tsa_trust: Iterable[x509.Certificate] = (),
    max_size: int = MAX_PDF_SIZE,
) -> list[PdfSignatureResult]:
    """Verify every signature in a PDF (bytes or a path); one result each, in signing order.

    ``trust_store`` defaults to the J-LIS production roots; revocation follows
    ``policy`` with the CRLs in ``crls``; ``at`` is the verification time (aware;
    default now). ``tsa_trust`` are the roots trusted for time-stamping authorities
    (none by default: a time-stamp is then reported but its time not relied on).

    A document without signatures gives an empty list. Raises :class:`PdfFormatError`
    only when the file cannot be read as a PDF at all, :class:`jpki.files.InputTooLarge`
    when it holds more than ``max_size`` bytes (a file: before it is read), and
    ``ValueError`` for a naive ``at``; a bad signature is a result with ``valid=False``.
    """
    now = utc(at, "the verification time")
    raw = read_input(data, max_size)
    if not is_pdf(raw):
        raise PdfFormatError("not a PDF (no %PDF- header)")
    store = trust_store if trust_store is not None else TrustStore.production()
    try:
        reader = PdfFileReader(io.BytesIO(raw))
        found = list(sig_fields.enumerate_sig_fields(reader, filled_status=True))
        total_revisions = reader.xrefs.total_revisions
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PdfFormatError(f"the PDF cannot be read: {exc}") from None
    tsa_roots = [asn1_certificate(c) for c in tsa_trust]
    results: list[tuple[int, PdfSignatureResult]] = []
    for name, sig_obj_ref, sig_field in found:
        try:
            sig_obj = sig_obj_ref.get_object()
            if sig_obj.get("/Type") == "/DocTimeStamp":
                continue  # a document time-stamp is not a signature by a holder
        except (PdfError, AttributeError, KeyError):
            pass
        results.append(
            _verify_one(
                reader,
                str(name),
                sig_field,
                store=store,
                crls=crls,
                policy=policy,
                now=now,
                tsa_roots=tsa_roots,
                total_revisions=total_revisions,
            )
        )
    return [r for _, r in sorted(results, key=lambda item: item[0])]


_COVERAGE_NAMES: Final = {
    SignatureCoverageLevel.ENTIRE_FILE: "entire-file",
    SignatureCoverageLevel.ENTIRE_REVISION: "entire-revision",
    SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "contiguous-block",
    SignatureCoverageLevel.UNCLEAR: "unclear",
}
_HARMLESS_UPDATES: Final = {
    ModificationLevel.NONE: "nothing that changes the content",
    ModificationLevel.LTA_UPDATES: "validation data and time-stamps only",
    ModificationLevel.FORM_FILLING: "further signatures and form filling only",
    ModificationLevel.ANNOTATIONS: "annotations (comments) only",
}


def _verify_one(
    reader: PdfFileReader,
    name: str,
    sig_field: generic.DictionaryObject,
    *,
    store: TrustStore,
    crls: CrlStore | None,
    policy: RevocationPolicy,
    now: datetime,
    tsa_roots: Sequence[asn1_x509.Certificate],
    total_revisions: int,
) -> tuple[int, PdfSignatureResult]:
    out = _Outcome(name)

    def finish(**kwargs: Any) -> PdfSignatureResult:
        valid = out.reason is None
        return PdfSignatureResult(
            field_name=name,
            valid=valid,
            reason=out.reason,
            message=kwargs.pop("message", out.message),
            checks=MappingProxyType(dict(out.checks)),
            **kwargs,
        )

    # 1. structure: the CMS, the signer's certificate, pyHanko's integrity checks
    try:
        embedded = EmbeddedPdfSignature(reader, sig_field, name)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        out.fail("structure", PdfReason.MALFORMED, f"the signature cannot be read: {exc}")
        return total_revisions, finish()
    order = embedded.signed_revision
    subfilter = str(embedded.sig_object.get("/SubFilter", ""))
    if subfilter not in ("/ETSI.CAdES.detached", "/adbe.pkcs7.detached"):
        out.fail(
            "structure", PdfReason.UNSUPPORTED, f"the signature format {subfilter} is not supported"
        )
        return order, finish()
    reason_text = _pdf_text(embedded.sig_object, "/Reason")
    location = _pdf_text(embedded.sig_object, "/Location")
    try:
        signer_asn1 = embedded.signer_cert
        md_algorithm = embedded.md_algorithm
        if md_algorithm not in SHA2:
            out.fail(
                "structure",
                PdfReason.UNSUPPORTED,
                f"the digest algorithm {md_algorithm} is not supported (SHA-256/384/512 are)",
            )
            return order, finish(reason_text=reason_text, location=location)
        embedded.compute_integrity_info()  # type: ignore[no-untyped-call]
        integrity = ModificationInfo(**embedded.summarise_integrity_info())
        digest = embedded.compute_digest()
        timing: dict[str, Any] = asyncio.run(
            collect_timing_info(
                embedded.signer_info,
                ValidationContext(trust_roots=list(tsa_roots), allow_fetching=False, moment=now),
                raw_digest=embedded.compute_digest,
            )
        )
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        out.fail("structure", PdfReason.MALFORMED, f"the signature cannot be checked: {_why(exc)}")
        return order, finish(reason_text=reason_text, location=location)
    out.checks["structure"] = f"ok ({subfilter.lstrip('/')})"
    signer = _crypto(signer_asn1)
    claimed: datetime | None = timing.get("signer_reported_dt") or embedded.self_reported_timestamp
    common: dict[str, Any] = {
        "signer_certificate": signer,
        "signing_time": claimed,
        "reason_text": reason_text,
        "location": location,
    }

    # 2. integrity: the digest of the signed byte ranges, the signature over the attributes
    try:
        intact, valid = validate_sig_integrity(
            embedded.signer_info, signer_asn1, expected_content_type="data", actual_digest=digest
        )
    except (ValueError, KeyError, TypeError) as exc:
        intact = valid = False
        out.fail(
            "signature", PdfReason.BAD_SIGNATURE, f"the signature is not acceptable: {_why(exc)}"
        )
    else:
        if valid:
            out.checks["signature"] = "ok (RSA, signed attributes)"
        else:
            out.fail(
                "signature",
                PdfReason.BAD_SIGNATURE,
                "the signature does not verify with the signer's certificate",
            )
    if intact:
        out.checks["document-digest"] = f"ok ({md_algorithm})"
    else:
        out.fail(
            "document-digest",
            PdfReason.DIGEST_MISMATCH,
            "the document was changed after it was signed: the signed bytes no longer match "
            "the signature",
            "the digest of the signed byte ranges does not match the signed attributes",
        )

    # 3. coverage and later revisions
    later = max(0, total_revisions - 1 - order)
    coverage = (
        _COVERAGE_NAMES.get(integrity.coverage, "unclear") if integrity.coverage else "unclear"
    )
    common.update(coverage=coverage, later_revisions=later)
    _coverage(out, integrity, later)

    # 4. time-stamp, signing time
    timestamp = _timestamp(out, timing.get("timestamp_validity"), now)
    level = "PKCS#7" if subfilter == "/adbe.pkcs7.detached" else "PAdES B-B"
    if timestamp is not None:
        level = "PKCS#7 with time-stamp" if level == "PKCS#7" else "PAdES B-T"
    common.update(timestamp=timestamp, level=level)
    if claimed is None:
        out.checks["signing-time"] = "not checked: the signature states no signing time"
    elif claimed > now + TIME_SKEW:
        out.fail(
            "signing-time",
            PdfReason.FUTURE_SIGNING_TIME,
            f"the signing time {jst_text(claimed)} is after the verification time",
        )
    elif timestamp is not None and claimed > timestamp + TIME_SKEW:
        out.fail(
            "signing-time",
            PdfReason.FUTURE_SIGNING_TIME,
            f"the signing time {jst_text(claimed)} is after the time-stamp {jst_text(timestamp)}",
        )
    else:
        source = "" if timestamp is not None else " (the signer's claim)"
        out.checks["signing-time"] = f"ok: {jst_text(claimed)}{source}"

    # 5. the signer's certificate, by jpki.trust at the trusted time
    when = timestamp or claimed or now
    intermediates = [_crypto(c) for c in embedded.other_embedded_certs]
    validation = store.validate(
        signer,
        purpose=Purpose.SIGNATURE,
        at=min(when, now),
        crls=crls,
        policy=policy,
        intermediates=tuple(intermediates),
    )
    out.checks.update(certificate_checks(validation))
    common["validation"] = validation
    if out.reason is not None:
        return order, finish(**common)
    if not validation.valid:
        out.reason, out.message = certificate_refusal(
            validation, signature_certificate_needed=_SIGNATURE_CERT_REQUIRED
        )
        return order, finish(**common)
    extent = "the whole document" if later == 0 else f"the document up to revision {order + 1}"
    message = f"The signature is valid and covers {extent}. {validation.message}"
    return order, finish(message=message, **common)


def _coverage(out: _Outcome, status: ModificationInfo, later: int) -> None:
    coverage = status.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        out.checks["coverage"] = "ok: the whole file"
        out.checks["modifications"] = "ok: none"
        return
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        out.fail(
            "coverage",
            PdfReason.COVERAGE,
            "the signature does not cover its revision of the document (its byte ranges "
            "leave gaps or stop early)",
        )
        out.checks["modifications"] = "skipped: the coverage is not standard"
        return
    out.checks["coverage"] = (
        f"ok: its revision; {later} later revision(s) were added by incremental update"
    )
    level = status.modification_level
    if level is not None and level in _HARMLESS_UPDATES and status.docmdp_ok is not False:
        out.checks["modifications"] = f"ok: the later revisions add {_HARMLESS_UPDATES[level]}"
        return
    out.fail(
        "modifications",
        PdfReason.MODIFIED,
        "the document was changed after it was signed: a later revision changes its content "
        "(the signature covers only an earlier version)",
        "a later revision changes the content"
        + ("" if level is None else f" (pyHanko: {level.name})"),
    )


def _timestamp(
    out: _Outcome, token: TimestampSignatureStatus | None, now: datetime
) -> datetime | None:
    """The time-stamp's time if it is intact and its TSA trusted, else ``None``."""
    if token is None:
        out.checks["timestamp"] = (
            "not checked: no time-stamp (the signing time is the signer's claim)"
        )
        return None
    tsa = token.signing_cert.subject.human_friendly
    if not (token.intact and token.valid):
        out.fail(
            "timestamp",
            PdfReason.TIMESTAMP_INVALID,
            "the time-stamp token is damaged or does not belong to this signature",
            f"the time-stamp token by {tsa} is damaged or does not cover this signature",
        )
        return None
    when: datetime = token.timestamp
    if not token.trusted:
        out.checks["timestamp"] = (
            f"not checked: a time-stamp of {jst_text(when)} by {tsa}, whose certificate is "
            "not trusted (give the TSA's root); its time is not relied on"
        )
        return None
    if when > now + TIME_SKEW:
        out.fail(
            "timestamp",
            PdfReason.TIMESTAMP_INVALID,
            f"the time-stamp {jst_text(when)} is after the verification time",
        )
        return None
    out.checks["timestamp"] = f"ok: {jst_text(when)} by {tsa}"
    return when


def _why(exc: BaseException) -> str:
    message = getattr(exc, "failure_message", None) or str(exc) or type(exc).__name__
    return str(message)


def _pdf_text(sig_object: generic.DictionaryObject, key: str) -> str | None:
    try:
        value = sig_object.get(key)
    except (PdfError, KeyError):
        return None
    return None if value is None else str(value)


def _crypto(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())
