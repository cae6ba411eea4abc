"""CMS signatures of files and as files: a file of any size signed in a stream, and
``.p7s`` files written safely.

:func:`sign_cms_file` hashes the file in chunks before the card is touched (a file that
cannot be read costs no PIN entry), has the card sign the digest, and returns a
:class:`SignedFile` whose :meth:`~SignedFile.chunks` are the signature file: for an
attached signature the content is read again and streamed between the two parts of the
SignedData — hashed again on the way, so that a file changed in between is caught, not
signed wrongly. Memory stays a few MiB whatever the file's size. An attached signature
holds at most ``max_attached`` bytes of content (default :data:`jpki.limits.MAX_CMS_SIZE`
less :data:`~jpki.limits.CMS_OVERHEAD`: what :func:`jpki.cms.verify_cms` reads); a
detached one any size.

:func:`write_p7s` writes a signature with :func:`jpki.files.write_file` (whole or not at
all, never through a link).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes

from ..digestinfo import SHA2, hash_data, hash_stream
from ..files import InputTooLarge, write_file
from ..limits import CHUNK_SIZE, CMS_OVERHEAD, MAX_CMS_SIZE
from ..pins import PinSource
from .pem import pem_chunks, to_pem
from .sign import SHA256, CmsSigningError, SignedParts, hash_name, sign_cms_digest

if TYPE_CHECKING:
    from ..card import JpkiCard

__all__ = ["FileToSign", "SignedFile", "hash_file", "prepare_file", "sign_cms_file", "write_p7s"]

StrPath = str | os.PathLike[str]


def hash_file(path: StrPath, algorithm: hashes.HashAlgorithm = SHA256) -> tuple[bytes, int]:
    """The digest of the file at ``path`` and its size, read in chunks."""
    with open(path, "rb") as stream:
        return hash_stream(algorithm, stream)


@dataclass(frozen=True)
class SignedFile:
    """A signature made by :func:`sign_cms_file`: its :class:`~jpki.cms.sign.SignedParts`
    and what it needs to stream the signature file (the content file, or the content
    itself when the file could be read only once)."""

    parts: SignedParts
    source: Path
    digest: bytes
    algorithm: hashes.HashAlgorithm
    content: bytes | None = None

    def chunks(self, *, pem: bool = False) -> Iterator[bytes]:
        """The bytes of the signature file (DER, or PEM with ``pem``), in chunks. Raises
        :class:`CmsSigningError` when the content file no longer holds what was signed."""
        der = self._der_chunks()
        return pem_chunks(der) if pem else der

    def _der_chunks(self) -> Iterator[bytes]:
        yield self.parts.head
        if self.parts.attached:
            if self.content is not None:
                yield self.content
            else:
                yield from self._content_again()
        yield self.parts.tail

    def _content_again(self) -> Iterator[bytes]:
        h = hashes.Hash(type(self.algorithm)())
        with open(self.source, "rb") as stream:
            while chunk := stream.read(CHUNK_SIZE):
                h.update(chunk)
                yield chunk
        if h.finalize() != self.digest:
            raise CmsSigningError(f"{self.source} changed while it was being signed; sign it again")


@dataclass(frozen=True)
class FileToSign:
    """A file hashed and checked, ready for the card (:func:`prepare_file`)."""

    source: Path
    digest: bytes
    size: int
    algorithm: hashes.HashAlgorithm
    attached: bool
    content: bytes | None = None  # kept only when the file could be read once (a pipe)

    def sign(
        self,
        card: JpkiCard,
        *,
        pin: PinSource | None,
        include_ca: bool = False,
        signing_time: datetime | None = None,
    ) -> SignedFile:
        """Have the card sign it (one card transaction, one VERIFY)."""
        parts = sign_cms_digest(
            card,
            self.digest,
            content_length=self.size if self.attached else None,
            pin=pin,
            include_ca=include_ca,
            hash_algorithm=self.algorithm,
            signing_time=signing_time,
        )
        return SignedFile(parts, self.source, self.digest, self.algorithm, self.content)


def prepare_file(
    source: StrPath,
    *,
    detached: bool = True,
    max_attached: int = MAX_CMS_SIZE - CMS_OVERHEAD,
    hash_algorithm: hashes.HashAlgorithm = SHA256,
) -> FileToSign:
    """Hash the file ``source`` in chunks, without a card: ``OSError`` when it cannot be
    read, :class:`jpki.files.InputTooLarge` when an attached signature would hold more
    than ``max_attached`` bytes (told by its size before it is read)."""
    algorithm = SHA2[hash_name(hash_algorithm)]()
    path = Path(source)
    content: bytes | None = None
    with open(path, "rb") as stream:
        info = os.fstat(stream.fileno())
        if detached:
            digest, size = hash_stream(algorithm, stream)
        elif stat.S_ISREG(info.st_mode):
            if info.st_size > max_attached:
                raise InputTooLarge(str(path), max_attached, info.st_size)
            digest, size = hash_stream(algorithm, stream)
            if size > max_attached:  # it grew while it was hashed
                raise InputTooLarge(str(path), max_attached, size)
        else:  # a pipe can be read once: its content is kept (at most max_attached)
            content = stream.read(max_attached + 1)
            if len(content) > max_attached:
                raise InputTooLarge(str(path), max_attached)
            digest, size = hash_data(algorithm, content), len(content)
    return FileToSign(path, digest, size, algorithm, not detached, content)


def sign_cms_file(
    card: JpkiCard,
    source: StrPath,
    *,
    pin: PinSource | None,
    detached: bool = True,
    include_ca: bool = False,
    max_attached: int = MAX_CMS_SIZE - CMS_OVERHEAD,
    hash_algorithm: hashes.HashAlgorithm = SHA256,
    signing_time: datetime | None = None,
) -> SignedFile:
    """Sign the file ``source`` with the card's signature key (see the module docstring):
    :func:`prepare_file`, whose errors come before the card is touched, then
    :meth:`FileToSign.sign`."""
    prepared = prepare_file(
        source, detached=detached, max_attached=max_attached, hash_algorithm=hash_algorithm
    )
    return prepared.sign(card, pin=pin, include_ca=include_ca, signing_time=signing_time)


def write_p7s(path: StrPath, der: bytes, *, pem: bool = False, force: bool = False) -> Path:
    """Write a signature file (``.p7s``: DER, or PEM with ``pem=True``) with
    :func:`jpki.files.write_file`; returns the path."""
    target = Path(path)
    write_file(target, to_pem(der).encode("ascii") if pem else der, force=force)
    return target
