"""PDF signatures (PAdES) with the card's signature key, through pyHanko; offline verification.

Signing::

    with JpkiCard.open() as card:
        sign_pdf(card, "contract.pdf", "contract-signed.pdf", pin=prompt, visible=True)

:func:`sign_pdf` makes a PAdES baseline B-B signature (``ETSI.CAdES.detached``,
SHA-256, RSA PKCS#1 v1.5 over the signed attributes, done by the card), or
B-T with a time-stamp from an RFC 3161 server (``tsa_url``). It holds one card
transaction around the whole pyHanko signing call, verifies the signature PIN
once there (one prompt, one VERIFY) and has the card sign with ``pin=None``.
pyHanko first signs a dummy to size the signature container; that dry run
never touches the card (:class:`CardSigner`). With ``visible=True`` a stamp on
page 1 shows the holder's name from the signature certificate, drawn with a
CJK OpenType font (Noto Sans CJK JP when installed; see :func:`find_cjk_font`);
without one the stamp says "the certificate holder" in ASCII and a
:class:`CjkFontMissingWarning` is issued.

Verification (:func:`verify_pdf`) checks every signature of a document:

* **integrity** — pyHanko recomputes the digest of the signed byte ranges and
  checks the signature over the signed attributes (and the ESS
  signing-certificate attribute);
* **coverage** — the signature covers the whole file, or a revision followed
  by incremental updates that pyHanko's difference analysis judges harmless
  (more signatures, form filling, validation data); anything else is
  "modified after signing";
* **time-stamp** (B-T) — the token's signature, that it covers this
  signature's value, and its TSA certificate against ``tsa_trust``; a token
  whose TSA is not trusted is reported and its time not used;
* **the signer's certificate** — chain, validity, key usage (a signature
  certificate, 署名用) and revocation by :class:`jpki.trust.TrustStore`, as
  :func:`jpki.cms.verify_cms` does, at the time-stamp's time when there is a
  trusted one, else at the signing time the signer claims (which a holder
  could back-date; see :mod:`jpki.cms`).

pyhanko-certvalidator is used only for the TSA's certificate: the holder's
certificate is judged by :mod:`jpki.trust` alone, so that a PDF and a CMS
signature get the same verdict for the same certificate.

Caveats: pyHanko runs its own event loop (``asyncio.run``), so call
:func:`sign_pdf` and :func:`verify_pdf` from a thread without a running loop
(a worker thread in a GUI). With ``tsa_url`` the card stays held while the
server answers the real time-stamp request (at most :data:`TSA_TIMEOUT`
seconds, after the card has signed); the request that sizes the container is
made before the PIN is asked for, so a dead server costs no PIN entry. The
visible stamp costs about 1.5 s (subsetting the Noto CJK face); the face is
loaded once per process.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation import EmbeddedPdfSignature, ModificationInfo, SignatureCoverageLevel
from pyhanko.sign.validation.generic_cms import collect_timing_info, validate_sig_integrity
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import errors
from .certs import CertificateFormatError, parse_holder_attributes
from .keys import CardPrivateKey
from .layout import CertKind, PinKind
from .pins import PinSource, normalize_pin
from .timeutil import jst_iso, jst_text, utc
from .trust import CrlStore, Purpose, RevocationPolicy, TrustStore
from .verdict import (
    CERTIFICATE_REASONS,
    NOT_CHECKED,
    SignatureReason,
    Verdict,
    as_sentence,
    certificate_checks,
    certificate_refusal,
)

if TYPE_CHECKING:
    from .card import JpkiCard

__all__ = [
    "DEFAULT_FIELD_PREFIX",
    "PDF_CHECKS",
    "SIGNATURE_SIZE",
    "CardSigner",
    "CjkFontMissingWarning",
    "PdfFormatError",
    "PdfReason",
    "PdfSignatureResult",
    "PdfSigningError",
    "find_cjk_font",
    "is_pdf",
    "sign_pdf",
    "verify_pdf",
]

logger = logging.getLogger(__name__)

#: Bytes of an RSA-2048 signature: the dry-run placeholder has this size.
SIGNATURE_SIZE: Final = 256
#: New signature fields are called ``Signature1``, ``Signature2``, … (the first free one).
DEFAULT_FIELD_PREFIX: Final = "Signature"
#: How far in the future (by the verifier's clock) a signing or time-stamp time may be.
TIME_SKEW: Final = timedelta(minutes=5)
#: Seconds to wait for the time-stamping server.
TSA_TIMEOUT: Final = 10
#: Environment variable naming a font file for the visible stamp (TTF, OTF or TTC).
FONT_ENV: Final = "JPKI_PDF_FONT"

_HASHES: Final[Mapping[str, type[hashes.HashAlgorithm]]] = MappingProxyType(
    {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
)
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


class PdfSigningError(errors.JpkiError, SigningError):
    """A PDF signature could not be made (the PDF, the time-stamp server, pyHanko)."""


class PdfFormatError(errors.JpkiError, ValueError):
    """The input is not a PDF that can be read."""


class CjkFontMissingWarning(UserWarning):
    """No CJK font was found: the visible stamp names "the certificate holder" instead."""


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` is a PDF file: it starts with ``%PDF-`` (after white space or a
    byte-order mark at most). Not "anywhere in the first KB", as some readers allow: an
    attached CMS signature of a PDF holds ``%PDF-`` a few bytes in, and is not a PDF."""
    head = data[:1024].lstrip(b" \t\r\n\x00")
    return head.removeprefix(b"\xef\xbb\xbf").startswith(b"%PDF-")


def _read_input(source: bytes | bytearray | memoryview | str | os.PathLike[str]) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    return Path(source).read_bytes()


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def _crypto(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def _hash(name: str) -> hashes.HashAlgorithm:
    factory = _HASHES.get(name.lower())
    if factory is None:
        raise PdfSigningError(f"{name} is not supported; use sha256, sha384 or sha512")
    return factory()


# -- the card as a pyHanko signer --------------------------------------------------------------


class CardSigner(Signer):
    """A pyHanko :class:`~pyhanko.sign.signers.pdf_cms.Signer` whose key is the card's
    signature key (RSA PKCS#1 v1.5, SHA-256/384/512; the card pads and signs).

    ``pin`` is as for :class:`jpki.keys.CardPrivateKey`: a prompt, asked at each real
    signature; a PIN string, good for one real signature and then forgotten; or ``None``
    to rely on a :meth:`JpkiCard.verify_pin` made earlier inside the caller's own
    :meth:`JpkiCard.transaction` — what :func:`sign_pdf` does. A dry run (pyHanko's size
    estimate) returns a zero placeholder of :data:`SIGNATURE_SIZE` bytes and touches
    neither the card nor the prompt.

    ``certificate`` is the signature certificate; when omitted it is read from the card,
    which needs the signature PIN (``pin``, or an earlier verification as above).
    ``ca_certificates`` are put in the CMS too (the signature CA certificate, say).
    """

    def __init__(
        self,
        card: JpkiCard,
        pin: PinSource | None,
        certificate: x509.Certificate | None = None,
        *,
        ca_certificates: Iterable[x509.Certificate] = (),
        embed_roots: bool = True,
    ) -> None:
        if isinstance(pin, str):
            normalize_pin(PinKind.SIGN, pin)  # fail before anything is sent
        if certificate is None:
            certificate = card.read_certificate(CertKind.SIGN, pin=pin)
        public = certificate.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise PdfSigningError("the signature certificate does not hold an RSA key")
        self.card = card
        self.certificate = certificate
        self._key = CardPrivateKey(card, CertKind.SIGN, pin, certificate)
        self._public = public
        super().__init__(
            signing_cert=_asn1(certificate),
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [_asn1(c) for c in ca_certificates]
            ),
            embed_roots=embed_roots,
            prefer_pss=False,
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        algorithm = _hash(digest_algorithm)
        if dry_run:
            return bytes(SIGNATURE_SIZE)
        signature = self._key.sign(data, padding.PKCS1v15(), algorithm)
        try:  # a wrong certificate or a faulty card is caught here, not by the recipient
            self._public.verify(signature, data, padding.PKCS1v15(), algorithm)
        except InvalidSignature:
            raise PdfSigningError(
                "the card's signature does not verify with the signature certificate: "
                "the key and the certificate do not belong together"
            ) from None
        return signature


class _JpkiPdfSigner(PdfSigner):
    """A :class:`PdfSigner` whose signing time is fixed in advance, so that the visible
    stamp (drawn by us, in JST) shows the very time of the signing-time attribute."""

    def __init__(self, *args: Any, system_time: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._system_time = system_time

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._system_time
        return session


# -- fonts for the visible stamp -------------------------------------------------------------


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


def _stamp(
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
        except (OSError, ValueError, KeyError, AssertionError) as exc:
            logger.warning("cannot use the font %s: %s", path, exc)
            face = None
        else:
            text = _STAMP_TEXT_CJK % {"holder": name, "when": when_text}
            missing = {c for c in text if not c.isspace() and ord(c) not in cmap}
            if missing:
                logger.warning("the font %s lacks %s", path, "".join(sorted(missing)))
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


def _stamp_box(writer: IncrementalPdfFileWriter) -> tuple[int, int, int, int]:
    """Bottom right of page 1, inside the margin."""
    llx, lly, urx, ury = _page_box(writer)
    width = min(_STAMP_SIZE[0], (urx - llx) - 2 * _STAMP_MARGIN)
    height = min(_STAMP_SIZE[1], (ury - lly) - 2 * _STAMP_MARGIN)
    x2, y1 = urx - _STAMP_MARGIN, lly + _STAMP_MARGIN
    return round(x2 - width), round(y1), round(x2), round(y1 + height)


def _free_field_name(reader: PdfFileReader) -> str:
    try:
        taken = {name for name, _, _ in sig_fields.enumerate_sig_fields(reader)}
    except (PdfError, KeyError, ValueError, TypeError):
        taken = set()
    n = 1
    while f"{DEFAULT_FIELD_PREFIX}{n}" in taken:
        n += 1
    return f"{DEFAULT_FIELD_PREFIX}{n}"


# -- signing -------------------------------------------------------------------------------------


def sign_pdf(
    card: JpkiCard,
    input: bytes | str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    pin: PinSource,
    field_name: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    visible: bool = False,
    tsa_url: str | None = None,
    include_ca: bool = True,
    timestamper: TimeStamper | None = None,
    font: str | os.PathLike[str] | None = None,
    hash_algorithm: str = "sha256",
) -> bytes | None:
    """Sign a PDF with the card's signature key: PAdES B-B, or B-T with ``tsa_url``.

    ``input`` is the PDF (bytes or a path). With ``output`` (a path) the signed PDF is
    written there and ``None`` returned; otherwise its bytes are returned. The signature
    is added as an incremental update in a new field (``field_name``, default the first
    free ``Signature<n>``). ``visible`` puts a stamp with the holder's name and the signing
    time on page 1 (``font``: a font file; default :func:`find_cjk_font`). ``include_ca``
    embeds the signature CA certificate. ``timestamper`` overrides ``tsa_url`` with any
    pyHanko :class:`TimeStamper`.

    The PIN is asked for (or checked, if a string) once, after the PDF has been read and
    the time-stamping server reached, and verified once, in one card transaction with
    the signature. A malformed PIN string is refused before anything is sent.
    """
    algorithm = _hash(hash_algorithm).name
    if isinstance(pin, str):
        normalize_pin(PinKind.SIGN, pin)  # fail before anything is sent
    data = _read_input(input)
    if not is_pdf(data):
        raise PdfFormatError("the input is not a PDF (no %PDF- header)")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        name = field_name or _free_field_name(writer.prev)
        box = _stamp_box(writer) if visible else None
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise PdfFormatError(f"the PDF cannot be read: {exc}") from None

    stamper = timestamper
    if stamper is None and tsa_url is not None:
        stamper = HTTPTimeStamper(tsa_url, timeout=TSA_TIMEOUT)
    if stamper is not None:
        # reach the TSA before the PIN is asked for (pyHanko's size estimate needs a
        # token anyway, and a dead server should not cost the holder a PIN entry)
        try:
            asyncio.run(stamper.async_dummy_response(algorithm))
        except (OSError, ValueError, SigningError) as exc:
            raise PdfSigningError(f"the time-stamping server did not answer: {exc}") from None

    meta = PdfSignatureMetadata(
        field_name=name,
        md_algorithm=algorithm,
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    with card.transaction():
        card.verify_pin(PinKind.SIGN, pin)  # the one VERIFY; everything below relies on it
        certificate = card.read_certificate(CertKind.SIGN)
        cas = [card.read_certificate(CertKind.SIGN_CA)] if include_ca else []
        signer = CardSigner(card, None, certificate, ca_certificates=cas)
        when = datetime.now(UTC).replace(microsecond=0)
        style: TextStampStyle | None = None
        params: dict[str, str] | None = None
        spec: sig_fields.SigFieldSpec | None = None
        if box is not None:
            style, params = _stamp(certificate, font, when)
            spec = sig_fields.SigFieldSpec(sig_field_name=name, on_page=0, box=box)
        pdf_signer = _JpkiPdfSigner(
            meta,
            signer,
            timestamper=stamper,
            stamp_style=style,
            new_field_spec=spec,
            system_time=when,
        )
        try:
            result = pdf_signer.sign_pdf(writer, appearance_text_params=params)
        except PdfSigningError:
            raise
        except (SigningError, PdfError) as exc:
            raise PdfSigningError(f"the PDF could not be signed: {exc}") from None
        except OSError as exc:  # the TSA failed between the estimate and the signature
            raise PdfSigningError(f"the time-stamping server failed: {exc}") from None
    signed: bytes = result.getvalue()
    if output is None:
        return signed
    Path(output).write_bytes(signed)
    return None


# -- verification ---------------------------------------------------------------------------------


#: Why a PDF signature was not accepted: :class:`jpki.verdict.SignatureReason` (the same
#: enum); :attr:`PdfSignatureResult.REASONS` lists the members :func:`verify_pdf` gives.
PdfReason = SignatureReason


#: The checks :func:`verify_pdf` reports for each signature, in order.
PDF_CHECKS: Final = (
    "structure",
    "document-digest",
    "signature",
    "coverage",
    "modifications",
    "timestamp",
    "signing-time",
    "certificate-format",
    "certificate-chain",
    "certificate-signature",
    "certificate-validity",
    "key-usage",
    "revocation",
)
_SIGNATURE_CERT_REQUIRED: Final = (
    "The PDF was signed with the user-authentication certificate (利用者証明用); "
    "a signature needs the signature certificate (署名用電子証明書)."
)
_PRECEDENCE: Final = (
    PdfReason.MALFORMED,
    PdfReason.UNSUPPORTED,
    PdfReason.DIGEST_MISMATCH,
    PdfReason.BAD_SIGNATURE,
    PdfReason.COVERAGE,
    PdfReason.MODIFIED,
    PdfReason.TIMESTAMP_INVALID,
    PdfReason.FUTURE_SIGNING_TIME,
)


@dataclass(frozen=True)
class PdfSignatureResult(Verdict):
    """The outcome for one signature of :func:`verify_pdf` (see :class:`jpki.verdict.Verdict`).

    ``signer_certificate``, ``holder`` and ``signing_time`` are what the signature
    *claims*; rely on them only when ``valid``. ``timestamp`` is set only for a
    time-stamp token that is intact and from a trusted TSA. ``level`` is ``"PAdES B-T"``
    (trusted time-stamp), ``"PAdES B-B"``, or ``"PKCS#7"`` for an
    ``adbe.pkcs7.detached`` signature. ``checks`` maps each of :data:`PDF_CHECKS` to its
    outcome (``ok…``, ``failed: …``, ``not checked: …``, ``skipped: …``).
    """

    field_name: str
    signing_time: datetime | None = None
    timestamp: datetime | None = None
    level: str = ""
    coverage: str = ""
    later_revisions: int = 0
    reason_text: str | None = None
    location: str | None = None

    REASONS: ClassVar[frozenset[SignatureReason]] = CERTIFICATE_REASONS | {
        PdfReason.UNSUPPORTED,
        PdfReason.DIGEST_MISMATCH,
        PdfReason.BAD_SIGNATURE,
        PdfReason.COVERAGE,
        PdfReason.MODIFIED,
        PdfReason.TIMESTAMP_INVALID,
        PdfReason.FUTURE_SIGNING_TIME,
    }

    def _head(self) -> dict[str, Any]:
        return {"field": self.field_name}

    def _details(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "coverage": self.coverage,
            "later_revisions": self.later_revisions,
            "signing_time": jst_iso(self.signing_time),
            "timestamp": jst_iso(self.timestamp),
            "pdf_reason": self.reason_text,
            "pdf_location": self.location,
        }

    def _where(self) -> str:
        return f" ({self.field_name})"


class _Outcome:
    """Collects check outcomes; the failure of the highest precedence decides."""

    def __init__(self, field_name: str) -> None:
        self.field_name = field_name
        self.checks: dict[str, str] = dict.fromkeys(PDF_CHECKS, NOT_CHECKED)
        self.reason: PdfReason | None = None
        self.message = ""
        self._rank = len(_PRECEDENCE) + 1

    def fail(self, check: str, reason: PdfReason, message: str, outcome: str = "") -> None:
        self.checks[check] = f"failed: {outcome or message}"
        rank = _PRECEDENCE.index(reason) if reason in _PRECEDENCE else len(_PRECEDENCE)
        if rank < self._rank:
            self._rank, self.reason, self.message = rank, reason, as_sentence(message)


def verify_pdf(
    data: bytes | str | os.PathLike[str],
    *,
    trust_store: TrustStore | None = None,
    crls: CrlStore | None = None,
    policy: RevocationPolicy = RevocationPolicy.IF_AVAILABLE,
    at: datetime | None = None,
    tsa_trust: Iterable[x509.Certificate] = (),
) -> list[PdfSignatureResult]:
    """Verify every signature in a PDF (bytes or a path); one result each, in signing order.

    ``trust_store`` defaults to the J-LIS production roots; revocation follows
    ``policy`` with the CRLs in ``crls``; ``at`` is the verification time (aware;
    default now). ``tsa_trust`` are the roots trusted for time-stamping authorities
    (none by default: a time-stamp is then reported but its time not relied on).

    A document without signatures gives an empty list. Raises :class:`PdfFormatError`
    only when the file cannot be read as a PDF at all (and ``ValueError`` for a naive
    ``at``); a bad signature is a result with ``valid=False``.
    """
    now = utc(at, "the verification time")
    raw = _read_input(data)
    if not is_pdf(raw):
        raise PdfFormatError("not a PDF (no %PDF- header)")
    store = trust_store if trust_store is not None else TrustStore.production()
    try:
        reader = PdfFileReader(io.BytesIO(raw))
        found = list(sig_fields.enumerate_sig_fields(reader, filled_status=True))
        total_revisions = reader.xrefs.total_revisions
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PdfFormatError(f"the PDF cannot be read: {exc}") from None
    tsa_roots = [_asn1(c) for c in tsa_trust]
    results: list[tuple[int, PdfSignatureResult]] = []
    for name, sig_obj_ref, sig_field in found:
        try:
            sig_obj = sig_obj_ref.get_object()
            if sig_obj.get("/Type") == "/DocTimeStamp":
                continue  # a document time-stamp is not a signature by a holder
        except (PdfError, AttributeError, KeyError):
            pass
        results.append(
            _verify_one(
                reader,
                str(name),
                sig_field,
                store=store,
                crls=crls,
                policy=policy,
                now=now,
                tsa_roots=tsa_roots,
                total_revisions=total_revisions,
            )
        )
    return [r for _, r in sorted(results, key=lambda item: item[0])]


_COVERAGE_NAMES: Final = {
    SignatureCoverageLevel.ENTIRE_FILE: "entire-file",
    SignatureCoverageLevel.ENTIRE_REVISION: "entire-revision",
    SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "contiguous-block",
    SignatureCoverageLevel.UNCLEAR: "unclear",
}
_HARMLESS_UPDATES: Final = {
    ModificationLevel.NONE: "nothing that changes the content",
    ModificationLevel.LTA_UPDATES: "validation data and time-stamps only",
    ModificationLevel.FORM_FILLING: "further signatures and form filling only",
    ModificationLevel.ANNOTATIONS: "annotations (comments) only",
}


def _verify_one(
    reader: PdfFileReader,
    name: str,
    sig_field: generic.DictionaryObject,
    *,
    store: TrustStore,
    crls: CrlStore | None,
    policy: RevocationPolicy,
    now: datetime,
    tsa_roots: Sequence[asn1_x509.Certificate],
    total_revisions: int,
) -> tuple[int, PdfSignatureResult]:
    out = _Outcome(name)

    def finish(**kwargs: Any) -> PdfSignatureResult:
        valid = out.reason is None
        return PdfSignatureResult(
            field_name=name,
            valid=valid,
            reason=out.reason,
            message=kwargs.pop("message", out.message),
            checks=MappingProxyType(dict(out.checks)),
            **kwargs,
        )

    # 1. structure: the CMS, the signer's certificate, pyHanko's integrity checks
    try:
        embedded = EmbeddedPdfSignature(reader, sig_field, name)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        out.fail("structure", PdfReason.MALFORMED, f"the signature cannot be read: {exc}")
        return total_revisions, finish()
    order = embedded.signed_revision
    subfilter = str(embedded.sig_object.get("/SubFilter", ""))
    if subfilter not in ("/ETSI.CAdES.detached", "/adbe.pkcs7.detached"):
        out.fail(
            "structure", PdfReason.UNSUPPORTED, f"the signature format {subfilter} is not supported"
        )
        return order, finish()
    reason_text = _pdf_text(embedded.sig_object, "/Reason")
    location = _pdf_text(embedded.sig_object, "/Location")
    try:
        signer_asn1 = embedded.signer_cert
        md_algorithm = embedded.md_algorithm
        if md_algorithm not in _HASHES:
            out.fail(
                "structure",
                PdfReason.UNSUPPORTED,
                f"the digest algorithm {md_algorithm} is not supported (SHA-256/384/512 are)",
            )
            return order, finish(reason_text=reason_text, location=location)
        embedded.compute_integrity_info()  # type: ignore[no-untyped-call]
        integrity = ModificationInfo(**embedded.summarise_integrity_info())
        digest = embedded.compute_digest()
        timing: dict[str, Any] = asyncio.run(
            collect_timing_info(
                embedded.signer_info,
                ValidationContext(trust_roots=list(tsa_roots), allow_fetching=False, moment=now),
                raw_digest=embedded.compute_digest,
            )
        )
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        out.fail("structure", PdfReason.MALFORMED, f"the signature cannot be checked: {_why(exc)}")
        return order, finish(reason_text=reason_text, location=location)
    out.checks["structure"] = f"ok ({subfilter.lstrip('/')})"
    signer = _crypto(signer_asn1)
    claimed: datetime | None = timing.get("signer_reported_dt") or embedded.self_reported_timestamp
    common: dict[str, Any] = {
        "signer_certificate": signer,
        "signing_time": claimed,
        "reason_text": reason_text,
        "location": location,
    }

    # 2. integrity: the digest of the signed byte ranges, the signature over the attributes
    try:
        intact, valid = validate_sig_integrity(
            embedded.signer_info, signer_asn1, expected_content_type="data", actual_digest=digest
        )
    except (ValueError, KeyError, TypeError) as exc:
        intact = valid = False
        out.fail(
            "signature", PdfReason.BAD_SIGNATURE, f"the signature is not acceptable: {_why(exc)}"
        )
    else:
        if valid:
            out.checks["signature"] = "ok (RSA, signed attributes)"
        else:
            out.fail(
                "signature",
                PdfReason.BAD_SIGNATURE,
                "the signature does not verify with the signer's certificate",
            )
    if intact:
        out.checks["document-digest"] = f"ok ({md_algorithm})"
    else:
        out.fail(
            "document-digest",
            PdfReason.DIGEST_MISMATCH,
            "the document was changed after it was signed: the signed bytes no longer match "
            "the signature",
            "the digest of the signed byte ranges does not match the signed attributes",
        )

    # 3. coverage and later revisions
    later = max(0, total_revisions - 1 - order)
    coverage = (
        _COVERAGE_NAMES.get(integrity.coverage, "unclear") if integrity.coverage else "unclear"
    )
    common.update(coverage=coverage, later_revisions=later)
    _coverage(out, integrity, later)

    # 4. time-stamp, signing time
    timestamp = _timestamp(out, timing.get("timestamp_validity"), now)
    level = "PKCS#7" if subfilter == "/adbe.pkcs7.detached" else "PAdES B-B"
    if timestamp is not None:
        level = "PKCS#7 with time-stamp" if level == "PKCS#7" else "PAdES B-T"
    common.update(timestamp=timestamp, level=level)
    if claimed is None:
        out.checks["signing-time"] = "not checked: the signature states no signing time"
    elif claimed > now + TIME_SKEW:
        out.fail(
            "signing-time",
            PdfReason.FUTURE_SIGNING_TIME,
            f"the signing time {jst_text(claimed)} is after the verification time",
        )
    elif timestamp is not None and claimed > timestamp + TIME_SKEW:
        out.fail(
            "signing-time",
            PdfReason.FUTURE_SIGNING_TIME,
            f"the signing time {jst_text(claimed)} is after the time-stamp {jst_text(timestamp)}",
        )
    else:
        source = "" if timestamp is not None else " (the signer's claim)"
        out.checks["signing-time"] = f"ok: {jst_text(claimed)}{source}"

    # 5. the signer's certificate, by jpki.trust at the trusted time
    when = timestamp or claimed or now
    intermediates = [_crypto(c) for c in embedded.other_embedded_certs]
    validation = store.validate(
        signer,
        purpose=Purpose.SIGNATURE,
        at=min(when, now),
        crls=crls,
        policy=policy,
        intermediates=tuple(intermediates),
    )
    out.checks.update(certificate_checks(validation))
    common["validation"] = validation
    if out.reason is not None:
        return order, finish(**common)
    if not validation.valid:
        out.reason, out.message = certificate_refusal(
            validation, signature_certificate_needed=_SIGNATURE_CERT_REQUIRED
        )
        return order, finish(**common)
    extent = "the whole document" if later == 0 else f"the document up to revision {order + 1}"
    message = f"The signature is valid and covers {extent}. {validation.message}"
    return order, finish(message=message, **common)


def _coverage(out: _Outcome, status: ModificationInfo, later: int) -> None:
    coverage = status.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        out.checks["coverage"] = "ok: the whole file"
        out.checks["modifications"] = "ok: none"
        return
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        out.fail(
            "coverage",
            PdfReason.COVERAGE,
            "the signature does not cover its revision of the document (its byte ranges "
            "leave gaps or stop early)",
        )
        out.checks["modifications"] = "skipped: the coverage is not standard"
        return
    out.checks["coverage"] = (
        f"ok: its revision; {later} later revision(s) were added by incremental update"
    )
    level = status.modification_level
    if level is not None and level in _HARMLESS_UPDATES and status.docmdp_ok is not False:
        out.checks["modifications"] = f"ok: the later revisions add {_HARMLESS_UPDATES[level]}"
        return
    out.fail(
        "modifications",
        PdfReason.MODIFIED,
        "the document was changed after it was signed: a later revision changes its content "
        "(the signature covers only an earlier version)",
        "a later revision changes the content"
        + ("" if level is None else f" (pyHanko: {level.name})"),
    )


def _timestamp(
    out: _Outcome, token: TimestampSignatureStatus | None, now: datetime
) -> datetime | None:
    """The time-stamp's time if it is intact and its TSA trusted, else ``None``."""
    if token is None:
        out.checks["timestamp"] = (
            "not checked: no time-stamp (the signing time is the signer's claim)"
        )
        return None
    tsa = token.signing_cert.subject.human_friendly
    if not (token.intact and token.valid):
        out.fail(
            "timestamp",
            PdfReason.TIMESTAMP_INVALID,
            "the time-stamp token is damaged or does not belong to this signature",
            f"the time-stamp token by {tsa} is damaged or does not cover this signature",
        )
        return None
    when: datetime = token.timestamp
    if not token.trusted:
        out.checks["timestamp"] = (
            f"not checked: a time-stamp of {jst_text(when)} by {tsa}, whose certificate is "
            "not trusted (give the TSA's root); its time is not relied on"
        )
        return None
    if when > now + TIME_SKEW:
        out.fail(
            "timestamp",
            PdfReason.TIMESTAMP_INVALID,
            f"the time-stamp {jst_text(when)} is after the verification time",
        )
        return None
    out.checks["timestamp"] = f"ok: {jst_text(when)} by {tsa}"
    return when


def _why(exc: BaseException) -> str:
    message = getattr(exc, "failure_message", None) or str(exc) or type(exc).__name__
    return str(message)


def _pdf_text(sig_object: generic.DictionaryObject, key: str) -> str | None:
    try:
        value = sig_object.get(key)
    except (PdfError, KeyError):
        return None
    return None if value is None else str(value)
