"""One catalogue and one delivery model, end to end: what the kiosk produces with its default
configuration, the staff command line accepts with its default settings.

The kiosk's services (gui.services, the flow driven as the controller drives it)
sign one request per document type of the default kiosk configuration on an
in-process mock card, across every delivery method. The signed bytes go to files,
and ``python -m jpki requests submit`` (no ``--catalogue``: the built-in one) stores
each in a staff ledger; ``list`` and ``verify`` show them. Only the trust anchor is
given: the mock card's CA is not a J-LIS root.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from gui.config import ConfigError, load_config, parse_config
from gui.flow import RequestForm, SetLanguage, initial
from gui.mock_panel import mock_card_opener
from gui.services import KioskServices
from gui.setup import ledger_config
from jpki.cli import main
from jpki.ledger import Ledger
from jpki.requests import DEFAULT_CATALOGUE, DeliveryMethod, DocumentCatalogue
from tests.test_kiosk_services import MOCK_TRUST, PKI, Kiosk, new_card

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO / "gui" / "default_config.toml"


def kiosk_requests(tmp_path: Path) -> list[tuple[str, str, bytes, bytes]]:
    """(kind, delivery method, document, signature) of one request per document type of the
    default kiosk configuration, made by the kiosk's services on a mock card."""
    config = load_config()
    methods = list(DeliveryMethod)
    made = []
    with Ledger.open(
        tmp_path / "kiosk.sqlite3", config=ledger_config(config, MOCK_TRUST, None)
    ) as ledger:
        for i, item in enumerate(config.catalogue):
            services = KioskServices(
                config, mock_card_opener(new_card()), trust_store=MOCK_TRUST, ledger=ledger
            )
            kiosk = Kiosk(services, initial(config))
            if item.language == "en":
                kiosk.send(SetLanguage("en"))
            form = RequestForm(
                item.code,
                delivery=methods[i % len(methods)],
                postal_address="〒102-8160 東京都千代田区見本町1-2-3",
                recipient="株式会社見本",
            )
            kiosk.to_receipt(form)
            assert kiosk.model.receipt is not None, kiosk.model
            record = ledger.get(kiosk.model.receipt.request_id)
            made.append(
                (record.kind, record.delivery_method.value, record.document, record.signature)
            )
    return made


def staff(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["requests", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_staff_cli_accepts_every_request_the_default_kiosk_makes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JPKI_LEDGER_URL", raising=False)
    anchors = tmp_path / "mock-sign-ca.pem"
    anchors.write_bytes(PKI.sign_ca_cert.public_bytes(Encoding.PEM))
    db = tmp_path / "staff.sqlite3"
    made = kiosk_requests(tmp_path)
    assert {kind for kind, *_ in made} == {t.code for t in load_config().catalogue}
    assert {method for _, method, *_ in made} == {m.value for m in DeliveryMethod}

    ids = []
    for i, (kind, _method, document, signature) in enumerate(made):
        p7s, content = tmp_path / f"{i}.p7s", tmp_path / f"{i}.json"
        p7s.write_bytes(signature)
        content.write_bytes(document)
        code, out, err = staff(
            capsys,
            "submit",
            str(p7s),
            "--content",
            str(content),
            "--trust-anchor",
            str(anchors),
            "--db",
            str(db),
            "--create",  # the first submission makes the staff ledger
            "--actor",
            "staff:test",
            "--json",
        )
        assert code == 0, (kind, err)
        stored = json.loads(out)
        assert stored["created"] is True and stored["kind"] == kind
        ids.append(stored["request_id"])

    # a real process, as staff run it
    env = {k: v for k, v in os.environ.items() if not k.startswith("JPKI_")}
    listed = subprocess.run(
        [sys.executable, "-m", "jpki", "requests", "list", "--db", str(db), "--json"],
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["request_id"] for r in rows] == ids
    assert [(r["kind"], r["delivery_method"]) for r in rows] == [(k, m) for k, m, *_ in made]
    assert {r["status"] for r in rows} == {"submitted"}

    for request_id in ids:
        code, out, err = staff(
            capsys, "verify", request_id, "--trust-anchor", str(anchors), "--db", str(db)
        )
        assert code == 0 and f"{request_id}: valid" in out, err

    # the kiosk's own configuration file, given as the staff's catalogue, says the same
    again = tmp_path / "again.sqlite3"
    code, out, err = staff(
        capsys,
        "submit",
        str(tmp_path / "0.p7s"),
        "--content",
        str(tmp_path / "0.json"),
        "--trust-anchor",
        str(anchors),
        "--catalogue",
        str(DEFAULT_CONFIG),
        "--db",
        str(again),
        "--create",
        "--actor",
        "staff:test",
    )
    assert code == 0 and "stored" in out, err


def test_a_staff_catalogue_without_the_kind_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The catalogue decides: a configuration that does not list a kind makes the staff CLI
    refuse the kiosk's request for it (the bug was this refusal with the default settings)."""
    anchors = tmp_path / "ca.pem"
    anchors.write_bytes(PKI.sign_ca_cert.public_bytes(Encoding.PEM))
    kind, _, document, signature = kiosk_requests(tmp_path)[1]
    (tmp_path / "r.p7s").write_bytes(signature)
    (tmp_path / "r.json").write_bytes(document)
    other = tmp_path / "other.toml"
    other.write_text(
        "[[catalogue]]\ncode = 'diploma'\nname_ja = '学位記'\nname_en = 'Diploma'\n",
        encoding="utf-8",
    )
    code, _, err = staff(
        capsys,
        "submit",
        str(tmp_path / "r.p7s"),
        "--content",
        str(tmp_path / "r.json"),
        "--trust-anchor",
        str(anchors),
        "--catalogue",
        str(other),
        "--db",
        str(tmp_path / "staff.sqlite3"),
        "--create",
    )
    assert code == 1
    assert "submission refused (schema)" in err and f"unknown document type {kind!r}" in err


def test_the_kiosk_configuration_reads_the_one_catalogue() -> None:
    assert load_config().catalogue is DEFAULT_CATALOGUE
    assert DocumentCatalogue.from_toml(DEFAULT_CONFIG) is DEFAULT_CATALOGUE
    config = parse_config(
        "[[catalogue]]\ncode = 'transcript'\nname_ja = '成績証明書'\nname_en = 'Transcript'\n"
        "fee_yen = 500\ndeliveries = ['counter']\n"
    )
    item = config.document_type("transcript")
    assert (item.fee_yen, item.deliveries) == (500, (DeliveryMethod.COUNTER,))
    with pytest.raises(ConfigError, match="no document type 'transcript-ja'"):
        config.document_type("transcript-ja")
    with pytest.raises(ConfigError, match="unknown delivery method 'post'"):
        parse_config(
            "[[catalogue]]\ncode = 'x'\nname_ja = 'x'\nname_en = 'x'\ndeliveries = ['post']\n"
        )
