"""The visible stamp of a PDF signature: the holder's name and the signing time (JST) on
page 1, in a CJK font when one is installed (:func:`find_cjk_font`), else in ASCII with a
:class:`CjkFontMissingWarning`. The face is loaded once per process; subsetting the Noto
CJK face costs about 1.5 s per signature."""

from __future__ import annotations

import functools
import io
import logging
import os
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import TextStampStyle

from ..certs import CertificateFormatError, parse_holder_attributes
from ..timeutil import jst_text
from ..verdict import one_line

__all__ = ["FONT_ENV", "CjkFontMissingWarning", "find_cjk_font", "stamp", "stamp_box"]

logger = logging.getLogger(__name__)

#: Environment variable naming a font file for the visible stamp (TTF, OTF or TTC).
FONT_ENV: Final = "JPKI_PDF_FONT"

_FONT_CANDIDATES: Final = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
    "C:/Windows/Fonts/msgothic.ttc",
    "C:/Windows/Fonts/YuGothM.ttc",
)
_STAMP_SIZE: Final = (250.0, 72.0)  # width, height in points
_STAMP_MARGIN: Final = 36.0
_A4: Final = (0.0, 0.0, 595.0, 842.0)


class CjkFontMissingWarning(UserWarning):
    """No CJK font was found: the visible stamp names "the certificate holder" instead."""


def find_cjk_font() -> Path | None:
    """A font file that can draw kanji: ``$JPKI_PDF_FONT`` if set, else the first of the
    usual places (Noto Sans CJK from fonts-noto-cjk, IPA fonts, the platform's Gothic)."""
    configured = os.environ.get(FONT_ENV)
    if configured:
        path = Path(configured)
        return path if path.is_file() else None
    for candidate in _FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    for root in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts")):
        if root.is_dir():
            found = sorted(root.rglob("*CJK*JP*.otf")) or sorted(root.rglob("*CJK*.ttc"))
            if found:
                return found[0]
    return None


@functools.lru_cache(maxsize=2)
def _font_face(path: str, mtime: float) -> tuple[bytes, frozenset[int]]:
    """The bytes of one face of ``path`` (for a collection: the Japanese, proportional one)
    and the code points it maps. pyHanko (fontTools) cannot open a collection itself."""
    from fontTools import ttLib  # type: ignore[import-untyped]

    del mtime  # part of the cache key only
    if Path(path).read_bytes()[:4] == b"ttcf":
        collection = ttLib.TTCollection(path, lazy=True)
        number = 0
        for i, face in enumerate(collection.fonts):
            name = str(face["name"].getDebugName(4) or "")
            if " JP" in name and "Mono" not in name:
                number = i
                break
        font = ttLib.TTFont(path, fontNumber=number, lazy=True)
    else:
        font = ttLib.TTFont(path, lazy=True)
    out = io.BytesIO()
    font.save(out)  # before any table is decompiled: saving then copies the raw tables
    face = out.getvalue()
    cmap = frozenset(ttLib.TTFont(io.BytesIO(face), lazy=True).getBestCmap() or {})
    return face, cmap


@dataclass(frozen=True)
class _FaceFontFactory(FontEngineFactory):
    """pyHanko's :class:`GlyphAccumulatorFactory`, for a face given as bytes."""

    face: bytes
    font_size: int = 10

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: Any = None) -> Any:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()  # type: ignore[no-untyped-call]
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(self.face),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


_STAMP_TEXT_CJK: Final = "電子署名 Digitally signed\n署名者: %(holder)s\n日時: %(when)s"
_STAMP_TEXT_ASCII: Final = "Digitally signed (JPKI)\nSigner: %(holder)s\nDate: %(when)s"


def stamp(
    certificate: x509.Certificate, font: str | os.PathLike[str] | None, when: datetime
) -> tuple[TextStampStyle, dict[str, str]]:
    """The stamp's style and text: the holder's name with a CJK font, else ASCII."""
    try:
        name = parse_holder_attributes(certificate).name
    except CertificateFormatError:
        name = ""
    if not name:
        cn = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        name = str(cn[0].value) if cn else "the certificate holder"
    when_text = jst_text(when)
    path = Path(font) if font is not None else find_cjk_font()
    face: bytes | None = None
    if path is not None:
        try:
            face, cmap = _font_face(str(path), path.stat().st_mtime)
        except Exception as exc:  # fontTools fails on a bad font in many ways
            # (TTLibError, struct.error, KeyError, ...): a font it cannot read is not used
            logger.warning("cannot use the font %s: %s", one_line(str(path)), one_line(str(exc)))
            face = None
        else:
            text = _STAMP_TEXT_CJK % {"holder": name, "when": when_text}
            missing = {c for c in text if not c.isspace() and ord(c) not in cmap}
            if missing:
                logger.warning(
                    "the font %s lacks %s",
                    one_line(str(path)),
                    one_line("".join(sorted(missing))),
                )
                face = None
    if face is None:
        warnings.warn(
            "no CJK font found (install fonts-noto-cjk or set JPKI_PDF_FONT): the visible "
            "stamp shows 'the certificate holder' instead of the holder's name",
            CjkFontMissingWarning,
            stacklevel=3,
        )
        ascii_name = name if name.isascii() else "the certificate holder"
        style = TextStampStyle(stamp_text=_STAMP_TEXT_ASCII, border_width=1)
        return style, {"holder": ascii_name, "when": when_text}
    style = TextStampStyle(
        stamp_text=_STAMP_TEXT_CJK,
        text_box_style=TextBoxStyle(font=_FaceFontFactory(face=face, font_size=10)),
        border_width=1,
    )
    return style, {"holder": name, "when": when_text}


def _page_box(writer: IncrementalPdfFileWriter) -> tuple[float, float, float, float]:
    try:
        page_ref, _ = writer.find_page_for_modification(0)  # type: ignore[no-untyped-call]
        node = page_ref.get_object()
        for _ in range(32):  # MediaBox may be inherited from the page tree
            if "/MediaBox" in node:
                box = [float(v) for v in node["/MediaBox"]]
                if len(box) == 4:
                    return box[0], box[1], box[2], box[3]
                break
            if "/Parent" not in node:
                break
            node = node["/Parent"].get_object()
    except (PdfError, KeyError, ValueError, TypeError, IndexError):
        pass
    return _A4


def stamp_box(writer: IncrementalPdfFileWriter) -> tuple[int, int, int, int]:
    """Bottom right of page 1, inside the margin."""
    llx, lly, urx, ury = _page_box(writer)
    width = min(_STAMP_SIZE[0], (urx - llx) - 2 * _STAMP_MARGIN)
    height = min(_STAMP_SIZE[1], (ury - lly) - 2 * _STAMP_MARGIN)
    x2, y1 = urx - _STAMP_MARGIN, lly + _STAMP_MARGIN
    return round(x2 - width), round(y1), round(x2), round(y1 + height)
