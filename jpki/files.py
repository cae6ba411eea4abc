"""Reading and writing files safely: the one home of it for the library and its programs.

* :func:`read_limited` — a file's bytes, refused (:class:`InputTooLarge`) when there are
  more than a limit: by its size before anything is read, and a pipe or a device read no
  further than the limit and one byte.
* :func:`check_output` — whether a path may be written, asked before any work is done
  (before a card is touched): its folder exists, it is not a folder, not one of the
  inputs (the same file under another name or through a link counts), and not a symbolic
  link or a file with other hard links — those only with ``force``, and then the link
  itself is replaced, never what it points to.
* :func:`write_file` — bytes, or chunks of them, into a new temporary file beside the
  target (created here, mode 0600), flushed to disk, then renamed over the target: a
  reader sees the old file or the new one, never a part; a link at the path is
  replaced, never written through. ``private`` keeps mode 0600 (personal data), else
  0666 less the umask. A character device or a FIFO (``/dev/stdout``, ``/dev/null``, a
  pipe) is written to as it is; a block device never.

Errors are :class:`InputTooLarge` and :class:`UnsafeOutput` (both ``ValueError``), and the
``OSError`` of the system call that failed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import JpkiError
from .limits import size_text

__all__ = ["InputTooLarge", "UnsafeOutput", "check_output", "read_limited", "write_file"]

StrPath = str | os.PathLike[str]


class InputTooLarge(JpkiError, ValueError):
    """An input holds more bytes than its limit (``size`` is ``None`` when it was not
    known before reading: a pipe)."""

    def __init__(self, source: str, limit: int, size: int | None = None) -> None:
        self.source = source
        self.limit = limit
        self.size = size
        held = f"{size_text(size)}" if size is not None else f"more than {size_text(limit)}"
        super().__init__(f"{source} holds {held}; at most {size_text(limit)} are accepted")


class UnsafeOutput(JpkiError, ValueError):
    """A path that must not be written. ``forceable``: it is a link that ``force`` (the
    CLI's ``--force``) may replace."""

    def __init__(self, path: str, problem: str, *, forceable: bool = False) -> None:
        self.path = path
        self.problem = problem
        self.forceable = forceable
        super().__init__(f"{path}: {problem}")


def read_limited(path: StrPath, limit: int) -> bytes:
    """The bytes of ``path``; :class:`InputTooLarge` when it holds more than ``limit``
    (checked before reading), ``OSError`` when it cannot be read."""
    with open(path, "rb") as stream:
        info = os.fstat(stream.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise InputTooLarge(os.fspath(path), limit, info.st_size)
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(os.fspath(path), limit)
    return data


def _writes_through(info: os.stat_result) -> bool:
    """A device or pipe that is written to as it is (no rename possible or wanted)."""
    return stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)


def check_output(path: StrPath, *, force: bool = False, inputs: Sequence[StrPath] = ()) -> None:
    """:class:`UnsafeOutput` if ``path`` may not be written (see the module docstring);
    nothing is created or changed."""
    target = Path(path)
    shown = os.fspath(path)
    folder = target.parent
    try:
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            raise UnsafeOutput(shown, f"{folder} is not a folder")
    except FileNotFoundError:
        raise UnsafeOutput(shown, f"the folder {folder} does not exist") from None
    except OSError as exc:
        raise UnsafeOutput(shown, f"the folder {folder}: {exc.strerror or exc}") from None
    for source in inputs:
        with contextlib.suppress(OSError):
            if os.path.samefile(target, source):
                raise UnsafeOutput(shown, f"it is the input {os.fspath(source)} (same file)")
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        if not os.access(folder, os.W_OK):
            raise UnsafeOutput(shown, f"cannot create files in {folder}") from None
        return
    if stat.S_ISLNK(info.st_mode):
        try:
            pointed = os.stat(target)
        except OSError:
            pointed = None
        if pointed is not None and _writes_through(pointed):
            return  # /dev/stdout, a link to a pipe: written to as it is
        if not force:
            where = os.readlink(target)
            raise UnsafeOutput(shown, f"it is a symbolic link (to {where})", forceable=True)
    elif stat.S_ISDIR(info.st_mode):
        raise UnsafeOutput(shown, "it is a folder")
    elif stat.S_ISBLK(info.st_mode):
        raise UnsafeOutput(shown, "it is a block device")
    elif stat.S_ISREG(info.st_mode) and info.st_nlink > 1 and not force:
        raise UnsafeOutput(shown, f"it has {info.st_nlink - 1} other hard link(s)", forceable=True)
    if not os.access(folder, os.W_OK):
        raise UnsafeOutput(shown, f"cannot create files in {folder}")


def _umask() -> int:
    umask = os.umask(0o077)
    os.umask(umask)
    return umask


def write_file(
    path: StrPath,
    data: bytes | Iterable[bytes],
    *,
    private: bool = False,
    force: bool = False,
    inputs: Sequence[StrPath] = (),
) -> None:
    """Write ``data`` (bytes, or chunks of bytes written as they come) to ``path`` whole or
    not at all, after :func:`check_output` (see the module docstring)."""
    check_output(path, force=force, inputs=inputs)
    chunks = [data] if isinstance(data, bytes | bytearray | memoryview) else data
    target = Path(path)
    try:
        through = _writes_through(os.stat(target))
    except OSError:
        through = False
    if through:
        fd = os.open(target, os.O_WRONLY | os.O_NOCTTY)
        with os.fdopen(fd, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
        return
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
            if not private:
                os.fchmod(stream.fileno(), 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (a crash right after it keeps the new file)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
