"""Talking to the office service over HTTPS: the kiosk's and the staff CLI's client.

* :mod:`~jpki.officeapi.client` — :class:`KioskClient` (submit, receipts, an applicant's
  own requests) and :class:`StaffClient` (sign in, list, change, audit, admin), pinning
  the office's CA; :class:`OfficeUnreachable` and :class:`OfficeRefused`;
* :mod:`~jpki.officeapi.wire` — the paths and JSON bodies both ends share.

The service itself is the ``office`` package (``jpki-office serve``); this library
never imports it.
"""

from .client import (
    KioskClient,
    OfficeClient,
    OfficeError,
    OfficeRefused,
    OfficeUnreachable,
    StaffClient,
    StaffSession,
    tls_context,
)
from .wire import API, MAX_SUBMISSION_BODY, ErrorCode, HolderProof, Receipt, StaffRole

__all__ = [
    "API",
    "MAX_SUBMISSION_BODY",
    "ErrorCode",
    "HolderProof",
    "KioskClient",
    "OfficeClient",
    "OfficeError",
    "OfficeRefused",
    "OfficeUnreachable",
    "Receipt",
    "StaffClient",
    "StaffRole",
    "StaffSession",
    "tls_context",
]
