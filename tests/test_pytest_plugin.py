"""The package's pytest plugin, seen from a test suite that only installed the package.

Each test writes a small test file and runs pytest on it (pytester, in-process):
the plugin must be there without any ``conftest.py`` or ``-p`` (entry point
``pytest11``), and its PC/SC fixtures must skip where pcscd or vpcd is missing —
naming the apt package — and fail instead with ``CI=true``. The PC/SC fixtures
themselves run in ``examples/test_with_mock_card.py`` and the daemon tests.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

import mock_card.pcscd

pytestmark = pytest.mark.timeout(120)


def test_the_plugin_is_registered_by_entry_point() -> None:
    found = [ep for ep in entry_points(group="pytest11") if ep.name == "jpki_mock_card"]
    assert [ep.value for ep in found] == ["mock_card.pytest_plugin"]


def test_marker_chooses_profile_options_and_faults(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from mock_card.tokeninfo import TokenInfo

        SELECT_JPKI = bytes.fromhex("00A4040C0AD392F000260100000001")

        def test_default_is_a_valid_card(mock_card, mock_card_profile):
            assert mock_card_profile == "valid"
            assert mock_card.profile.value == "valid"

        @pytest.mark.mock_card("expired", auth_pin="5678")
        def test_profile_and_options(mock_card):
            assert mock_card.profile.value == "expired"
            assert mock_card.pins["auth"].matches(b"5678")

        @pytest.mark.mock_card("juki", faults={2: "sw:6A82", 3: "remove"})
        def test_faults_by_apdu_index(mock_card):
            from apdu.errors import CardRemovedError
            assert mock_card.transmit(SELECT_JPKI) == b"\\x90\\x00"
            assert mock_card.transmit(SELECT_JPKI) == b"\\x6a\\x82"
            with pytest.raises(CardRemovedError):
                mock_card.transmit(SELECT_JPKI)
            assert not mock_card.present

        @pytest.mark.parametrize("mock_card_profile", ["valid", "smartphone", "contactless"])
        def test_parametrized_profiles(mock_card, mock_card_profile):
            assert mock_card.transmit(SELECT_JPKI) == b"\\x90\\x00"

        def test_factory(mock_card_factory):
            a, b = mock_card_factory("revoked"), mock_card_factory("blocked-sign-pin")
            assert a.profile.value == "revoked"
            assert b.pins["sign"].blocked and not a.pins["sign"].blocked
        """
    )
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=7)


def test_bad_marker_use_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mock_card("no-such-holder")
        def test_unknown(mock_card):
            pass

        @pytest.mark.mock_card(faults={1: "explode"})
        def test_bad_fault(mock_card):
            pass
        """
    )
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*no holder profile 'no-such-holder'; known: valid, *"])
    result.stdout.fnmatch_lines(["*a fault is remove, transport-error, *'explode'*"])


PCSC_TEST = """
def test_needs_the_reader(vpcd_reader):
    assert vpcd_reader
"""


@pytest.fixture
def no_vpcd(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine without vsmartcard-vpcd (its driver is not found)."""
    monkeypatch.setattr(mock_card.pcscd, "find_vpcd_driver", lambda: None)
    monkeypatch.delenv("CI", raising=False)


@pytest.mark.usefixtures("no_vpcd")
def test_missing_vpcd_skips_naming_the_apt_package(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PCSC_TEST)
    result = pytester.runpytest("-q", "-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*apt install vsmartcard-vpcd*"])


@pytest.mark.usefixtures("no_vpcd")
def test_missing_vpcd_fails_on_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    pytester.makepyfile(PCSC_TEST)
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cannot run here*apt install vsmartcard-vpcd*"])


@pytest.mark.usefixtures("no_vpcd")
def test_pcsc_option_require_and_skip(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PCSC_TEST)
    result = pytester.runpytest("-q", "-p", "no:cacheprovider", "--mock-card-pcsc=require")
    result.assert_outcomes(errors=1)
    result = pytester.runpytest("-q", "-rs", "-p", "no:cacheprovider", "--mock-card-pcsc=skip")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*--mock-card-pcsc=skip*"])


def test_missing_pcscd_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mock_card.pcscd, "find_pcscd", lambda: None)
    assert "apt install pcscd" in (mock_card.pcscd.missing_requirements() or "")
