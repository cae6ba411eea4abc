"""``jpki-mock-card ctl``: the shell's client of a running ``jpki-mock-card serve``.

Prints plain lines a script can read (``--json``: the daemon's answer as it came);
exits 0 on success, 1 when the daemon refuses the command or cannot be reached,
2 on a usage error. ``ctl wait`` waits until pcscd shows the served card and
prints the reader's name.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Final

from .control import ControlClient, ControlError, default_control_path
from .daemon import COMMANDS
from .pcscd import VPCD_PORT, VPCD_SLOTS, find_vpcd_reader

__all__ = ["add_parser", "cmd_ctl", "control_path", "wait_for_reader"]

WAIT_TIMEOUT: Final = 30.0
_COMMAND_HELP: Final = "; ".join(f"{usage}: {what}" for usage, what in COMMANDS.items())


def add_parser(sub: Any, default_port: int) -> None:
    """Add ``ctl`` to the subcommands ``sub`` of ``jpki-mock-card``."""
    ctl = sub.add_parser(
        "ctl",
        help="drive a running 'serve': insert, remove, holder, fault, pins, status, wait",
        description=(
            "Send one command to a running 'jpki-mock-card serve' over its control socket. "
            f"Commands: {_COMMAND_HELP}; wait: wait until pcscd shows the card, print the "
            "reader's name."
        ),
    )
    where = ctl.add_mutually_exclusive_group()
    where.add_argument(
        "--control",
        metavar="PATH",
        type=Path,
        help="the control socket (default: $JPKI_MOCK_CONTROL, else the one of --vpcd's port)",
    )
    where.add_argument(
        "--vpcd",
        metavar="PORT",
        type=int,
        default=default_port,
        help=f"the daemon serving this vpcd port (default {default_port})",
    )
    ctl.add_argument("--json", action="store_true", help="print the daemon's JSON answer")
    ctl.add_argument(
        "--timeout",
        type=float,
        default=WAIT_TIMEOUT,
        metavar="SECONDS",
        help=f"for 'wait': how long to wait (default {WAIT_TIMEOUT:g})",
    )
    ctl.add_argument(
        "request",
        nargs="+",
        metavar="COMMAND",
        help="a command and its arguments (e.g. 'remove', 'holder juki', 'fault remove 3')",
    )
    ctl.set_defaults(handler=cmd_ctl)


def control_path(args: argparse.Namespace) -> Path:
    if args.control is not None:
        return Path(args.control)
    return default_control_path(int(args.vpcd))


def cmd_ctl(args: argparse.Namespace, state: Path) -> int:
    words: list[str] = list(args.request)
    client = ControlClient(control_path(args))
    if words[0] == "wait":
        if len(words) != 1 or not 0 < args.timeout <= 3600:
            raise ControlError("usage: ctl [--timeout SECONDS (0-3600)] wait")
        reader = wait_for_reader(client, args.timeout)
        print(json.dumps({"ok": True, "reader": reader}) if args.json else reader)
        return 0
    answer = client.request(*words)
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=1))
        return 0
    try:
        lines = _lines(words[0], answer)
    except (KeyError, TypeError, AttributeError):
        raise ControlError("the daemon's answer is not what this version expects") from None
    for line in lines:
        print(printable(line))
    return 0


def printable(text: str) -> str:
    """``text`` with control characters shown as escapes (names come from state files)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _lines(command: str, answer: dict[str, Any]) -> list[str]:
    if command == "help":
        return [f"{usage:16} {what}" for usage, what in answer["commands"].items()]
    if command == "profiles":
        return [f"{name:16} {what}" for name, what in answer["profiles"].items()]
    pins = [
        f"{name} {p['tries_left']}/{p['max_tries']}{' blocked' if p['blocked'] else ''}"
        for name, p in answer["pins"].items()
    ]
    if command == "pins":
        return pins
    vpcd = answer["vpcd"]
    return [
        f"holder       {answer['holder']} ({answer['name']}, certificates {answer['certificates']})",
        f"in reader    {'yes' if answer['present'] else 'no'}",
        f"token        {answer['token_label']}",
        f"ATR          {answer['atr']}",
        f"APDUs        {answer['apdus']} (faults pending: {answer['faults_pending']})",
        f"vpcd         {vpcd['host']}:{vpcd['port']} "
        f"({'connected' if vpcd['connected'] else 'not connected'})",
        f"PINs         {', '.join(pins)}",
    ]


def wait_for_reader(client: ControlClient, timeout: float) -> str:
    """Wait until the daemon serves a card that pcscd shows present; return the reader."""
    from apdu.errors import TransportError
    from apdu.pcsc import list_readers, wait_for_card

    deadline = time.monotonic() + timeout
    last = "the daemon did not answer"
    while True:
        try:
            status = client.request("status")
        except ControlError as exc:
            last = str(exc)
        else:
            slot = int(status["vpcd"]["port"] or 0) - VPCD_PORT
            if not status["present"]:
                last = "the card is not in the reader ('ctl insert' puts it back)"
            elif not 0 <= slot < VPCD_SLOTS:
                port = status["vpcd"]["port"]
                raise ControlError(f"the daemon serves vpcd port {port}, not one of vpcd's slots")
            elif not status["vpcd"]["connected"]:
                last = "vpcd has not connected to the daemon (is pcscd running with vpcd?)"
            else:
                try:
                    reader = find_vpcd_reader(list_readers(), slot)
                except TransportError as exc:
                    last = f"pcscd: {exc}"
                else:
                    if reader is None:
                        last = f"pcscd lists no reader for vpcd's slot {slot}"
                    elif wait_for_card(reader, present=True, timeout=min(1.0, timeout)):
                        return reader
                    else:
                        last = f"pcscd does not show a card in {reader}"
        if time.monotonic() >= deadline:
            raise ControlError(f"not ready within {timeout:g} s: {last}")
        time.sleep(0.1)
