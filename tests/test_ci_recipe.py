"""The package as others get it: ``python -m build`` makes an sdist and, from it, a wheel; a
fresh virtualenv gets the wheel; the README's CI recipe, the plugin's example and
``jpki --reader mock status`` run there.

Honest about what is borrowed: the fresh virtualenv is made without the project, and
``pip install jpki-toolkit`` installs the project from the built wheel only
(``--no-index``). Its third-party dependencies (pyscard, cryptography, PySide6, ...)
are not downloaded again: a ``.pth`` file points at a directory of links to this
virtualenv's third-party packages — every entry but the project's own. The recipe's
two apt lines are not run (no network here); the test checks that their packages are
installed instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_card.pcscd import Pcscd

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {"apdu", "jpki", "mock_card", "gui", "office"}
RECIPE_MARK = "<!-- ci-recipe:"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


# -- the recipe as the README gives it -----------------------------------------------------


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def recipe_lines() -> list[str]:
    text = readme()
    assert RECIPE_MARK in text, "the README lost its CI recipe"
    block = re.search(r"```sh\n(.*?)```", text.split(RECIPE_MARK, 1)[1], flags=re.S)
    assert block is not None
    return [line for line in block[1].splitlines() if line.strip() and not line.startswith("#")]


def yaml_blocks() -> list[Any]:
    section = readme().split("## CI with the mock card", 1)[1].split("\n## ", 1)[0]
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, flags=re.S)]


def normalised(commands: list[str]) -> list[str]:
    """The commands as the recipe spells them: no ``sudo``, no GitHub-only lines."""
    out = []
    for command in commands:
        if "$GITHUB_ENV" in command:
            continue
        out.append(command.removeprefix("sudo "))
    return out


def test_both_ci_files_start_with_the_recipe() -> None:
    recipe = recipe_lines()
    github, gitlab = yaml_blocks()
    steps = github["jobs"]["test"]["steps"]
    run_lines = [
        line for step in steps if "run" in step for line in step["run"].splitlines() if line
    ]
    assert normalised(run_lines)[: len(recipe)] == recipe
    assert gitlab["test"]["script"][: len(recipe)] == recipe
    # ...and the packages it installs are the ones this project's bootstrap installs
    apt = next(line for line in recipe if line.startswith("apt-get install"))
    bootstrap = (ROOT / "tools" / "bootstrap.sh").read_text()
    for package in apt.split()[3:]:
        if not package.startswith("-"):
            assert re.search(rf"\b{re.escape(package)}\b", bootstrap), package


def apt_packages() -> list[str]:
    apt = next(line for line in recipe_lines() if line.startswith("apt-get install"))
    return [word for word in apt.split()[2:] if not word.startswith("-")]


def missing_apt_packages() -> list[str]:
    missing = []
    for package in apt_packages():
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in out.stdout:
            missing.append(package)
    return missing


# -- building and installing -------------------------------------------------------------------


@dataclass
class Venv:
    root: Path
    dist: Path
    sdist: Path
    wheel: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def env(self, home: Path, **extra: str) -> dict[str, str]:
        """A clean environment: this venv's bin first, no trace of the outer one."""
        env = {
            "PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(self.dist),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "QT_QPA_PLATFORM": "offscreen",
        }
        for name in ("JPKI_VPCD_LOCK_HOLDER", "CI", "TMPDIR"):
            if name in os.environ:
                env[name] = os.environ[name]
        env.update(extra)
        return env


def run(argv: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("timeout", 180)
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, check=False, **kwargs
    )


def third_party_links(target: Path) -> Path:
    """A directory of links to this virtualenv's installed packages, minus the project."""
    target.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        name = entry.name
        if (
            name in PROJECT_PACKAGES
            or name.startswith(("jpki_toolkit", "__editable__", "pip", "_distutils_hack"))
            or name.endswith(".pth")
            or name == "__pycache__"
        ):
            continue
        (target / name).symlink_to(entry)
    return target


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    base = tmp_path_factory.mktemp("packaging")
    dist = base / "dist"
    built = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT], cwd=base)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    # the wheel is built from the unpacked sdist: what installs below is what the sdist makes
    assert "Building wheel from sdist" in built.stdout + built.stderr, built.stderr[-3000:]
    (sdist,) = dist.glob("jpki_toolkit-*.tar.gz")
    (wheel,) = dist.glob("jpki_toolkit-*.whl")
    root = base / "venv"
    made = run([sys.executable, "-m", "venv", root])
    assert made.returncode == 0, made.stderr
    site = run(
        [root / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    )
    links = third_party_links(base / "third-party")
    (Path(site.stdout.strip()) / "_third_party.pth").write_text(f"{links}\n")
    return Venv(root, dist, sdist, wheel)


def install(venv: Venv, home: Path) -> None:
    out = run([venv.bin / "python", "-m", "pip", "install", "jpki-toolkit"], env=venv.env(home))
    assert out.returncode == 0, out.stdout + out.stderr


def assert_from_the_wheel(venv: Venv, home: Path) -> None:
    code = (
        "import apdu, jpki, mock_card.pytest_plugin as p; print(jpki.__file__); print(p.__file__)"
    )
    out = run([venv.bin / "python", "-c", code], env=venv.env(home), cwd=home)
    assert out.returncode == 0, out.stderr
    for path in out.stdout.split():
        assert Path(path).is_relative_to(venv.root), path


def test_sdist_and_wheel_are_complete(venv: Venv) -> None:
    with tarfile.open(venv.sdist) as sdist:
        names = {Path(n).relative_to(Path(n).parts[0]).as_posix() for n in sdist.getnames()}
    for wanted in (
        "LICENSE",
        "CHANGELOG.md",
        "README.md",
        "pyproject.toml",
        "examples/test_with_mock_card.py",
        "mock_card/pytest_plugin.py",
        "mock_card/data/test_keys.pem",
        "jpki/py.typed",
    ):
        assert wanted in names, wanted
    assert not any(n.startswith("tests/") for n in names)
    import zipfile

    with zipfile.ZipFile(venv.wheel) as wheel:
        files = set(wheel.namelist())
        info = next(n for n in files if n.endswith(".dist-info/METADATA"))
        metadata = wheel.read(info).decode()
        entry_points = wheel.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in files)
    assert {
        n.split("/")[0] for n in files if "/" in n and ".dist-info" not in n
    } == PROJECT_PACKAGES
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Framework :: Pytest" in metadata
    assert "Project-URL: Changelog" in metadata
    assert "Keywords: My Number card" in metadata
    assert "[pytest11]\njpki_mock_card = mock_card.pytest_plugin" in entry_points


# -- running the recipe, the example and the CLI from the wheel ------------------------------------


def require_apt_packages() -> None:
    missing = missing_apt_packages()
    if missing:
        message = f"the CI recipe needs apt packages: apt install {' '.join(missing)}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.pcsc
def test_the_readme_ci_recipe_runs_from_the_wheel(venv: Venv, pcscd: Pcscd, tmp_path: Path) -> None:
    require_apt_packages()
    home = tmp_path / "home"
    work = tmp_path / "work"
    for d in (home, work):
        d.mkdir(mode=0o700)
    # a short runtime directory, like /run/user/UID (Unix socket paths are short)
    runtime = Path(tempfile.mkdtemp(prefix="jpki-run-"))
    steps = [line for line in recipe_lines() if not line.startswith("apt-get ")]
    script = "\n".join(
        [
            "set -euo pipefail",
            # the harness, not the recipe: stop the daemon (and the pcscd it started) at the end
            "trap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT",
            *steps,
            'echo "recipe reader: $JPKI_READER"',
        ]
    )
    stopped_ours = pcscd.started_by_us
    if stopped_ours:
        pcscd.stop()  # so that the recipe's `serve --pcscd` starts one, as on a bare runner
    try:
        out = run(
            ["bash", "-c", script],
            cwd=work,
            env=venv.env(home, XDG_RUNTIME_DIR=str(runtime)),
            timeout=240,
        )
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
        if stopped_ours:
            pcscd.start()
    log = (work / "mock-card.log").read_text() if (work / "mock-card.log").exists() else ""
    report = f"{out.stdout}\n{out.stderr}\n--- mock-card.log ---\n{log}"
    assert out.returncode == 0, report
    assert "Successfully installed jpki-toolkit" in out.stdout, report
    atr_2017 = "3b:da:13:ff:81:31:fb:46:80:12:39:2f:31:c1:73:c6:01:c0:3b"
    assert atr_2017 in out.stdout, report  # opensc-tool --atr
    assert "JPKIAPICCTOKEN2" in out.stdout, report  # jpki status
    assert f"recipe reader: {pcscd.reader}" in out.stdout, report
    assert ("pcscd started" if stopped_ours else "pcscd found running") in log, report
    assert "stopped (SIGTERM)" in log, report
    assert "Traceback" not in report, report
    assert_from_the_wheel(venv, home)


@pytest.mark.pcsc
def test_the_plugin_example_passes_from_the_wheel(venv: Venv, pcscd: Pcscd, tmp_path: Path) -> None:
    home = tmp_path / "home"
    project = tmp_path / "project"
    home.mkdir()
    project.mkdir()
    install(venv, home)
    assert_from_the_wheel(venv, home)
    with tarfile.open(venv.sdist) as sdist:
        member = next(
            m for m in sdist.getmembers() if m.name.endswith("/examples/test_with_mock_card.py")
        )
        extracted = sdist.extractfile(member)
        assert extracted is not None
        (project / "test_with_mock_card.py").write_bytes(extracted.read())
    out = run(
        [
            venv.bin / "python",
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "test_with_mock_card.py",
        ],
        cwd=project,
        env=venv.env(home, CI="true"),  # nothing may skip
        timeout=240,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"\b11 passed\b", out.stdout), out.stdout
    assert "skipped" not in out.stdout


def test_jpki_status_on_the_mock_from_the_wheel(venv: Venv, tmp_path: Path) -> None:
    install(venv, tmp_path)
    env = venv.env(tmp_path, JPKI_MOCK_STATE=str(tmp_path / "card.json"))
    out = run([venv.bin / "jpki", "--reader", "mock", "status"], env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "JPKIAPICCTOKEN2" in out.stdout
    assert "3/3" in out.stdout
    shown = run([venv.bin / "jpki-mock-card", "show", "--json"], env=env, cwd=tmp_path)
    assert shown.returncode == 0 and '"auth"' in shown.stdout
    assert shutil.which("jpki", path=str(venv.bin)) == str(venv.bin / "jpki")
