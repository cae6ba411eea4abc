"""A PDF as input to signing and verification: telling a PDF, reading one, the errors about
it, and the certificate and hash forms pyHanko takes."""

from __future__ import annotations

import os

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign.general import SigningError

from .. import errors
from ..digestinfo import SHA2
from ..files import InputTooLarge, read_limited
from ..limits import MAX_PDF_SIZE

__all__ = [
    "PdfFormatError",
    "PdfSigningError",
    "asn1_certificate",
    "hash_named",
    "is_pdf",
    "read_input",
]


class PdfSigningError(errors.JpkiError, SigningError):
    """A PDF signature could not be made (the PDF, the time-stamp server, pyHanko)."""


class PdfFormatError(errors.JpkiError, ValueError):
    """The input is not a PDF that can be read."""


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` is a PDF file: it starts with ``%PDF-`` (after white space or a
    byte-order mark at most). Not "anywhere in the first KB", as some readers allow: an
    attached CMS signature of a PDF holds ``%PDF-`` a few bytes in, and is not a PDF."""
    head = data[:1024].lstrip(b" \t\r\n\x00")
    return head.removeprefix(b"\xef\xbb\xbf").startswith(b"%PDF-")


def read_input(
    source: bytes | bytearray | memoryview | str | os.PathLike[str], max_size: int = MAX_PDF_SIZE
) -> bytes:
    """The PDF's bytes; :class:`jpki.files.InputTooLarge` past ``max_size`` (a file: told
    by its size, before it is read)."""
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) > max_size:
            raise InputTooLarge("the PDF", max_size, len(source))
        return bytes(source)
    return read_limited(source, max_size)


def asn1_certificate(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def hash_named(name: str) -> hashes.HashAlgorithm:
    factory = SHA2.get(name.lower())
    if factory is None:
        raise PdfSigningError(f"{name} is not supported; use sha256, sha384 or sha512")
    return factory()
