"""The signed bytes are the truth: a stored request checked against its signed document and
its audit entry.

A request row's columns (applicant, kind, copies, delivery…) are a cache of its
signed document; its status is what its latest audit entry (``audit_seq``)
recorded, and that entry binds the SHA-256 of the signed bytes into the hash
chain (:mod:`jpki.ledger.chain`). :func:`row_problems` lists every way a row
disagrees with them — an edited column, a status changed behind the ledger's
back, signed bytes that are not the ones the audit trail recorded, an audit
entry that was edited or (with the audit key) forged. A request with a problem
is reported as tampered and cannot move on (:class:`RequestTampered`).

These checks are cheap (a JSON parse, three SHA-256, one HMAC), so every
listing makes them; a status change also verifies the CMS signature again.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any, Final

from ..requests import CertificateRequest, RequestSchemaError
from .chain import verify_entry
from .errors import LedgerError
from .models import AuditRow, RequestRow

__all__ = ["RequestTampered", "derived_columns", "row_problems"]

#: The columns of a request row that its signed document decides.
DERIVED: Final = (
    "kiosk_id",
    "kind",
    "language",
    "copies",
    "delivery_method",
    "applicant_name",
    "applicant_birth_date",
    "signer_issuer",
    "signer_serial",
    "request_time",
)


class RequestTampered(LedgerError):
    """The stored request disagrees with its signed document or its audit trail; it cannot
    move on until someone looks into it."""

    def __init__(self, request_id: str, problems: tuple[str, ...]) -> None:
        super().__init__(
            f"request {request_id} cannot move on: it disagrees with its signed document, "
            "its audit trail or its signature (tampered?): " + "; ".join(problems)
        )
        self.request_id = request_id
        self.problems = problems


def derived_columns(request: CertificateRequest) -> dict[str, Any]:
    """The values of :data:`DERIVED` that ``request`` gives."""
    return {
        "kiosk_id": request.kiosk_id,
        "kind": request.kind,
        "language": request.language,
        "copies": request.copies,
        "delivery_method": request.delivery.method.value,
        "applicant_name": request.applicant.name,
        # ISO 8601 text keeping the precision: 1980, 1980-05 or 1980-05-01 (migration 0003)
        "applicant_birth_date": request.applicant.birth_date.isoformat(),
        "signer_issuer": request.applicant.certificate_issuer,
        "signer_serial": request.applicant.certificate_serial,
        "request_time": request.time,
    }


def parse_document(document: bytes) -> CertificateRequest | str:
    """The request in ``document``, or why it is not one."""
    try:
        return CertificateRequest.from_bytes(bytes(document), allowed_kinds=None)
    except RequestSchemaError as exc:
        return f"its signed document is not a valid request any more ({exc})"


def _shown(value: object) -> str:
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return repr(text[:60])


def row_problems(
    row: RequestRow,
    request: CertificateRequest | str,
    entry: AuditRow | None,
    key: bytes | None,
) -> tuple[str, ...]:
    """Every way ``row`` disagrees with its signed document (``request``, parsed by
    :func:`parse_document`) and with its latest audit entry ``entry`` (checked with
    ``key`` when the chain is sealed; ``None`` when that entry was not found)."""
    problems: list[str] = []
    document = bytes(row.document)
    signature = bytes(row.signature)
    if hashlib.sha256(document).hexdigest() != row.content_sha256:
        problems.append("its signed document does not match its recorded SHA-256")
    if hashlib.sha256(signature).hexdigest() != row.signature_sha256:
        problems.append("its signature does not match its recorded SHA-256")
    if isinstance(request, str):
        problems.append(request)
    else:
        if request.request_id != row.request_id:
            problems.append(f"its id differs from the signed document's ({request.request_id})")
        for name, value in derived_columns(request).items():
            stored = getattr(row, name)
            if stored != value:
                problems.append(
                    f"{name} {_shown(stored)} differs from the signed document ({_shown(value)})"
                )
    problems.extend(_entry_problems(row, entry, key))
    return tuple(problems)


def _entry_problems(row: RequestRow, entry: AuditRow | None, key: bytes | None) -> list[str]:
    if entry is None:
        return [f"its audit entry {row.audit_seq} is missing (the audit trail was cut)"]
    if entry.request_id != row.request_id:
        return [f"audit entry {row.audit_seq} belongs to another request"]
    problems: list[str] = []
    wrong = verify_entry(entry, key)
    if wrong is not None:
        problems.append(f"its audit entry {entry.seq}: {wrong[1]}")
    if (entry.content_sha256, entry.signature_sha256) != (
        row.content_sha256,
        row.signature_sha256,
    ):
        problems.append("its signed bytes are not the ones the audit trail recorded")
    if (entry.auth_cert_sha256 or None) != (row.auth_cert_sha256 or None):
        problems.append("its holder is not the one the audit trail recorded")
    if entry.to_status != row.status:
        problems.append(
            f"status {row.status!r} is not what the audit trail says ({entry.to_status!r})"
        )
    for name, recorded, stored in (
        ("status time", entry.at, row.status_changed_at),
        ("status reason", entry.reason, row.status_reason),
        ("issue time", entry.issued_at, row.issued_at),
        ("deadline", entry.expires_at, row.expires_at),
    ):
        if recorded != stored:
            problems.append(f"its {name} is not what the audit trail says")
    return problems
