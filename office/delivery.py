"""Digital delivery: the certificate PDF an issuer attaches, signed by the institution (PAdES),
and the one-time download link of the recipient named in the request.

* **Attach** (issuer, an approved digital-PDF request): the upload is bounded in size
  and must parse as an unencrypted PDF with pages; the office signs it as the
  institution — PAdES B-B, or B-T when a time-stamping authority is configured —
  with the key of a configured PKCS#12 or PEM file, and keeps the signed bytes.
* **Issue**: the ledger's ``issue`` (its reason names the signed PDF's SHA-256, so the
  audit chain pins the very file) starts the download window; the office makes a
  link token (256 random bits, stored as its SHA-256) shown once to the issuer.
* **Download**: a link works once (claimed atomically, then the ledger's
  ``download``); later it says it has been used, after the window that it has
  expired. Every attempt leaves an audit entry: the download itself, the expiry,
  or a ``refused`` event naming the request (unknown tokens: the service's
  rate-limited refusal record). The link holds the token and nothing else.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from jpki.ledger import (
    AuditAction,
    DeadlinePassed,
    InvalidTransition,
    LedgerError,
    RequestRecord,
    RequestTampered,
    Status,
)
from jpki.officeapi.wire import ErrorCode, StaffRole
from jpki.requests import DeliveryMethod

from .credentials import new_token, token_digest
from .models import DeliveryRow
from .service import OfficeService, ServiceError, Staff

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MAX_PDF",
    "DOWNLOAD_TOKEN_PREFIX",
    "Deliveries",
    "DeliveryInfo",
    "InstitutionSigner",
    "LinkState",
    "load_institution_signer",
]

DOWNLOAD_TOKEN_PREFIX: Final = "dl-"  # noqa: S105 - a prefix
DEFAULT_MAX_PDF: Final = 10 * 1024 * 1024
FIELD_NAME: Final = "InstitutionSignature"
RECIPIENT_ACTOR: Final = "recipient:download-link"


class LinkState(StrEnum):
    READY = "ready"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    NOT_READY = "not-ready"


@dataclass(frozen=True)
class DeliveryInfo:
    """What staff see of a delivery (never the link's token)."""

    request_id: str
    pdf_sha256: str
    size: int
    attached_at: datetime
    attached_by: str
    link_expires_at: datetime | None
    used_at: datetime | None
    has_link: bool


class InstitutionSigner:
    """Signs a PDF as the institution (pyHanko: PAdES B-B, or B-T with ``tsa_url`` or a
    ``timestamper``)."""

    def __init__(
        self,
        signer: Any,
        *,
        tsa_url: str | None = None,
        timestamper: Any = None,
        reason: str = "証明書の発行 / Certificate issued",
    ) -> None:
        self.signer = signer
        self.reason = reason
        if timestamper is None and tsa_url:
            from pyhanko.sign.timestamps import HTTPTimeStamper

            timestamper = HTTPTimeStamper(tsa_url, timeout=10)
        self.timestamper = timestamper

    def sign(self, pdf: bytes) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.fields import SigSeedSubFilter

        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            reason=self.reason,
        )
        out = signers.sign_pdf(writer, meta, signer=self.signer, timestamper=self.timestamper)
        signed: bytes = out.getvalue()
        return signed


def load_institution_signer(
    key: Path,
    *,
    certificate: Path | None = None,
    chain: tuple[Path, ...] = (),
    password: bytes | None = None,
    tsa_url: str | None = None,
) -> InstitutionSigner:
    """The institution's signer from a PKCS#12 file (``certificate`` None) or a PEM key and
    certificate (``chain``: the CA certificates to embed)."""
    from pyhanko.sign import signers

    if certificate is None:
        loaded = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
            str(key), ca_chain_files=[str(p) for p in chain] or None, passphrase=password
        )
    else:
        loaded = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
            str(key),
            str(certificate),
            ca_chain_files=[str(p) for p in chain] or None,
            key_passphrase=password,
        )
    if loaded is None:
        raise ValueError(f"cannot load the institution's key from {key}")
    return InstitutionSigner(loaded, tsa_url=tsa_url)


def check_pdf(data: bytes, limit: int) -> None:
    """Refuse what is not a readable, unencrypted PDF with pages, or is over ``limit``."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if len(data) > limit:
        raise ServiceError(413, ErrorCode.TOO_LARGE, f"the PDF is over {limit} bytes")
    if not data.startswith(b"%PDF-"):
        raise ServiceError(400, ErrorCode.MALFORMED, "the file is not a PDF (no %PDF- header)")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise ServiceError(400, ErrorCode.MALFORMED, "the PDF is encrypted")
        pages = int(reader.root["/Pages"]["/Count"])
    except ServiceError:
        raise
    except (PdfError, KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ServiceError(
            400, ErrorCode.MALFORMED, f"the PDF cannot be read: {str(exc)[:200]}"
        ) from None
    if pages < 1:
        raise ServiceError(400, ErrorCode.MALFORMED, "the PDF has no pages")


class Deliveries:
    """Attach, issue with a link, and download, over ``service``'s database and ledger."""

    def __init__(
        self,
        service: OfficeService,
        signer: InstitutionSigner | None,
        *,
        max_pdf: int = DEFAULT_MAX_PDF,
    ) -> None:
        self.service = service
        self.signer = signer
        self.max_pdf = max_pdf
        self._db = sessionmaker(service.ledger.engine, expire_on_commit=False)

    # -- staff ------------------------------------------------------------------------------

    def info(self, request_id: str) -> DeliveryInfo | None:
        with self._db() as db:
            row = db.get(DeliveryRow, request_id)
        if row is None:
            return None
        return DeliveryInfo(
            row.request_id,
            row.pdf_sha256,
            len(row.pdf),
            row.attached_at,
            row.attached_by,
            row.link_expires_at,
            row.used_at,
            row.token_sha256 is not None,
        )

    def attach(self, staff: Staff, prefix: str, upload: bytes) -> DeliveryInfo:
        """Sign ``upload`` as the institution and keep it for an approved digital-PDF
        request (an earlier attachment is replaced until the request is issued)."""
        staff.require(StaffRole.ISSUER)
        record = self.service.find(staff, prefix)
        if record.delivery_method is not DeliveryMethod.DIGITAL_PDF:
            raise ServiceError(
                409, ErrorCode.CONFLICT, "this request is not delivered as a digital PDF"
            )
        if record.status is not Status.APPROVED:
            raise ServiceError(
                409,
                ErrorCode.CONFLICT,
                f"request {record.request_id} is {record.status.value}: a PDF is attached to "
                "an approved request",
            )
        if self.signer is None:
            raise ServiceError(
                503,
                ErrorCode.UNAVAILABLE,
                "no institution key is configured ([delivery] key): the office cannot sign",
            )
        check_pdf(upload, self.max_pdf)
        try:
            signed = self.signer.sign(upload)
        except Exception as exc:  # pyHanko raises many kinds on odd PDFs and TSA failures
            raise ServiceError(
                400, ErrorCode.MALFORMED, f"the PDF could not be signed: {str(exc)[:200]}"
            ) from None
        now = self.service.now()
        values = {
            "pdf": signed,
            "pdf_sha256": hashlib.sha256(signed).hexdigest(),
            "upload_sha256": hashlib.sha256(upload).hexdigest(),
            "attached_at": now,
            "attached_by": staff.actor,
        }
        with self._db.begin() as db:
            row = db.get(DeliveryRow, record.request_id)
            if row is None:
                db.add(DeliveryRow(request_id=record.request_id, **values))
            elif row.token_sha256 is not None:
                raise ServiceError(409, ErrorCode.CONFLICT, "this request was issued already")
            else:
                db.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.request_id == record.request_id)
                    .values(**values)
                )
        info = self.info(record.request_id)
        assert info is not None
        return info

    def issue(self, staff: Staff, prefix: str) -> tuple[RequestRecord, str | None]:
        """The ledger's ``issue``; for a digital PDF (which must be attached) the new link's
        token too (shown once)."""
        staff.require(StaffRole.ISSUER)
        record = self.service.find(staff, prefix)
        if record.delivery_method is not DeliveryMethod.DIGITAL_PDF:
            return self.service.change(staff, record.request_id, "issue", None), None
        info = self.info(record.request_id)
        if info is None:
            raise ServiceError(409, ErrorCode.CONFLICT, "attach the certificate PDF before issuing")
        token = new_token(DOWNLOAD_TOKEN_PREFIX)
        digest = token_digest(token)
        issued = self.service.change(
            staff, record.request_id, "issue", f"signed PDF sha256:{info.pdf_sha256}"
        )
        with self._db.begin() as db:
            db.execute(
                update(DeliveryRow)
                .where(DeliveryRow.request_id == record.request_id)
                .values(token_sha256=digest, link_expires_at=issued.expires_at)
            )
        return issued, token

    # -- the recipient ----------------------------------------------------------------------

    def _row(self, token: str) -> DeliveryRow | None:
        digest = token_digest(token) if token.startswith(DOWNLOAD_TOKEN_PREFIX) else None
        if digest is None:
            return None
        with self._db() as db:
            return db.scalars(
                select(DeliveryRow).where(DeliveryRow.token_sha256 == digest)
            ).one_or_none()

    def state(self, token: str, at: datetime | None = None) -> LinkState:
        """What the link would do now (nothing recorded)."""
        row = self._row(token)
        if row is None:
            return LinkState.UNKNOWN
        if row.used_at is not None:
            return LinkState.USED
        now = at or self.service.now()
        if row.link_expires_at is None:
            return LinkState.NOT_READY
        if now >= row.link_expires_at:
            return LinkState.EXPIRED
        return LinkState.READY

    def _refused(self, request_id: str, why: str, where: str) -> None:
        try:
            self.service.ledger.record_event(
                AuditAction.REFUSED,
                actor=RECIPIENT_ACTOR,
                subject=f"request:{request_id}",
                reason=f"{why} (from {where})"[:1000],
            )
        except (LedgerError, OperationalError) as exc:
            logger.warning("could not record a refused download: %s", exc)

    def download(
        self, token: str, where: str, at: datetime | None = None
    ) -> tuple[LinkState, bytes | None, str | None]:
        """Use the link: (state, the signed PDF when it worked, the request id)."""
        row = self._row(token)
        if row is None:
            raise self.service.refuse_credential("download-link", where, "unknown download link")
        rid = row.request_id
        now = at or self.service.now()
        if row.used_at is not None:
            self._refused(rid, "download link used again", where)
            return LinkState.USED, None, rid
        if row.link_expires_at is None:
            self._refused(rid, "download link not issued", where)
            return LinkState.NOT_READY, None, rid
        if now >= row.link_expires_at:
            try:
                self.service.ledger.change(rid, "download", actor=RECIPIENT_ACTOR, at=now)
            except DeadlinePassed:
                return LinkState.EXPIRED, None, rid  # the expiry is the audit entry
            except (InvalidTransition, RequestTampered):
                pass
            self._refused(rid, "download link expired", where)
            return LinkState.EXPIRED, None, rid
        with self._db.begin() as db:
            claimed = db.execute(
                update(DeliveryRow)
                .where(DeliveryRow.request_id == rid, DeliveryRow.used_at.is_(None))
                .values(used_at=now)
            )
        if getattr(claimed, "rowcount", 0) != 1:
            self._refused(rid, "download link used again", where)
            return LinkState.USED, None, rid
        try:
            self.service.ledger.change(rid, "download", actor=RECIPIENT_ACTOR, at=now)
        except DeadlinePassed:
            return LinkState.EXPIRED, None, rid
        except InvalidTransition as exc:
            self._refused(rid, f"download refused: {exc}", where)
            return LinkState.USED, None, rid
        except RequestTampered as exc:
            self._refused(rid, f"download refused: {exc}", where)
            raise ServiceError(409, ErrorCode.TAMPERED, "this request is damaged") from None
        return LinkState.READY, bytes(row.pdf), rid
