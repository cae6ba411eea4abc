"""What a submission must pass before the ledger stores it (:func:`verify_submission`).

Its sizes (before anything is parsed), the CMS signature (chain to the configured
trust anchors, the signature certificate's key usage, revocation by the configured
policy), the request document's schema and document type, that the applicant in the
document is the holder of the certificate that signed, and the times: a signing time
must be there (a request without one cannot be placed in time), within
``max_signing_age`` of now, not before the certificate became valid; the document's own
time no later than the signing time and no earlier than the certificate or than
``max_signing_age`` before the signing. Any failure raises :class:`SubmissionRejected`
saying why; nothing is stored.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from cryptography import x509

from ..cms import CmsReason, from_pem, verify_cms
from ..limits import CmsLimits, pem_size
from ..requests import CertificateRequest, RequestSchemaError
from ..timeutil import jst_text
from ..trust import Purpose, TrustStore
from .config import LedgerConfig
from .errors import RejectReason, SubmissionRejected
from .records import VerifiedRequest

__all__ = ["verify_submission"]


def verify_submission(
    signature: bytes,
    content: bytes | None,
    *,
    config: LedgerConfig,
    trust_store: TrustStore,
    now: datetime,
) -> VerifiedRequest:
    """Every check of a submission (``content``: the document of a detached signature) at
    ``now``; :class:`SubmissionRejected` when one fails."""
    cfg = config
    if not isinstance(signature, bytes | bytearray | memoryview):
        raise SubmissionRejected(
            RejectReason.MALFORMED, f"a signature is bytes, not {type(signature).__name__}"
        )
    signature = bytes(signature)
    if not signature:
        raise SubmissionRejected(RejectReason.MALFORMED, "the signature is empty")
    if len(signature) > pem_size(cfg.max_signature_size):  # PEM or DER: told after decoding
        raise SubmissionRejected(
            RejectReason.TOO_LARGE,
            f"the signature is {len(signature)} bytes; at most {cfg.max_signature_size} "
            "are accepted",
        )
    if content is not None:
        if not isinstance(content, bytes | bytearray | memoryview):
            raise SubmissionRejected(
                RejectReason.MALFORMED,
                f"the signed content is bytes, not {type(content).__name__}",
            )
        content = bytes(content)
        if len(content) > cfg.max_document_size:
            raise SubmissionRejected(
                RejectReason.TOO_LARGE,
                f"the request document is {len(content)} bytes; at most "
                f"{cfg.max_document_size} are accepted",
            )
    if signature.lstrip()[:11] == b"-----BEGIN ":
        try:
            signature = from_pem(signature)
        except ValueError as exc:
            raise SubmissionRejected(RejectReason.MALFORMED, str(exc)) from None
    if len(signature) > cfg.max_signature_size:
        raise SubmissionRejected(
            RejectReason.TOO_LARGE,
            f"the signature is {len(signature)} bytes; at most {cfg.max_signature_size} "
            "are accepted",
        )

    result = verify_cms(
        signature,
        content,
        trust_store=trust_store,
        crls=cfg.crls,
        policy=cfg.revocation_policy,
        purpose=Purpose.SIGNATURE,
        at=now,
        limits=CmsLimits(max_size=cfg.max_signature_size),
    )
    if not result.valid:
        if result.reason is CmsReason.WRONG_KEY_USAGE:
            raise SubmissionRejected(
                RejectReason.WRONG_CERTIFICATE, result.message, cms_reason=result.reason
            )
        raise SubmissionRejected(
            RejectReason.SIGNATURE,
            f"the signature is not accepted ({result.reason}): {result.message}",
            cms_reason=result.reason,
        )
    signer = result.signer_certificate
    if signer is None or result.holder is None:
        raise SubmissionRejected(
            RejectReason.WRONG_CERTIFICATE,
            "the signer's certificate carries no holder attributes: a request must be "
            "signed with the signature certificate (署名用電子証明書)",
        )
    detached = result.content is None
    document = content if detached else result.content
    assert document is not None
    if len(document) > cfg.max_document_size:
        raise SubmissionRejected(
            RejectReason.TOO_LARGE,
            f"the request document is {len(document)} bytes; at most {cfg.max_document_size} "
            "are accepted",
        )
    try:
        request = CertificateRequest.from_bytes(
            document, allowed_kinds=cfg.allowed_kinds, max_size=cfg.max_document_size
        )
    except RequestSchemaError as exc:
        raise SubmissionRejected(
            RejectReason.SCHEMA, f"the signed document is not a valid request: {exc}"
        ) from None
    mismatch = request.applicant.matches(result.holder, signer)
    if mismatch is not None:
        raise SubmissionRejected(
            RejectReason.IDENTITY_MISMATCH, mismatch, request_id=request.request_id
        )
    _check_times(request, result.signing_time, signer, cfg=cfg, now=now)
    return VerifiedRequest(
        request=request,
        document=document,
        signature=signature,
        detached=detached,
        verification=result,
        content_sha256=hashlib.sha256(document).hexdigest(),
        signature_sha256=hashlib.sha256(signature).hexdigest(),
    )


def _check_times(
    request: CertificateRequest,
    signing_time: datetime | None,
    signer: x509.Certificate,
    *,
    cfg: LedgerConfig,
    now: datetime,
) -> None:
    """The times of a submission (see the module docstring); :class:`SubmissionRejected`
    ``stale`` when one is wrong."""
    rid = request.request_id
    if signing_time is None:
        raise SubmissionRejected(
            RejectReason.STALE,
            "the signature carries no signing time: a request must be signed with one "
            "(the signing-time attribute), so that its age can be checked",
            request_id=rid,
        )
    valid_from = signer.not_valid_before_utc
    skew = cfg.max_clock_skew
    if signing_time < valid_from - skew:
        raise SubmissionRejected(
            RejectReason.STALE,
            f"the request was signed at {jst_text(signing_time, seconds=False)}, before the "
            f"signer's certificate became valid ({jst_text(valid_from, seconds=False)})",
            request_id=rid,
        )
    if request.time < valid_from - skew:
        raise SubmissionRejected(
            RejectReason.STALE,
            f"the request is dated {jst_text(request.time, seconds=False)}, before the "
            f"signer's certificate became valid ({jst_text(valid_from, seconds=False)})",
            request_id=rid,
        )
    if request.time > signing_time + skew:
        raise SubmissionRejected(
            RejectReason.STALE,
            f"the request is dated {jst_text(request.time, seconds=False)}, after it was "
            f"signed ({jst_text(signing_time, seconds=False)})",
            request_id=rid,
        )
    age = cfg.max_signing_age
    if age is None:
        return
    if now - signing_time > age:
        raise SubmissionRejected(
            RejectReason.STALE,
            f"the request was signed at {jst_text(signing_time, seconds=False)}, longer ago "
            f"than {age} before {jst_text(now, seconds=False)}: sign it again",
            request_id=rid,
        )
    if signing_time - request.time > age:
        raise SubmissionRejected(
            RejectReason.STALE,
            f"the request is dated {jst_text(request.time, seconds=False)}, longer than {age} "
            f"before it was signed ({jst_text(signing_time, seconds=False)}): make it again",
            request_id=rid,
        )
