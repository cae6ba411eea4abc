"""``make demo``'s office: the office service with its staff console on https://127.0.0.1:8443
(or the next free port), over a fresh SQLite ledger in a temporary folder, seeded with
staff accounts, a kiosk token and two requests signed by the mock card; the kiosk (with a
display) on the mock card sends its requests to it.

    .venv/bin/python tools/console_demo.py [--kiosk] [--port N] [--no-seed]

Everything is made for the demo and removed when it stops (Ctrl-C): a throwaway TLS CA
(the browser warns about it — the demo's certificate is not one your browser knows),
an institution CA and signing key for the digital certificates, the audit key.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from office.config import load_config  # noqa: E402
from office.database import init_database  # noqa: E402
from office.server import build_service  # noqa: E402
from tests.console_kit import make_institution  # noqa: E402
from tests.office_kit import (  # noqa: E402
    PASSWORD,
    ServerProcess,
    card,
    ledger_config,
    make_tls,
    signed_request,
    write_config,
)

STAFF = (
    ("clerk", ("clerk",)),
    ("issuer", ("issuer",)),
    ("auditor", ("auditor",)),
    ("admin", ("admin",)),
    ("demo", ("clerk", "issuer", "auditor", "admin")),
)
KIOSK_ID = "kiosk-01"


def _port(wanted: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", wanted))
            return wanted
        except OSError:
            s.bind(("127.0.0.1", 0))
            port: int = s.getsockname()[1]
            return port


def prepare(folder: Path, port: int, *, seed: bool) -> tuple[Path, Path]:
    """The office's configuration and the kiosk's, in ``folder``."""
    database = folder / "office.sqlite3"
    init_database(database, ledger_config())
    tls = make_tls(folder / "tls")
    institution = make_institution(folder / "institution")
    config = write_config(folder, str(database), tls, port=port)
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"""
[console]
idle_minutes = 30

[delivery]
key = "{institution.key}"
certificate = "{institution.certificate}"
chain = ["{institution.ca}"]
download_days = 14
""",
        encoding="utf-8",
    )
    service = build_service(load_config(config))
    try:
        for name, roles in STAFF:
            service.add_staff("admin:demo", name, PASSWORD, roles)
        token = service.add_kiosk("admin:demo", KIOSK_ID)
        if seed:
            service.start()
            try:
                for index in (0, 1):
                    signature, document, _rid = signed_request(KIOSK_ID, card=card(index))
                    submission = service.verify_submission(KIOSK_ID, _b64(signature, document))
                    service.store(submission).result(30)
            finally:
                service.close()
    finally:
        service.ledger.close()
    token_file = folder / "kiosk.token"
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    kiosk = folder / "kiosk.toml"
    kiosk.write_text(
        f"""[kiosk]
id = "{KIOSK_ID}"

[office]
url = "https://127.0.0.1:{port}"
token_file = "{token_file}"
ca = "{tls.ca}"
outbox = "{folder / "outbox"}"
""",
        encoding="utf-8",
    )
    return config, kiosk


def _b64(signature: bytes, document: bytes | None) -> dict[str, str | None]:
    from jpki.officeapi.wire import b64

    return {"signature": b64(signature), "document": b64(document) if document else None}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="console_demo", description="the office for make demo")
    parser.add_argument("--kiosk", action="store_true", help="start the kiosk on the mock card")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--no-seed", action="store_true", help="no sample requests")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="jpki-office-demo-"))
    os.chmod(folder, 0o700)
    office: ServerProcess | None = None
    try:
        port = _port(args.port)
        config, kiosk_config = prepare(folder, port, seed=not args.no_seed)
        office = ServerProcess(config, port, folder / "office.log").start()
        print(f"demo: the staff console is at https://127.0.0.1:{port}/console/")
        print("demo: (a throwaway TLS certificate: let the browser continue past its warning)")
        print(f"demo: staff accounts, each with the password '{PASSWORD}':")
        for name, roles in STAFF:
            print(f"demo:   {name:<8} {', '.join(roles)}")
        print(f"demo: the office's files (removed on exit): {folder}")
        if args.kiosk:
            print("demo: starting the kiosk on the mock card (PINs: auth 1234, sign ABCD1234);")
            print("demo: its requests go to the office and appear in the console's queue.")
            kiosk = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "gui.app",
                    "--reader",
                    "mock",
                    "--config",
                    str(kiosk_config),
                ],
                cwd=ROOT,
                check=False,
            )
            return kiosk.returncode
        print("demo: press Ctrl-C to stop.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        if office is not None:
            office.stop()
        shutil.rmtree(folder, ignore_errors=True)
        print("demo: the office has stopped.")


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    sys.exit(main(sys.argv[1:]))
