"""``make demo``'s office (tools/console_demo.py): the console serves, the printed staff
account signs in and sees the seeded requests, the kiosk's configuration it writes is
one the kiosk accepts, and everything is removed when it stops."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from gui.config import load_config as load_kiosk_config
from tests.console_kit import Browser
from tests.office_kit import ROOT, free_port


def test_the_demo_office_serves_the_console_with_its_seeded_accounts() -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    demo = subprocess.Popen(
        [sys.executable, "tools/console_demo.py", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert demo.stdout is not None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "press Ctrl-C" in line:
                break
        out = "".join(lines)
        assert f"https://127.0.0.1:{port}/console/" in out, out
        folder = Path(re.search(r"removed on exit\): (\S+)", out).group(1))  # type: ignore[union-attr]
        password = re.search(r"the password '([^']+)'", out).group(1)  # type: ignore[union-attr]
        kiosk = load_kiosk_config(folder / "kiosk.toml")
        assert kiosk.office_url == f"https://127.0.0.1:{port}"
        browser = Browser(f"https://127.0.0.1:{port}", folder / "tls" / "ca.pem")
        try:
            assert browser.sign_in("clerk", password=password).status_code == 303
            queue = browser.get("/console/queue").text
            assert re.search(r'id="shown">2<', queue), queue[:2000]
        finally:
            browser.close()
    finally:
        demo.send_signal(signal.SIGTERM)
        rest = demo.communicate(timeout=30)[0]
    assert "the office has stopped" in rest
    assert not folder.exists()
