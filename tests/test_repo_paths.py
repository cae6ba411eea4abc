"""No tracked file names a path outside the repository (a clean clone must be complete).

Card facts live in docs/card.md, not in a notes folder beside the checkout; tests do
not skip or pass depending on what happens to exist outside the clone.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Built from pieces so that this file does not match itself.
_OUTSIDE = re.compile(
    "|".join(
        [
            "/" + "work/",  # the machine's work tree
            r"\.\./" + "shared",  # notes beside the checkout
            r"\bshared/" + r"(?:JPKI|ARCHITECTURE|seeds|trust)",
            r"\b(?:JPKI|HELPERS|ARCHITECTURE)" + r"\.md\b",  # the outside notes by name
            "/" + "home/",
            "/" + "Users/",
        ]
    )
)
_MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)")


def tracked_text_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    files = []
    for name in filter(None, names):
        path = ROOT / name.decode()
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:  # binary (images, .qm)
            continue
        files.append(path)
    return files


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    files = tracked_text_files()
    assert len(files) > 100  # git saw the checkout
    hits = []
    for path in files:
        text = path.read_text("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), 1):
            match = _OUTSIDE.search(line)
            if match:
                hits.append(f"{path.relative_to(ROOT)}:{number}: {match.group()!r}")
    assert hits == []


def test_relative_links_in_the_documentation_stay_inside() -> None:
    for path in tracked_text_files():
        if path.suffix != ".md":
            continue
        for target in _MARKDOWN_LINK.findall(path.read_text("utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            resolved = (path.parent / target).resolve()
            assert resolved.is_relative_to(ROOT), f"{path.relative_to(ROOT)} links to {target}"


def test_the_pattern_catches_what_it_is_for() -> None:
    for bad in (
        "see /" + "work/shared/x",
        "../" + "shar" + "ed/JPKI" + ".md",
        "JPKI" + ".md, section 2",
        "/" + "home/someone/notes",
    ):
        assert _OUTSIDE.search(bad), bad
    for fine in ("docs/card.md", "jpki_md", "../../x", "shared_state", "a shared/ folder"):
        assert not _OUTSIDE.search(fine), fine
