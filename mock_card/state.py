"""The mock card's state file: keys, certificates and PIN counters, written atomically.

PINs are stored only as salted hashes (see :mod:`mock_card.pins`), and the
individual number is derived from a seed, so neither appears in the file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from .pins import PinRecord
from .pki import CardCredentials, CardProfile, Holder, Sex

if TYPE_CHECKING:
    from .card import MockCard

STATE_VERSION = 1
ENV_STATE = "JPKI_MOCK_STATE"


class StateError(Exception):
    """The state file is missing, unreadable or of another version."""


def default_state_path() -> Path:
    """``$JPKI_MOCK_STATE``, else ``mock-card.json`` in the user's data directory."""
    env = os.environ.get(ENV_STATE)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("jpki")) / "mock-card.json"


def card_to_json(card: MockCard) -> dict[str, Any]:
    holder = asdict(card.holder)
    holder["birth_date"] = card.holder.birth_date.isoformat()
    holder["sex"] = card.holder.sex.value
    return {
        "version": STATE_VERSION,
        "holder": holder,
        "profile": card.profile.value,
        "credentials": card.credentials.to_json_dict(),
        "pins": {name: pin.to_json() for name, pin in card.pins.items()},
        "options": {
            "extended_length": card.extended_length,
            "short_read_sw": card.short_read_sw,
            "select_clears_verification": card.select_clears_verification,
            "atr": card.atr.hex(),
            "token_label": card.token_label,
            "my_number_seed": card.my_number_seed,
        },
    }


def card_from_json(data: dict[str, Any], state_file: Path | None = None) -> MockCard:
    from .card import MockCard

    if not isinstance(data, dict):
        raise StateError("the mock card state is not a JSON object")
    if data.get("version") != STATE_VERSION:
        raise StateError(f"unsupported mock card state version {data.get('version')!r}")
    h = dict(data["holder"])
    h["birth_date"] = date.fromisoformat(h["birth_date"])
    h["sex"] = Sex(h["sex"])
    opts = data["options"]
    card = MockCard(
        holder=Holder(**h),
        profile=CardProfile(data["profile"]),
        credentials=CardCredentials.from_json_dict(data["credentials"]),
        extended_length=bool(opts["extended_length"]),
        short_read_sw=int(opts["short_read_sw"]),
        select_clears_verification=bool(opts["select_clears_verification"]),
        atr=bytes.fromhex(opts["atr"]),
        token_label=str(opts["token_label"]),
        my_number_seed=int(opts["my_number_seed"]),
    )
    card.pins = {name: PinRecord.from_json(pin) for name, pin in data["pins"].items()}
    card.state_file = state_file
    return card


def save_card(card: MockCard, path: str | Path) -> None:
    """Write the card's state to ``path`` atomically (temp file, fsync, rename), mode 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(card_to_json(card), ensure_ascii=False, indent=1).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".mock-card-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_card(path: str | Path) -> MockCard:
    """The card saved at ``path``; later PIN counter changes are written back there."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StateError(f"no mock card state at {path} (run 'jpki-mock-card reset')") from None
    except (OSError, ValueError) as exc:
        raise StateError(f"cannot read the mock card state at {path}: {exc}") from None
    try:
        return card_from_json(data, state_file=path)
    except StateError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise StateError(f"the mock card state at {path} is damaged: {exc}") from None


def open_card(path: str | Path | None = None) -> MockCard:
    """The card at ``path`` (default :func:`default_state_path`); a new demo card if absent."""
    from .card import MockCard

    target = Path(path) if path is not None else default_state_path()
    if target.exists():
        return load_card(target)
    card = MockCard()
    save_card(card, target)
    card.state_file = target
    return card
