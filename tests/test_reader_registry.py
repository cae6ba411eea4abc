"""Virtual readers (jpki.reader_registry): the mock card registers itself through an entry point,
jpki never imports it, and ``--reader mock`` says clearly when it is not installed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from contextlib import nullcontext
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from jpki import CertKind, JpkiCard, NoReader, ReaderUnavailable, cli, reader_registry, readers
from mock_card import MockCard

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "JPKI_MOCK_STATE": str(tmp_path / "card.json"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_mock_card_is_declared_as_an_entry_point() -> None:
    points = {p.name: p.value for p in entry_points(group=reader_registry.ENTRY_POINT_GROUP)}
    assert points.get("mock") == "mock_card.jpki_reader:virtual_reader"
    reader = reader_registry.find("MOCK")  # names match in any case
    assert reader is not None
    assert (reader.name, reader.description) == ("mock", "built-in mock card")
    assert "mock" in reader_registry.names()


def test_jpki_imports_the_mock_card_only_when_its_name_is_asked_for(tmp_path: Path) -> None:
    out = _python(
        """
        import sys
        import jpki, jpki.cli, jpki.readers, jpki.reader_registry
        assert "mock_card" not in sys.modules, "imported with jpki"
        assert "mock" in jpki.reader_registry.names()
        assert "mock_card" not in sys.modules, "imported to list the names"
        with jpki.JpkiCard.open("mock") as card:
            print(card.reader, card.pin_status(jpki.PinKind.AUTH))
        assert "mock_card" in sys.modules
        """,
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == "mock 3\n"


def test_a_registered_reader_wins_over_the_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    card = MockCard()
    opened: list[str] = []

    def connect() -> nullcontext[MockCard]:
        opened.append("x")
        return nullcontext(card)

    reader_registry.register(reader_registry.VirtualReader("Mock", "a test card", connect))
    try:
        assert readers.matching_readers("mock") == ["Mock"]
        assert readers.virtual_reader_info("mock") == {"name": "Mock", "description": "a test card"}
        with JpkiCard.open("mock") as session:
            assert session.read_certificate(CertKind.AUTH) == card.credentials.auth_cert
        assert opened == ["x"]
    finally:
        reader_registry.unregister("mock")
    info = readers.virtual_reader_info("mock")  # the entry point's card again
    assert info is not None
    assert (info["description"], set(info)) == (
        "built-in mock card",
        {"name", "description", "state_file"},
    )


def test_reader_mock_without_the_mock_card_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No entry point (mock_card not installed): --reader mock is a reader that is not there,
    and the message says that no virtual reader is installed; exit 3, one line."""
    monkeypatch.setattr(reader_registry, "_entry_points", dict)
    monkeypatch.setattr(readers, "list_readers", lambda: ["ACS ACR39U ICC Reader 00 00"])
    with pytest.raises(NoReader, match=r"no reader matches 'mock'.*no virtual reader is installed"):
        JpkiCard.open("mock").__enter__()
    assert reader_registry.names() == []
    assert readers.virtual_reader_info("mock") is None

    monkeypatch.setenv("JPKI_READER", "mock")
    assert cli.main(["status"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no virtual reader is installed" in err[0], err
    assert cli.main(["readers"]) == 0
    assert "built-in mock card: not installed" in capsys.readouterr().out


def test_reader_mock_when_pcsc_is_down_names_the_virtual_readers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def down() -> list[str]:
        raise ReaderUnavailable("the PC/SC service (pcscd) is not running")

    monkeypatch.setattr(readers, "list_readers", down)
    with pytest.raises(ReaderUnavailable, match=r"pcscd.*virtual readers: mock"):
        readers.matching_readers("felica")
    assert readers.matching_readers("mock") == ["mock"]  # PC/SC is not asked


def test_a_broken_mock_card_package_is_a_clear_error(tmp_path: Path) -> None:
    """The entry point is there but its package cannot be imported: exit 3, one line."""
    out = _python(
        """
        import sys
        sys.modules["mock_card"] = None  # import of mock_card halted
        from jpki.cli import main
        sys.exit(main(["--reader", "mock", "status"]))
        """,
        tmp_path,
    )
    assert out.returncode == 3, out.stderr
    lines = out.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and "virtual reader 'mock'" in lines[0]
        and "could not be loaded" in lines[0]
    )
    assert "Traceback" not in out.stderr


def test_the_kiosk_in_mock_mode_without_the_mock_card_is_a_usage_error(tmp_path: Path) -> None:
    out = _python(
        """
        import sys
        sys.modules["mock_card"] = None
        from gui.app import main
        sys.exit(main(["--reader", "mock"]))
        """,
        tmp_path,
    )
    assert out.returncode == 2, out.stderr
    assert "--reader mock needs the mock card" in out.stderr
    assert "Traceback" not in out.stderr
