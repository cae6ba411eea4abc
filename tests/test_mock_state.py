"""The mock card's state file (mock_card.state): round trip, persistence, atomic writes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

import mock_card.state as state_mod
from apdu import SW
from mock_card import MockCard, default_state_path, load_card, open_card, save_card
from mock_card.card import ATR_NEW
from mock_card.holders import CardProfile, Holder, Sex
from mock_card.state import StateError

H = bytes.fromhex
SELECT_JPKI = H("00A4040C0AD392F000260100000001")
SELECT_TEXT = H("00A4040C0AD3921000310001010408")


def select_ef(fid: int) -> bytes:
    return H("00A4020C02") + fid.to_bytes(2, "big")


def verify(pin: str) -> bytes:
    raw = pin.encode("ascii")
    return H("00200080") + bytes([len(raw)]) + raw


def sw(card: MockCard, apdu: bytes) -> str:
    return card.transmit(apdu)[-2:].hex().upper()


def der(card: MockCard) -> dict[str, bytes]:
    c = card.credentials
    return {
        name: getattr(c, name).public_bytes(Encoding.DER)
        for name in ("auth_cert", "sign_cert", "auth_ca_cert", "sign_ca_cert")
    }


def temp_files(directory: Path) -> list[str]:
    """Temporary files left behind (jpki.files writes ``.<name>.<random>.tmp``)."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture(scope="module")
def custom_card() -> MockCard:
    return MockCard(
        holder=Holder(
            name="試験 次郎",
            address="架空県架空市3-4",
            birth_date=Holder().birth_date,
            sex=Sex.MALE,
        ),
        auth_pin="4826",
        sign_pin="ZQ7X5K9W",
        text_pin="5937",
        profile=CardProfile.REVOKED,
        atr=ATR_NEW,
        short_read_sw=SW.END_OF_FILE,
        extended_length=True,
        select_clears_verification=False,
        my_number_seed=7,
    )


# -- round trip ----------------------------------------------------------------


def test_round_trip_keeps_everything(custom_card: MockCard, tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    custom_card.pins["sign"].tries_left = 2
    try:
        save_card(custom_card, path)
    finally:
        custom_card.pins["sign"].tries_left = 5
    loaded = load_card(path)
    assert loaded.state_file == path
    assert der(loaded) == der(custom_card)
    for key in ("auth_key", "sign_key"):
        assert (
            getattr(loaded.credentials, key).private_numbers()
            == getattr(custom_card.credentials, key).private_numbers()
        )
    assert loaded.holder == custom_card.holder
    assert loaded.profile is CardProfile.REVOKED
    assert {n: p.tries_left for n, p in loaded.pins.items()} == {"auth": 3, "sign": 2, "text": 3}
    assert {n: p.max_tries for n, p in loaded.pins.items()} == {"auth": 3, "sign": 5, "text": 3}
    assert loaded.atr == ATR_NEW
    assert loaded.short_read_sw == SW.END_OF_FILE
    assert loaded.extended_length is True
    assert loaded.select_clears_verification is False
    assert loaded.my_number_seed == 7
    assert loaded.token_label == custom_card.token_label


def test_loaded_card_still_knows_its_pins(custom_card: MockCard, tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    save_card(custom_card, path)
    card = load_card(path)
    assert sw(card, SELECT_JPKI) == "9000"
    assert sw(card, select_ef(0x0018)) == "9000"
    assert sw(card, verify("4826")) == "9000"
    assert sw(card, select_ef(0x001B)) == "9000"
    assert sw(card, verify("ZQ7X5K9W")) == "9000"
    assert sw(card, SELECT_TEXT) == "9000"
    assert sw(card, select_ef(0x0011)) == "9000"
    assert sw(card, verify("5937")) == "9000"
    assert sw(card, select_ef(0x0002)) == "9000"
    data = card.transmit(H("00B0000000"))
    assert "試験 次郎".encode() in data


def test_state_file_has_no_pin_and_is_private(custom_card: MockCard, tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    save_card(custom_card, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    for secret in ("ZQ7X5K9W", b"ZQ7X5K9W".hex()):
        assert secret.lower() not in text.lower()
    data = json.loads(text)
    assert set(data["pins"]["sign"]) == {"format", "max_tries", "tries_left", "salt", "digest"}
    assert "my_number" not in text.replace("my_number_seed", "").replace("my_number_aps", "")


# -- counters persist through transmit --------------------------------------------------


def test_counters_persist_after_wrong_verifies(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    card = MockCard(state_file=path)
    assert not path.exists()  # nothing written until something changes
    assert sw(card, SELECT_JPKI) == "9000"
    assert sw(card, select_ef(0x0018)) == "9000"
    assert sw(card, verify("9999")) == "63C2"
    assert load_card(path).pins["auth"].tries_left == 2
    assert sw(card, verify("9998")) == "63C1"
    assert load_card(path).pins["auth"].tries_left == 1

    # a new process (here: a new load) carries on from the saved counter
    again = load_card(path)
    assert sw(again, SELECT_JPKI) == "9000"
    assert sw(again, select_ef(0x0018)) == "9000"
    assert sw(again, H("00200080")) == "63C1"  # status: no try spent
    assert load_card(path).pins["auth"].tries_left == 1
    assert sw(again, verify("1234")) == "9000"
    assert load_card(path).pins["auth"].tries_left == 3

    # sign PIN to blocked, then the office resets it
    assert sw(again, select_ef(0x001B)) == "9000"
    for left in (4, 3, 2, 1, 0):
        assert sw(again, verify("WRONG1")) == f"63C{left}"
    assert sw(again, verify("ABCD1234")) == "6984"
    assert load_card(path).pins["sign"].blocked
    again.reset_pins()
    assert {n: p.tries_left for n, p in load_card(path).pins.items()} == {
        "auth": 3,
        "sign": 5,
        "text": 3,
    }
    again.block_pin("text")
    assert load_card(path).pins["text"].tries_left == 0
    assert temp_files(tmp_path) == []


def test_counters_do_not_persist_without_a_state_file(tmp_path: Path) -> None:
    card = MockCard()
    assert sw(card, SELECT_JPKI) == "9000"
    assert sw(card, select_ef(0x0018)) == "9000"
    assert sw(card, verify("9999")) == "63C2"
    assert list(tmp_path.iterdir()) == []


# -- atomic writes -------------------------------------------------------------------------


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("injected failure")


@pytest.mark.parametrize(
    ("target", "name"),
    [
        (state_mod, "card_to_json"),  # serialization fails before anything is written
        (json, "dumps"),
        (os, "fsync"),  # the temp file exists when this fails
        (os, "replace"),
    ],
)
def test_failed_save_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: object, name: str
) -> None:
    path = tmp_path / "card.json"
    card = MockCard()
    save_card(card, path)
    before = path.read_bytes()
    card.pins["auth"].tries_left = 1
    monkeypatch.setattr(target, name, _boom)
    with pytest.raises(RuntimeError, match="injected"):
        save_card(card, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert load_card(path).pins["auth"].tries_left == 3
    assert temp_files(tmp_path) == []
    # the file and the lock every process takes to change it
    assert sorted(p.name for p in tmp_path.iterdir()) == [".card.json.lock", "card.json"]


def test_save_creates_missing_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "card.json"
    save_card(MockCard(), path)
    assert load_card(path).holder == Holder()


# -- damaged and missing files ---------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(StateError, match="no mock card state") as info:
        load_card(path)
    assert str(path) in str(info.value)
    assert "reset" in str(info.value)


@pytest.fixture(scope="module")
def good_state() -> dict[str, Any]:
    return state_mod.card_to_json(MockCard())


def _damage(data: dict[str, Any], how: str) -> str:
    data = json.loads(json.dumps(data))
    if how == "truncated":
        return json.dumps(data)[:200]
    if how == "not json":
        return "\x00\x01 garbage"
    if how == "version":
        data["version"] = 2
    elif how == "no holder":
        del data["holder"]
    elif how == "bad date":
        data["holder"]["birth_date"] = "1990-02-30"
    elif how == "bad sex":
        data["holder"]["sex"] = "7"
    elif how == "bad pem":
        data["credentials"]["auth_cert"] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
    elif how == "key mismatch":
        data["credentials"]["auth_key"] = data["credentials"]["sign_key"]
    elif how == "bad pin format":
        data["pins"]["auth"]["format"] = "DIGITS5"
    elif how == "bad hex":
        data["pins"]["auth"]["salt"] = "zz"
    elif how == "bad profile":
        data["profile"] = "lost"
    return json.dumps(data)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("truncated", "cannot read"),
        ("not json", "cannot read"),
        ("version", "unsupported mock card state version 2"),
        ("no holder", "damaged"),
        ("bad date", "damaged"),
        ("bad sex", "damaged"),
        ("bad pem", "damaged"),
        ("key mismatch", "damaged"),
        ("bad pin format", "damaged"),
        ("bad hex", "damaged"),
        ("bad profile", "damaged"),
    ],
)
def test_damaged_file(tmp_path: Path, good_state: dict[str, Any], how: str, message: str) -> None:
    path = tmp_path / "card.json"
    path.write_text(_damage(good_state, how), encoding="utf-8")
    with pytest.raises(StateError, match=message) as info:
        load_card(path)
    assert str(path) in str(info.value) or how == "version"


def test_unreadable_file_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.mkdir()  # a directory where the file should be
    with pytest.raises(StateError, match="cannot read"):
        load_card(path)


@pytest.mark.parametrize("shape", ["list", "null", "pins as a list"])
def test_json_of_the_wrong_shape_is_a_state_error(
    tmp_path: Path, good_state: dict[str, Any], shape: str
) -> None:
    path = tmp_path / "card.json"
    if shape == "list":
        text = "[]"
    elif shape == "null":
        text = "null"
    else:
        text = json.dumps({**good_state, "pins": []})
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StateError):
        load_card(path)


# -- open_card and the default path -------------------------------------------------------


def test_open_card_creates_the_demo_card_when_absent(tmp_path: Path) -> None:
    path = tmp_path / "data" / "card.json"
    card = open_card(path)
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert card.state_file == path
    assert card.holder == Holder()
    assert sw(card, SELECT_JPKI) == "9000"
    assert sw(card, select_ef(0x001B)) == "9000"
    assert sw(card, verify("ABCD1234")) == "9000"
    # the second open loads the same card, and the counters it changes are saved
    assert sw(card, verify("ABCD1235")) == "63C4"
    again = open_card(path)
    assert der(again) == der(card)
    assert again.pins["sign"].tries_left == 4


def test_open_card_uses_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env-card.json"
    monkeypatch.setenv("JPKI_MOCK_STATE", str(path))
    assert default_state_path() == path
    card = open_card()
    assert card.state_file == path
    assert path.exists()


def test_default_path_is_in_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JPKI_MOCK_STATE", raising=False)
    path = default_state_path()
    assert path.name == "mock-card.json"
    assert "jpki" in path.parts


@pytest.mark.parametrize("profile", ["juki", "smartphone", "smartphone-ios"])
def test_a_state_file_keeps_what_makes_a_profile(profile: str, tmp_path: Path) -> None:
    from mock_card.profiles import make_card

    card = make_card(profile)
    path = tmp_path / "card.json"
    save_card(card, path)
    loaded = load_card(path)
    assert (loaded.token_label, loaded.atr) == (card.token_label, card.atr)
    assert loaded.auth_cert_needs_pin is card.auth_cert_needs_pin
    assert loaded.my_number_aps is card.my_number_aps is False


def test_an_older_state_file_without_the_profile_flags_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    save_card(MockCard(), path)
    data = json.loads(path.read_text("utf-8"))
    del data["options"]["auth_cert_needs_pin"], data["options"]["my_number_aps"]
    path.write_text(json.dumps(data), "utf-8")
    loaded = load_card(path)
    assert loaded.auth_cert_needs_pin is False and loaded.my_number_aps is True
