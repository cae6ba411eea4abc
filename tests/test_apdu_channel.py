"""The protocol layer: 61xx / 6Cxx handling, transactions, tracing with PIN redaction."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from apdu import ApduChannel, CommandApdu, CommunicationError
from apdu.replay import ScriptedTransport, ScriptMismatch
from apdu.trace import TRACE, redact_command


def test_plain_exchange() -> None:
    t = ScriptedTransport([(bytes.fromhex("00B0000004"), bytes.fromhex("01020304 9000"))])
    r = ApduChannel(t).send(CommandApdu(0, 0xB0, 0, 0, le=4))
    assert (r.data, r.sw) == (b"\x01\x02\x03\x04", 0x9000)
    assert t.done


def test_get_response_chain() -> None:
    t = ScriptedTransport(
        [
            (bytes.fromhex("802A008001AA00"), bytes.fromhex("0102 6104")),
            (bytes.fromhex("00C0000004"), bytes.fromhex("03040506 6102")),
            (bytes.fromhex("00C0000002"), bytes.fromhex("0708 9000")),
        ]
    )
    r = ApduChannel(t).send(CommandApdu(0x80, 0x2A, 0x00, 0x80, b"\xaa", le=256))
    assert r.data == bytes(range(1, 9))
    assert r.sw == 0x9000
    assert t.done


def test_wrong_le_resent_once() -> None:
    t = ScriptedTransport(
        [
            (bytes.fromhex("00B0000000"), bytes.fromhex("6C05")),
            (bytes.fromhex("00B0000005"), bytes.fromhex("0102030405 9000")),
        ]
    )
    r = ApduChannel(t).send(CommandApdu(0, 0xB0, 0, 0, le=256))
    assert r.data == b"\x01\x02\x03\x04\x05"
    assert t.done


def test_endless_61xx_is_an_error() -> None:
    class Endless:
        def transmit(self, apdu: bytes) -> bytes:
            return b"\x00\x61\x01"

    with pytest.raises(CommunicationError):
        ApduChannel(Endless()).send(CommandApdu(0, 0xCA, 0, 0, le=1))


def test_short_answer_is_an_error() -> None:
    t = ScriptedTransport([(b"\x00\xb0\x00\x00\x01", b"\x90")])
    with pytest.raises(CommunicationError):
        ApduChannel(t).send(CommandApdu(0, 0xB0, 0, 0, le=1))


def test_scripted_transport_catches_wrong_bytes() -> None:
    t = ScriptedTransport([(b"\x00\xa4\x04\x0c", b"\x90\x00")])
    with pytest.raises(ScriptMismatch):
        t.transmit(b"\x00\xa4\x04\x00")


def test_transaction_delegates() -> None:
    events: list[str] = []

    class Holding:
        def transmit(self, apdu: bytes) -> bytes:
            events.append("apdu")
            return b"\x90\x00"

        @contextmanager
        def transaction(self) -> Iterator[None]:
            events.append("begin")
            yield
            events.append("end")

    ch = ApduChannel(Holding())
    with ch.transaction():
        ch.send(CommandApdu(0, 0xA4, 4, 0x0C, b"\x01"))
    assert events == ["begin", "apdu", "end"]
    # a transport without transactions still works
    with ApduChannel(ScriptedTransport([])).transaction():
        pass


@pytest.mark.parametrize(
    "apdu",
    [
        bytes.fromhex("002000800431323334"),  # VERIFY 1234
        bytes.fromhex("00240180") + b"\x08ABCD1234",  # CHANGE REFERENCE DATA
        bytes.fromhex("002C0080") + b"\x04" + b"9876",  # RESET RETRY COUNTER
    ],
)
def test_trace_redacts_pins(apdu: bytes, caplog: pytest.LogCaptureFixture) -> None:
    t = ScriptedTransport([(apdu, b"\x90\x00")])
    with caplog.at_level(TRACE, logger="apdu.trace"):
        ApduChannel(t).transmit_raw(apdu)
    text = caplog.text
    assert len(caplog.records) == 2
    assert apdu[:4].hex(" ").upper() + " *" in text
    secret = apdu[5:]
    for needle in (secret.decode(), secret.hex(), secret.hex(" "), secret.hex(" ").upper()):
        assert needle not in text
    # the Lc (PIN length) is hidden too
    assert redact_command(apdu).endswith(" *")


def test_trace_shows_other_commands(caplog: pytest.LogCaptureFixture) -> None:
    apdu = bytes.fromhex("00A4020C02000A")
    t = ScriptedTransport([(apdu, b"\x90\x00")])
    with caplog.at_level(TRACE, logger="apdu.trace"):
        ApduChannel(t).transmit_raw(apdu)
    assert "> 00 A4 02 0C 02 00 0A" in caplog.text
    assert "< 9000" in caplog.text


def test_trace_silent_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    t = ScriptedTransport([(b"\x00\xa4\x04\x0c", b"\x90\x00")])
    with caplog.at_level(logging.DEBUG, logger="apdu.trace"):
        ApduChannel(t).transmit_raw(b"\x00\xa4\x04\x0c")
    assert caplog.records == []
