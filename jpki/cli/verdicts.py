"""How the CLI prints a verification result: a CMS signature, the signatures of a PDF, an
authentication — all through :func:`report`.

JSON is each result's ``as_dict()`` as it is (with the caller's ``extra`` keys); the text is
one block of rows made from that same dict, every value with its control characters
escaped (a certificate's subject or a signature's message is the signer's to choose: it
must not move the cursor or forge a row); and when a result is not valid, its
:meth:`~jpki.verdict.Verdict.sentence` ends the output on stderr as the error line.
Nothing here knows a result's class: anything with ``as_dict()`` and ``sentence()``
prints.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Protocol

from ..timeutil import jst_text
from ..verdict import escape_controls, one_line
from .common import EXIT_FAILED, EXIT_OK, PROG, note, print_json

__all__ = ["Verdict", "report"]

#: ``report``'s kinds: the signatures of a CMS file or a PDF, or one authentication.
AUTHENTICATION: Final = "authentication"


class Verdict(Protocol):
    """A verification result, as the CLI needs it (:class:`jpki.verdict.Verdict` is one)."""

    def as_dict(self) -> dict[str, Any]: ...

    def sentence(self) -> str: ...


def report(
    kind: str,
    verdicts: Sequence[Verdict],
    *,
    as_json: bool,
    extra: Mapping[str, Any] | None = None,
) -> int:
    """Print ``verdicts`` (``kind``: ``cms``, ``pdf`` or ``authentication``) as JSON or text,
    each entry with the ``extra`` keys added (``content_file``); the exit code: 0 when there
    is at least one and every one is valid."""
    entries = [{**v.as_dict(), **(extra or {})} for v in verdicts]
    ok = bool(entries) and all(_passed(e) for e in entries)
    if as_json:
        if kind == AUTHENTICATION:
            print_json(entries[0])
        else:
            print_json({"kind": kind, "valid": ok, "signatures": entries})
    else:
        sys.stdout.write(_text(kind, entries))
    if ok:
        return EXIT_OK
    if not entries:
        note(f"{PROG}: error: not valid: the PDF has no signatures")
        return EXIT_FAILED
    bad = next(v for v, e in zip(verdicts, entries, strict=True) if not _passed(e))
    note(f"{PROG}: error: {one_line(bad.sentence())}")
    return EXIT_FAILED


def _passed(entry: Mapping[str, Any]) -> bool:
    return bool(entry.get("valid", entry.get("authenticated")))


def _time(iso: str | None) -> str:
    return "-" if iso is None else jst_text(datetime.fromisoformat(iso))


def _revocation(entry: Mapping[str, Any]) -> str:
    summary = entry.get("revocation")
    if summary is None:
        return "not checked"
    return f"checked: {summary}" if entry.get("revocation_checked") else str(summary)


def _signature_rows(sig: Mapping[str, Any]) -> list[tuple[str, str]]:
    holder, cert = sig.get("signer"), sig.get("certificate")
    who = holder["name"] if holder else (cert["subject"] if cert else "(unknown)")
    rows = [
        ("result", "VALID" if sig["valid"] else f"INVALID ({sig['reason']})"),
        ("message", sig["message"]),
        ("signed by" if sig["valid"] else "claimed signer", who),
    ]
    rows += [("note", note) for note in (holder or {}).get("notes", ())]
    if cert:
        rows.append(("certificate", f"serial {cert['serial']}{_issuer(cert)}"))
    rows.append(("format", sig["level"]))
    if sig.get("coverage"):
        extra = sig.get("later_revisions") or 0
        rows.append(
            ("coverage", sig["coverage"] + (f", {extra} later revision(s)" if extra else ""))
        )
    rows.append(("signing time", _time(sig.get("signing_time"))))
    if sig.get("timestamp"):
        rows.append(("time-stamp", _time(sig["timestamp"])))
    rows.append(("revocation", _revocation(sig)))
    return rows


def _issuer(cert: Mapping[str, Any]) -> str:
    """``, issued by the J-LIS 2019 (generation 02) signature root`` (a pinned J-LIS root),
    ``, issuer generation 2010`` (another root), or nothing."""
    root = cert.get("issuer_root")
    if root:
        return f", issued by {root['label']}"
    generation = cert.get("issuer_generation")
    return f", issuer generation {generation}" if generation else ""


def _generation(cert: Mapping[str, Any]) -> str:
    root = cert.get("issuer_root")
    return root["label"] if root else (cert.get("issuer_generation") or "-")


def _authentication_rows(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    cert = entry.get("certificate")
    result = "AUTHENTICATED" if entry["authenticated"] else f"REFUSED ({entry['reason']})"
    rows = [("result", result), ("message", entry["message"])]
    if cert:
        rows += [
            (
                "certificate",
                f"serial {cert['serial']} (user-authentication certificate; it names no person)",
            ),
            ("issuer", cert["issuer"]),
            ("issuer generation", _generation(cert)),
            ("expires", _time(cert["not_after"])),
        ]
    rows.append(("revocation", _revocation(entry)))
    return rows


def _block(rows: list[tuple[str, str]], checks: Mapping[str, str], indent: str) -> list[str]:
    """The rows and the checks, one line each, every value escaped by :func:`one_line`."""
    width = max(16, *(len(label) + 2 for label, _ in rows))
    lines = [f"{label + ':':<{width}}{escape_controls(str(value))}" for label, value in rows]
    lines.append("checks:")
    names = {
        escape_controls(str(name)): escape_controls(str(outcome))
        for name, outcome in checks.items()
    }
    name_width = max((len(name) for name in names), default=0)
    lines.extend(f"  {name:<{name_width}} {outcome}" for name, outcome in names.items())
    return [indent + line for line in lines]


def _text(kind: str, entries: list[dict[str, Any]]) -> str:
    if kind == AUTHENTICATION:
        entry = entries[0]
        return "\n".join(_block(_authentication_rows(entry), entry["checks"], "")) + "\n"
    if not entries:
        return "signatures: none (the PDF is not signed)\n"
    lines: list[str] = []
    numbered = len(entries) > 1 or kind == "pdf"
    for i, sig in enumerate(entries, 1):
        if numbered:
            field = escape_controls(str(sig["field"]))
            lines.append(f"signature {i} of {len(entries)} (field {field}):")
        lines.extend(_block(_signature_rows(sig), sig["checks"], "  " if numbered else ""))
    return "\n".join(lines) + "\n"
