"""What every ``jpki`` command shares: the exit codes and errors, output, JSON, times, the trust
options, and the PIN prompts.

PINs come from a hidden prompt or, for automation, from the environment
(:data:`PIN_ENV`; :data:`NEW_PIN_ENV` for ``pin change``) — never from the
command line. A PIN is checked against its rule before anything is sent to the
card; with no terminal and no variable the command stops with a usage error
instead of hanging.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final, NoReturn

from .. import errors
from ..layout import PinKind
from ..pins import PinPrompt, is_valid_pin, normalize_pin
from ..timeutil import JST
from ..trust import CrlStore, TrustDataError, TrustStore

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NO_CARD",
    "EXIT_OK",
    "EXIT_USAGE",
    "LAST_TRY_WARNING",
    "NEW_PIN_ENV",
    "PIN_ENV",
    "PROG",
    "CommandFailed",
    "Parser",
    "UsageError",
    "announce_tries",
    "crl_store",
    "get_new_pin",
    "get_pin",
    "note",
    "out",
    "parse_time",
    "pin_prompt",
    "print_json",
    "quiet_libraries",
    "read_file",
    "refuse_binary_on_terminal",
    "require_pin_source",
    "table",
    "trust_store",
    "write_output",
]

PROG: Final = "jpki"

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_NO_CARD: Final = 3
EXIT_INTERRUPTED: Final = 130

PIN_ENV: Final = {
    PinKind.AUTH: "JPKI_AUTH_PIN",
    PinKind.SIGN: "JPKI_SIGN_PIN",
    PinKind.TEXT: "JPKI_TEXT_PIN",
}
NEW_PIN_ENV: Final = "JPKI_NEW_PIN"
LAST_TRY_WARNING: Final = "last try: a wrong PIN now blocks it"

_LOGGERS: Final = ("pyhanko", "pyhanko_certvalidator", "fontTools")


class UsageError(Exception):
    """The command cannot run as given (exit code 2). Never carries a PIN."""


class CommandFailed(Exception):
    """The operation failed for a reason the message puts into words (exit code 1)."""


# -- argument parsing ----------------------------------------------------------------------

# Anything that could be a PIN typed where it does not belong: a word of 4 to 16
# letters and digits holding at least one digit.
_PIN_LIKE = re.compile(r"(?<![\w-])(?=[A-Za-z]*[0-9])[0-9A-Za-z]{4,16}(?![\w-])")


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose error messages never echo something that may be a PIN."""

    def error(self, message: str) -> NoReturn:
        message = _PIN_LIKE.sub("****", message)
        if message.startswith("unrecognized arguments"):
            message += (
                " (PINs are never read from the command line: they are asked for, "
                "or read from JPKI_*_PIN)"
            )
        super().error(message)


# -- output ------------------------------------------------------------------------------------


def stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (ValueError, OSError):
        return False


def note(message: str) -> None:
    """A line on stderr (progress, notes, the error line)."""
    print(message, file=sys.stderr, flush=True)


def out(text: str = "") -> None:
    """A line on stdout."""
    sys.stdout.write(text + "\n")


def print_json(data: object, *, sort_keys: bool = False) -> None:
    """``data`` as indented UTF-8 JSON on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=sort_keys) + "\n")


def table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """Columns padded for a terminal (a wide East Asian character takes two cells)."""

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)]
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])


def refuse_binary_on_terminal(what: str) -> None:
    """A usage error when stdout is a terminal (binary output would garble it)."""
    if stdout_is_tty():
        raise UsageError(f"refusing to write {what} to a terminal: use -o FILE or a pipe")


def write_output(data: bytes | str, output: str | None, *, private: bool = False) -> None:
    """``data`` to the file ``output`` or, when it is ``None`` or ``-``, to stdout.

    A file is written whole or not at all: into a temporary file beside it, then
    renamed over it (a link at ``output`` is replaced, never written through).
    ``private``: mode 0600 (personal data), else 0666 less the umask. A device or a
    pipe (``/dev/stdout``) is written to as it is.
    """
    if output is None or output == "-":
        if isinstance(data, str):
            sys.stdout.write(data)
            return
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(output)
    try:
        _write_file(target, raw, private=private)
    except OSError as exc:
        raise CommandFailed(f"cannot write {target}: {exc.strerror or exc}") from None


def _write_file(target: Path, raw: bytes, *, private: bool) -> None:
    try:
        special = not stat.S_ISREG(target.stat().st_mode)
    except FileNotFoundError:
        special = False
    if special:
        with target.open("wb") as stream:
            stream.write(raw)
        return
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_file(path: str, what: str) -> bytes:
    """The bytes of ``path``; a usage error naming ``what`` when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None


# -- times and certificates ----------------------------------------------------------------------


def parse_time(text: str, option: str, *, end_of_day: bool = False) -> datetime:
    """A date (midnight JST; with ``end_of_day`` the next midnight, so that an ``--until``
    date includes its day) or an ISO 8601 time (without a zone: JST)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time(0), JST)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date (YYYY-MM-DD) or an ISO 8601 time"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=JST)


@contextmanager
def quiet_libraries(args: argparse.Namespace) -> Iterator[None]:
    """pyHanko logs tracebacks for every certificate path it cannot build (an untrusted
    time-stamping authority, say); the report says it in one line. Shown with -v."""
    if getattr(args, "verbose", 0) or getattr(args, "sub_verbose", 0):
        yield
        return
    saved = {name: logging.getLogger(name).level for name in _LOGGERS}
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


# -- trust -------------------------------------------------------------------------------------


def trust_store(paths: Sequence[str], option: str = "--trust") -> TrustStore:
    """The roots in ``paths`` (files or folders), else the J-LIS production roots."""
    if not paths:
        return TrustStore.production()
    try:
        return TrustStore.from_paths(paths)
    except TrustDataError as exc:
        raise UsageError(f"{option} {exc}") from None


def crl_store(paths: Sequence[str], option: str = "--crl") -> CrlStore | None:
    """The CRLs in ``paths`` (files or folders); ``None`` for none."""
    if not paths:
        return None
    try:
        return CrlStore.from_paths(paths)
    except TrustDataError as exc:
        raise UsageError(f"{option} {exc}") from None


# -- PINs ------------------------------------------------------------------------------------------


def _env_pin(variable: str) -> str | None:
    return os.environ.get(variable) or None


def _check_format(kind: PinKind, pin: str, source: str) -> None:
    try:
        normalize_pin(kind, pin)
    except errors.PinFormatError as exc:
        raise errors.PinFormatError(
            kind, f"{source}: {exc}; nothing was sent to the card"
        ) from None


def _ask(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise UsageError("no PIN entered") from None


def require_pin_source(kind: PinKind, variable: str, what: str = "") -> None:
    """Fail (exit 2) rather than hang when no PIN can be had; check a PIN from the env."""
    pin = _env_pin(variable)
    if pin is not None:
        _check_format(kind, pin, variable)
    elif not stdin_is_tty():
        which = f"{what} {kind.label}" if what else kind.label
        raise UsageError(f"no {which}: stdin is not a terminal and {variable} is not set")


def announce_tries(kind: PinKind, tries: int) -> None:
    """Say on stderr how many tries are left (and warn before the last one)."""
    word = "try" if tries == 1 else "tries"
    message = f"{kind.label}: {tries} {word} left (of {kind.max_tries})"
    if tries == 1:
        message += f"\nwarning: {LAST_TRY_WARNING}"
    note(message)


def get_pin(kind: PinKind, variable: str, prompt: str) -> str:
    """A PIN from ``variable`` or the hidden prompt, checked against its rule."""
    pin = _env_pin(variable)
    if pin is not None:
        _check_format(kind, pin, variable)
        return pin
    if not stdin_is_tty():
        raise UsageError(f"no {kind.label}: stdin is not a terminal and {variable} is not set")
    pin = _ask(prompt)
    _check_format(kind, pin, f"the {kind.label} entered")
    return pin


def get_new_pin(kind: PinKind) -> str:
    """The new PIN of ``pin change``: from :data:`NEW_PIN_ENV`, or asked for twice."""
    pin = _env_pin(NEW_PIN_ENV)
    if pin is not None:
        _check_format(kind, pin, NEW_PIN_ENV)
        return pin
    if not stdin_is_tty():
        raise UsageError(
            f"no new {kind.label}: stdin is not a terminal and {NEW_PIN_ENV} is not set"
        )
    pin = _ask(f"new {kind.label}: ")
    _check_format(kind, pin, f"the new {kind.label}")
    again = _ask(f"new {kind.label} again: ")
    if not (is_valid_pin(kind, again) and normalize_pin(kind, again) == normalize_pin(kind, pin)):
        raise UsageError(f"the two new {kind.label} entries differ; nothing was sent to the card")
    return pin


def pin_prompt() -> PinPrompt:
    """The :data:`~jpki.pins.PinSource` callable: shows the tries left, then reads the env or
    asks."""

    def prompt(kind: PinKind, tries: int) -> str:
        require_pin_source(kind, PIN_ENV[kind])
        announce_tries(kind, tries)
        return get_pin(kind, PIN_ENV[kind], f"{kind.label}: ")

    return prompt
