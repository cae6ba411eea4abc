"""The hash-chained audit trail and "the signed bytes are the truth", on SQLite and PostgreSQL.

Each tampering is done the way someone who owns the database would: with the
triggers out of the way (SQLite: dropped and put back; PostgreSQL: the superuser's
``session_replication_role = replica``). The ledger must then say what was done
and where — and refuse to move a tampered request on.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from jpki.ledger import AuditAction, Ledger, Status
from jpki.ledger.chain import AuditKeyError, body_of, entry_hash, key_id
from jpki.ledger.integrity import RequestTampered
from jpki.ledger.models import AuditRow
from tests.test_ledger import (  # noqa: F401 - fixtures
    CONFIG,
    db_url,
    make_request,
    sign,
    submitted,
)

KEY = b"k" * 32
KEYED = replace(CONFIG, audit_key=KEY)


@pytest.fixture
def keyed(db_url: str) -> Iterator[Ledger]:  # noqa: F811 - the fixture imported above
    with Ledger.open(db_url, config=KEYED) as ledger:
        ledger.seal_audit_chain()
        yield ledger


@contextmanager
def owner(ledger: Ledger) -> Iterator[Any]:
    """A connection that can do anything to the tables (the triggers out of the way)."""
    if ledger.backend == "sqlite":
        path = ledger.engine.url.database
        assert path is not None
        conn = sqlite3.connect(path, isolation_level=None)
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
        conn.execute("BEGIN IMMEDIATE")
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER {name}")

        class Sqlite:
            def execute(self, sql: str, params: dict[str, Any] | None = None) -> Any:
                return conn.execute(sql, params or {})

        try:
            yield Sqlite()
            for _name, sql in triggers:
                conn.execute(sql)
            conn.execute("COMMIT")
        finally:
            conn.close()
        return
    engine = create_engine(ledger.engine.url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))

            class Postgres:
                def execute(self, sql: str, params: dict[str, Any] | None = None) -> Any:
                    return conn.execute(text(sql), params or {})

            yield Postgres()
    finally:
        engine.dispose()


def lifecycle(ledger: Ledger) -> list[str]:
    """Three requests with a few changes each: 8 audit entries."""
    ids = [submitted(ledger) for _ in range(3)]
    ledger.change(ids[0], "approve", actor="staff:sato")
    ledger.change(ids[0], "issue", actor="staff:ito")
    ledger.change(ids[1], "reject", actor="staff:sato", reason="wrong office")
    ledger.change(ids[2], "approve", actor="staff:sato")
    assert ledger.verify_audit().entries == 7
    return ids


def breaks(ledger: Ledger) -> list[tuple[int | None, str]]:
    report = ledger.verify_audit()
    return [(b.seq, b.kind) for b in report.breaks]


# -- the chain -------------------------------------------------------------------------------


def test_an_untouched_chain_verifies(keyed: Ledger) -> None:
    lifecycle(keyed)
    report = keyed.verify_audit()
    assert report.ok and report.key_checked and report.key_id == key_id(KEY)
    assert report.head_seq == 7
    entries = keyed.audit_trail()
    assert [e.seq for e in entries] == list(range(1, 8))
    assert report.head_hash == entries[-1].entry_hash
    assert "intact: 7 entries" in report.summary()


def test_an_edited_entry_is_found(keyed: Ledger) -> None:
    lifecycle(keyed)
    with owner(keyed) as db:
        db.execute("UPDATE audit_log SET actor = 'staff:mallory' WHERE seq = 4")
    assert breaks(keyed) == [(4, "edited")]
    message = keyed.verify_audit().breaks[0].message
    assert "entry 4" in message and "edited" in message


def test_an_edited_entry_with_its_hash_recomputed_is_found(keyed: Ledger) -> None:
    """Recomputing the hash of the edited entry breaks the link of the next one; recomputing
    every hash after it still leaves the MACs (no key) wrong."""
    lifecycle(keyed)
    # rewrite entries 4..7 consistently, as someone without the key would
    session_rows = _rows(keyed)
    prev = session_rows[2].entry_hash
    with owner(keyed) as db:
        for row in session_rows[3:]:
            if row.seq == 4:
                row.actor = "staff:mallory"
            row.prev_hash = prev
            row.entry_hash = entry_hash(prev, body_of(row))
            db.execute(
                "UPDATE audit_log SET actor = :actor, prev_hash = :prev, entry_hash = :hash "
                "WHERE seq = :seq",
                {"actor": row.actor, "prev": row.prev_hash, "hash": row.entry_hash, "seq": row.seq},
            )
            prev = row.entry_hash
        db.execute("UPDATE audit_chain_head SET entry_hash = :hash", {"hash": prev})
    found = breaks(keyed)
    assert (4, "forged") in found and all(kind in ("forged",) for _, kind in found)
    # without the key only the hashes can be checked: such a rewrite then goes unseen,
    # which is why the office seals its chain
    unkeyed = Ledger(keyed.engine, CONFIG)
    report = unkeyed.verify_audit()
    assert report.ok and not report.key_checked
    assert "MACs NOT checked" in report.summary()


def _rows(ledger: Ledger) -> list[AuditRow]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    with Session(ledger.engine) as session:
        rows = list(session.scalars(select(AuditRow).order_by(AuditRow.seq)))
        session.expunge_all()
    return rows


def test_a_deleted_entry_is_found(keyed: Ledger) -> None:
    lifecycle(keyed)
    with owner(keyed) as db:
        db.execute("DELETE FROM audit_log WHERE seq = 3")
    assert breaks(keyed) == [(4, "gap")]
    assert "entries 3 are missing" in keyed.verify_audit().breaks[0].message


def test_entries_cut_from_the_end_are_found(keyed: Ledger) -> None:
    lifecycle(keyed)
    with owner(keyed) as db:
        db.execute("DELETE FROM audit_log WHERE seq >= 6")
    assert breaks(keyed) == [(None, "head")]
    # and the requests whose latest entries went say so
    problems = [r.problems for r in keyed.list_requests() if r.problems]
    assert problems and "missing" in problems[0][0]


def test_an_inserted_entry_is_found(keyed: Ledger) -> None:
    ids = lifecycle(keyed)
    rows = _rows(keyed)
    last = rows[-1]
    forged: dict[str, Any] = {
        "seq": last.seq + 1,
        "request_id": ids[2],
        "subject": None,
        "at": last.at + timedelta(seconds=1),
        "actor": "staff:sato",
        "action": "issue",
        "from_status": "approved",
        "to_status": "issued",
        "reason": None,
        "content_sha256": last.content_sha256,
        "signature_sha256": last.signature_sha256,
        "auth_cert_sha256": None,
        "issued_at": None,
        "expires_at": None,
    }
    digest = entry_hash(last.entry_hash, body_of(forged))
    with owner(keyed) as db:
        db.execute(
            "INSERT INTO audit_log (seq, request_id, at, actor, action, from_status, to_status, "
            "content_sha256, signature_sha256, prev_hash, entry_hash) VALUES (:seq, :rid, :at, "
            ":actor, 'issue', 'approved', 'issued', :c, :s, :prev, :hash)",
            {
                "seq": forged["seq"],
                "rid": ids[2],
                "at": _db_time(keyed, forged["at"]),
                "actor": "staff:sato",
                "c": last.content_sha256,
                "s": last.signature_sha256,
                "prev": last.entry_hash,
                "hash": digest,
            },
        )
        db.execute(
            "UPDATE audit_chain_head SET seq = :seq, entry_hash = :hash",
            {"seq": forged["seq"], "hash": digest},
        )
    found = breaks(keyed)
    assert (8, "forged") in found


def _db_time(ledger: Ledger, value: Any) -> Any:
    """A time as the ledger stores it (SQLite: text in UTC, as SQLAlchemy writes it)."""
    if ledger.backend == "sqlite":
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def test_reordered_entries_are_found(keyed: Ledger) -> None:
    lifecycle(keyed)
    with owner(keyed) as db:  # swap the positions of entries 2 and 3
        db.execute("UPDATE audit_log SET seq = -1 WHERE seq = 2")
        db.execute("UPDATE audit_log SET seq = 2 WHERE seq = 3")
        db.execute("UPDATE audit_log SET seq = 3 WHERE seq = -1")
    found = breaks(keyed)
    assert (2, "edited") in found and (3, "edited") in found
    assert {seq for seq, _ in found} <= {2, 3, 4}


def test_reordered_rows_are_found(keyed: Ledger) -> None:
    """Swapping the rows' ids (the order they were written) shows too."""
    lifecycle(keyed)
    with owner(keyed) as db:
        a, b = (
            r[0] for r in db.execute("SELECT id FROM audit_log WHERE seq IN (2, 3) ORDER BY seq")
        )
        db.execute("UPDATE audit_log SET id = -5 WHERE id = :a", {"a": a})
        db.execute("UPDATE audit_log SET id = :a WHERE id = :b", {"a": a, "b": b})
        db.execute("UPDATE audit_log SET id = :b WHERE id = -5", {"b": b})
    assert (3, "order") in breaks(keyed)


def test_an_anchor_kept_elsewhere_catches_a_rewritten_history(keyed: Ledger) -> None:
    lifecycle(keyed)
    seq, digest, _ = keyed.audit_head()
    assert keyed.verify_audit(expect=(seq, digest)).ok
    assert not keyed.verify_audit(expect=(seq, "f" * 64)).ok
    assert not keyed.verify_audit(expect=(seq + 5, digest)).ok


def test_a_sealed_chain_needs_its_key(keyed: Ledger) -> None:
    rid = submitted(keyed)
    with pytest.raises(AuditKeyError, match="sealed with an audit key"):
        Ledger(keyed.engine, CONFIG).change(rid, "approve", actor="staff")
    with pytest.raises(AuditKeyError, match="not the one"):
        Ledger(keyed.engine, replace(CONFIG, audit_key=b"x" * 32)).change(
            rid, "approve", actor="staff"
        )
    with pytest.raises(AuditKeyError, match="sealed with another key"):
        Ledger(keyed.engine, replace(CONFIG, audit_key=b"x" * 32)).seal_audit_chain()
    assert keyed.seal_audit_chain() == key_id(KEY)  # again: nothing to do
    with pytest.raises(AuditKeyError, match="32 random bytes"):
        Ledger(keyed.engine, replace(CONFIG, audit_key=b"short"))


def test_a_ledger_with_entries_cannot_be_sealed_afterwards(db_url: str) -> None:  # noqa: F811
    with Ledger.open(db_url, config=CONFIG) as ledger:
        submitted(ledger)
    with (
        Ledger.open(db_url, config=KEYED) as ledger,
        pytest.raises(AuditKeyError, match="1 unsealed entries"),
    ):
        ledger.seal_audit_chain()


def test_the_chain_head_only_moves_forward(keyed: Ledger) -> None:
    lifecycle(keyed)
    for statement in (
        "UPDATE audit_chain_head SET seq = seq - 1",
        "DELETE FROM audit_chain_head",
        "UPDATE audit_chain_head SET key_id = NULL",
    ):
        with pytest.raises(DBAPIError), keyed.engine.begin() as conn:
            conn.execute(text(statement))
    assert keyed.verify_audit().ok


def test_office_events_are_chained_too(keyed: Ledger) -> None:
    submitted(keyed)
    entry = keyed.record_event(
        AuditAction.REFUSED, actor="office", subject="kiosk:unknown", reason="wrong token"
    )
    assert entry.request_id is None and entry.subject == "kiosk:unknown" and entry.seq == 2
    assert keyed.audit_trail(subject="kiosk:unknown") == [entry]
    with pytest.raises(ValueError, match="change of a request"):
        keyed.record_event(AuditAction.APPROVE, actor="x", subject="y")
    assert keyed.verify_audit().ok


# -- the signed bytes are the truth ---------------------------------------------------------


def test_edited_columns_are_shown_from_the_signed_document_and_reported(keyed: Ledger) -> None:
    rid = submitted(keyed)
    with pytest.raises(DBAPIError), keyed.engine.begin() as conn:  # the trigger refuses it
        conn.execute(text("UPDATE certificate_requests SET applicant_name = 'Mallory'"))
    with owner(keyed) as db:  # the owner goes round it
        db.execute(
            "UPDATE certificate_requests SET applicant_name = 'Mallory', copies = 10, "
            "status = 'approved'"
        )
    record = keyed.get(rid)
    assert record.applicant_name == "見本 花子" and record.copies == 1
    assert record.tampered
    text_ = " / ".join(record.problems)
    assert "applicant_name 'Mallory' differs from the signed document" in text_
    assert "copies '10' differs" in text_
    assert "status 'approved' is not what the audit trail says ('submitted')" in text_
    assert record.summary()["applicant_name"] == "見本 花子"
    assert record.summary()["tampered"]
    with pytest.raises(RequestTampered, match="cannot move on"):
        keyed.change(rid, "issue", actor="staff:ito")
    assert keyed.verify_audit().ok  # the chain itself is whole: the row was tampered


def test_the_staff_cli_shows_a_tampered_row_as_such(
    keyed: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14: `list`/`export` showed Mallory x10 while `requests verify` said valid."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from jpki.cli import main
    from tests.test_ledger import PKI

    rid = submitted(keyed)
    with owner(keyed) as db:
        db.execute("UPDATE certificate_requests SET applicant_name = 'Mallory', copies = 10")
    url = keyed.engine.url.render_as_string(hide_password=False)
    anchor = tmp_path / "ca.pem"
    anchor.write_bytes(PKI.sign_ca_cert.public_bytes(Encoding.PEM))
    capsys.readouterr()
    assert main(["requests", "--db", url, "list"]) == 0
    out, err = capsys.readouterr()
    assert "TAMPERED" in out and "Mallory" not in out and "見本 花子" in out and rid in err
    assert main(["requests", "--db", url, "export", "--format", "json"]) == 0
    (exported,) = json.loads(capsys.readouterr().out)
    assert exported["applicant_name"] == "見本 花子" and exported["copies"] == 1
    assert any("applicant_name 'Mallory' differs" in p for p in exported["tampered"])
    assert main(["requests", "--db", url, "verify", rid, "--trust-anchor", str(anchor)]) == 1
    out = capsys.readouterr().out
    assert "NOT VALID" in out and "copies '10' differs" in out


def test_an_admin_changes_an_office_ledger_only_with_its_audit_key(
    keyed: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    from jpki.cli import main
    from tests.test_ledger import PKI

    rid = submitted(keyed)
    url = keyed.engine.url.render_as_string(hide_password=False)
    anchor = tmp_path / "ca.pem"
    anchor.write_bytes(PKI.sign_ca_cert.public_bytes(Encoding.PEM))
    approve = ["requests", "--db", url, "approve", rid, "--actor", "admin:ito"]
    approve += ["--trust-anchor", str(anchor)]
    assert main(approve) == 1
    assert "sealed with an audit key" in capsys.readouterr().err
    key = tmp_path / "audit.key"
    key.write_text(KEY.hex())
    key.chmod(0o644)
    assert main([*approve, "--audit-key", str(key)]) == 2
    assert "chmod 600" in capsys.readouterr().err
    key.chmod(0o600)
    assert main([*approve, "--audit-key", str(key)]) == 0
    assert keyed.get(rid).status is Status.APPROVED
    assert keyed.verify_audit().ok


def test_a_forged_row_with_a_forged_audit_entry_cannot_be_issued(keyed: Ledger) -> None:
    """The forgery of issue 14: a role with SELECT + INSERT adds a request already approved,
    a zero-byte signature, 10 copies for Mallory, and an entry saying staff:sato approved."""
    submitted(keyed)
    request = make_request(copies=10)
    document = request.to_bytes().replace("見本 花子".encode(), b"Mallory")
    content = hashlib.sha256(document).hexdigest()
    empty = hashlib.sha256(b"").hexdigest()
    head_seq, head_hash, _ = keyed.audit_head()
    at = keyed.now()
    values: dict[str, Any] = {
        "seq": head_seq + 1,
        "request_id": request.request_id,
        "subject": None,
        "at": at,
        "actor": "staff:sato",
        "action": "approve",
        "from_status": "submitted",
        "to_status": "approved",
        "reason": None,
        "content_sha256": content,
        "signature_sha256": empty,
        "auth_cert_sha256": None,
        "issued_at": None,
        "expires_at": None,
    }
    digest = entry_hash(head_hash, body_of(values))
    when = _db_time(keyed, at)
    with keyed.engine.begin() as conn:  # plain INSERTs: no trigger stops them
        conn.execute(
            text(
                "INSERT INTO certificate_requests (request_id, content_sha256, signature_sha256, "
                "document, signature, detached, document_version, kiosk_id, kind, language, "
                "copies, delivery_method, applicant_name, applicant_birth_date, signer_issuer, "
                "signer_serial, request_time, signing_time, submitted_at, status, "
                "status_changed_at, issued_at, expires_at, revision, audit_seq) VALUES (:rid, "
                ":c, :s, :doc, :sig, true, 1, 'kiosk-01', 'transcript-ja', 'ja', 10, "
                "'digital-pdf', 'Mallory', '1990-04-01', :issuer, :serial, :at, :at, :at, "
                "'approved', :at, NULL, NULL, 1, :seq)"
            ),
            {
                "rid": request.request_id,
                "c": content,
                "s": empty,
                "doc": document,
                "sig": b"",
                "issuer": request.applicant.certificate_issuer,
                "serial": request.applicant.certificate_serial,
                "at": when,
                "seq": head_seq + 1,
            },
        )
        conn.execute(
            text(
                "INSERT INTO audit_log (seq, request_id, at, actor, action, from_status, "
                "to_status, content_sha256, signature_sha256, prev_hash, entry_hash) VALUES "
                "(:seq, :rid, :at, 'staff:sato', 'approve', 'submitted', 'approved', :c, :s, "
                ":prev, :hash)"
            ),
            {
                "seq": head_seq + 1,
                "rid": request.request_id,
                "at": when,
                "c": content,
                "s": empty,
                "prev": head_hash,
                "hash": digest,
            },
        )
        conn.execute(
            text("UPDATE audit_chain_head SET seq = :seq, entry_hash = :hash"),
            {"seq": head_seq + 1, "hash": digest},
        )
    record = keyed.get(request.request_id)
    assert record.tampered and any("MAC" in p for p in record.problems)
    assert (head_seq + 1, "forged") in breaks(keyed)
    with pytest.raises(RequestTampered, match="signature does not verify"):
        keyed.change(request.request_id, "issue", actor="staff:ito")
    assert keyed.get(request.request_id).status is Status.APPROVED  # not issued


def test_a_status_changed_behind_the_ledgers_back_cannot_move_on(keyed: Ledger) -> None:
    rid = submitted(keyed)
    with keyed.engine.begin() as conn:  # a role with UPDATE on the status columns
        conn.execute(text("UPDATE certificate_requests SET status = 'approved'"))
    record = keyed.get(rid)
    assert record.problems == ("status 'approved' is not what the audit trail says ('submitted')",)
    with pytest.raises(RequestTampered):
        keyed.change(rid, "issue", actor="staff:ito")
    assert keyed.expire_overdue(actor="clock") == []


# -- SQLite: no replacing past the triggers ----------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log WHERE seq = 1",
        "REPLACE INTO audit_log SELECT * FROM audit_log WHERE seq = 1",
        "INSERT OR REPLACE INTO certificate_requests SELECT * FROM certificate_requests",
        "REPLACE INTO certificate_requests SELECT * FROM certificate_requests",
        "INSERT INTO certificate_requests SELECT * FROM certificate_requests WHERE true "
        "ON CONFLICT (request_id) DO UPDATE SET applicant_name = 'Mallory', copies = 10",
        "INSERT INTO audit_log SELECT * FROM audit_log WHERE true "
        "ON CONFLICT (id) DO UPDATE SET actor = 'staff:mallory'",
        "INSERT OR REPLACE INTO audit_chain_head SELECT * FROM audit_chain_head",
    ],
    ids=[
        "audit-insert-or-replace",
        "audit-replace",
        "request-insert-or-replace",
        "request-replace",
        "request-upsert",
        "audit-upsert",
        "head-replace",
    ],
)
def test_sqlite_rows_cannot_be_replaced(tmp_path: Any, statement: str) -> None:
    path = tmp_path / "ledger.sqlite3"
    with Ledger.open(path, config=CONFIG) as ledger:
        rid = submitted(ledger)
        ledger.change(rid, "approve", actor="staff:sato")
        before = (ledger.get(rid), ledger.audit_trail())
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match=r"cannot be replaced|append-only|changed"):
        conn.execute(statement)
    conn.rollback()
    conn.close()
    with Ledger.open(path, config=CONFIG) as ledger:
        assert (ledger.get(rid), ledger.audit_trail()) == before
        assert ledger.verify_audit().ok
