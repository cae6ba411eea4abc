"""``jpki-kiosk --fullscreen`` under a bare X server (Xvfb, no window manager) fills the screen.

Kiosks run without a desktop: nobody acts on a window's full-screen request there. The test
starts Xvfb at 1280×800 (it picks a free display itself), runs the real ``gui.app.main`` with
the mock card on the xcb platform, and reads the window's place and size twice: from the X
server (xwininfo) and from Qt. In the same window it shows the "untrusted card" problem in
both languages and checks its layout (nothing cut off or overlapping).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREEN = (1280, 800)

CHILD = """
import json, sys
from dataclasses import replace
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication
from gui.app import main

app = QApplication([])

def look():
    from gui.flow import CardProblem, Screen, initial
    from tests.kiosk_layout import layout_problems
    w = next(w for w in app.topLevelWidgets() if w.isVisible() and w.objectName() == "kiosk")
    out = {"geometry": w.geometry().getRect(), "problems": {}}
    for lang in ("ja", "en"):
        model = replace(initial(w.config), language=lang, screen=Screen.CARD_PROBLEM,
                        card_present=True, problem=CardProblem.UNTRUSTED)
        w.show_model(model)
        for _ in range(3):
            QCoreApplication.processEvents()
        out["problems"][lang] = layout_problems(w)
    print(json.dumps(out), flush=True)
    print("READY", flush=True)
    QTimer.singleShot(4000, app.quit)

QTimer.singleShot(1500, look)
sys.exit(main(sys.argv[1:]))
"""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (tools/bootstrap.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _read_line(fd: int, deadline: float) -> str:
    """One line from ``fd``, read a byte at a time (no buffer that select cannot see)."""
    line = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        byte = os.read(fd, 1)
        if not byte or byte == b"\n":
            return line.decode()
        line += byte
    raise AssertionError("no report in time")


def test_fullscreen_fills_a_screen_without_a_window_manager(tmp_path: Path) -> None:
    xvfb, xwininfo = _tool("Xvfb"), _tool("xwininfo")
    read_fd, write_fd = os.pipe()
    screen = f"{SCREEN[0]}x{SCREEN[1]}x24"
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    kiosk = None
    try:
        display = ":" + _read_line(read_fd, time.monotonic() + 20).strip()
        os.close(read_fd)
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("WAYLAND_DISPLAY", None)
        args = ["--reader", "mock", "--fullscreen", "--ledger", str(tmp_path / "l.sqlite3")]
        args += ["--printer", f"pdf:{tmp_path}"]
        kiosk = subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert kiosk.stdout is not None
        out, deadline = kiosk.stdout.fileno(), time.monotonic() + 60
        report = json.loads(_read_line(out, deadline))
        assert _read_line(out, deadline).strip() == "READY"
        done = subprocess.run(
            [xwininfo, "-display", display, "-name", "JPKI kiosk"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        info = done.stdout
        fields = dict(
            (k.strip(), v.strip())
            for k, _, v in (line.partition(":") for line in info.splitlines())
        )
        x_server = tuple(
            int(fields[k])
            for k in ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height")
        )
        assert x_server == (0, 0, *SCREEN), info
        assert tuple(report["geometry"]) == (0, 0, *SCREEN)
        assert report["problems"] == {"ja": [], "en": []}
        assert kiosk.wait(timeout=30) == 0
    finally:
        if kiosk is not None and kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait()
        server.terminate()
        server.wait(timeout=10)
