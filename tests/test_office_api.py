"""The office service over HTTPS: kiosks submit and nothing else, staff act by role, bad input is
refused, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from jpki.officeapi import OfficeRefused
from tests.office_fixtures import Office, office  # noqa: F401 - fixture
from tests.office_kit import signed_request


def test_a_kiosk_submits_and_reads_its_receipt(office: Office) -> None:  # noqa: F811
    kiosk = office.kiosk("kiosk-01")
    signature, document, rid = signed_request("kiosk-01")
    receipt = kiosk.submit(signature, document)
    assert receipt.created and receipt.request_id == rid and receipt.status == "submitted"
    again = kiosk.submit(signature, document)
    assert not again.created and again.request_id == rid
    assert kiosk.receipt(rid).request_id == rid
    other = office.kiosk("kiosk-02")
    with pytest.raises(OfficeRefused) as caught:
        other.receipt(rid)
    assert caught.value.status == 404
