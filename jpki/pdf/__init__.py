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

As pyHanko does, signing and validation are apart: :mod:`jpki.pdf.signer`
(:func:`sign_pdf`, :class:`CardSigner`), :mod:`jpki.pdf.stamp` (the visible stamp and
its font), :mod:`jpki.pdf.verify` (:func:`verify_pdf`, :class:`PdfSignatureResult`) and
:mod:`jpki.pdf.document` (the PDF as input, the errors). Everything public is
importable from ``jpki.pdf``.

Caveats: pyHanko runs its own event loop (``asyncio.run``), so call
:func:`sign_pdf` and :func:`verify_pdf` from a thread without a running loop
(a worker thread in a GUI). With ``tsa_url`` the card stays held while the
server answers the real time-stamp request (at most :data:`TSA_TIMEOUT`
seconds, after the card has signed); the request that sizes the container is
made before the PIN is asked for, so a dead server costs no PIN entry. The
visible stamp costs about 1.5 s (subsetting the Noto CJK face); the face is
loaded once per process.
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko imports cryptography's DSA key classes when it loads; cryptography 51 warns about
# DSA on that import. Nothing here uses DSA, and the warning would reach every CLI user's
# stderr: silence exactly that warning, from pyHanko only, before pyHanko is first imported.
warnings.filterwarnings(
    "ignore",
    message="DSA is deprecated",
    category=CryptographyDeprecationWarning,
    module=r"pyhanko\.",
)

from .document import PdfFormatError, PdfSigningError, is_pdf  # noqa: E402
from .signer import DEFAULT_FIELD_PREFIX, SIGNATURE_SIZE, TSA_TIMEOUT, CardSigner, sign_pdf  # noqa: E402
from .stamp import FONT_ENV, CjkFontMissingWarning, find_cjk_font  # noqa: E402
from .verify import PDF_CHECKS, TIME_SKEW, PdfReason, PdfSignatureResult, verify_pdf  # noqa: E402

__all__ = [
    "DEFAULT_FIELD_PREFIX",
    "FONT_ENV",
    "PDF_CHECKS",
    "SIGNATURE_SIZE",
    "TIME_SKEW",
    "TSA_TIMEOUT",
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
