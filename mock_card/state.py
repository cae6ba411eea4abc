"""The mock card's state file: keys, certificates and PIN counters, written atomically.

PINs are stored only as salted hashes (see :mod:`mock_card.pins`), and the
individual number is derived from a seed, so neither appears in the file.

Every program that opens the card shares the file, so its PIN counters are kept as a
real card keeps its own: :func:`state_lock` (an ``flock`` on a lock file beside it,
held by one process at a time) serialises every change, and :func:`read_pin` /
:func:`write_pin` give a PIN record as the file has it now and save one back
(:class:`StateError` when it cannot be saved: a full disk, a file size limit). The
card's VERIFY spends and saves a try under that lock before it compares the PIN.

A damaged file — not JSON, nested too deep, larger than
:data:`jpki.limits.MAX_CONFIG_SIZE`, counters out of range, a PIN record missing —
or one others may write (and so reset the counters of: a group- or world-writable file,
or such a folder without the sticky bit) is a :class:`StateError` saying so, never
another exception.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import platformdirs

from jpki.files import InputTooLarge, read_limited, write_file
from jpki.limits import MAX_CONFIG_SIZE

from .credentials import CardCredentials
from .holders import CardProfile, Holder, Sex
from .pins import PinRecord

if TYPE_CHECKING:
    from .card import MockCard

STATE_VERSION = 1
ENV_STATE = "JPKI_MOCK_STATE"
#: The PINs a card has, by the names the state file uses.
PIN_NAMES: Final = frozenset({"auth", "sign", "text"})


class StateError(Exception):
    """The state file is missing, unreadable, damaged, of another version, open to
    everyone, or cannot be saved."""


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
            "auth_cert_needs_pin": card.auth_cert_needs_pin,
            "my_number_aps": card.my_number_aps,
            "my_number_seed": card.my_number_seed,
        },
    }


def card_from_json(data: dict[str, Any], state_file: Path | None = None) -> MockCard:
    from .card import MockCard

    if not isinstance(data, dict):
        raise StateError("the mock card state is not a JSON object")
    if data.get("version") != STATE_VERSION:
        raise StateError(f"unsupported mock card state version {str(data.get('version'))[:20]}")
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
        # absent from files written before the smartphone and Juki profiles were kept
        auth_cert_needs_pin=opts.get("auth_cert_needs_pin") is True,
        my_number_aps=opts.get("my_number_aps", True) is not False,
        my_number_seed=_seed(opts["my_number_seed"]),
    )
    card.pins = pins_from_json(data["pins"])
    card.state_file = state_file
    return card


def _seed(value: object) -> int:
    if type(value) is not int or not 0 <= value < 2**63:
        raise ValueError("my_number_seed must be a whole number from 0 to 2**63 - 1")
    return value


def pins_from_json(pins: object) -> dict[str, PinRecord]:
    """The three PIN records, each checked (:meth:`PinRecord.from_json`)."""
    if not isinstance(pins, dict) or set(pins) != PIN_NAMES:
        raise ValueError(
            f"the state must hold exactly the PIN records {', '.join(sorted(PIN_NAMES))}"
        )
    out = {}
    for name, record in pins.items():
        try:
            out[name] = PinRecord.from_json(record)
        except ValueError as exc:
            raise ValueError(f"the {name} PIN record: {exc}") from None
    return out


@contextmanager
def state_lock(path: str | Path) -> Iterator[None]:
    """Hold the lock of the state file at ``path`` (one process at a time; not re-entrant):
    an ``flock`` on ``.<name>.lock`` beside it, made 0600, never through a link."""
    target = Path(path)
    _refuse_shared_folder(target)
    lock = target.with_name(f".{target.name}.lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise StateError(
            f"cannot lock the mock card state {target}: {exc.strerror or exc}"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # the lock goes with it


def save_card(card: MockCard, path: str | Path) -> None:
    """Write the card's state to ``path`` atomically (temp file, fsync, rename), mode 0600,
    under :func:`state_lock`."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with state_lock(path):
        _write(path, card_to_json(card))


def _write(path: Path, data: dict[str, Any]) -> None:
    payload = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    try:
        # the state file is ours: a link at its place is replaced, never written through
        write_file(path, payload, private=True, force=True)
    except (OSError, ValueError) as exc:
        raise StateError(f"cannot save the mock card state at {path}: {exc}") from None


_SHARED: Final = stat.S_IWGRP | stat.S_IWOTH


def _refuse_shared_folder(path: Path) -> None:
    """:class:`StateError` when others may write the folder of the state file at ``path``
    (and so replace the file, or its lock): a group- or world-writable folder, unless it
    has the sticky bit (as ``/tmp`` has: others may add files, not replace ours)."""
    folder = path.parent
    try:
        info = folder.stat()
    except OSError:
        return  # missing: made 0700 when the state is first saved; else reading says why
    if info.st_mode & _SHARED and not info.st_mode & stat.S_ISVTX:
        raise StateError(
            f"the folder of the mock card state, {folder}, may be written by others (who "
            f"could replace the state and so reset its PIN counters): make it private "
            f"(chmod 700 {folder}) or keep the state elsewhere"
        )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        _refuse_shared_folder(path)
        info = path.stat()
        if info.st_mode & _SHARED:
            raise StateError(
                f"the mock card state at {path} may be written by others (and so its PIN "
                f"counters reset): make it private (chmod 600 {path})"
            )
        data = json.loads(read_limited(path, MAX_CONFIG_SIZE).decode("utf-8"))
    except FileNotFoundError:
        raise StateError(f"no mock card state at {path} (run 'jpki-mock-card reset')") from None
    except InputTooLarge as exc:
        raise StateError(f"the mock card state is damaged: {exc}") from None
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: nested too deep
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StateError(f"cannot read the mock card state at {path}: {detail}") from None
    if not isinstance(data, dict):
        raise StateError(f"the mock card state at {path} is damaged: not a JSON object")
    return data


def read_pin(path: str | Path, name: str, card: MockCard) -> PinRecord:
    """The PIN record ``name`` as the state file has it now (hold :func:`state_lock`); a
    file not written yet is written first, from ``card``."""
    target = Path(path)
    if not target.exists():
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write(target, card_to_json(card))
    try:
        return pins_from_json(_read_json(target).get("pins"))[name]
    except ValueError as exc:
        raise StateError(f"the mock card state at {target} is damaged: {exc}") from None


def write_pin(path: str | Path, name: str, record: PinRecord) -> None:
    """Save the PIN record ``name`` into the state file, the rest as the file has it (hold
    :func:`state_lock`); :class:`StateError` when it cannot be saved."""
    target = Path(path)
    data = _read_json(target)
    pins = data.get("pins")
    if not isinstance(pins, dict):
        raise StateError(f"the mock card state at {target} is damaged: no PIN records")
    pins[name] = record.to_json()
    _write(target, data)


def load_card(path: str | Path) -> MockCard:
    """The card saved at ``path``; later PIN counter changes are written back there."""
    path = Path(path)
    data = _read_json(path)
    try:
        return card_from_json(data, state_file=path)
    except StateError:
        raise
    except (
        AttributeError,
        KeyError,
        TypeError,
        ValueError,
        OverflowError,
        IndexError,
        RecursionError,
    ) as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise StateError(f"the mock card state at {path} is damaged: {detail}") from None


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
