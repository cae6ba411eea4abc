"""The public pool of test keys the mock PKI signs with (``data/test_keys.pem``).

The pool's private keys are published with the source code, so that the mock CA's
certificates are the same in every process and a card needs no slow key generation;
they are good for nothing but tests and demos. :func:`pool_key` parses key ``i`` once
and caches it; :func:`generate_key_pool` writes a new pool file's text.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["KEY_POOL_PATH", "fresh_key", "generate_key_pool", "pool_key", "pool_size"]

KEY_POOL_PATH: Final = Path(__file__).resolve().parent / "data" / "test_keys.pem"
_POOL_HEADER: Final = (
    "# PUBLIC TEST KEYS for the JPKI mock card only. These private keys are published\n"
    "# with the source code: never use them for anything but tests and demos.\n"
)
_PEM_BLOCK: Final = re.compile(
    r"-----BEGIN PRIVATE KEY-----\r?\n.*?-----END PRIVATE KEY-----", re.DOTALL
)

# Pool slots: the demo CA pair, a second CA pair for MockPki.generate(), a

_pool_lock = threading.Lock()
_pool_blocks: list[str] | None = None
_pool_keys: dict[int, rsa.RSAPrivateKey] = {}


def fresh_key() -> rsa.RSAPrivateKey:
    """A newly generated RSA-2048 key (e = 65537); slow (tens to hundreds of ms)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def generate_key_pool(n: int) -> str:
    """The text of a key pool file: a comment header and ``n`` fresh PKCS#8 PEM keys."""
    if n < 1:
        raise ValueError("a key pool needs at least one key")
    parts = [_POOL_HEADER]
    for _ in range(n):
        pem = fresh_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        parts.append(pem.decode("ascii"))
    return "".join(parts)


def _blocks() -> list[str]:
    global _pool_blocks  # noqa: PLW0603 - module-level cache, filled once
    if _pool_blocks is None:
        _pool_blocks = _PEM_BLOCK.findall(KEY_POOL_PATH.read_text(encoding="ascii"))
    return _pool_blocks


def pool_size() -> int:
    """How many keys the shipped pool holds."""
    with _pool_lock:
        return len(_blocks())


def pool_key(i: int) -> rsa.RSAPrivateKey:
    """Key ``i`` of the shipped test-key pool, parsed on first use and cached."""
    with _pool_lock:
        key = _pool_keys.get(i)
        if key is not None:
            return key
        blocks = _blocks()
        if not 0 <= i < len(blocks):
            raise IndexError(f"test key pool has {len(blocks)} keys; no key {i}")
        loaded = serialization.load_pem_private_key(
            blocks[i].encode("ascii"), password=None, unsafe_skip_rsa_key_validation=True
        )
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise TypeError(f"test key {i} is not an RSA key")
        _pool_keys[i] = loaded
        return loaded
