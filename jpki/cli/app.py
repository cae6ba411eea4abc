"""The ``jpki`` command: its parser, :func:`main`, and the exit code of every error.

Exit codes: 0 success; 1 the operation failed (wrong or blocked PIN, the card
refused, corrupt data, a signature not valid, a request the ledger refuses);
2 usage error (bad arguments, malformed PIN, no PIN source); 3 no reader, no
card, card removed, reader in use, PC/SC unavailable; 130 cancelled (Ctrl-C).
An error is one line on stderr (``jpki: error: …``), never a traceback unless
``-v`` asks for it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from .. import errors, readers
from ..layout import PinKind
from ..verdict import one_line
from .authenticate import add_authenticate_parser
from .card import add_card_parsers
from .common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NO_CARD,
    EXIT_OK,
    EXIT_USAGE,
    NEW_PIN_ENV,
    PIN_ENV,
    PROG,
    CommandFailed,
    Parser,
    UsageError,
    note,
    shown,
)
from .requests import add_requests_parser
from .sign import add_sign_parser
from .trust import add_trust_parser
from .verify import add_trust_options, add_verify_parser

__all__ = ["build_parser", "exit_code_for", "main"]

READER_HELP: Final = (
    "a part of the reader's name; 'mock' = built-in mock card; default $JPKI_READER"
)

EPILOG: Final = f"""\
PINs are never taken from the command line. They are asked for with a hidden
prompt or, for automation, read from the environment: {PIN_ENV[PinKind.AUTH]},
{PIN_ENV[PinKind.SIGN]}, {PIN_ENV[PinKind.TEXT]}, and {NEW_PIN_ENV} for the new
PIN of 'pin change'. The tries left are shown before a PIN is asked for.

reader: --reader NAME (a part of a PC/SC reader's name) or $JPKI_READER;
'{readers.MOCK_READER}' is the built-in mock card (state file: $JPKI_MOCK_STATE).

exit codes: 0 success, 1 operation failed (wrong or blocked PIN, card refused,
corrupt data, signature not valid), 2 usage error (arguments, malformed PIN, no PIN source),
3 no reader / no card / card removed / reader in use / PC/SC unavailable."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jpki-toolkit")
    except PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        import tomllib

        found = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown"
    return str(found)


def build_parser() -> argparse.ArgumentParser:
    """The whole ``jpki`` parser; each parsed command carries its ``handler``."""
    # Options accepted before and after the subcommand. After it, --reader must not
    # overwrite a value given before it (SUPPRESS), and -v counts separately.
    card_options = Parser(add_help=False)
    card_options.add_argument(
        "--reader", metavar="NAME", default=argparse.SUPPRESS, help=READER_HELP
    )
    card_options.add_argument(
        "-v",
        "--verbose",
        dest="sub_verbose",
        action="count",
        default=0,
        help="more detail on errors (-vv: also trace APDUs to stderr, PINs redacted)",
    )
    json_flag = Parser(add_help=False)
    json_flag.add_argument(
        "--json", action="store_true", help="print JSON (stable keys, UTF-8) instead of text"
    )
    trust = add_trust_options(Parser(add_help=False))

    parser = Parser(
        prog=PROG,
        description=(
            "Japan's My Number card (JPKI): certificates, PINs, the text AP, signatures "
            "(CMS and PDF) and authentication."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--reader", metavar="NAME", default=None, help=READER_HELP)
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more detail on errors, with traceback (-vv: also trace APDUs to stderr)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_card_parsers(commands, card_options, json_flag)
    add_sign_parser(commands, card_options)
    add_verify_parser(commands, [card_options, trust, json_flag])
    add_authenticate_parser(commands, [card_options, trust, json_flag])
    add_requests_parser(commands)
    add_trust_parser(commands, json_flag)
    return parser


def exit_code_for(exc: BaseException) -> int:
    """The exit code for an error (see the module's docstring)."""
    if isinstance(exc, UsageError | errors.PinFormatError):
        return EXIT_USAGE
    if isinstance(exc, errors.ReaderError | errors.NotJpkiCard):
        return EXIT_NO_CARD
    return EXIT_FAILED


def _message(exc: BaseException) -> str:
    """The error line's text, on one line with its control characters escaped (messages
    carry file names, a card's words, a signature's): nothing in it moves the cursor."""
    if isinstance(exc, OSError) and exc.filename is not None:
        text = f"cannot write {shown(str(exc.filename))}: {exc.strerror or exc}"
    else:
        text = str(exc) or type(exc).__name__
    if not isinstance(exc, errors.JpkiError | UsageError | CommandFailed | OSError):
        text = f"unexpected {type(exc).__name__}: {text}"
    return one_line(text)


@contextmanager
def _apdu_trace(enabled: bool) -> Iterator[None]:
    """``-vv``: the ``apdu.trace`` logger (PINs already redacted) at level 5 to stderr."""
    if not enabled:
        yield
        return
    from apdu.trace import TRACE
    from apdu.trace import logger as trace_logger

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("apdu %(message)s"))
    handler.setLevel(TRACE)
    previous = trace_logger.level
    trace_logger.setLevel(TRACE)
    trace_logger.addHandler(handler)
    try:
        yield
    finally:
        trace_logger.removeHandler(handler)
        trace_logger.setLevel(previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``jpki`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or EXIT_OK
        return EXIT_USAGE
    verbose: int = (
        args.verbose + getattr(args, "sub_verbose", 0) + getattr(args, "requests_verbose", 0)
    )
    prefix: str = getattr(args, "error_prefix", PROG)
    try:
        with _apdu_trace(verbose >= 2):
            code: int = args.handler(args)
            return code
    except KeyboardInterrupt:
        note(f"{PROG}: cancelled")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`); say nothing more
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_FAILED
    except Exception as exc:
        if verbose:
            traceback.print_exception(exc, file=sys.stderr)
            name = f"{type(exc).__module__}.{type(exc).__qualname__}"
            note(f"{PROG}: {name} → exit code {exit_code_for(exc)}")
        note(f"{prefix}: error: {_message(exc)}")
        return exit_code_for(exc)
