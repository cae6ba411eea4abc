"""Screenshots of every console page, in Japanese and English, at 1280×800, into
docs/screenshots/console/<page>-<lang>.png (``make console-screenshots``)::

    PYTHONPATH=. .venv/bin/python tests/console_screenshots.py [OUT_DIR]

The pages are those of the end-to-end story (tests/console_browser.py) — a real office on
a loopback port, the mock card's signed requests, Debian's chromium — so each picture is
what a member of staff (or the recipient) sees at that step.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.console_browser import VIEWPORT, browser, story
from tests.console_kit import console_office

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "screenshots" / "console"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    written = []
    for language, locale in (("ja", "ja-JP"), ("en", "en-US")):
        with (
            tempfile.TemporaryDirectory(prefix="jpki-console-shots-") as folder,
            console_office(Path(folder)) as office,
            browser(office, locale) as context,
        ):

            def shot(page: Any, name: str, language: str = language) -> None:
                assert page.viewport_size == VIEWPORT
                target = out / f"{name}-{language}.png"
                page.screenshot(path=str(target), full_page=False)
                written.append(target)

            story(office, context, shot)
    for path in written:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"{len(written)} screenshots in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
