"""The trust anchors: the J-LIS roots shipped with the package and pinned by fingerprint,
and certificate and CRL files read from disk (PEM or DER).

A file named on its own must hold what is asked for (certificates, or CRLs). A folder
is read file by file (not recursing, hidden files left out) and gives the files of the
kind asked for: the others — the CRLs beside the certificates ``jpki-mock-card
export-ca`` writes, a README — are skipped, each told to ``on_skip`` with the reason
(the CLI shows them with ``-v``). A file is never read past its size limit
(:data:`jpki.limits.MAX_CERTIFICATE_FILE_SIZE`, :data:`~jpki.limits.MAX_CRL_FILE_SIZE`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ..errors import JpkiError
from ..files import InputTooLarge, read_limited
from .pins import JLIS_ROOTS, PinnedRoot, PinTable

__all__ = [
    "PRODUCTION_ROOTS",
    "Skipped",
    "TrustDataError",
    "fp_hex",
    "parse_certificates",
    "pem_blocks",
    "production_anchors",
    "read_files",
]

#: Told of each file of a folder that is skipped, and why.
Skipped = Callable[[Path, str], None]

#: The J-LIS roots shipped in ``jpki/data`` and their pinned SHA-256 fingerprints (from
#: :data:`jpki.trust.pins.JLIS_ROOTS`, the table of every generation; see docs/card.md).
#: :meth:`TrustStore.production` refuses a file whose fingerprint differs.
PRODUCTION_ROOTS: Final[Mapping[str, str]] = MappingProxyType(
    {root.shipped: root.sha256 for root in JLIS_ROOTS if root.shipped is not None}
)


class TrustDataError(JpkiError, ValueError):
    """A trust-anchor or CRL file (or object) cannot be used; ``source`` names it.
    ``other_kind``: it holds something else altogether (a CRL where certificates were
    asked for), rather than a damaged one of the kind asked for."""

    def __init__(self, source: str, problem: str, *, other_kind: bool = False) -> None:
        self.source = source
        self.problem = problem
        self.other_kind = other_kind
        super().__init__(f"{source}: {problem}")


def fp_hex(fp: bytes) -> str:
    return fp.hex().upper()


PEM_RE: Final = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?-----END \1-----", re.DOTALL)


def read_files(
    paths: Iterable[str | Path],
    *,
    what: str,
    limit: int,
    parse: Callable[[Path, bytes], list[Any]],
    on_skip: Skipped | None = None,
) -> Iterator[tuple[Path, list[Any]]]:
    """Each file of ``paths`` (a folder: its files) with what ``parse`` made of it; in a
    folder, a file too large or of another kind is skipped (``on_skip`` is told)."""
    if isinstance(paths, str | Path):
        paths = [paths]
    for raw in paths:
        path = Path(raw)
        folder = path.is_dir()
        if folder:
            try:
                children = sorted(path.iterdir())
            except OSError as exc:
                raise TrustDataError(
                    str(path), f"cannot list the directory ({exc.strerror})"
                ) from exc
            files = [c for c in children if c.is_file() and not c.name.startswith(".")]
        else:
            files = [path]
        for file in files:
            try:
                yield file, parse(file, read_limited(file, limit))
            except FileNotFoundError as exc:
                raise TrustDataError(str(file), f"no such {what} file") from exc
            except InputTooLarge as exc:
                if not folder:
                    raise TrustDataError(str(file), f"{exc} for a {what} file") from None
                if on_skip is not None:
                    on_skip(file, f"larger than a {what} file may be")
            except TrustDataError as exc:
                if not (folder and exc.other_kind):
                    raise
                if on_skip is not None:
                    on_skip(file, f"not a {what} file: {exc.problem}")
            except OSError as exc:
                raise TrustDataError(
                    str(file), f"cannot read the {what} file ({exc.strerror})"
                ) from exc


def pem_blocks(data: bytes, label: bytes) -> tuple[list[bytes], list[str]]:
    found: list[bytes] = []
    others: list[str] = []
    for m in PEM_RE.finditer(data):
        if m.group(1) == label:
            found.append(m.group(0))
        else:
            others.append(m.group(1).decode("ascii"))
    return found, others


def parse_certificates(path: str | Path, data: bytes) -> list[x509.Certificate]:
    path = str(path)
    if b"-----BEGIN" in data:
        blocks, others = pem_blocks(data, b"CERTIFICATE")
        if not blocks:
            extra = f" (it holds: {', '.join(sorted(set(others)))})" if others else ""
            raise TrustDataError(path, f"no PEM 'CERTIFICATE' block{extra}", other_kind=True)
        out = []
        for i, block in enumerate(blocks):
            try:
                out.append(x509.load_pem_x509_certificate(block))
            except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion is no ValueError
                raise TrustDataError(path, f"PEM certificate {i + 1} is damaged ({exc})") from exc
        return out
    try:
        return [x509.load_der_x509_certificate(data)]
    except (ValueError, x509.InvalidVersion) as exc:
        raise TrustDataError(path, "neither a DER nor a PEM certificate", other_kind=True) from exc


def production_anchors(pins: PinTable = JLIS_ROOTS) -> list[tuple[PinnedRoot, x509.Certificate]]:
    """The J-LIS roots shipped in ``jpki/data`` (those of ``pins`` with a ``shipped``
    file), each checked against its pinned SHA-256 fingerprint (:class:`TrustDataError` if
    a file is missing, damaged or not the pinned one)."""
    anchors = []
    folder = resources.files("jpki").joinpath("data")
    for root in pins:
        if root.shipped is None:
            continue
        source = f"jpki/data/{root.shipped}"
        certs = parse_certificates(source, folder.joinpath(root.shipped).read_bytes())
        if len(certs) != 1:
            raise TrustDataError(source, f"expected one certificate, found {len(certs)}")
        actual = fp_hex(certs[0].fingerprint(hashes.SHA256()))
        if actual != root.sha256:
            raise TrustDataError(source, f"SHA-256 fingerprint {actual} is not the pinned one")
        anchors.append((root, certs[0]))
    return anchors
