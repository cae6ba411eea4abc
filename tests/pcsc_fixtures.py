"""Fixtures for end-to-end tests through pcscd + vpcd.

Register with ``pytest_plugins = ["tests.pcsc_fixtures"]`` in ``tests/conftest.py``.

* ``pcscd`` (session): a running PC/SC service with the vpcd reader, reused if
  one answers already, else started (and stopped at the end). The run holds
  :func:`tests.pcscd.machine_lock` meanwhile, so two runs on one machine take turns. Skips when
  pcscd or libifdvpcd.so is not installed — fails instead when ``CI=true``.
* ``vpcd_reader``: the virtual reader's name, e.g. ``"Virtual PCD 00 00"``.
* ``served_card`` (function): a fresh :class:`mock_card.MockCard` served
  through vpcd; pcscd sees it present when the test starts, and absent again
  after the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pcscd import Pcscd, PcscdUnavailable, ServedCard, machine_lock, missing_requirements


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"end-to-end PC/SC tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pcscd() -> Iterator[Pcscd]:
    reason = missing_requirements()
    if reason:
        _unavailable(reason)
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
    return pcscd.reader


@pytest.fixture
def served_card(pcscd: Pcscd) -> Iterator[ServedCard]:
    from mock_card import MockCard

    served = ServedCard(MockCard(), pcscd.reader)
    served.insert()
    try:
        yield served
    finally:
        served.remove()
