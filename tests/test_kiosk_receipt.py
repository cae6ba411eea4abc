"""The receipt stays after the card is taken, and is printed at once (issue 15, item 1).

Through the real widgets: the mock card, the real flow and services, a ``pdf:DIR`` printer.
The printed file is checked with poppler's ``pdfinfo`` / ``pdftotext`` (tools we did not write).
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import unicodedata
from pathlib import Path

import pytest

from gui.flow import Screen
from jpki.requests import DeliveryMethod
from tests.test_kiosk_gui import Env, env, make_env, to_receipt  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdfinfo, pdftotext) not installed",
)


def _pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return {
        k.strip(): v.strip()
        for k, _, v in (line.partition(":") for line in out.stdout.splitlines())
    }


def test_the_receipt_is_printed_at_once_and_stays_after_the_card_is_taken(
    env: Env,  # noqa: F811
) -> None:
    to_receipt(env, DeliveryMethod.COUNTER)
    receipt = env.window.model.receipt
    assert receipt is not None
    # printed without a tap: one A5 page, private to the kiosk's user
    [pdf] = list(env.receipts.glob("*.pdf"))
    info = _pdfinfo(pdf)
    assert info["Pages"] == "1"
    assert "A5" in info["Page size"], info["Page size"]
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # pdftotext maps some CJK glyphs to Kangxi radicals (⽉ for 月): compare as NFKC
    text = unicodedata.normalize("NFKC", text)
    assert receipt.request_id in text
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", text)  # the date as Japanese writes it
    screen = env.window.current_screen()
    note = screen.print_status.text()  # type: ignore[attr-defined]
    assert pdf.name in note.replace("\u200b", "") and str(pdf.parent) not in note  # no folder
    assert screen.take.isVisible()  # type: ignore[attr-defined]

    # the applicant takes the card, as told: the receipt stays, without the card prompt
    env.remove()
    env.qtbot.wait(200)  # type: ignore[attr-defined]
    assert env.screen is Screen.RECEIPT
    model = env.window.model
    assert model.receipt == receipt and model.identity is None and model.summary is None
    assert model.tries == {} and not model.card_present
    assert screen.full_id.text() == receipt.request_id  # type: ignore[attr-defined]
    assert not screen.take.isVisible()  # type: ignore[attr-defined]
    assert screen.print_status.text()  # type: ignore[attr-defined]
    assert len(list(env.receipts.glob("*.pdf"))) == 1  # not printed twice

    # Done: the next applicant's start
    screen.primary().click()
    env.wait(Screen.INSERT_CARD, 1000)
    assert env.window.model.receipt is None
