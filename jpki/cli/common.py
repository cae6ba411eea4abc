"""What every ``jpki`` command shares: the exit codes and errors, output, JSON, times, the trust
options, and the PIN prompts.

PINs come from a hidden prompt or, for automation on a trusted machine, from the
environment (:data:`PIN_ENV`; :data:`NEW_PIN_ENV` for ``pin change``), taken out
of ``os.environ`` as they are read — never from the command line, and never
echoed: an argument that looks like a PIN is not repeated in an error
(:func:`shown`). A PIN is checked against its rule before anything is sent to
the card; with no terminal and no variable the command stops with a usage error
instead of hanging.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final, NoReturn

from .. import errors, files
from ..layout import PinKind
from ..limits import parse_size, size_text
from ..pins import PinPrompt, is_valid_pin, normalize_pin
from ..timeutil import JST
from ..trust import CrlStore, TrustDataError, TrustStore
from ..verdict import escape_controls, one_line

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
    "check_output",
    "crl_store",
    "get_new_pin",
    "get_pin",
    "json_text",
    "looks_like_pin",
    "note",
    "out",
    "parse_time",
    "pin_prompt",
    "print_json",
    "quiet_libraries",
    "read_file",
    "refuse_binary_on_terminal",
    "require_pin_source",
    "shown",
    "size_option",
    "table",
    "terminal_text",
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


def terminal_text(text: str) -> str:
    """``text`` with every control character escaped but its line breaks: the last guard
    of :func:`note` and :func:`out` (the fields in it are escaped where they are put in,
    so that a line break inside one cannot forge a line either)."""
    return "\n".join(escape_controls(line) for line in text.split("\n"))


def note(message: str) -> None:
    """A line on stderr (progress, notes, the error line), control characters escaped."""
    print(terminal_text(message), file=sys.stderr, flush=True)


def out(text: str = "") -> None:
    """A line on stdout, control characters escaped."""
    sys.stdout.write(terminal_text(text) + "\n")


# What JSON leaves raw with ensure_ascii=False and a terminal may still act on: C1
# controls (0x9B is CSI), DEL, line separators and direction overrides. JSON has C0 escaped.
_JSON_UNSAFE: Final = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(data: object, *, sort_keys: bool = False) -> str:
    """``data`` as indented UTF-8 JSON, with the characters a terminal could act on written
    as ``\\u`` escapes (still the same JSON)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=sort_keys)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def print_json(data: object, *, sort_keys: bool = False) -> None:
    """``data`` as indented UTF-8 JSON on stdout (:func:`json_text`)."""
    sys.stdout.write(json_text(data, sort_keys=sort_keys))


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


def size_option(text: str) -> int:
    """An argparse ``type``: a size such as ``64M`` (:func:`jpki.limits.parse_size`)."""
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def looks_like_pin(argument: str) -> bool:
    """Whether ``argument`` has the form of one of the PINs (4 digits; 6-16 letters and
    digits with at least one of each): typed where a file or a name was expected, it is
    never echoed."""
    return any(is_valid_pin(kind, argument.strip()) for kind in PinKind)


def shown(argument: str) -> str:
    """``argument`` for an error message: escaped onto one line, or, when it is not an
    existing file and looks like a PIN, not shown at all."""
    if looks_like_pin(argument) and not os.path.lexists(argument):
        return "(not shown: it looks like a PIN; PINs are never taken from the command line)"
    return escape_controls(argument)


def _unsafe(exc: files.UnsafeOutput, option: str = "") -> UsageError:
    hint = "; --force replaces it (a link itself, never what it points to)" if exc.forceable else ""
    where = f"{option} " if option else ""
    return UsageError(f"{where}{shown(exc.path)}: {one_line(exc.problem)}{hint}")


def check_output(
    output: str | None, *, force: bool = False, inputs: Sequence[str] = (), option: str = "-o"
) -> None:
    """A usage error, before any work is done, when ``output`` (a path; ``None`` or ``-``:
    stdout) may not be written: :func:`jpki.files.check_output`."""
    if output is None or output == "-":
        return
    try:
        files.check_output(output, force=force, inputs=inputs)
    except files.UnsafeOutput as exc:
        raise _unsafe(exc, option) from None


def write_output(
    data: bytes | str | Iterable[bytes],
    output: str | None,
    *,
    private: bool = False,
    force: bool = False,
    inputs: Sequence[str] = (),
) -> None:
    """``data`` to the file ``output`` or, when it is ``None`` or ``-``, to stdout.

    A file is written by :func:`jpki.files.write_file`: whole or not at all, never
    through a link (``force`` replaces one), never over one of ``inputs``; ``private``:
    mode 0600 (personal data). A device or a pipe (``/dev/stdout``) is written to as it is.
    """
    if output is None or output == "-":
        if isinstance(data, str):
            sys.stdout.write(data)
            return
        sys.stdout.flush()
        for chunk in [data] if isinstance(data, bytes) else data:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        files.write_file(output, raw, private=private, force=force, inputs=inputs)
    except files.UnsafeOutput as exc:
        raise _unsafe(exc) from None
    except OSError as exc:
        raise CommandFailed(f"cannot write {shown(output)}: {exc.strerror or exc}") from None


def read_file(path: str, what: str, limit: int, *, hint: str = "") -> bytes:
    """The bytes of ``path`` (at most ``limit``, checked before reading); a usage error
    naming ``what`` when it cannot be read or is too large (``hint``: how to allow more)."""
    try:
        return files.read_limited(path, limit)
    except files.InputTooLarge as exc:
        held = "more" if exc.size is None else size_text(exc.size)
        raise UsageError(
            f"the {what} {shown(path)} holds {held}; at most {size_text(limit)} are read{hint}"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read the {what} {shown(path)}: {exc.strerror or exc}") from None


# -- times and certificates ----------------------------------------------------------------------


#: The times the CLI takes (``--at``, ``--since``, ``--until``): wide enough for any
#: certificate, and far enough from the ends of ``datetime`` that a day or a time zone
#: more or less never overflows.
EARLIEST: Final = date(1900, 1, 1)
LATEST: Final = date(9998, 12, 31)


def parse_time(text: str, option: str, *, end_of_day: bool = False) -> datetime:
    """A date (midnight JST; with ``end_of_day`` the next midnight, so that an ``--until``
    date includes its day) or an ISO 8601 time (without a zone: JST), from
    :data:`EARLIEST` to :data:`LATEST`; a usage error otherwise."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(0), JST)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {shown(text[:40])!s} is not a date (YYYY-MM-DD) or an ISO 8601 time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=JST)
    if not EARLIEST <= moment.date() <= LATEST:
        raise UsageError(
            f"{option} {escape_controls(text[:40])} is out of range: give a time from "
            f"{EARLIEST.isoformat()} to {LATEST.isoformat()}"
        )
    if end_of_day and len(value) == 10:
        moment += timedelta(days=1)
    return moment


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


def _skipped(option: str, verbose: bool) -> Callable[[Path, str], None] | None:
    """What tells of a file a folder given to ``option`` skipped (with ``-v``)."""
    if not verbose:
        return None

    def tell(path: Path, why: str) -> None:
        note(f"{option}: skipped {shown(str(path))}: {one_line(why)}")

    return tell


def trust_store(
    paths: Sequence[str], option: str = "--trust", *, verbose: bool = False
) -> TrustStore:
    """The roots in ``paths`` (files or folders: their certificate files), else the J-LIS
    production roots."""
    if not paths:
        return TrustStore.production()
    try:
        return TrustStore.from_paths(paths, on_skip=_skipped(option, verbose))
    except TrustDataError as exc:
        raise UsageError(f"{option} {one_line(str(exc))}") from None


def crl_store(
    paths: Sequence[str], option: str = "--crl", *, verbose: bool = False
) -> CrlStore | None:
    """The CRLs in ``paths`` (files or folders: their CRL files); ``None`` for none."""
    if not paths:
        return None
    try:
        return CrlStore.from_paths(paths, on_skip=_skipped(option, verbose))
    except TrustDataError as exc:
        raise UsageError(f"{option} {one_line(str(exc))}") from None


# -- PINs ------------------------------------------------------------------------------------------


def _env_pin(variable: str, *, take: bool = False) -> str | None:
    """The PIN in ``variable``; ``take``: removed from the environment as it is read, so
    that it does not stay in ``os.environ`` (nor reach a child process) for the rest of the
    run. (The kernel still shows the environment the process started with, in
    ``/proc/PID/environ``, to its user and root: environment PINs are for automation on
    trusted machines.)"""
    value = os.environ.pop(variable, None) if take else os.environ.get(variable)
    return value or None


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
    """A PIN from ``variable`` (taken out of the environment) or the hidden prompt, checked
    against its rule."""
    pin = _env_pin(variable, take=True)
    if pin is not None:
        _check_format(kind, pin, variable)
        return pin
    if not stdin_is_tty():
        raise UsageError(f"no {kind.label}: stdin is not a terminal and {variable} is not set")
    pin = _ask(prompt)
    _check_format(kind, pin, f"the {kind.label} entered")
    return pin


def get_new_pin(kind: PinKind) -> str:
    """The new PIN of ``pin change``: from :data:`NEW_PIN_ENV` (taken out of the
    environment), or asked for twice."""
    pin = _env_pin(NEW_PIN_ENV, take=True)
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
