"""Every module of the library imports first, on its own: whichever module a program
imports first, no import cycle breaks it (jpki.certs, jpki.trust, jpki.verdict and
jpki.cms lean on each other)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = """
import importlib, pkgutil, sys
import jpki
names = sorted(
    m.name
    for m in pkgutil.walk_packages(jpki.__path__, "jpki.")
    if ".migrations" not in m.name and not m.name.endswith("__main__")
)
for name in names:
    for loaded in [n for n in sys.modules if n == "jpki" or n.startswith("jpki.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        print(f"FAILED {name}: {type(exc).__name__}: {exc}")
    else:
        print(f"ok {name}")
"""


def test_every_jpki_module_imports_first_in_a_fresh_interpreter() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.splitlines()
    imported = {line.split()[1] for line in out if line.startswith("ok ")}
    assert [line for line in out if not line.startswith("ok ")] == []
    # the modules the import cycles would run through are among them
    assert {
        "jpki.certs",
        "jpki.certs.holder",
        "jpki.cms",
        "jpki.cms._der",
        "jpki.trust",
        "jpki.verdict",
        "jpki.pdf",
        "jpki.authn",
    } <= imported
