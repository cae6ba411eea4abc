"""``python -m mock_card.demo`` (what ``make demo`` runs): it works, says what it should, is quick."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], float]:
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if k != "JPKI_MOCK_STATE"}
    # the demo must not touch the user's mock card: point every data dir at an empty place
    env.update(PYTHONPATH=str(REPO), HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "mock_card.demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert list(home.iterdir()) == []
    return result, elapsed


def test_demo_exits_0_quietly_and_quickly(
    demo: tuple[subprocess.CompletedProcess[str], float],
) -> None:
    result, elapsed = demo
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert elapsed < 5  # target < 2 s; slack for loaded CI machines


@pytest.mark.parametrize(
    "pattern",
    [
        r"JPKI application \(公的個人認証AP\) found",
        r"label 'JPKIAPICCTOKEN2'",
        r"subject  .*C=JP",
        r"expires  \d{4}-\d\d-\d\d 23:59:59 JST",
        r"read in \d+ APDUs",
        r"3 of 3  利用者証明用",
        r"5 of 5  署名用",
        r"3 of 3  券面事項入力補助用",
        r"signature 256 bytes",
        r"verified with the signature certificate's public key: OK",
        r"signer    見本 花子",
        r"氏名 name +見本 花子",
        r"住所 address +架空県見本市試験町一丁目2番3号",
        r"生年月日 born +1990-04-01",
        r"性別 sex +女性 female",
        r"'12a4' refused by the host: .*exactly 4 digits",
        r"APDUs sent: 0 ",
        r"wrong user-authentication PIN .*: 2 tries left",
        r"the right PIN restores the counter: 3 of 3",
        r"municipal office",
    ],
)
def test_demo_says(demo: tuple[subprocess.CompletedProcess[str], float], pattern: str) -> None:
    assert re.search(pattern, demo[0].stdout), demo[0].stdout


def test_demo_prints_no_pin_and_no_individual_number(
    demo: tuple[subprocess.CompletedProcess[str], float],
) -> None:
    out = demo[0].stdout
    assert "ABCD1234" not in out
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", out)


def test_certificate_read_takes_the_minimum_of_apdus(
    demo: tuple[subprocess.CompletedProcess[str], float],
) -> None:
    m = re.search(
        r"read in (\d+) APDUs \(SELECT, READ BINARY x(\d+)\) for (\d+) bytes", demo[0].stdout
    )
    assert m, demo[0].stdout
    apdus, reads, size = map(int, m.groups())
    assert reads == -(-size // 256)  # ceil(N / 256): nothing read past the DER
    assert apdus == reads + 1
