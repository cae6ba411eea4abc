"""The per-installation trust folder: J-LIS roots the operator added with ``jpki trust
install FILE`` (a root whose bytes the package does not ship, such as generation 02).

The folder is ``$JPKI_TRUST_DIR``, else ``trust`` in the user data folder
(``platformdirs.user_data_dir("jpki")``, e.g. ``~/.local/share/jpki/trust``). A file is
installed only when its SHA-256 equals a pin of :data:`jpki.trust.pins.JLIS_ROOTS`; it is
written atomically (:func:`jpki.files.write_file`), as DER, mode 0644, named as J-LIS
names it (``authca02.cer``). When the folder is read, a file whose fingerprint is not
pinned is skipped (and said so): copying a file into the folder by hand trusts nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from ..files import write_file
from ..limits import MAX_CERTIFICATE_FILE_SIZE
from .pins import JLIS_ROOTS, PinnedRoot, PinTable
from .roots import Skipped, TrustDataError, fp_hex, parse_certificates, read_files

__all__ = [
    "TRUST_DIR_ENV",
    "Installed",
    "check_root_file",
    "install_root",
    "installed_roots",
    "trust_dir",
]

#: The environment variable naming the trust folder.
TRUST_DIR_ENV: Final = "JPKI_TRUST_DIR"


def trust_dir() -> Path:
    """``$JPKI_TRUST_DIR``, else ``trust`` in the user data folder."""
    given = os.environ.get(TRUST_DIR_ENV)
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_data_dir("jpki")) / "trust"


@dataclass(frozen=True)
class Installed:
    """What :func:`install_root` did: the root, where it is, and whether it was there."""

    root: PinnedRoot
    path: Path
    already: bool


def check_root_file(
    path: str | Path, pins: PinTable = JLIS_ROOTS
) -> tuple[PinnedRoot, x509.Certificate]:
    """The pinned root that ``path`` holds (one certificate, DER or PEM), else
    :class:`TrustDataError` saying what it holds instead."""
    (_, certs) = next(
        read_files(
            [Path(path)],
            what="certificate",
            limit=MAX_CERTIFICATE_FILE_SIZE,
            parse=parse_certificates,
        )
    )
    if len(certs) != 1:
        raise TrustDataError(str(path), f"holds {len(certs)} certificates; give one root")
    cert = certs[0]
    fp = cert.fingerprint(hashes.SHA256())
    root = pins.by_fingerprint(fp)
    if root is None:
        raise TrustDataError(
            str(path),
            f"not a J-LIS root this program pins (SHA-256 {fp_hex(fp)}; see `jpki trust list`)",
        )
    return root, cert


def install_root(
    path: str | Path, *, folder: Path | None = None, pins: PinTable = JLIS_ROOTS
) -> Installed:
    """Check ``path`` against the pins and write it into the trust folder (created, 0755,
    if missing) as ``<file_name>`` in DER, mode 0644, atomically."""
    root, cert = check_root_file(path, pins)
    folder = trust_dir() if folder is None else folder
    target = folder / root.file_name
    der = cert.public_bytes(serialization.Encoding.DER)
    try:
        already = target.is_file() and not target.is_symlink() and target.read_bytes() == der
    except OSError:
        already = False
    if already:
        return Installed(root, target, True)
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    write_file(target, der)
    os.chmod(target, 0o644)
    return Installed(root, target, False)


def installed_roots(
    folder: Path | None = None,
    pins: PinTable = JLIS_ROOTS,
    *,
    on_skip: Skipped | None = None,
) -> list[tuple[PinnedRoot, x509.Certificate, Path]]:
    """The pinned roots in the trust folder (none if it does not exist). A file that holds
    no certificate, or one whose SHA-256 no pin has, is skipped (``on_skip`` is told)."""
    folder = trust_dir() if folder is None else folder
    try:
        files = sorted(f for f in folder.iterdir() if f.is_file() and not f.name.startswith("."))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise TrustDataError(str(folder), f"cannot list the trust folder ({exc.strerror})") from exc
    found = []
    for file in files:
        try:
            (_, certs) = next(
                read_files(
                    [file],
                    what="certificate",
                    limit=MAX_CERTIFICATE_FILE_SIZE,
                    parse=parse_certificates,
                )
            )
        except TrustDataError as exc:  # one bad file does not take the others with it
            if on_skip is not None:
                on_skip(file, exc.problem)
            continue
        for cert in certs:
            fp = cert.fingerprint(hashes.SHA256())
            root = pins.by_fingerprint(fp)
            if root is None:
                if on_skip is not None:
                    on_skip(file, f"not a pinned J-LIS root (SHA-256 {fp_hex(fp)})")
                continue
            found.append((root, cert, file))
    return found
