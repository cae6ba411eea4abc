"""DER DigestInfo (PKCS #1) for the card's on-card PKCS#1 v1.5 signature, and the hashes
the library signs with (of bytes, or of a stream read in chunks: :func:`hash_stream`)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import BinaryIO, Final

from cryptography.hazmat.primitives import hashes

from .limits import CHUNK_SIZE

#: The hashes signatures are made and accepted with, by ``cryptography``'s name.
SHA2: Final[Mapping[str, type[hashes.HashAlgorithm]]] = MappingProxyType(
    {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
)

# DER of DigestInfo { AlgorithmIdentifier { oid, NULL }, OCTET STRING (digest follows) }
_PREFIXES: dict[str, bytes] = {
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


class UnsupportedHash(ValueError):
    """A hash the card's signature should not be asked to use."""


def digest_info(
    algorithm: hashes.HashAlgorithm, digest: bytes, *, allow_sha1: bool = False
) -> bytes:
    """The DigestInfo for ``digest`` made with ``algorithm`` (SHA-256/384/512; SHA-1 if allowed)."""
    prefix = _PREFIXES.get(algorithm.name)
    if prefix is None:
        raise UnsupportedHash(f"{algorithm.name} is not supported; use SHA-256, SHA-384 or SHA-512")
    if algorithm.name == "sha1" and not allow_sha1:
        raise UnsupportedHash("SHA-1 is weak; pass allow_sha1=True if a verifier really needs it")
    if len(digest) != algorithm.digest_size:
        raise ValueError(
            f"a {algorithm.name} digest has {algorithm.digest_size} bytes, got {len(digest)}"
        )
    return prefix + digest


def hash_data(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


def hash_stream(algorithm: hashes.HashAlgorithm, stream: BinaryIO) -> tuple[bytes, int]:
    """The digest of everything ``stream`` holds from where it is, and how many bytes that
    was: read in chunks of :data:`jpki.limits.CHUNK_SIZE`, whatever its size."""
    h = hashes.Hash(algorithm)
    total = 0
    while chunk := stream.read(CHUNK_SIZE):
        h.update(chunk)
        total += len(chunk)
    return h.finalize(), total
