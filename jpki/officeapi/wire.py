"""What travels between the office service and its clients (kiosks, the staff CLI): the
paths, the JSON bodies, and how records and audit entries are rebuilt from them.

One module for both ends, so that they cannot drift apart. Bytes travel as
standard base64; times as ISO 8601 in UTC. Every error body is
``{"error": CODE, "message": TEXT}`` (:class:`ErrorCode`).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from ..birthdate import BirthDate
from ..ledger.models import AuditAction, Status
from ..ledger.records import AuditEntry, RequestRecord, iso
from ..requests import DeliveryMethod

__all__ = [
    "API",
    "MAX_SUBMISSION_BODY",
    "ErrorCode",
    "HolderProof",
    "Receipt",
    "StaffRole",
    "b64",
    "entry_from_json",
    "entry_to_json",
    "record_from_json",
    "record_to_json",
    "unb64",
]

#: The API's version prefix.
API: Final = "/v1"
#: A submission's body: a CMS signature (≤ 64 KiB) and document (≤ 16 KiB) in base64, and a
#: holder proof (a certificate and a 256-byte signature).
MAX_SUBMISSION_BODY: Final = 128 * 1024


class ErrorCode(StrEnum):
    """The ``error`` of an error body (the HTTP status says the class of problem)."""

    MALFORMED = "malformed"  # 400: not JSON, wrong fields
    TOO_LARGE = "too-large"  # 413
    UNAUTHENTICATED = "unauthenticated"  # 401: no, wrong or revoked credential
    FORBIDDEN = "forbidden"  # 403: this credential may not do that
    NOT_FOUND = "not-found"  # 404
    CONFLICT = "conflict"  # 409: the id is taken by other signed bytes; a change not allowed
    REFUSED = "refused"  # 422: the submission failed a check (``reason`` says which)
    TAMPERED = "tampered"  # 409: the stored request disagrees with its signed bytes
    RATE_LIMITED = "rate-limited"  # 429 (Retry-After)
    UNAVAILABLE = "unavailable"  # 503: the database is unreachable; try again


class StaffRole(StrEnum):
    """What a member of staff may do."""

    CLERK = "clerk"  # read requests; approve, reject
    ISSUER = "issuer"  # read requests; issue, deliver, record the download, expire
    AUDITOR = "auditor"  # read requests, export, read and verify the audit trail
    ADMIN = "admin"  # staff accounts and kiosks


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(value: object, what: str) -> bytes:
    """Decode base64 (``ValueError`` naming ``what`` when it is not)."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError(f"{what} is not valid base64") from None


@dataclass(frozen=True)
class HolderProof:
    """That the applicant holds the card: its user-authentication certificate (DER) and its
    signature over ``challenge`` (the bytes the card signed: context prefix and nonce)."""

    certificate: bytes
    challenge: bytes
    signature: bytes

    def to_json(self) -> dict[str, str]:
        return {
            "certificate": b64(self.certificate),
            "challenge": b64(self.challenge),
            "signature": b64(self.signature),
        }

    @classmethod
    def from_json(cls, obj: object) -> HolderProof:
        if not isinstance(obj, dict) or set(obj) != {"certificate", "challenge", "signature"}:
            raise ValueError("holder must be an object with certificate, challenge, signature")
        return cls(
            unb64(obj["certificate"], "holder.certificate"),
            unb64(obj["challenge"], "holder.challenge"),
            unb64(obj["signature"], "holder.signature"),
        )


@dataclass(frozen=True)
class Receipt:
    """What a kiosk may know of a request it submitted (no personal data)."""

    request_id: str
    created: bool  # stored by this submission (False: it was stored already)
    status: str
    submitted_at: str | None
    kiosk_id: str
    kind: str
    copies: int
    delivery_method: str
    content_sha256: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def of(cls, record: RequestRecord, created: bool = False) -> Receipt:
        return cls(
            request_id=record.request_id,
            created=created,
            status=record.status.value,
            submitted_at=iso(record.submitted_at),
            kiosk_id=record.kiosk_id,
            kind=record.kind,
            copies=record.copies,
            delivery_method=record.delivery_method.value,
            content_sha256=record.content_sha256,
        )

    @classmethod
    def from_json(cls, obj: object) -> Receipt:
        if not isinstance(obj, dict):
            raise ValueError("a receipt is a JSON object")
        try:
            return cls(**{name: obj[name] for name in cls.__dataclass_fields__})
        except KeyError as exc:
            raise ValueError(f"the receipt has no {exc.args[0]}") from None


# -- records and audit entries ----------------------------------------------------------------


def record_to_json(record: RequestRecord) -> dict[str, Any]:
    """Everything staff see of a request, with the signed bytes (base64) to derive it from."""
    data = record.summary()
    data.update(
        signer_issuer=record.signer_issuer,
        signer_serial=record.signer_serial,
        signature_sha256=record.signature_sha256,
        detached=record.detached,
        revision=record.revision,
        audit_seq=record.audit_seq,
        auth_cert_sha256=record.auth_cert_sha256,
        document_base64=b64(record.document),
        signature_base64=b64(record.signature),
    )
    return data


def _time(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("a time is an ISO 8601 string")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a time must carry its UTC offset")
    return moment


def _required_time(value: object) -> datetime:
    moment = _time(value)
    if moment is None:
        raise ValueError("a time is missing")
    return moment


def record_from_json(obj: object) -> RequestRecord:
    """A :class:`RequestRecord` from :func:`record_to_json` (``ValueError`` if it is not one)."""
    if not isinstance(obj, dict):
        raise ValueError("a request is a JSON object")
    try:
        return RequestRecord(
            request_id=str(obj["request_id"]),
            status=Status(obj["status"]),
            status_changed_at=_required_time(obj["status_changed_at"]),
            status_reason=obj["status_reason"],
            submitted_at=_required_time(obj["submitted_at"]),
            kiosk_id=str(obj["kiosk_id"]),
            kind=str(obj["kind"]),
            language=str(obj["language"]),
            copies=int(obj["copies"]),
            delivery_method=DeliveryMethod(obj["delivery_method"]),
            applicant_name=str(obj["applicant_name"]),
            applicant_birth_date=BirthDate.from_iso(obj["applicant_birth_date"]),
            signer_issuer=str(obj["signer_issuer"]),
            signer_serial=str(obj["signer_serial"]),
            request_time=_required_time(obj["request_time"]),
            signing_time=_time(obj["signing_time"]),
            issued_at=_time(obj["issued_at"]),
            expires_at=_time(obj["expires_at"]),
            content_sha256=str(obj["content_sha256"]),
            signature_sha256=str(obj["signature_sha256"]),
            document=unb64(obj["document_base64"], "document_base64"),
            signature=unb64(obj["signature_base64"], "signature_base64"),
            detached=bool(obj["detached"]),
            revision=int(obj["revision"]),
            audit_seq=int(obj["audit_seq"]),
            auth_cert_sha256=obj["auth_cert_sha256"],
            problems=tuple(str(p) for p in obj["tampered"]),
        )
    except KeyError as exc:
        raise ValueError(f"the request has no {exc.args[0]}") from None


def entry_to_json(entry: AuditEntry) -> dict[str, Any]:
    return entry.to_json_dict()


def entry_from_json(obj: object) -> AuditEntry:
    if not isinstance(obj, dict):
        raise ValueError("an audit entry is a JSON object")
    try:
        return AuditEntry(
            id=int(obj["id"]),
            request_id=obj["request_id"],
            at=_required_time(obj["at"]),
            actor=str(obj["actor"]),
            action=AuditAction(obj["action"]),
            from_status=Status(obj["from_status"]) if obj["from_status"] else None,
            to_status=Status(obj["to_status"]) if obj["to_status"] else None,
            reason=obj["reason"],
            seq=int(obj["seq"]),
            subject=obj["subject"],
            entry_hash=str(obj["entry_hash"]),
        )
    except KeyError as exc:
        raise ValueError(f"the audit entry has no {exc.args[0]}") from None
