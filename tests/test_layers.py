"""The layer contracts (pyproject.toml [tool.importlinter], run by ``make lint``) hold for the
tree, and each one breaks when a violation is planted in a copy of it: the checker is not
vacuous."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("apdu", "jpki", "gui", "mock_card", "office")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

GUI_CONTRACT = "gui imports mock_card only in the mock panel"
OFFICE_MOCK_CONTRACT = "the office service never imports the mock card"
#: contract name -> (module file to plant in, the import planted)
PLANTS = {
    "apdu imports nothing of ours": ("apdu/tlv.py", "import jpki.errors"),
    "jpki never imports gui, office or mock_card": (
        "jpki/readers.py",
        "from mock_card import MockCard",
    ),
    "gui imports mock_card only in the mock panel": ("gui/services.py", "import mock_card.card"),
    "the kiosk and the office never import each other": (
        "gui/outbox.py",
        "import office.service",
    ),
    OFFICE_MOCK_CONTRACT: ("office/service.py", "import mock_card.card"),
    "only the raw PC/SC layer (apdu.pcsc.scard) imports pyscard": (
        "apdu/pcsc/readers.py",
        "from smartcard import scard",
    ),
}


def _copy_tree(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _lint(tree: Path) -> tuple[int, dict[str, str]]:
    out = subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree), "HOME": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    verdicts = dict(re.findall(r"^(.+?) (KEPT|BROKEN)(?: \(.*\))?$", out.stdout, flags=re.M))
    return out.returncode, verdicts


@pytest.fixture(scope="module")
def checker() -> Path:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"import-linter is not installed next to {sys.executable} (make deps)")
    return LINT_IMPORTS


def test_the_tree_keeps_every_contract(checker: Path, tmp_path: Path) -> None:
    code, verdicts = _lint(_copy_tree(tmp_path))
    assert verdicts == dict.fromkeys(PLANTS, "KEPT")
    assert code == 0


@pytest.mark.parametrize("contract", list(PLANTS))
def test_a_planted_violation_breaks_its_contract(
    checker: Path, tmp_path: Path, contract: str
) -> None:
    tree = _copy_tree(tmp_path)
    module, planted = PLANTS[contract]
    path = tree / module
    source = path.read_text(encoding="utf-8")
    # after the module's docstring and `from __future__`, where an import belongs
    head, sep, rest = source.partition("from __future__ import annotations\n")
    assert sep, module
    path.write_text(f"{head}{sep}\n{planted}  # planted\n{rest}", encoding="utf-8")
    code, verdicts = _lint(tree)
    assert code != 0
    assert verdicts[contract] == "BROKEN"
    broken = {name for name, verdict in verdicts.items() if verdict == "BROKEN"}
    # gui and the office import jpki.readers: mock_card planted there reaches them too
    implied = {GUI_CONTRACT, OFFICE_MOCK_CONTRACT} if module.startswith("jpki/") else set()
    assert broken == {contract} | implied
