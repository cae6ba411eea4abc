"""Qt smoke test: 20,000 calls of void Qt methods.

PySide6 6.12.0 on Python 3.11 corrupts the reference count of ``None`` on
every call of a method returning void, and the interpreter aborts after some
thousands of calls (why pyproject pins PySide6 < 6.12 there). The loop runs
in a child process so that such a crash fails this test instead of killing
the test run; the report line names the Python and PySide6 versions.
"""

from __future__ import annotations

import os
import subprocess
import sys

import PySide6

CALLS = 20_000

CHILD = f"""
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication, QLabel, QWidget

app = QApplication([])
widget = QWidget()
label = QLabel(widget)
before = sys.getrefcount(None)
for i in range({CALLS}):
    label.setText("x")        # void
    widget.setVisible(i % 2 == 0)  # void
    widget.setEnabled(True)   # void
after = sys.getrefcount(None)
print(
    f"qt-smoke: {{3 * {CALLS}}} void calls ok; Python {{sys.version.split()[0]}} "
    f"({{sys.version}}); PySide6 {{PySide6.__version__}}; Qt {{qVersion()}}; "
    f"refcount(None) {{before}} -> {{after}}"
)
"""


def test_void_calls_do_not_crash(capsys) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    report = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    with capsys.disabled():  # shown in the test run's output, passed or not
        print("\n" + (report or done.stderr[-2000:]))
    assert done.returncode == 0, (
        f"the Qt loop crashed (exit {done.returncode}): {done.stderr[-2000:]}"
    )
    assert report.startswith("qt-smoke:")
    assert sys.version.split()[0] in report and sys.version in report
    assert f"PySide6 {PySide6.__version__};" in report
    # None's reference count must not drift by a count per call
    before, after = (int(x) for x in report.rsplit(" ", 3)[-3::2])
    assert abs(after - before) < 1000
