"""CMS signatures as PEM text: whole (:func:`to_pem`, :func:`from_pem`) or streamed
(:func:`pem_chunks`)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from typing import Final

__all__ = ["PEM_LABEL", "from_pem", "pem_chunks", "to_pem"]

#: The PEM label ``openssl cms -outform PEM`` writes (``PKCS7`` is accepted on input too).
PEM_LABEL: Final = "CMS"
_BASE64_LINES: Final = re.compile(rb"[A-Za-z0-9+/\s]*={0,2}\s*")
_PEM: Final = re.compile(
    rb"-----BEGIN (CMS|PKCS7|PKCS #7 SIGNED DATA)-----\r?\n(.*?)-----END \1-----", re.DOTALL
)


def to_pem(der: bytes) -> str:
    """PEM text with the ``CMS`` label, as ``openssl cms -outform PEM`` writes it."""
    body = base64.b64encode(der).decode("ascii")
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {PEM_LABEL}-----\n{lines}\n-----END {PEM_LABEL}-----\n"


def from_pem(data: bytes | bytearray | memoryview | str) -> bytes:
    """The DER inside PEM text labelled ``CMS``, ``PKCS7`` or ``PKCS #7 SIGNED DATA``.

    Raises ``ValueError`` when there is no such block or its base64 is damaged. The
    base64 is checked in place and decoded from a view of the text, line breaks skipped:
    memory is the text and the DER, whatever the number of lines.
    """
    raw = data.encode("ascii", "replace") if isinstance(data, str) else bytes(data)
    m = _PEM.search(raw)
    if m is None:
        raise ValueError("no CMS/PKCS7 PEM block")
    start, end = m.span(2)
    if _BASE64_LINES.fullmatch(raw, start, end) is None:
        raise ValueError("damaged base64 in the PEM block: a character outside base64")
    try:
        return binascii.a2b_base64(memoryview(raw)[start:end])
    except binascii.Error as exc:
        raise ValueError(f"damaged base64 in the PEM block: {exc}") from None


def pem_chunks(der_chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The PEM text of the DER given in chunks, in chunks: the same bytes as
    :func:`to_pem` of their concatenation, which is never held whole."""
    yield f"-----BEGIN {PEM_LABEL}-----\n".encode("ascii")
    pending = b""
    lines = 1024 * 48  # 48 bytes of DER: one 64-character line
    cut_any = False
    for chunk in der_chunks:
        pending += chunk
        cut = len(pending) - len(pending) % lines
        if cut:
            yield _lines(pending[:cut])
            pending = pending[cut:]
            cut_any = True
    yield _lines(pending) if pending or not cut_any else b""
    yield f"-----END {PEM_LABEL}-----\n".encode("ascii")


def _lines(der: bytes) -> bytes:
    body = base64.b64encode(der)
    return b"".join(body[i : i + 64] + b"\n" for i in range(0, len(body), 64)) or b"\n"
