"""Holder profiles: named recipes for a :class:`~mock_card.MockCard` in a given situation.

``make_card("expired")`` is a card whose certificates have expired,
``make_card("juki")`` the older 住基カード (Juki card), and so on (``profile_names()``
lists them). Keyword options are :class:`~mock_card.MockCard`'s and override
what the profile sets: ``make_card("valid", auth_pin="5678")``.

New profiles plug in by name::

    @register_profile("two-tries-left", "a card whose auth PIN has two tries left")
    def two_tries_left(**options: Any) -> MockCard:
        card = make_card("valid", **options)
        card.pins["auth"].tries_left = 2
        return card

The pytest plugin (``@pytest.mark.mock_card("two-tries-left")``) and the daemon
(``jpki-mock-card ctl holder two-tries-left``) then offer it too.

What each profile rests on (see docs/card.md): the certificate states and the
blocked PINs follow the card facts there; the Juki card's label ``JPKIAPICCTOKEN``
and ATR are listed there; the smartphone tokens' labels ``JPKIAPGPSETOKEN`` /
``JPKIAPIOSTOKEN`` are listed there and their PIN-guarded auth certificate is what
public clients (jpki/myna and others) do for them; the contactless ATR is one of
those PC/SC readers build for the card. A state file (:func:`mock_card.save_card`)
keeps what makes each profile (label, ATR, ``auth_cert_needs_pin``,
``my_number_aps``, the certificates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from .atrs import ATR_CONTACTLESS, ATR_JUKI
from .card import ATR_NEW, MockCard
from .holders import CardProfile
from .tokeninfo import LABEL_ANDROID, LABEL_CARD, LABEL_IOS, LABEL_JUKI

__all__ = [
    "ATR_CONTACTLESS",
    "ATR_JUKI",
    "DEFAULT_PROFILE",
    "HolderProfile",
    "ProfileBuilder",
    "UnknownProfile",
    "get_profile",
    "make_card",
    "profile_names",
    "register_profile",
]

DEFAULT_PROFILE: Final = "valid"

ProfileBuilder = Callable[..., MockCard]
_B = TypeVar("_B", bound=ProfileBuilder)


class UnknownProfile(ValueError):
    """No holder profile of that name is registered."""


@dataclass(frozen=True, slots=True)
class HolderProfile:
    name: str
    summary: str
    build: ProfileBuilder


_PROFILES: dict[str, HolderProfile] = {}


def register_profile(name: str, summary: str, *, replace: bool = False) -> Callable[[_B], _B]:
    """Register ``build(**options) -> MockCard`` as the profile ``name`` (a decorator)."""
    if not name or not name.replace("-", "").isalnum() or not name.isascii():
        raise ValueError(f"a profile name is ASCII letters, digits and '-': {name!r}")

    def decorate(build: _B) -> _B:
        if name in _PROFILES and not replace:
            raise ValueError(f"the holder profile {name!r} is already registered")
        _PROFILES[name] = HolderProfile(name, summary, build)
        return build

    return decorate


def get_profile(name: str) -> HolderProfile:
    try:
        return _PROFILES[name]
    except KeyError:
        raise UnknownProfile(
            f"no holder profile {name!r}; known: {', '.join(profile_names())}"
        ) from None


def profile_names() -> list[str]:
    return list(_PROFILES)


def make_card(profile: str = DEFAULT_PROFILE, **options: Any) -> MockCard:
    """A new card of holder profile ``profile``; ``options`` go to :class:`MockCard`."""
    return get_profile(profile).build(**options)


# -- the built-in profiles ------------------------------------------------------------


def _card(options: dict[str, Any], **defaults: Any) -> MockCard:
    return MockCard(**{**defaults, **options})


@register_profile("valid", "a My Number card with valid certificates (the demo card)")
def _valid(**options: Any) -> MockCard:
    return _card(options, atr=ATR_NEW, token_label=LABEL_CARD)


@register_profile("expired", "a My Number card whose certificates have expired")
def _expired(**options: Any) -> MockCard:
    return _card(options, atr=ATR_NEW, profile=CardProfile.EXPIRED)


@register_profile("not-yet-valid", "a My Number card whose certificates are not valid yet")
def _not_yet_valid(**options: Any) -> MockCard:
    return _card(options, atr=ATR_NEW, profile=CardProfile.NOT_YET_VALID)


@register_profile("revoked", "a My Number card whose certificates its CA's CRLs list")
def _revoked(**options: Any) -> MockCard:
    return _card(options, atr=ATR_NEW, profile=CardProfile.REVOKED)


def _blocked(pin: str) -> ProfileBuilder:
    def build(**options: Any) -> MockCard:
        card = _card(options, atr=ATR_NEW)
        card.block_pin(pin)
        return card

    return build


for _pin, _label in (("auth", "user-authentication"), ("sign", "signature"), ("text", "text-AP")):
    register_profile(
        f"blocked-{_pin}-pin", f"a My Number card whose {_label} PIN is blocked (6984)"
    )(_blocked(_pin))


@register_profile(
    "juki",
    "the older 住基カード (Juki card): label JPKIAPICCTOKEN, its ATR, expired JPKI "
    "certificates, no text or visual AP",
)
def _juki(**options: Any) -> MockCard:
    return _card(
        options,
        atr=ATR_JUKI,
        token_label=LABEL_JUKI,
        profile=CardProfile.EXPIRED,  # J-LIS stopped issuing them in 2015; 3-year validity
        my_number_aps=False,
    )


def _smartphone(label: str) -> ProfileBuilder:
    def build(**options: Any) -> MockCard:
        return _card(
            options,
            atr=ATR_CONTACTLESS,
            token_label=label,
            auth_cert_needs_pin=True,
            my_number_aps=False,
        )

    return build


for _name, _phone, _phone_label in (
    ("smartphone", "Android", LABEL_ANDROID),
    ("smartphone-ios", "iPhone", LABEL_IOS),
):
    register_profile(
        _name,
        f"smartphone JPKI ({_phone}, label {_phone_label}): the auth certificate needs the "
        "auth PIN, no text or visual AP",
    )(_smartphone(_phone_label))


@register_profile(
    "contactless", "a My Number card read through a contactless reader (PC/SC part 3 ATR)"
)
def _contactless(**options: Any) -> MockCard:
    return _card(options, atr=ATR_CONTACTLESS)
