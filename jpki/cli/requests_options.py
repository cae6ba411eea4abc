"""The options of ``jpki requests`` and what they open: the limits of ``--limit`` and
``--older-than``, the ledger's URL (``--db``/``$JPKI_LEDGER_URL``), the actor, the ledger's
configuration (trust anchors, CRLs, catalogue, audit key) and the backend a command works on
(the office or the database: :mod:`jpki.cli.requests_backend`)."""

from __future__ import annotations

import argparse
import getpass
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..files import InputTooLarge
from ..verdict import one_line
from .common import UsageError, crl_store, looks_like_pin, shown, trust_store
from .requests_backend import Backend, office_target, open_backend, session_path

if TYPE_CHECKING:
    from ..ledger import Ledger, LedgerConfig

__all__ = [
    "ACTOR_ENV",
    "MAX_DAYS",
    "MAX_LIMIT",
    "RETENTION_ENV",
    "URL_ENV",
    "actor_of",
    "audit_key",
    "backend_of",
    "catalogue_codes",
    "count_option",
    "database_only",
    "days_option",
    "ledger_config",
    "ledger_url",
    "open_ledger",
    "parse_days",
]

URL_ENV: Final = "JPKI_LEDGER_URL"
ACTOR_ENV: Final = "JPKI_ACTOR"
RETENTION_ENV: Final = "JPKI_LEDGER_RETENTION_DAYS"
#: The most ``--limit`` takes, and the most days ``--older-than`` does (a hundred years).
MAX_LIMIT: Final = 1_000_000_000
MAX_DAYS: Final = 36_500


# -- arguments ------------------------------------------------------------------------------


def count_option(text: str) -> int:
    """An argparse ``type``: a whole number from 0 to :data:`MAX_LIMIT`."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text[:24])} is not a whole number") from None
    if not 0 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_LIMIT:,}")
    return value


def parse_days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{shown(text[:24])} is not a number of days") from None
    if not math.isfinite(value):
        raise ValueError(f"{shown(text[:24])} is not a number of days")
    if value < 0:
        raise ValueError("must not be negative")
    if value > MAX_DAYS:
        raise ValueError(f"must be at most {MAX_DAYS:,} days")
    return value


def days_option(text: str) -> float:
    """An argparse ``type``: a finite number of days from 0 to :data:`MAX_DAYS`."""
    try:
        return parse_days(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# -- what the options open --------------------------------------------------------------


def ledger_url(args: argparse.Namespace) -> str | None:
    url: str | None = getattr(args, "db", None) or os.environ.get(URL_ENV) or None
    if url is not None and looks_like_pin(url) and not os.path.lexists(url):
        raise UsageError(f"--db {shown(url)}: there is no ledger of that name")
    return url


def actor_of(args: argparse.Namespace) -> str:
    actor = getattr(args, "actor", None) or os.environ.get(ACTOR_ENV)
    if not actor:
        try:
            actor = getpass.getuser()
        except (KeyError, OSError):
            raise UsageError(f"say who you are: --actor NAME or ${ACTOR_ENV}") from None
    return str(actor)


def catalogue_codes(path: str) -> frozenset[str]:
    """The document type codes of a kiosk configuration (``--catalogue``): a usage error
    when it is missing, too large or not a catalogue."""
    from ..requests import DocumentCatalogue, RequestSchemaError

    try:
        return DocumentCatalogue.from_toml(Path(path)).codes
    except OSError as exc:
        raise UsageError(
            f"cannot read the catalogue {shown(path)}: {exc.strerror or exc}"
        ) from None
    except (RequestSchemaError, InputTooLarge) as exc:
        raise UsageError(f"--catalogue {shown(path)}: {one_line(str(exc))}") from None


def ledger_config(args: argparse.Namespace) -> LedgerConfig:
    from ..ledger import LedgerConfig
    from ..requests import DEFAULT_KIND_CODES
    from ..trust import RevocationPolicy

    catalogue = getattr(args, "catalogue", None)
    verbose = bool(getattr(args, "sub_verbose", 0) or getattr(args, "requests_verbose", 0))
    return LedgerConfig(
        trust_store=trust_store(
            getattr(args, "trust_anchor", None) or [], "--trust-anchor", verbose=verbose
        ),
        crls=crl_store(getattr(args, "crl", None) or [], verbose=verbose),
        revocation_policy=RevocationPolicy(getattr(args, "revocation", "if-available")),
        allowed_kinds=catalogue_codes(catalogue) if catalogue else DEFAULT_KIND_CODES,
        audit_key=audit_key(getattr(args, "audit_key", None)),
    )


def audit_key(path: str | None) -> bytes | None:
    """The office's audit key (a file of hex digits, mode 0600), for changes made directly on
    an office's database, whose audit chain it seals."""
    if not path:
        return None
    import stat

    try:
        info = os.stat(path)
        text = Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--audit-key {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
        raise UsageError(f"--audit-key {path} may be read by others: chmod 600 {path}")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise UsageError(f"--audit-key {path} holds no hexadecimal key") from None


def open_ledger(args: argparse.Namespace, config: LedgerConfig | None = None) -> Ledger:
    from ..ledger import Ledger

    return Ledger.open(
        ledger_url(args),
        config=config or ledger_config(args),
        create=bool(getattr(args, "create", False)),
    )


def backend_of(args: argparse.Namespace) -> Backend:
    """The office (a signed-in member of staff) or the database (see
    :mod:`jpki.cli.requests_backend`)."""
    return open_backend(
        args, url_env=URL_ENV, open_ledger=lambda: open_ledger(args), actor=lambda: actor_of(args)
    )


def database_only(args: argparse.Namespace, what: str) -> None:
    """``what`` is for whoever holds the database: refused when the command would go to the
    office."""
    if not (getattr(args, "db", None) or os.environ.get(URL_ENV)) and (
        office_target(args) is not None or session_path().exists()
    ):
        raise UsageError(f"{what} works on the database itself (an admin's --db), not the office")
