"""Render every kiosk screen in Japanese and English at 1280×800 and 1024×768 to
docs/screenshots/<width>x<height>/<screen>-<lang>.png.

    make screenshots
    # or: PYTHONPATH=. QT_QPA_PLATFORM=offscreen .venv/bin/python tests/screenshots.py [OUT_DIR]

Each picture is the kiosk area at its real size, saved as an 8-bit palette PNG to keep the
files small. The screens show made-up models (no card, no worker): each screen renders only
a :class:`gui.flow.Model`. Japanese needs the Noto Sans CJK JP font (fonts-noto-cjk).
"""

from __future__ import annotations

import os
import sys
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from gui.app import build_kiosk, setup_application
from gui.config import IdentitySource, KioskConfig, load_config
from gui.flow import (
    CardProblem,
    CardRemoved,
    CardSummary,
    Identity,
    Intent,
    Model,
    Notice,
    Receipt,
    RequestForm,
    RequestLine,
    Screen,
    initial,
    step,
)
from gui.reader_kind import ReaderKind
from gui.screens.form import FormScreen
from gui.screens.pin import PinScreen
from gui.window import KioskWindow
from jpki.layout import CertKind, PinKind
from jpki.requests import DeliveryMethod

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZES = ((1280, 800), (1024, 768))
LANGUAGES = ("ja", "en")

SUMMARY = CardSummary("4D4F434B0101", "2030-04-01", False, 3, 5, 3)
IDENTITY = Identity(
    "見本 花子",
    "架空県見本市試験町一丁目2番3号",
    date(1990, 4, 1),
    "2",
    IdentitySource.SIGN_CERTIFICATE,
)
TRIES = {PinKind.AUTH: 3, PinKind.SIGN: 5, PinKind.TEXT: 3}
REQUEST_ID = "0f8e4c1a-6b2d-4e7f-9a10-3c5d7e9f1b2a"


def _form(lang: str) -> RequestForm:
    return RequestForm(
        "transcript-ja",
        copies=2,
        delivery=DeliveryMethod.DIGITAL_PDF,
        recipient="株式会社見本" if lang == "ja" else "Example Corp.",
        purpose_code="job",
    )


def _summary(lang: str) -> str:
    if lang == "ja":
        return (
            "成績証明書（和文） × 2通（手数料 600円）\n"
            "株式会社見本 宛のデジタル版の証明書（PDF）です。発行から14日以内に1回ダウンロードできます。"
        )
    return (
        "Academic transcript (Japanese) × 2 (fee ¥600)\n"
        "A signed PDF for Example Corp.: download it once within 14 days of issue."
    )


#: The status screen's requests: each state the applicant may see, newest first.
MY_REQUESTS = (
    RequestLine(
        REQUEST_ID, "transcript-ja", 2, "digital-pdf", "2026-12-05T01:30:00+00:00", "issued"
    ),
    RequestLine(
        "5a1c9e2b-0d3f-4a6e-8b7c-1f2e3d4c5b6a",
        "transcript-ja",
        1,
        "counter",
        "2026-11-20T06:10:00+00:00",
        "submitted",
    ),
    RequestLine(
        "9b8a7c6d-5e4f-4321-8fed-cba987654321",
        "transcript-ja",
        3,
        "postal",
        "2026-10-02T23:45:00+00:00",
        "delivered",
    ),
)


def models(config: KioskConfig, lang: str) -> Iterator[tuple[str, Model, str]]:
    """(file stem, model, PIN to type) for every screen, plus a few variants."""
    base = replace(initial(config), language=lang)
    card = replace(base, card_present=True, session=1, summary=SUMMARY, tries=TRIES)
    ident = replace(card, identity=IDENTITY)
    full = replace(ident, form=_form(lang))
    yield Screen.INSERT_CARD.value, base, ""
    yield "insert-card-take-card", replace(base, card_present=True, notice=Notice.TAKE_CARD), ""
    # a contactless reader: placed, not inserted; and the calm notice after a lift
    pad = replace(base, reader=ReaderKind.CONTACTLESS)
    yield "insert-card-contactless", pad, ""
    yield (
        "insert-card-contactless-take-card",
        replace(pad, card_present=True, notice=Notice.TAKE_CARD),
        "",
    )
    yield (
        "reading-card-contactless",
        replace(pad, screen=Screen.READING_CARD, card_present=True),
        "",
    )
    yield (
        Screen.READING_CARD.value,
        replace(base, screen=Screen.READING_CARD, card_present=True),
        "",
    )
    problem = replace(
        base,
        screen=Screen.CARD_PROBLEM,
        card_present=True,
        problem=CardProblem.EXPIRED,
        problem_cert=CertKind.AUTH,
        problem_detail="The certificate expired on 2024-04-01."
        if lang == "en"
        else "電子証明書の有効期限（2024年4月1日）が過ぎています。",
    )
    yield Screen.CARD_PROBLEM.value, problem, ""
    yield (
        "card-problem-revoked",
        replace(problem, problem=CardProblem.REVOKED, problem_detail=""),
        "",
    )
    yield (
        "card-problem-sign-revoked",
        replace(
            problem, problem=CardProblem.REVOKED, problem_cert=CertKind.SIGN, problem_detail=""
        ),
        "",
    )
    yield Screen.AUTH_PIN.value, replace(card, screen=Screen.AUTH_PIN), "12"
    yield (
        "auth-pin-last-try",
        replace(
            card, screen=Screen.AUTH_PIN, tries={**TRIES, PinKind.AUTH: 1}, notice=Notice.WRONG_PIN
        ),
        "",
    )
    yield Screen.AUTHENTICATING.value, replace(card, screen=Screen.AUTHENTICATING), ""
    yield (
        Screen.PIN_BLOCKED.value,
        replace(
            card,
            screen=Screen.PIN_BLOCKED,
            blocked_pin=PinKind.AUTH,
            tries={**TRIES, PinKind.AUTH: 0},
        ),
        "",
    )
    yield Screen.IDENTITY_PIN.value, replace(card, screen=Screen.IDENTITY_PIN), "ABC"
    yield Screen.READING_IDENTITY.value, replace(card, screen=Screen.READING_IDENTITY), ""
    yield (
        Screen.IDENTITY.value,
        replace(ident, screen=Screen.IDENTITY, summary=replace(SUMMARY, renewal_open=True)),
        "",
    )
    yield Screen.FORM.value, replace(full, screen=Screen.FORM), ""
    yield "form-start", replace(ident, screen=Screen.FORM), ""
    yield "form-keyboard", replace(full, screen=Screen.FORM), "keyboard"
    yield Screen.REVIEW.value, replace(full, screen=Screen.REVIEW), ""
    yield Screen.SIGN_PIN.value, replace(full, screen=Screen.SIGN_PIN), "ABCD12"
    yield (
        "sign-pin-last-try",
        replace(
            full, screen=Screen.SIGN_PIN, tries={**TRIES, PinKind.SIGN: 1}, notice=Notice.WRONG_PIN
        ),
        "",
    )
    yield Screen.SUBMITTING.value, replace(full, screen=Screen.SUBMITTING), ""
    yield (
        Screen.RECEIPT.value,
        replace(full, screen=Screen.RECEIPT, receipt=Receipt(REQUEST_ID, _summary(lang))),
        "",
    )
    # the card taken, as the receipt asked: it stays, with only what it shows
    at_receipt = replace(full, screen=Screen.RECEIPT, receipt=Receipt(REQUEST_ID, _summary(lang)))
    yield "receipt-card-taken", step(at_receipt, CardRemoved())[0], ""
    # taken out half-way through an application: the start screen says why it started over
    yield "insert-card-card-removed", replace(base, notice=Notice.CARD_REMOVED), ""
    # a contactless card lifted mid-command: the calm "place it again"
    yield "insert-card-contactless-moved", replace(pad, notice=Notice.CARD_MOVED), ""
    yield (
        Screen.ERROR.value,
        replace(
            card,
            screen=Screen.ERROR,
            error="CommunicationError: the reader failed to exchange the APDU",
        ),
        "",
    )
    looking = replace(card, intent=Intent.CHECK_STATUS)
    yield "insert-card-check-status", replace(base, intent=Intent.CHECK_STATUS), ""
    yield Screen.LISTING.value, replace(looking, screen=Screen.LISTING), ""
    yield (
        Screen.STATUS.value,
        replace(looking, screen=Screen.STATUS, my_requests=MY_REQUESTS),
        "",
    )
    yield "my-requests-none", replace(looking, screen=Screen.STATUS), ""
    yield (
        "my-requests-unavailable",
        replace(looking, screen=Screen.STATUS, status_available=False),
        "",
    )


@dataclass(frozen=True)
class Shot:
    """What a screenshot shows, for the test: the visible texts of the screen and the header,
    and how many pixels (of the full-size frame) change when the screen's texts are blanked
    out — the text that was actually drawn."""

    path: Path
    language: str
    texts: tuple[str, ...]
    text_pixels: int


def _visible_labels(area: QWidget) -> list[QLabel]:
    return [lab for lab in area.findChildren(QLabel) if lab.isVisible() and lab.text().strip()]


def _pixels_differing(a: QImage, b: QImage) -> int:
    a32 = a.convertToFormat(QImage.Format.Format_RGB32)
    b32 = b.convertToFormat(QImage.Format.Format_RGB32)
    if a32.size() != b32.size():
        return a32.width() * a32.height()
    pa, pb = array("I", bytes(a32.constBits())), array("I", bytes(b32.constBits()))
    return sum(1 for x, y in zip(pa, pb, strict=True) if x != y)


def _text_pixels(area: QWidget, frame: QImage) -> int:
    """Blank every visible label's text, grab again, count the pixels that changed, restore."""
    labels = [(lab, lab.text()) for lab in _visible_labels(area)]
    for lab, _text in labels:
        lab.setText(" ")
    QCoreApplication.processEvents()
    blank = area.grab().toImage()
    for lab, text in labels:
        lab.setText(text)
    QCoreApplication.processEvents()
    return _pixels_differing(frame, blank)


def size_folder(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def small_png_image(image: QImage) -> QImage:
    """With a palette of its 256 most frequent colours (UI screenshots have few colours; Qt's
    own palette choice shifts them)."""
    scaled = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = array("I", bytes(scaled.constBits()))
    table = [0xFF000000 | (c & 0xFFFFFF) for c, _n in Counter(pixels[::3]).most_common(256)]
    return scaled.convertToFormat(
        QImage.Format.Format_Indexed8, table, Qt.ImageConversionFlag.ThresholdDither
    )


def render_all(
    out: Path = OUT,
    config: KioskConfig | None = None,
    shots: list[Shot] | None = None,
    sizes: tuple[tuple[int, int], ...] = SIZES,
) -> list[Path]:
    """Write the screenshots, one folder per size (stale pictures there are removed); returns
    their paths. Needs a QApplication (made if missing). With ``shots``, also describe each
    one there (:class:`Shot`: slower, for the test)."""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    setup_application(app)
    config = config or load_config()
    kiosk = build_kiosk(config, reader=None, printer="pdf:" + str(out / "receipts"))
    window = kiosk.window
    window.show()
    written: list[Path] = []
    try:
        for size in sizes:
            folder = out / size_folder(size)
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob("*.png"):
                stale.unlink()
            window.resize(*size)
            for lang in LANGUAGES:
                for stem, model, pin in models(config, lang):
                    written.append(_shoot(window, model, pin, folder / f"{stem}-{lang}.png"))
                    if shots is not None:
                        frame = window.kiosk.grab().toImage()
                        texts = tuple(lab.text() for lab in _visible_labels(window.kiosk))
                        shots.append(
                            Shot(written[-1], lang, texts, _text_pixels(window.kiosk, frame))
                        )
    finally:
        window.shut_down()
        window.close()
        window.deleteLater()
    return written


def _shoot(window: KioskWindow, model: Model, pin: str, path: Path) -> Path:
    window.show_model(initial(window.config))  # leave the screen, so the next one enters
    window.show_model(model)
    screen = window.current_screen()
    if pin == "keyboard" and isinstance(screen, FormScreen):
        screen.edit_field(screen.recipient)
    elif pin and isinstance(screen, PinScreen):
        for ch in pin:
            screen.field.append(ch)
    for _ in range(3):
        QCoreApplication.processEvents()
    pixmap = window.kiosk.grab()
    if (pixmap.width(), pixmap.height()) != window.size().toTuple():
        print(f"warning: {path.name} laid out at {pixmap.width()}×{pixmap.height()}")
    if not small_png_image(pixmap.toImage()).save(str(path), "PNG", 0):
        raise RuntimeError(f"could not write {path}")
    return path


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    paths = render_all(out)
    total = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} screenshots in {out} ({total // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
