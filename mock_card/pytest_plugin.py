"""pytest plugin: a software My Number card for your tests, in-process or through pcscd.

Installed with the package (entry point ``pytest11: jpki_mock_card``); nothing to
configure. Fixtures:

``mock_card``
    a fresh :class:`~mock_card.MockCard` (an :class:`apdu.Transport`: give it to your
    code in-process). Choose it with the marker
    ``@pytest.mark.mock_card("expired", auth_pin="5678", faults={3: "remove"})``:
    a holder profile (:func:`mock_card.profiles.profile_names`), MockCard options,
    and faults by APDU index (1 = the first APDU the test sends; ``remove``, ``lift``,
    ``transport-error``, ``sw:6A82``, ``delay:0.5``).
``mock_card_profile`` / ``mock_card_options``
    the profile name and options the marker gives; parametrize them
    (``@pytest.mark.parametrize("mock_card_profile", ["valid", "juki"])``) or
    override them in your ``conftest.py``.
``mock_card_factory``
    ``mock_card_factory("revoked", sign_pin="PASS1234")``: more cards in one test.
``pcscd`` (session)
    the PC/SC service with vsmartcard's vpcd reader: reused when one answers, else
    started (``pcscd --foreground``, needs root) and stopped after the session.
    One test run per machine holds it at a time (:func:`mock_card.pcscd.machine_lock`).
``vpcd_reader``
    the reader name to connect to, e.g. ``"Virtual PCD 00 00"``.
``served_card``
    ``mock_card`` in vpcd's first slot: present in pcscd when the test starts,
    gone after it (``.card``, ``.reader``, ``.remove()``, ``.insert()``).
``serve_card``
    ``serve_card(card_or_profile, slot=1)``: another card in the second slot
    (``Virtual PCD 00 01``) — two readers at once.

Where pcscd or the vpcd driver is missing, the PC/SC fixtures skip with the apt
package to install; with ``CI=true`` in the environment (or
``--mock-card-pcsc=require``) they fail instead, so a CI job cannot pass by skipping.
``--mock-card-pcsc=skip`` skips them everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest

from .card import MockCard
from .pcscd import (
    Pcscd,
    PcscdUnavailable,
    ServedCard,
    machine_lock,
    missing_requirements,
    vpcd_port,
)
from .profiles import DEFAULT_PROFILE, UnknownProfile, make_card

MARKER: Final = "mock_card"
OPTION: Final = "--mock-card-pcsc"
_MODES: Final = ("auto", "require", "skip")

CardFactory = Callable[..., MockCard]
ServeCard = Callable[..., ServedCard]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("jpki-mock-card", "JPKI mock card")
    group.addoption(
        OPTION,
        choices=_MODES,
        default="auto",
        help=(
            "PC/SC fixtures without pcscd/vpcd: auto = skip (fail when CI=true), "
            "require = fail, skip = always skip (default auto)"
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(profile='valid', *, faults={{index: spec}}, **options): the mock card "
        "this test gets (holder profile, MockCard options, faults by APDU index)",
    )


# -- in-process cards -------------------------------------------------------------------


def _marker(request: pytest.FixtureRequest) -> pytest.Mark | None:
    mark: pytest.Mark | None = request.node.get_closest_marker(MARKER)
    return mark


@pytest.fixture
def mock_card_profile(request: pytest.FixtureRequest) -> str:
    """The holder profile of ``mock_card``: the marker's first argument, else ``valid``."""
    mark = _marker(request)
    if mark is not None and mark.args:
        return str(mark.args[0])
    if mark is not None and "profile" in mark.kwargs:
        return str(mark.kwargs["profile"])
    return DEFAULT_PROFILE


@pytest.fixture
def mock_card_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """MockCard options from the marker (all its keywords but ``profile`` and ``faults``)."""
    mark = _marker(request)
    if mark is None:
        return {}
    return {k: v for k, v in mark.kwargs.items() if k not in ("profile", "faults")}


def _faults(request: pytest.FixtureRequest) -> dict[int, str]:
    mark = _marker(request)
    faults = mark.kwargs.get("faults", {}) if mark is not None else {}
    if not isinstance(faults, dict):
        raise pytest.UsageError(f"{MARKER}(faults=...) wants {{apdu_index: spec}}")
    return {int(index): str(spec) for index, spec in faults.items()}


def _build(profile: str, options: dict[str, Any]) -> MockCard:
    try:
        return make_card(profile, **options)
    except UnknownProfile as exc:
        raise pytest.UsageError(str(exc)) from None
    except TypeError as exc:
        raise pytest.UsageError(f"bad mock card option: {exc}") from None


@pytest.fixture
def mock_card_factory() -> CardFactory:
    """``factory(profile="valid", **options)``: a new :class:`MockCard` per call."""

    def factory(profile: str = DEFAULT_PROFILE, **options: Any) -> MockCard:
        return _build(profile, options)

    return factory


@pytest.fixture
def mock_card(
    request: pytest.FixtureRequest, mock_card_profile: str, mock_card_options: dict[str, Any]
) -> MockCard:
    """A fresh card of the chosen profile, with the marker's faults armed."""
    card = _build(mock_card_profile, mock_card_options)
    for index, spec in sorted(_faults(request).items()):
        try:
            card.faults.arm(spec, index)
        except ValueError as exc:
            raise pytest.UsageError(f"{MARKER}(faults=...): {exc}") from None
    return card


# -- through pcscd + vpcd -----------------------------------------------------------------


def _pcsc_mode(config: pytest.Config) -> str:
    mode = str(config.getoption(OPTION))
    if mode == "auto" and os.environ.get("CI", "").strip().lower() == "true":
        return "require"
    return mode


def _unavailable(config: pytest.Config, reason: str) -> None:
    if _pcsc_mode(config) == "require":
        pytest.fail(f"the PC/SC tests cannot run here: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pcscd(pytestconfig: pytest.Config) -> Iterator[Pcscd]:
    """pcscd with the vpcd reader, for the whole session (started and stopped if need be)."""
    if _pcsc_mode(pytestconfig) == "skip":
        pytest.skip(f"PC/SC tests skipped ({OPTION}=skip)")
    reason = missing_requirements()
    if reason:
        _unavailable(pytestconfig, reason)
    with machine_lock():
        try:
            service = Pcscd.ensure()
        except PcscdUnavailable as exc:
            pytest.fail(f"pcscd with the vpcd driver could not be started: {exc}", pytrace=False)
        try:
            yield service
        finally:
            service.stop()


@pytest.fixture
def vpcd_reader(pcscd: Pcscd) -> str:
    """The name of vpcd's first reader slot in pcscd (e.g. ``Virtual PCD 00 00``)."""
    return pcscd.reader


@pytest.fixture
def serve_card(pcscd: Pcscd) -> Iterator[ServeCard]:
    """``serve_card(card_or_profile="valid", slot=0, **options)``: serve a card in vpcd's
    ``slot`` (0 or 1) until the test ends; returns the :class:`ServedCard`."""
    served: list[ServedCard] = []

    def serve(card: MockCard | str = DEFAULT_PROFILE, slot: int = 0, **options: Any) -> ServedCard:
        if isinstance(card, str):
            card = _build(card, options)
        elif options:
            raise TypeError("options go with a profile name, not with a ready card")
        one = ServedCard(card, pcscd.reader_for(slot), port=vpcd_port(slot))
        one.insert()
        served.append(one)
        return one

    try:
        yield serve
    finally:
        errors: list[str] = []
        for one in reversed(served):
            try:
                one.remove()
            except AssertionError as exc:
                errors.append(str(exc))
        if errors:
            pytest.fail("; ".join(errors), pytrace=False)


@pytest.fixture
def served_card(mock_card: MockCard, serve_card: ServeCard) -> ServedCard:
    """``mock_card`` served in vpcd's first slot (present when the test starts)."""
    return serve_card(mock_card, slot=0)
