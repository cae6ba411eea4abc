"""The office's HTTP API (Starlette): JSON under ``/v1``, for kiosks, staff and admins.

============================================  ==========================  ====================
route                                         who                         does
============================================  ==========================  ====================
``POST /v1/kiosk/requests``                   kiosk token                 submit (201 / 200)
``GET  /v1/kiosk/requests/{id}``              kiosk token                 its own receipt
``POST /v1/kiosk/holder/challenge``           kiosk token                 a card challenge
``POST /v1/kiosk/holder/requests``            kiosk token + card answer   the holder's requests
``POST /v1/staff/login`` · ``logout``         password (+ TOTP)           a session token
``GET  /v1/staff/me`` · ``audit/head``        any staff                   who, the chain's state
``GET  /v1/staff/requests[/{id}]``            clerk, issuer, auditor      list, one with trail
``POST /v1/staff/requests/{id}/verify``       clerk, issuer, auditor      re-verify
``POST /v1/staff/requests/{id}/{action}``     clerk / issuer              change the status
``POST /v1/staff/expire``                     issuer                      expire overdue
``GET  /v1/staff/audit[/verify]`` · export    auditor                     the trail, verify it
``/v1/admin/kiosks`` · ``/v1/admin/staff``    admin                       kiosks, accounts
``GET  /v1/health``                           anyone                      for a load balancer
============================================  ==========================  ====================

Credentials travel as ``Authorization: Bearer <token>``. Bodies are read with a
size limit before parsing; errors are ``{"error", "message"}`` with the status of
:class:`~office.service.ServiceError`; the database being unreachable is a 503
(a kiosk then keeps the request in its outbox).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpki.ledger import LedgerError, RequestConflict, Status
from jpki.ledger.records import iso
from jpki.officeapi.wire import (
    MAX_SUBMISSION_BODY,
    ErrorCode,
    StaffRole,
    b64,
    entry_to_json,
    record_to_json,
)

from .console import Console
from .delivery import Deliveries
from .service import OfficeService, ServiceError, Staff

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

MAX_BODY: Final = 16 * 1024  # every body but a submission
_HEADERS: Final = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(
        body,
        status_code=status,
        media_type="application/json",
        headers={**_HEADERS, **(headers or {})},
    )


def _error(status: int, code: ErrorCode, message: str, **extra: Any) -> Response:
    headers = {}
    retry = extra.pop("retry_after", None)
    if retry is not None:
        headers["Retry-After"] = str(max(1, round(retry)))
    body = {"error": code.value, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return _json(body, status, headers)


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON, read up to ``limit`` bytes (413 past it, 400 if not JSON)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise ServiceError(413, ErrorCode.TOO_LARGE, f"the body is over {limit} bytes")
        except ValueError:
            raise ServiceError(400, ErrorCode.MALFORMED, "a bad Content-Length") from None
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ServiceError(413, ErrorCode.TOO_LARGE, f"the body is over {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        return json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ServiceError(400, ErrorCode.MALFORMED, "the body is not JSON") from None


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _source(request: Request) -> str:
    return request.client.host if request.client else "unknown"


Handler = Callable[[Request], Awaitable[Response]]


def _guarded(handler: Handler) -> Handler:
    """Errors become JSON answers."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except ServiceError as exc:
            return _error(
                exc.status, exc.code, exc.message, reason=exc.reason, retry_after=exc.retry_after
            )
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, OperationalError) or exc.connection_invalidated:
                logger.warning("database unavailable: %s", str(exc).splitlines()[0])
                return _error(503, ErrorCode.UNAVAILABLE, "the database is unavailable; try again")
            logger.exception("database error")
            return _error(500, ErrorCode.UNAVAILABLE, "a database error")

    return run


def create_app(service: OfficeService, *, console: Console | None = None) -> Starlette:
    """The ASGI application over ``service`` (started and stopped with the app): the JSON API
    under ``/v1`` and the staff console (``console``; default: one without an institution
    key, which cannot sign PDFs)."""
    if console is None:
        console = Console(service, Deliveries(service, None))

    async def kiosk(request: Request) -> str:
        token = _bearer(request)
        return await run_in_threadpool(service.kiosk_for_token, token, _source(request))

    async def staff(request: Request, *roles: StaffRole) -> Staff:
        member = await run_in_threadpool(
            service.staff_for_token, _bearer(request), _source(request)
        )
        if roles:
            member.require(*roles)
        return member

    # -- kiosks ---------------------------------------------------------------------------

    async def submit(request: Request) -> Response:
        kiosk_id = await kiosk(request)
        service.check_rate(kiosk_id)
        body = await read_json(request, MAX_SUBMISSION_BODY)
        submission = service.verify_submission(kiosk_id, body)
        try:
            result = await asyncio.wrap_future(service.store(submission))
        except RequestConflict as exc:
            raise ServiceError(409, ErrorCode.CONFLICT, exc.message, reason="conflict") from None
        except LedgerError as exc:
            raise ServiceError(500, ErrorCode.UNAVAILABLE, str(exc)) from None
        receipt = service.receipt_of(result)
        return _json(receipt.to_json(), 201 if result.created else 200)

    async def receipt(request: Request) -> Response:
        kiosk_id = await kiosk(request)
        request_id = request.path_params["request_id"]
        found = await run_in_threadpool(service.kiosk_receipt, kiosk_id, request_id)
        return _json(found.to_json())

    async def holder_challenge(request: Request) -> Response:
        kiosk_id = await kiosk(request)
        service.check_rate(kiosk_id)
        challenge, expires = service.holder_challenge(kiosk_id)
        return _json({"challenge": b64(challenge), "expires_at": iso(expires)})

    async def holder_requests(request: Request) -> Response:
        kiosk_id = await kiosk(request)
        service.check_rate(kiosk_id)
        body = await read_json(request, MAX_BODY)
        found = await run_in_threadpool(service.holder_requests, kiosk_id, body)
        return _json({"requests": [r.to_json() for r in found]})

    # -- staff ----------------------------------------------------------------------------

    async def login(request: Request) -> Response:
        body = await read_json(request, MAX_BODY)
        if not isinstance(body, dict):
            raise ServiceError(400, ErrorCode.MALFORMED, "give username and password")
        token, member = await run_in_threadpool(
            service.login,
            body.get("username"),
            body.get("password"),
            body.get("totp"),
            _source(request),
        )
        return _json(
            {
                "token": token,
                "username": member.username,
                "roles": sorted(member.roles),
                "expires_at": iso(member.expires_at),
            }
        )

    async def logout(request: Request) -> Response:
        await staff(request)
        await run_in_threadpool(service.logout, _bearer(request))
        return _json({"ok": True})

    async def me(request: Request) -> Response:
        member = await staff(request)
        return _json(
            {
                "username": member.username,
                "roles": sorted(member.roles),
                "expires_at": iso(member.expires_at),
            }
        )

    def filters(request: Request) -> dict[str, Any]:
        q = request.query_params
        try:
            out: dict[str, Any] = {
                "status": [Status(s) for s in q.getlist("status")] or None,
                "since": _time(q.get("since")),
                "until": _time(q.get("until")),
                "kind": q.get("kind") or None,
                "kiosk_id": q.get("kiosk") or None,
                "limit": int(q["limit"]) if q.get("limit") else None,
            }
        except ValueError as exc:
            raise ServiceError(400, ErrorCode.MALFORMED, f"a bad filter: {exc}") from None
        if out["limit"] is not None and out["limit"] < 0:
            raise ServiceError(400, ErrorCode.MALFORMED, "limit must not be negative")
        return out

    async def list_requests(request: Request) -> Response:
        member = await staff(request)
        found = await run_in_threadpool(lambda: service.list_requests(member, **filters(request)))
        return _json({"requests": [record_to_json(r) for r in found]})

    async def show(request: Request) -> Response:
        member = await staff(request)

        def work() -> dict[str, Any]:
            record = service.find(member, request.path_params["prefix"])
            trail = service.request_trail(member, record.request_id)
            return {"request": record_to_json(record), "audit": [entry_to_json(e) for e in trail]}

        return _json(await run_in_threadpool(work))

    async def verify(request: Request) -> Response:
        member = await staff(request)
        record = await run_in_threadpool(service.check, member, request.path_params["prefix"])
        return _json(
            {
                "request_id": record.request_id,
                "valid": not record.problems,
                "problems": list(record.problems),
            }
        )

    async def change(request: Request) -> Response:
        member = await staff(request)
        body = await read_json(request, MAX_BODY)
        reason = body.get("reason") if isinstance(body, dict) else None
        if reason is not None and not isinstance(reason, str):
            raise ServiceError(400, ErrorCode.MALFORMED, "reason must be text")
        record = await run_in_threadpool(
            service.change,
            member,
            request.path_params["prefix"],
            request.path_params["action"],
            reason,
        )
        return _json({"request": record_to_json(record)})

    async def expire(request: Request) -> Response:
        member = await staff(request)
        return _json({"expired": await run_in_threadpool(service.expire, member)})

    async def audit(request: Request) -> Response:
        member = await staff(request, StaffRole.AUDITOR)
        q = request.query_params
        try:
            wanted = {
                "request_id": q.get("request_id") or None,
                "subject": q.get("subject") or None,
                "since": _time(q.get("since")),
                "until": _time(q.get("until")),
                "limit": int(q["limit"]) if q.get("limit") else None,
            }
        except ValueError as exc:
            raise ServiceError(400, ErrorCode.MALFORMED, f"a bad filter: {exc}") from None
        trail = await run_in_threadpool(lambda: service.audit_trail(member, **wanted))
        return _json({"entries": [entry_to_json(e) for e in trail]})

    async def audit_verify(request: Request) -> Response:
        await staff(request, StaffRole.AUDITOR)
        report = await run_in_threadpool(service.ledger.verify_audit)
        return _json(report.to_json_dict())

    async def audit_head(request: Request) -> Response:
        await staff(request)
        seq, digest, key = await run_in_threadpool(service.ledger.audit_head)
        return _json({"head_seq": seq, "head_hash": digest, "key_id": key})

    async def export(request: Request) -> Response:
        member = await staff(request, StaffRole.AUDITOR)
        with_audit = request.query_params.get("with_audit") == "1"

        def work() -> list[dict[str, Any]]:
            items = []
            for record in service.list_requests(member, **filters(request)):
                item = record_to_json(record)
                if with_audit:
                    item["audit"] = [
                        entry_to_json(e) for e in service.ledger.audit_trail(record.request_id)
                    ]
                items.append(item)
            return items

        return _json({"requests": await run_in_threadpool(work)})

    # -- admin ----------------------------------------------------------------------------

    async def kiosks(request: Request) -> Response:
        member = await staff(request, StaffRole.ADMIN)
        if request.method == "GET":
            return _json({"kiosks": await run_in_threadpool(service.kiosks)})
        body = await read_json(request, MAX_BODY)
        kiosk_id = body.get("kiosk_id") if isinstance(body, dict) else None
        try:
            token = await run_in_threadpool(service.add_kiosk, member.actor, str(kiosk_id))
        except ValueError as exc:
            raise ServiceError(400, ErrorCode.MALFORMED, str(exc)) from None
        return _json({"kiosk_id": kiosk_id, "token": token}, 201)

    async def revoke(request: Request) -> Response:
        member = await staff(request, StaffRole.ADMIN)
        await run_in_threadpool(service.revoke_kiosk, member.actor, request.path_params["kiosk"])
        return _json({"ok": True})

    async def staff_accounts(request: Request) -> Response:
        member = await staff(request, StaffRole.ADMIN)
        if request.method == "GET":
            return _json({"staff": await run_in_threadpool(service.staff_list)})
        body = await read_json(request, MAX_BODY)
        if not isinstance(body, dict):
            raise ServiceError(400, ErrorCode.MALFORMED, "give username, password and roles")
        try:
            secret = await run_in_threadpool(
                lambda: service.add_staff(
                    member.actor,
                    str(body.get("username")),
                    str(body.get("password")),
                    list(body.get("roles") or []),
                    totp=bool(body.get("totp")),
                )
            )
        except ValueError as exc:
            raise ServiceError(400, ErrorCode.MALFORMED, str(exc)) from None
        return _json({"ok": True, "totp_secret": secret}, 201)

    async def staff_change(request: Request) -> Response:
        member = await staff(request, StaffRole.ADMIN)
        body = await read_json(request, MAX_BODY)
        if not isinstance(body, dict):
            raise ServiceError(400, ErrorCode.MALFORMED, "give what to change")
        name = request.path_params["username"]
        if name == member.username and (body.get("disabled") or "roles" in body):
            raise ServiceError(409, ErrorCode.CONFLICT, "an admin does not change their own roles")
        try:
            secret = await run_in_threadpool(
                lambda: service.change_staff(
                    member.actor,
                    name,
                    roles=body.get("roles"),
                    disabled=body.get("disabled"),
                    password=body.get("password"),
                    totp=body.get("totp"),
                )
            )
        except ValueError as exc:
            raise ServiceError(400, ErrorCode.MALFORMED, str(exc)) from None
        return _json({"ok": True, "totp_secret": secret})

    async def health(_request: Request) -> Response:
        seq, _digest, _key = await run_in_threadpool(service.ledger.audit_head)
        return _json({"ok": True, "audit_entries": seq})

    async def not_found(request: Request, _exc: Exception) -> Response:
        return _error(404, ErrorCode.NOT_FOUND, "no such route")

    async def not_allowed(request: Request, _exc: Exception) -> Response:
        return _error(405, ErrorCode.MALFORMED, "method not allowed")

    def route(path: str, handler: Handler, methods: list[str]) -> Route:
        return Route("/v1" + path, _guarded(handler), methods=methods)

    routes = [
        route("/health", health, ["GET"]),
        route("/kiosk/requests", submit, ["POST"]),
        route("/kiosk/requests/{request_id}", receipt, ["GET"]),
        route("/kiosk/holder/challenge", holder_challenge, ["POST"]),
        route("/kiosk/holder/requests", holder_requests, ["POST"]),
        route("/staff/login", login, ["POST"]),
        route("/staff/logout", logout, ["POST"]),
        route("/staff/me", me, ["GET"]),
        route("/staff/requests", list_requests, ["GET"]),
        route("/staff/requests/{prefix}", show, ["GET"]),
        route("/staff/requests/{prefix}/verify", verify, ["POST"]),
        route("/staff/requests/{prefix}/{action}", change, ["POST"]),
        route("/staff/expire", expire, ["POST"]),
        route("/staff/audit", audit, ["GET"]),
        route("/staff/audit/verify", audit_verify, ["GET"]),
        route("/staff/audit/head", audit_head, ["GET"]),
        route("/staff/export", export, ["GET"]),
        route("/admin/kiosks", kiosks, ["GET", "POST"]),
        route("/admin/kiosks/{kiosk}/revoke", revoke, ["POST"]),
        route("/admin/staff", staff_accounts, ["GET", "POST"]),
        route("/admin/staff/{username}", staff_change, ["POST"]),
        *console.routes(),
    ]

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> Any:
        service.start()
        try:
            yield
        finally:
            service.close()

    return Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: not_allowed},
        lifespan=lifespan,
    )


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a time must carry its UTC offset")
    return moment
