"""The fault-injection matrix report: operations × faults × outcome counts.

``tests/test_fault_matrix.py`` fills a :class:`FaultMatrix` while it runs, writes it (as
text and JSON) to ``$PYTEST_FAULT_REPORT`` (default: ``.pytest_cache/fault-matrix.txt``
next to ``pyproject.toml``) and prints it in pytest's terminal summary.

Run as a script to print the last report, or (``--run``) to run the matrix first::

    .venv/bin/python tests/fault_report.py          # print the last report
    .venv/bin/python tests/fault_report.py --run    # run tests/test_fault_matrix.py, then print
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_REPORT = "PYTEST_FAULT_REPORT"

#: Short names for the outcomes in the table (the legend is printed under it).
ABBREVIATIONS = {
    "ok": "ok",
    "CardRemoved": "RM",
    "TransportFailure": "TF",
    "CardResponseError": "CRE",
    "PinRequired": "PR",
    "NotJpkiCard": "NJ",
    "ApplicationNotFound": "ANF",
    "CorruptData": "CD",
    "PinIncorrect": "PI",
    "PinBlocked": "PB",
    "NoCard": "NC",
}


def default_path() -> Path:
    """``$PYTEST_FAULT_REPORT``, else ``.pytest_cache/fault-matrix.txt`` in the repository."""
    env = os.environ.get(ENV_REPORT)
    return Path(env) if env else ROOT / ".pytest_cache" / "fault-matrix.txt"


@dataclass
class FaultMatrix:
    """Outcome counts per (operation, fault), and the APDU count of each operation's clean run."""

    faults: list[str] = field(default_factory=list)
    apdus: dict[str, int] = field(default_factory=dict)
    cells: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # outcome -> what it means

    def record(self, operation: str, fault: str, outcome: str) -> None:
        if fault not in self.faults:
            self.faults.append(fault)
        self.cells.setdefault(operation, {}).setdefault(fault, Counter())[outcome] += 1

    def points(self) -> int:
        return sum(sum(c.values()) for row in self.cells.values() for c in row.values())

    def to_json(self) -> dict[str, object]:
        return {
            "faults": self.faults,
            "apdus": self.apdus,
            "notes": self.notes,
            "cells": {
                op: {fault: dict(counts) for fault, counts in row.items()}
                for op, row in self.cells.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FaultMatrix:
        matrix = cls(list(data["faults"]), dict(data["apdus"]))  # type: ignore[call-overload]
        matrix.notes = dict(data.get("notes", {}))  # type: ignore[call-overload]
        cells = data["cells"]
        assert isinstance(cells, dict)
        for op, row in cells.items():
            matrix.cells[op] = {fault: Counter(counts) for fault, counts in row.items()}
        return matrix

    # -- rendering ------------------------------------------------------------------------

    def render(self) -> str:
        """The matrix as a plain-text table with a legend."""
        if not self.cells:
            return "fault matrix: no points were run\n"
        seen: set[str] = set()

        def cell(counts: Counter[str] | None) -> str:
            if not counts:
                return "-"
            seen.update(counts)
            parts = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            return " ".join(f"{ABBREVIATIONS.get(k, k)} {n}" for k, n in parts)

        header = ["operation", "APDUs", *self.faults]
        rows = [
            [op, str(self.apdus.get(op, "?")), *(cell(row.get(f)) for f in self.faults)]
            for op, row in self.cells.items()
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def line(values: list[str]) -> str:
            return " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

        out = [line(header), "-+-".join("-" * w for w in widths)]
        out += [line(r) for r in rows]
        legend = [f"{ABBREVIATIONS[k]}={k}" for k in ABBREVIATIONS if k in seen and k != "ok"]
        others = sorted(k for k in seen if k not in ABBREVIATIONS)
        out.append("")
        out.append(
            f"{self.points()} fault points. Each cell: outcome counts over the fault injected at "
            "APDU 1..N of a clean run (N = APDUs)."
        )
        out.append(
            "ok = completed (expected for the delay); "
            + ", ".join(legend)
            + (
                "; kiosk outcomes are the screen the flow stopped on (receipt = completed)"
                if any(k.startswith(("error", "card-problem", "receipt")) for k in others)
                else ""
            )
        )
        if others:
            out.append("other outcomes: " + ", ".join(others))
        out += [f"{k}: {v}" for k, v in self.notes.items() if k in seen]
        return "\n".join(out) + "\n"

    def write(self, path: Path | None = None) -> Path:
        """Write the table to ``path`` (default :func:`default_path`) and the JSON beside it."""
        path = path or default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(), encoding="utf-8")
        path.with_suffix(".json").write_text(
            json.dumps(self.to_json(), indent=1, ensure_ascii=False), encoding="utf-8"
        )
        return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="store_true", help="run tests/test_fault_matrix.py first")
    parser.add_argument("--report", type=Path, default=None, help="the report file")
    args = parser.parse_args(argv)
    path = args.report or default_path()
    if args.run:
        env = {**os.environ, ENV_REPORT: str(path)}
        code = subprocess.call(
            [sys.executable, "-m", "pytest", "-q", "tests/test_fault_matrix.py"],
            cwd=ROOT,
            env=env,
        )
        if code:
            return code
    if not path.exists():
        print(f"no fault matrix at {path}: run tests/test_fault_matrix.py first", file=sys.stderr)
        return 1
    sys.stdout.write(path.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
