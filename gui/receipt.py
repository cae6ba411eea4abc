"""The receipt: the request number as a QR code, and printing it (to a printer or a PDF file).

:func:`~gui.next_steps.short_number` (the request number as printed) is re-exported here."""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import segno
from PySide6.QtCore import QCoreApplication, QMarginsF, Qt, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from jpki.timeutil import JST

from . import texts
from .next_steps import short_number

__all__ = [
    "ReceiptContent",
    "make_printer",
    "print_receipt",
    "qr_image",
    "receipt_document",
    "short_number",
]

translate = QCoreApplication.translate


def qr_image(text: str, size: int = 320) -> QImage:
    """A QR code of ``text`` (error correction M, 4-module quiet zone), ``size`` px square."""
    qr = segno.make(text, error="m", micro=False)
    rows = list(qr.matrix_iter(scale=1, border=4))
    n = len(rows)
    data = bytes(0 if dark else 255 for row in rows for dark in row)
    image = QImage(data, n, n, n, QImage.Format.Format_Grayscale8).copy()
    scale = max(1, size // n)
    return image.scaled(
        n * scale,
        n * scale,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )


@dataclass(frozen=True, slots=True)
class ReceiptContent:
    """What a printed receipt says (texts already in the applicant's language)."""

    institution: str
    request_id: str
    title: str
    lines: tuple[tuple[str, str], ...]  # (label, value)
    next_steps: tuple[str, ...]  # from gui.next_steps, as on the screens
    when: datetime = field(default_factory=lambda: datetime.now(JST))
    language: str = "en"  # of the date and time printed

    def when_text(self) -> str:
        """The date as the language writes it (2026年12月5日 / 5 December 2026) and the time
        in Japan."""
        local = self.when.astimezone(JST) if self.when.tzinfo else self.when
        return f"{texts.date_text(self.language, local.date())} {local:%H:%M}"


# Latin text in a Latin font first: in the CJK font, Qt's PDF loses the text of digits next to
# Latin letters ("1st", "0F1E2D3C") for a reader's copy-and-paste and for pdftotext
_FAMILY = "'Noto Sans','DejaVu Sans','Noto Sans CJK JP',sans-serif"
_FAMILY_JA = "'Noto Sans CJK JP','Noto Sans','DejaVu Sans',sans-serif"
_MONO = "'DejaVu Sans Mono','Noto Sans Mono CJK JP',monospace"


def receipt_document(content: ReceiptContent, pt: float = 9.0) -> QTextDocument:
    """The receipt as a rich-text document; ``pt`` is its body's size (the steps are 1 pt
    smaller)."""
    doc = QTextDocument()
    doc.addResource(
        QTextDocument.ResourceType.ImageResource,
        QUrl("qr://request"),
        qr_image(content.request_id, 200),
    )
    rows = "".join(
        f"<tr><td style='padding:1px 12px 1px 0;color:#333'>{html.escape(k)}</td>"
        f"<td style='padding:1px 0'><b>{html.escape(v)}</b></td></tr>"
        for k, v in content.lines
    )
    number = short_number(content.request_id)
    # the request number in the steps (status, print number) as on the top: monospaced, bold
    marked = f'<b style="font-family:{_MONO}">{number}</b>'
    steps = "".join(
        f"<li style='margin-bottom:2px;font-size:{pt - 1:g}pt'>"
        f"{html.escape(s).replace(number, marked)}</li>"
        for s in content.next_steps
    )
    family = _FAMILY_JA if content.language == "ja" else _FAMILY
    number_label = translate("Receipt", "Request number")
    steps_label = translate("Receipt", "What happens next")
    doc.setHtml(
        f"""<html><body style="font-family:{family};font-size:{pt:g}pt">
        <p style="font-size:8pt;margin:0">{html.escape(content.institution)}<br>{html.escape(content.when_text())}</p>
        <h1 style="font-size:14pt;margin-top:3px;margin-bottom:2px">{html.escape(content.title)}</h1>
        <table width="100%" cellspacing="0" cellpadding="0"><tr><td style="padding-right:12px">
          <p style="margin:0">{html.escape(number_label)}</p>
          <p style="font-family:{_MONO};font-size:17pt;font-weight:bold;letter-spacing:2px;white-space:nowrap;margin:0">{number}</p>
          <p style="font-family:monospace;font-size:6pt;white-space:nowrap;margin:0 0 4px 0">{html.escape(content.request_id)}</p>
          <table cellspacing="0" cellpadding="0">{rows}</table>
        </td><td align="right"><img src="qr://request" width="96" height="96"></td></tr></table>
        <p style="font-weight:bold;margin:6px 0 2px 0">{html.escape(steps_label)}</p>
        <ol style="margin-top:0">{steps}</ol>
        </body></html>"""
    )
    return doc


def make_printer(target: str, request_id: str) -> tuple[QPrinter, str]:
    """A printer for ``target``: ``pdf:DIR`` (a PDF file per receipt) or a printer's name.

    Returns the printer and where the receipt goes (a file path or the printer name).
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A5),
            QPageLayout.Orientation.Portrait,
            QMarginsF(10, 10, 10, 10),
            QPageLayout.Unit.Millimeter,
        )
    )
    if target.startswith("pdf:"):
        folder = Path(target[4:]).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"receipt-{short_number(request_id)}-{request_id}.pdf"
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return printer, str(path)
    info = QPrinterInfo.printerInfo(target) if target else QPrinterInfo.defaultPrinter()
    if info.isNull():
        raise RuntimeError(f"no printer named {target!r}")
    printer.setPrinterName(info.printerName())
    return printer, info.printerName()


def _laid_out(content: ReceiptContent, printer: QPrinter) -> QTextDocument:
    """The receipt laid out on the printer's page (inside the 10 mm margins), not in Qt's
    default 2 cm inset; the type is made smaller until it fits one page (an office's long
    texts)."""
    page = printer.pageLayout().paintRect(QPageLayout.Unit.Point).size()
    for pt in (9.0, 8.5, 8.0, 7.5, 7.0):
        doc = receipt_document(content, pt)
        doc.setPageSize(page)
        doc.setDocumentMargin(0)
        if doc.pageCount() == 1:
            break
    return doc


def print_receipt(content: ReceiptContent, target: str) -> str:
    """Print the receipt; returns where it went. Raises ``RuntimeError`` on failure.

    A PDF receipt is drawn into a private temporary file, then written to its place with
    :func:`jpki.files.write_file`: whole or not at all, never through a link."""
    printer, where = make_printer(target, content.request_id)
    if printer.outputFormat() is not QPrinter.OutputFormat.PdfFormat:
        _laid_out(content, printer).print_(printer)
        return where
    from jpki.files import UnsafeOutput, write_file

    with tempfile.TemporaryDirectory(prefix="jpki-receipt-") as scratch:
        drawn = Path(scratch) / "receipt.pdf"
        printer.setOutputFileName(str(drawn))
        _laid_out(content, printer).print_(printer)
        if not drawn.is_file():
            raise RuntimeError(f"the receipt was not written to {where}")
        try:
            write_file(where, drawn.read_bytes(), private=True)  # 0600: it names a request
        except (OSError, UnsafeOutput) as exc:
            raise RuntimeError(f"the receipt was not written to {where}: {exc}") from None
    return where
