"""A software My Number card (JPKI) for tests, demos and CI.

``MockCard()`` answers APDUs byte for byte as docs/card.md describes a real card,
in-process (it is an :class:`apdu.Transport`) or through pcscd as a virtual
reader (:mod:`mock_card.vpcd`).
"""

from .atrs import ATRS, DEFAULT_ATR
from .card import ATR_NEW, ATR_OLD, JPKI_AID, TEXT_AID, VISUAL_AID, MockCard
from .credentials import CardCredentials
from .faults import FaultPlan, LatencyModel
from .holders import CardProfile, Holder, Sex
from .pki import MockPki
from .state import default_state_path, load_card, open_card, save_card

__all__ = [
    "ATRS",
    "ATR_NEW",
    "ATR_OLD",
    "DEFAULT_ATR",
    "JPKI_AID",
    "TEXT_AID",
    "VISUAL_AID",
    "CardCredentials",
    "CardProfile",
    "FaultPlan",
    "Holder",
    "LatencyModel",
    "MockCard",
    "MockPki",
    "Sex",
    "default_state_path",
    "load_card",
    "open_card",
    "save_card",
]
