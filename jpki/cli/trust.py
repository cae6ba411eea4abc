"""``jpki trust list`` and ``jpki trust install FILE``: the J-LIS roots of every generation.

``list`` shows each generation and purpose with its state — ``shipped`` (in the
package), ``installed`` (in the trust folder), ``pinned-missing`` (pinned, bytes not
here: still accepted when the card or a signature presents them) or ``expired`` — and its
SHA-256. ``install`` checks a file against the pins (exit 1 if it is none of them, 2 if it
cannot be read or holds no certificate) and writes it into the trust folder
(``$JPKI_TRUST_DIR``, else ``trust`` in the user data folder), atomically, mode 0644.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..files import UnsafeOutput
from ..timeutil import jst_iso
from ..trust.installed import (
    TRUST_DIR_ENV,
    check_root_file,
    install_root,
    installed_roots,
    trust_dir,
)
from ..trust.pins import JLIS_ROOTS, PinnedRoot
from ..trust.roots import TrustDataError, fp_hex
from .common import EXIT_OK, CommandFailed, UsageError, note, out, print_json, shown, table

__all__ = ["add_trust_parser", "root_states"]


def add_trust_parser(commands: Any, json_flag: argparse.ArgumentParser) -> None:
    """Add ``trust list`` and ``trust install`` to the main parser's subcommands."""
    p = commands.add_parser(
        "trust",
        help="the J-LIS roots: list every generation, install a root file",
        description=(
            "The J-LIS root certificates of every generation (01 2015, 02 2019, 03 2023; "
            "signature and user authentication), pinned by SHA-256. Generation 02 is not "
            "shipped: install J-LIS's signca02.cer / authca02.cer once, or let the card "
            f"present it. Trust folder: ${TRUST_DIR_ENV}, else 'trust' in the user data folder."
        ),
    )
    sub = p.add_subparsers(dest="trust_command", metavar="ACTION", required=True)
    lst = sub.add_parser(
        "list", parents=[json_flag], help="every generation, its state and fingerprint"
    )
    lst.set_defaults(handler=cmd_trust_list)
    ins = sub.add_parser(
        "install",
        help="check a root file against the pins and add it to the trust folder",
        description=(
            "Check FILE (DER or PEM, one certificate) against the pinned SHA-256 of every "
            "J-LIS root and, if it is one of them, write it (DER, mode 0644, atomically) into "
            "the trust folder. Exit 1 if the file is not a pinned root."
        ),
    )
    ins.add_argument("file", metavar="FILE", help="e.g. authca02.cer from J-LIS's CA page")
    ins.set_defaults(handler=cmd_trust_install)


def _state(root: PinnedRoot, installed: set[str], now: datetime) -> str:
    if now > root.not_after:
        return "expired"
    if root.shipped is not None:
        return "shipped"
    if root.sha256 in installed:
        return "installed"
    return "pinned-missing"


def root_states(folder: Path | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per pinned root: generation, purpose, file, state, SHA-256, serial, validity."""
    when = datetime.now(UTC) if now is None else now
    found = {root.sha256: path for root, _cert, path in installed_roots(folder)}
    rows = []
    for root in JLIS_ROOTS:
        rows.append(
            {
                "generation": root.generation,
                "year": root.year,
                "purpose": root.purpose,
                "file": root.file_name,
                "state": _state(root, set(found), when),
                "sha256": root.sha256,
                "serial": format(root.serial, "08X"),
                "not_before": jst_iso(root.not_before),
                "not_after": jst_iso(root.not_after),
                "shipped": root.shipped is not None,
                "installed_at": str(found[root.sha256]) if root.sha256 in found else None,
                "pin_source": root.source,
            }
        )
    return rows


def cmd_trust_list(args: argparse.Namespace) -> int:
    folder = trust_dir()
    rows = root_states(folder)
    if args.json:
        print_json({"trust_folder": str(folder), "roots": rows})
        return EXIT_OK
    out(
        table(
            [
                (
                    r["generation"],
                    str(r["year"]),
                    r["purpose"],
                    r["file"],
                    r["state"],
                    r["not_after"][:10],
                    r["sha256"],
                )
                for r in rows
            ],
            ("gen", "year", "purpose", "file", "state", "valid to", "SHA-256"),
        )
    )
    out()
    out(f"trust folder: {folder}")
    if any(r["state"] == "pinned-missing" for r in rows):
        out(
            "pinned-missing: accepted when the card or a signature presents the root; "
            "`jpki trust install FILE` adds J-LIS's file here."
        )
    return EXIT_OK


def cmd_trust_install(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        check_root_file(path)
    except TrustDataError as exc:
        if exc.problem.startswith("not a J-LIS root"):
            raise CommandFailed(f"{shown(args.file)}: {exc.problem}") from None
        raise UsageError(f"{shown(args.file)}: {exc.problem}") from None
    folder = trust_dir()
    try:
        done = install_root(path, folder=folder)
    except UnsafeOutput as exc:
        raise UsageError(str(exc)) from None
    root = done.root
    if done.already:
        note(f"{root.file_name} ({root.label('en')}) is already installed in {done.path}")
    else:
        note(f"installed {root.label('en')} as {done.path}")
    out(f"{root.generation} {root.purpose} {root.file_name} SHA-256 {fp_hex(root.fingerprint)}")
    return EXIT_OK
