"""Requests as CSV, safe to open in a spreadsheet: one home for the CLI's ``requests export``
and the office console's export.

Every cell has its control characters escaped (:func:`jpki.verdict.escape_controls`),
and a cell a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``) is
prefixed with ``'`` (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Final

from ..verdict import escape_controls
from .records import RequestRecord

__all__ = ["CSV_COLUMNS", "csv_cell", "records_csv"]

_FORMULA: Final = ("=", "+", "-", "@")

CSV_COLUMNS: Final = (
    "request_id",
    "status",
    "status_changed_at",
    "status_reason",
    "submitted_at",
    "kiosk_id",
    "kind",
    "language",
    "copies",
    "delivery_method",
    "applicant_name",
    "applicant_birth_date",
    "request_time",
    "signing_time",
    "issued_at",
    "expires_at",
    "content_sha256",
)


def csv_cell(value: object) -> str:
    """A CSV cell: control characters escaped, and a cell a spreadsheet would take for a
    formula (``=``, ``+``, ``-``, ``@``) prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)  # a number (copies) is never a formula
    text = escape_controls(str(value))
    return "'" + text if text.startswith(_FORMULA) else text


def records_csv(records: Iterable[RequestRecord]) -> str:
    """The records' summaries as CSV (a header line, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        summary = record.summary()
        writer.writerow({k: csv_cell(summary[k]) for k in CSV_COLUMNS})
    return buffer.getvalue()
