"""Small modules named for what they hold: a module of the product over 600 lines says why.

A module in ``apdu/``, ``jpki/``, ``mock_card/``, ``gui/`` or ``office/`` longer than
:data:`LIMIT` lines fails this test unless its module docstring has a paragraph starting
``Why one module:`` that gives the reason it stays whole (one transaction boundary, one
state machine...). The reason is for the next person who wants to add to it: split it
by concern, or keep the reason true.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("apdu", "jpki", "mock_card", "gui", "office")
LIMIT = 600
REASON = "Why one module:"

# Modules whose reason is still to be written (none now; keep it empty).
PENDING_REASON: frozenset[str] = frozenset()


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _gives_reason(path: Path) -> bool:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    paragraphs = (p.strip() for p in doc.split("\n\n"))
    return any(p.startswith(REASON) and len(p) > len(REASON) + 20 for p in paragraphs)


def _modules() -> list[Path]:
    found = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    return [p for p in found if "__pycache__" not in p.parts]


def oversized_without_reason(paths: list[Path]) -> list[str]:
    """``path: N lines`` for each module over the limit whose docstring gives no reason."""
    return [
        f"{p.relative_to(ROOT).as_posix() if p.is_relative_to(ROOT) else p}: {n} lines"
        for p in paths
        if (n := _lines(p)) > LIMIT and not _gives_reason(p)
    ]


def test_every_long_module_says_why_it_is_one_module() -> None:
    modules = [p for p in _modules() if p.relative_to(ROOT).as_posix() not in PENDING_REASON]
    assert len(modules) > 100, "the walk found too few modules"
    assert oversized_without_reason(modules) == []


def test_the_pending_list_names_only_long_modules_without_a_reason() -> None:
    for name in PENDING_REASON:
        path = ROOT / name
        if path.is_file() and (_lines(path) <= LIMIT or _gives_reason(path)):
            pytest.fail(f"{name} needs no place on PENDING_REASON any more: remove it")


def _module(tmp_path: Path, doc: str, lines: int) -> Path:
    body = "\n".join(f"X{i} = {i}" for i in range(lines))
    path = tmp_path / "big.py"
    path.write_text(f'"""{doc}"""\n\n{body}\n', encoding="utf-8")
    return path


def test_a_long_module_without_a_reason_is_caught(tmp_path: Path) -> None:
    path = _module(tmp_path, "Everything about widgets.", LIMIT)
    assert oversized_without_reason([path]) == [f"{path}: {LIMIT + 2} lines"]
    path = _module(tmp_path, "Everything about widgets.", LIMIT - 3)
    assert oversized_without_reason([path]) == []
    path = _module(tmp_path, "Widgets.\n\nWhy one module: one widget transaction per call.", LIMIT)
    assert oversized_without_reason([path]) == []


def test_a_reason_counts_only_as_its_own_paragraph(tmp_path: Path) -> None:
    given = "Widgets.\n\nWhy one module: the widget table is one transaction boundary.\n"
    assert _gives_reason(_module(tmp_path, given, 5))
    in_passing = "Widgets. Why one module: the widget table is one transaction boundary.\n"
    assert not _gives_reason(_module(tmp_path, in_passing, 5))
    empty = "Widgets.\n\nWhy one module:\n"
    assert not _gives_reason(_module(tmp_path, empty, 5))
