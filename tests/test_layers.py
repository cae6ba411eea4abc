"""The layers' arrows point down: apdu ← jpki ← gui / office; office and gui never import each
other; office never imports the mock card. (jpki's lazy imports of mock_card for the reader named
"mock" are the mock card's registration, outside this check.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: package -> the top-level packages of this tree it must not import
FORBIDDEN = {
    "apdu": {"jpki", "gui", "office", "mock_card"},
    "jpki": {"gui", "office"},
    "office": {"gui", "mock_card"},
    "gui": {"office"},
}
#: the modules that may reach across: the kiosk's mock mode and its panel load the mock card
ALLOWED = {
    ("gui", "mock_card"),
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_imports_point_down() -> None:
    wrong = []
    for package, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for target in imported_packages(path) & forbidden:
                if (package, target) not in ALLOWED:
                    wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert not wrong, "\n".join(wrong)
