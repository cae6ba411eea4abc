"""How much input the library takes: every size and count it accepts, in one place.

Each limit is checked before the input is read or parsed (a file by its size, a DER
element by its length octets), so memory stays within a small multiple of the limit
whatever an attacker sends (``bench/bench_limits.py`` measures it). Each is a default:
the functions that apply one take it as a parameter (:class:`CmsLimits` for
:func:`jpki.cms.verify_cms`; ``max_size`` elsewhere), and the CLI's ``--max-size`` raises
the size of a signature or a PDF it reads.

Content that is only hashed (the file of a detached signature) has no limit: it is read
in chunks of :data:`CHUNK_SIZE`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "CHUNK_SIZE",
    "CMS_OVERHEAD",
    "MAX_CERTIFICATE_FILE_SIZE",
    "MAX_CMS_SIZE",
    "MAX_CONFIG_SIZE",
    "MAX_CRL_FILE_SIZE",
    "MAX_PDF_SIZE",
    "CmsLimits",
    "parse_size",
    "pem_size",
    "size_text",
]

KiB: Final = 1024
MiB: Final = 1024 * KiB
GiB: Final = 1024 * MiB

#: Chunks in which content that is only hashed (or copied) is read.
CHUNK_SIZE: Final = 1 * MiB

#: A CMS signature read whole (DER; an attached one holds its content): ``verify_cms``,
#: ``jpki verify``, and the content ``jpki sign --attached`` puts inside one.
MAX_CMS_SIZE: Final = 64 * MiB
#: Room for a SignedData's own parts (certificates, signed attributes, signature) around
#: an attached content: ``jpki sign --attached`` takes content up to ``MAX_CMS_SIZE`` less
#: this, so that what it makes verifies within the limit.
CMS_OVERHEAD: Final = 64 * KiB
#: A PDF signed or verified (pyHanko reads it whole).
MAX_PDF_SIZE: Final = 64 * MiB
#: A file of trusted certificates (``--trust``): PEM bundles are a few KB.
MAX_CERTIFICATE_FILE_SIZE: Final = 4 * MiB
#: A CRL file (``--crl``): a full CRL of a large CA runs to tens of MB.
MAX_CRL_FILE_SIZE: Final = 128 * MiB
#: A configuration file (TOML, the mock card's JSON state).
MAX_CONFIG_SIZE: Final = 1 * MiB


@dataclass(frozen=True)
class CmsLimits:
    """What :func:`jpki.cms.verify_cms` accepts. A signature past any of these is refused
    as ``malformed`` (``too large``), before it is parsed further."""

    #: The whole SignedData, in DER (PEM text may be 4/3 of this and its line breaks).
    max_size: int = MAX_CMS_SIZE
    #: The signed attributes (ours has four, a PAdES signer's up to eight or so).
    max_signed_attributes: int = 32
    #: The DER of the signed attributes.
    max_signed_attributes_size: int = 1 * MiB
    #: Values of one attribute (every attribute looked at must have exactly one).
    max_attribute_values: int = 8
    #: Certificates carried (the signer's and its CA's; a chain is three or four).
    max_certificates: int = 32
    #: SignerInfos and digest algorithms listed (one signer is accepted).
    max_signers: int = 16


def pem_size(der_size: int) -> int:
    """The largest PEM text of a DER object of ``der_size`` bytes: base64 (4/3), a line
    break (CR LF) every 64 characters, the labels and some slack."""
    text = (der_size + 2) // 3 * 4
    return text + text // 32 + 4 * KiB


_UNITS: Final = {"": 1, "K": KiB, "M": MiB, "G": GiB}
_SIZE: Final = re.compile(r"\s*([0-9]{1,15})\s*([KMG]?)(?:I?B)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``64M``, ``1G``, ``512K``, ``100000`` (bytes; K/M/G are powers of 1024, ``MiB``
    and ``MB`` are accepted as ``M``); ``ValueError`` for anything else or 0."""
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(f"{text[:40]!r} is not a size (bytes, or a number with K, M or G)")
    value = int(m.group(1)) * _UNITS[m.group(2).upper()]
    if value <= 0 or value > 1024 * GiB:
        raise ValueError(f"{text[:40]!r} is not a size between 1 byte and 1024 GiB")
    return value


def size_text(size: int) -> str:
    """``64 MiB``, ``1.5 GiB``, ``16 KiB``, ``300 bytes``."""
    for unit, name in ((GiB, "GiB"), (MiB, "MiB"), (KiB, "KiB")):
        if size >= unit:
            return f"{size / unit:.1f}".removesuffix(".0") + f" {name}"
    return f"{size} bytes"
