"""CMS signatures as PEM text and as files (``.p7s``)."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Final

__all__ = ["PEM_LABEL", "from_pem", "to_pem", "write_p7s"]

#: The PEM label ``openssl cms -outform PEM`` writes (``PKCS7`` is accepted on input too).
PEM_LABEL: Final = "CMS"
_PEM: Final = re.compile(
    rb"-----BEGIN (CMS|PKCS7|PKCS #7 SIGNED DATA)-----\r?\n(.*?)-----END \1-----", re.DOTALL
)


def to_pem(der: bytes) -> str:
    """PEM text with the ``CMS`` label, as ``openssl cms -outform PEM`` writes it."""
    body = base64.b64encode(der).decode("ascii")
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {PEM_LABEL}-----\n{lines}\n-----END {PEM_LABEL}-----\n"


def from_pem(data: bytes | str) -> bytes:
    """The DER inside PEM text labelled ``CMS``, ``PKCS7`` or ``PKCS #7 SIGNED DATA``.

    Raises ``ValueError`` when there is no such block or its base64 is damaged.
    """
    raw = data.encode("ascii", "replace") if isinstance(data, str) else bytes(data)
    m = _PEM.search(raw)
    if m is None:
        raise ValueError("no CMS/PKCS7 PEM block")
    try:
        return base64.b64decode(b"".join(m.group(2).split()), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"damaged base64 in the PEM block: {exc}") from None


def write_p7s(path: str | Path, der: bytes, *, pem: bool = False) -> Path:
    """Write a signature file (``.p7s``: DER, or PEM with ``pem=True``); returns the path."""
    target = Path(path)
    if pem:
        target.write_text(to_pem(der), encoding="ascii")
    else:
        target.write_bytes(der)
    return target
