"""A simulated kiosk in its own process, for the kill -9 tests (not a test module).

``python -m tests.kiosk_child PLAN.json`` reads the plan — the office's URLs, its CA,
the kiosk's token, the outbox folder, a file of signed requests and where to start —
sends the outbox first, then submits the requests in order through
:class:`gui.office_link.OfficeSink` and prints ``ack <request id> <stored|queued>``
for each one the applicant would have been given a receipt for (after it is in the
outbox or at the office). It prints ``ready`` once it is set up, ``done`` at the end.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from pathlib import Path

from gui.office_link import OfficeSink
from gui.outbox import Outbox
from jpki.officeapi import KioskClient


def main(plan_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text())
    items = json.loads(Path(plan["items"]).read_text())
    client = KioskClient(plan["urls"], ca=plan["ca"], token=plan["token"], timeout=5.0)
    sink = OfficeSink(client, Outbox(Path(plan["outbox"])), retry_interval=0.2)
    print("ready", flush=True)
    for signature, document, request_id in items[plan["start"] :]:
        outcome = sink.submit(
            base64.b64decode(signature),
            base64.b64decode(document) if document else None,
            request_id=request_id,
        )
        print(f"ack {request_id} {'queued' if outcome.queued else 'stored'}", flush=True)
        time.sleep(plan.get("pace", 0))
    if plan.get("drain"):
        sink.flush()
    print("done", flush=True)
    sink.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
