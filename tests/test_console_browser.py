"""The console in a real browser (Debian's chromium, driven by Playwright): the whole story
of a digital certificate from the kiosk to the auditor (tests/console_browser.py), with
the keyboard for signing in, no content-security-policy violation on any page, and the
downloaded PDF verified with the institution's CA.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jpki.ledger import AuditAction, Status
from tests.console_browser import browser, chromium_path, story
from tests.console_kit import console_office

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(autouse=True)
def _need_chromium() -> None:
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is needed (tools/bootstrap.sh installs it)")
        pytest.skip("chromium is not installed (tools/bootstrap.sh installs it)")


def test_a_digital_certificate_from_kiosk_to_auditor_in_chromium(tmp_path: Path) -> None:
    from jpki.pdf import verify_pdf
    from jpki.trust import TrustStore

    with console_office(tmp_path) as office, browser(office) as context:
        seen = story(office, context)
        ledger = office.service.ledger
        rid = seen.request_id
        assert seen.statuses == ["badge st-approved", "badge st-issued"]
        assert seen.link.startswith(f"{office.url}/download/dl-")
        assert seen.pdf.startswith(b"%PDF-")
        assert ledger.get(rid).status is Status.DOWNLOADED
        assert "使用済み" in seen.second_visit  # the link says it has been used
        assert "badge ok" in seen.chain_text and "検証済み" in seen.chain_text
        assert seen.csp_violations == []
        actions = [(e.action, e.actor) for e in ledger.audit_trail(rid)]
        assert actions == [
            (AuditAction.SUBMIT, "kiosk:kiosk-01"),
            (AuditAction.APPROVE, "staff:sato"),
            (AuditAction.ISSUE, "staff:suzuki"),
            (AuditAction.DOWNLOAD, "recipient:download-link"),
        ]
        assert seen.second_post == 410  # a second download is refused
        refused = ledger.audit_trail(subject=f"request:{rid}")
        assert [e.reason.split(" (")[0] for e in refused if e.reason] == [
            "download link used again"
        ]
        assert ledger.verify_audit().ok
        ca = office.institution.ca
    # (pyHanko's validation runs its own event loop: after the browser's has closed)
    (result,) = verify_pdf(seen.pdf, trust_store=TrustStore.from_paths([str(ca)]))
    assert result.valid, result.message
