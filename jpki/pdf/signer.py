"""Signing a PDF with the card's signature key through pyHanko: :func:`sign_pdf` and the
pyHanko signer it uses, :class:`CardSigner`."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..files import check_output, write_file
from ..keys import CardPrivateKey
from ..layout import CertKind, PinKind
from ..limits import MAX_PDF_SIZE
from ..pins import PinSource, normalize_pin
from .document import (
    PdfFormatError,
    PdfSigningError,
    asn1_certificate,
    hash_named,
    is_pdf,
    read_input,
)
from .stamp import stamp, stamp_box

if TYPE_CHECKING:
    from ..card import JpkiCard

__all__ = ["DEFAULT_FIELD_PREFIX", "SIGNATURE_SIZE", "TSA_TIMEOUT", "CardSigner", "sign_pdf"]

#: Bytes of an RSA-2048 signature: the dry-run placeholder has this size.
SIGNATURE_SIZE: Final = 256
#: New signature fields are called ``Signature1``, ``Signature2``, … (the first free one).
DEFAULT_FIELD_PREFIX: Final = "Signature"
#: Seconds to wait for the time-stamping server.
TSA_TIMEOUT: Final = 10


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
            signing_cert=asn1_certificate(certificate),
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [asn1_certificate(c) for c in ca_certificates]
            ),
            embed_roots=embed_roots,
            prefer_pss=False,
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        algorithm = hash_named(digest_algorithm)
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
    max_size: int = MAX_PDF_SIZE,
    force: bool = False,
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
    the signature. A malformed PIN string is refused before anything is sent, and so is
    an ``output`` that may not be written (:func:`jpki.files.check_output`: it is the
    input, a link, …; ``force`` replaces a link) or an input of more than ``max_size``
    bytes. The output is written whole or not at all (:func:`jpki.files.write_file`).
    """
    algorithm = hash_named(hash_algorithm).name
    if isinstance(pin, str):
        normalize_pin(PinKind.SIGN, pin)  # fail before anything is sent
    inputs = [] if isinstance(input, bytes | bytearray | memoryview) else [input]
    if output is not None:
        check_output(output, force=force, inputs=inputs)
    data = read_input(input, max_size)
    if not is_pdf(data):
        raise PdfFormatError("the input is not a PDF (no %PDF- header)")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        name = field_name or _free_field_name(writer.prev)
        box = stamp_box(writer) if visible else None
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
            style, params = stamp(certificate, font, when)
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
    write_file(output, signed, force=force, inputs=inputs)
    return None
