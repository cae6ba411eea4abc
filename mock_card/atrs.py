"""The ATRs the mock card can answer with: those published for real cards (docs/card.md).

Hosts must not rely on the ATR (new card generations appear; detection is by
SELECT of the JPKI AP), but a mock that answers with a real ATR lets tests run
the detection against every one of them. Each name maps to the bytes as listed
in public ATR lists; :data:`DEFAULT_ATR` is the contact ATR listed since 2017.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "ATRS",
    "ATR_2017",
    "ATR_CONTACTLESS",
    "ATR_JUKI",
    "CONTACTLESS_ATRS",
    "DEFAULT_ATR",
    "DEFAULT_ATR_NAME",
    "MY_NUMBER_ATRS",
    "atr_by_name",
]

#: My Number card, contact interface, listed since 2017.
ATR_2017: Final = bytes.fromhex("3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B")
#: A PC/SC part 3 ATR a contactless reader builds for a My Number card.
ATR_CONTACTLESS: Final = bytes.fromhex("3B 88 80 01 00 00 41 E0 B3 81 A1 00 3B")
#: The older 住基カード (Juki card): not a My Number card.
ATR_JUKI: Final = bytes.fromhex("3B E0 00 FF 81 31 FE 45 14")

#: Contact ATRs listed for real My Number cards.
MY_NUMBER_ATRS: Final[Mapping[str, bytes]] = MappingProxyType(
    {
        "2017": ATR_2017,
        "c5": bytes.fromhex("3B C5 FF 81 31 FB 45 80 73 C6 01 00 00"),
        "f5-b3a1": bytes.fromhex("3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 B3 A1 15"),
        "f5-d1d6": bytes.fromhex("3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 00 D1 D6"),
    }
)
#: ATRs contactless readers build (PC/SC part 3). ``contactless-05e0`` is as listed: its
#: historical bytes are two short of what its T0 byte announces (the check byte is right).
CONTACTLESS_ATRS: Final[Mapping[str, bytes]] = MappingProxyType(
    {
        "contactless": ATR_CONTACTLESS,
        "contactless-05e0": bytes.fromhex("3B 88 80 01 05 E0 B3 81 A1 00 7F"),
        "contactless-4b51": bytes.fromhex("3B 88 80 01 00 4B 51 FF B3 81 D1 00 0F"),
    }
)
#: Every ATR by name: the My Number card's (contact and contactless) and the Juki card's.
ATRS: Final[Mapping[str, bytes]] = MappingProxyType(
    {**MY_NUMBER_ATRS, **CONTACTLESS_ATRS, "juki": ATR_JUKI}
)

DEFAULT_ATR_NAME: Final = "2017"
DEFAULT_ATR: Final = ATR_2017


def atr_by_name(name: str) -> bytes:
    """The ATR called ``name`` (``ValueError`` listing the names for any other)."""
    try:
        return ATRS[name]
    except KeyError:
        raise ValueError(f"no ATR {name!r}; known: {', '.join(ATRS)}") from None
