"""The console's pages (Starlette routes under ``/console`` and the recipient's ``/download``).

Every page checks, on the server, what the signed-in role may do; a page shows
only the buttons of actions the role may take, and the action's route refuses
any other role anyway (the service's :meth:`Staff.require`). Every POST carries
a CSRF token (:mod:`office.console.web`). URLs hold request numbers, never a
name; the recipient's link holds its token only.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from jpki.ledger import Status
from jpki.ledger.export import records_csv
from jpki.ledger.lifecycle import TRANSITIONS
from jpki.officeapi.wire import ErrorCode, StaffRole, record_to_json
from jpki.timeutil import JST

from ..delivery import Deliveries, LinkState
from ..service import ACTION_ROLES, READ_ROLES, OfficeService, ServiceError
from .web import (
    LANG_COOKIE,
    PRE_CSRF_COOKIE,
    ConsoleSessions,
    Current,
    Page,
    check_csrf,
    read_form,
    security_headers,
    session_cookie,
    set_cookie,
    source,
)

__all__ = ["Console"]

logger = logging.getLogger(__name__)

STATIC: Final = Path(__file__).resolve().parent / "static"
#: The staff actions the console offers, in the order of the buttons.
ACTIONS: Final = ("approve", "reject", "issue", "deliver", "download")
_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)
_SHORT: Final = re.compile(r"[0-9a-fA-F]{4,32}")
_LIST_LIMIT: Final = 500
_AUDIT_LIMIT: Final = 300

Handler = Callable[[Request], Awaitable[Response]]


def request_number(text: str) -> str | None:
    """A request id prefix from what staff type or scan: the receipt's short number
    (``AC9713A3``) or the QR code's text (the request id)."""
    text = text.strip()[:200]
    found = _UUID.search(text)
    if found:
        raw = found.group(0).replace("-", "").lower()
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
    compact = text.replace("-", "").replace(" ", "")
    if _SHORT.fullmatch(compact):
        return compact[:8].lower() if len(compact) >= 8 else compact.lower()
    return None


def allowed_actions(current: Current, status: Status, method: Any) -> list[str]:
    """The actions ``current``'s roles may take on a request in ``status`` (the lifecycle's
    table decides which changes exist from there)."""
    out = []
    for action in ACTIONS:
        transition = TRANSITIONS[action]  # type: ignore[index]
        if status not in transition.sources or method not in transition.methods:
            continue
        if ACTION_ROLES[action] in current.staff.roles:
            out.append(action)
    return out


def _day(value: str | None, what: str) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value[:10], "%Y-%m-%d").date()
    except ValueError:
        raise ServiceError(400, ErrorCode.MALFORMED, f"{what}: a date is YYYY-MM-DD") from None
    return datetime.combine(day, time(0), JST).astimezone(UTC)


class Console:
    """The console over ``service`` (and ``deliveries`` for digital certificates)."""

    def __init__(
        self,
        service: OfficeService,
        deliveries: Deliveries,
        *,
        idle: timedelta = timedelta(minutes=30),
    ) -> None:
        self.service = service
        self.ledger = service.ledger
        self.deliveries = deliveries
        self.sessions = ConsoleSessions(service, idle)
        self.page = Page()

    # -- plumbing ---------------------------------------------------------------------------

    def _error(
        self, request: Request, current: Current | None, status: int, message: str
    ) -> Response:
        return self.page.render(
            request, "error.html", current, status=status, status_code=status, message=message
        )

    def guarded(self, handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except ServiceError as exc:
                current = await run_in_threadpool(self.sessions.current, request)
                lang = self.page.language(request)
                message = exc.message
                if exc.status == 403 and exc.code is ErrorCode.FORBIDDEN:
                    from .texts import text

                    message = f"{text(lang, 'forbidden')} ({exc.message})"
                return self._error(request, current, exc.status, message)
            except (OperationalError, DBAPIError) as exc:
                logger.warning("database unavailable: %s", str(exc).splitlines()[0][:200])
                return self._error(request, None, 503, "the database is unavailable; try again")

        return run

    async def signed_in(self, request: Request, *roles: StaffRole) -> Current | Response:
        """The signed-in member of staff (with one of ``roles``), or the answer to give:
        the sign-in page (GET) or 401 (POST)."""
        current = await run_in_threadpool(self.sessions.current, request)
        if current is None:
            if request.method == "GET":
                return RedirectResponse("/console/login", 303, headers=security_headers())
            lang = self.page.language(request)
            from .texts import text

            return self._error(request, None, 401, text(lang, "session_ended"))
        if roles:
            current.staff.require(*roles)
        return current

    async def form(self, request: Request, current: Current | None, **kw: Any) -> Any:
        form = await read_form(request, **kw)
        if not check_csrf(request, form, current):
            from .texts import text

            raise ServiceError(403, ErrorCode.FORBIDDEN, text(self.page.language(request), "csrf"))
        return form

    # -- sign-in --------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return RedirectResponse("/console/queue", 303, headers=security_headers())

    async def language(self, request: Request) -> Response:
        lang = request.path_params["lang"]
        back = request.query_params.get("next") or "/console/queue"
        if not back.startswith("/") or back.startswith("//") or "\\" in back:
            back = "/console/queue"
        response = RedirectResponse(back, 303, headers=security_headers())
        if lang in ("ja", "en"):
            set_cookie(response, request, LANG_COOKIE, lang, max_age=365 * 86400)
        return response

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            current = await run_in_threadpool(self.sessions.current, request)
            if current is not None:
                return RedirectResponse("/console/queue", 303, headers=security_headers())
            return self.page.render(request, "login.html", None, failed=False, notice=None)
        form = await self.form(request, None)
        try:
            token = await run_in_threadpool(
                self.sessions.sign_in,
                form.get("username"),
                form.get("password"),
                form.get("totp") or None,
                source(request),
            )
        except ServiceError as exc:
            if exc.status != 401:
                raise
            return self.page.render(
                request, "login.html", None, status=401, failed=True, notice=None
            )
        response = RedirectResponse("/console/queue", 303, headers=security_headers())
        set_cookie(response, request, session_cookie(request), token)
        response.delete_cookie(PRE_CSRF_COOKIE, path="/")
        return response

    async def logout(self, request: Request) -> Response:
        current = await self.signed_in(request)
        if isinstance(current, Response):
            return current
        await self.form(request, current)
        await run_in_threadpool(self.sessions.sign_out, request)
        response = self.page.render(request, "login.html", None, failed=False, notice="signed_out")
        response.delete_cookie(session_cookie(request), path="/")
        return response

    # -- the queue --------------------------------------------------------------------------

    def _filters(self, request: Request) -> dict[str, Any]:
        q = request.query_params
        status = q.get("status") or None
        if status is not None and status not in {s.value for s in Status}:
            raise ServiceError(400, ErrorCode.MALFORMED, "no such status")
        until = _day(q.get("until"), "until")
        return {
            "status": Status(status) if status else None,
            "kind": (q.get("kind") or "")[:64] or None,
            "kiosk_id": (q.get("kiosk") or "")[:64] or None,
            "since": _day(q.get("since"), "since"),
            "until": until + timedelta(days=1) if until is not None else None,
        }

    async def queue(self, request: Request) -> Response:
        current = await self.signed_in(request)
        if isinstance(current, Response):
            return current
        if not current.has(*READ_ROLES):
            return RedirectResponse("/console/staff", 303, headers=security_headers())
        query = request.query_params.get("q")
        if query:
            prefix = request_number(query)
            if prefix is not None:
                try:
                    record = await run_in_threadpool(self.service.find, current.staff, prefix)
                except ServiceError as exc:
                    if exc.status != 404:
                        raise
                else:
                    return RedirectResponse(
                        f"/console/requests/{record.request_id}", 303, headers=security_headers()
                    )
        filters = self._filters(request)

        def work() -> tuple[list[Any], dict[Status, int], list[dict[str, Any]]]:
            records = self.service.list_requests(current.staff, limit=_LIST_LIMIT, **filters)
            return records, self.ledger.count(), self.service.kiosks()

        records, counts, kiosks = await run_in_threadpool(work)
        kinds = sorted(self.ledger.config.allowed_kinds or {r.kind for r in records})
        q = request.query_params
        return self.page.render(
            request,
            "queue.html",
            current,
            records=records,
            counts=[(s, counts.get(s, 0)) for s in Status],
            kinds=kinds,
            kiosks=[k["kiosk_id"] for k in kiosks],
            statuses=list(Status),
            chosen={
                k: (q.get(k) or "")[:64] for k in ("status", "kind", "kiosk", "since", "until")
            },
            searched=query[:100] if query else None,
            limit=_LIST_LIMIT,
            query_string=str(request.url.query),
        )

    # -- one request ------------------------------------------------------------------------

    def _request_page(
        self,
        request: Request,
        current: Current,
        rid: str,
        *,
        link: str | None = None,
        done: str | None = None,
    ) -> Response:
        record = self.service.find(current.staff, rid)
        checked = self.ledger.check(record.request_id)
        verdict = self.ledger.reverify(record.request_id, at=record.submitted_at).as_dict()
        trail = self.service.request_trail(current.staff, record.request_id)
        report = self.ledger.verify_audit()
        delivery = self.deliveries.info(record.request_id)
        recipient = getattr(record.request.delivery, "recipient", None)
        try:
            document = json.dumps(json.loads(record.document), ensure_ascii=False, indent=2)
        except ValueError:
            document = record.document.decode("utf-8", "replace")
        actions = allowed_actions(current, record.status, record.delivery_method)
        can_attach = (
            current.has(StaffRole.ISSUER)
            and record.status is Status.APPROVED
            and record.delivery_method.value == "digital-pdf"
            and (delivery is None or not delivery.has_link)
        )
        return self.page.render(
            request,
            "request.html",
            current,
            record=record,
            problems=checked.problems,
            verdict=verdict,
            document=document,
            document_as_signed=record.document.decode("utf-8", "replace"),
            trail=trail,
            report=report,
            delivery=delivery,
            recipient=recipient,
            actions=actions,
            can_attach=can_attach,
            link=link,
            done=done,
            max_pdf=self.deliveries.max_pdf,
        )

    async def show(self, request: Request) -> Response:
        current = await self.signed_in(request, *READ_ROLES)
        if isinstance(current, Response):
            return current
        done = request.query_params.get("done")
        done = done if done in ACTIONS or done == "pdf" else None
        rid = request.path_params["rid"]
        return await run_in_threadpool(self._request_page, request, current, rid, done=done)

    async def act(self, request: Request) -> Response:
        current = await self.signed_in(request)
        if isinstance(current, Response):
            return current
        action = request.path_params["action"]
        if action not in ACTIONS:
            raise ServiceError(404, ErrorCode.NOT_FOUND, "no such action")
        form = await self.form(request, current)
        current.staff.require(ACTION_ROLES[action])
        rid = request.path_params["rid"]
        if action == "issue":
            record, token = await run_in_threadpool(self.deliveries.issue, current.staff, rid)
            if token is not None:
                link = f"{request.base_url}download/{token}"
                return await run_in_threadpool(
                    self._request_page, request, current, record.request_id, link=link, done="issue"
                )
        else:
            reason = form.get("reason")
            reason = reason if isinstance(reason, str) and reason.strip() else None
            record = await run_in_threadpool(
                self.service.change, current.staff, rid, action, reason
            )
        return RedirectResponse(
            f"/console/requests/{record.request_id}?done={action}",
            303,
            headers=security_headers(),
        )

    async def attach(self, request: Request) -> Response:
        current = await self.signed_in(request)
        if isinstance(current, Response):
            return current
        current.staff.require(StaffRole.ISSUER)
        form = await self.form(request, current, limit=self.deliveries.max_pdf + 64 * 1024, files=1)
        upload = form.get("pdf")
        if upload is None or isinstance(upload, str):
            raise ServiceError(400, ErrorCode.MALFORMED, "choose a PDF file")
        data = await upload.read(self.deliveries.max_pdf + 1)
        rid = request.path_params["rid"]
        info = await run_in_threadpool(self.deliveries.attach, current.staff, rid, data)
        return RedirectResponse(
            f"/console/requests/{info.request_id}?done=pdf", 303, headers=security_headers()
        )

    # -- auditors ---------------------------------------------------------------------------

    async def audit(self, request: Request) -> Response:
        current = await self.signed_in(request, StaffRole.AUDITOR)
        if isinstance(current, Response):
            return current
        wanted = request_number(request.query_params.get("request") or "")

        def work() -> tuple[Any, list[Any], str | None]:
            report = self.ledger.verify_audit()
            rid = None
            if wanted:
                try:
                    rid = self.service.find(current.staff, wanted).request_id
                except ServiceError:
                    return report, [], wanted
                entries = self.service.audit_trail(current.staff, request_id=rid)
            else:
                entries = self.service.audit_trail(current.staff)[-_AUDIT_LIMIT:]
            return report, list(reversed(entries)), rid

        report, entries, rid = await run_in_threadpool(work)
        return self.page.render(
            request,
            "audit.html",
            current,
            report=report,
            entries=entries,
            wanted=rid,
            limit=_AUDIT_LIMIT,
        )

    async def export(self, request: Request) -> Response:
        current = await self.signed_in(request, StaffRole.AUDITOR)
        if isinstance(current, Response):
            return current
        kind = request.path_params["fmt"]
        if kind not in ("csv", "json"):
            raise ServiceError(404, ErrorCode.NOT_FOUND, "exports are .csv or .json")
        filters = self._filters(request)
        records = await run_in_threadpool(
            lambda: self.service.list_requests(current.staff, **filters)
        )
        stamp = datetime.now(JST).strftime("%Y%m%d-%H%M")
        headers = security_headers()
        if kind == "csv":
            body = ("\ufeff" + records_csv(records)).encode("utf-8")
            media = "text/csv; charset=utf-8"
        else:
            body = json.dumps(
                {"requests": [record_to_json(r) for r in records]},
                ensure_ascii=False,
                indent=1,
                sort_keys=True,
            ).encode("utf-8")
            media = "application/json"
        headers["Content-Disposition"] = f'attachment; filename="requests-{stamp}.{kind}"'
        return Response(body, media_type=media, headers=headers)

    # -- admins -----------------------------------------------------------------------------

    async def kiosks(self, request: Request) -> Response:
        current = await self.signed_in(request, StaffRole.ADMIN)
        if isinstance(current, Response):
            return current
        token = None
        if request.method == "POST":
            form = await self.form(request, current)
            kiosk_id = str(form.get("kiosk_id") or "").strip()
            try:
                token = await run_in_threadpool(
                    self.service.add_kiosk, current.staff.actor, kiosk_id
                )
            except ValueError as exc:
                raise ServiceError(400, ErrorCode.MALFORMED, str(exc)) from None
        rows = await run_in_threadpool(self.service.kiosks)
        return self.page.render(request, "kiosks.html", current, kiosks=rows, token=token)

    async def revoke(self, request: Request) -> Response:
        current = await self.signed_in(request, StaffRole.ADMIN)
        if isinstance(current, Response):
            return current
        await self.form(request, current)
        await run_in_threadpool(
            self.service.revoke_kiosk, current.staff.actor, request.path_params["kiosk"]
        )
        return RedirectResponse("/console/kiosks", 303, headers=security_headers())

    async def staff(self, request: Request) -> Response:
        current = await self.signed_in(request, StaffRole.ADMIN)
        if isinstance(current, Response):
            return current
        secret = None
        added = None
        if request.method == "POST":
            form = await self.form(request, current)
            added = str(form.get("username") or "").strip()
            try:
                secret = await run_in_threadpool(
                    lambda: self.service.add_staff(
                        current.staff.actor,
                        added or "",
                        str(form.get("password") or ""),
                        [str(r) for r in form.getlist("roles")],
                        totp=form.get("totp") == "on",
                    )
                )
            except ValueError as exc:
                raise ServiceError(400, ErrorCode.MALFORMED, str(exc)) from None
        rows = await run_in_threadpool(self.service.staff_list)
        return self.page.render(
            request, "staff.html", current, staff=rows, secret=secret, added=added
        )

    async def staff_state(self, request: Request) -> Response:
        current = await self.signed_in(request, StaffRole.ADMIN)
        if isinstance(current, Response):
            return current
        await self.form(request, current)
        name = request.path_params["username"]
        what = request.path_params["what"]
        if what not in ("disable", "enable"):
            raise ServiceError(404, ErrorCode.NOT_FOUND, "no such change")
        if name == current.staff.username:
            raise ServiceError(409, ErrorCode.CONFLICT, "an admin does not disable themselves")
        await run_in_threadpool(
            lambda: self.service.change_staff(current.staff.actor, name, disabled=what == "disable")
        )
        return RedirectResponse("/console/staff", 303, headers=security_headers())

    # -- the recipient ------------------------------------------------------------------------

    async def download(self, request: Request) -> Response:
        token = request.path_params["token"]
        if request.method == "GET":
            state = await run_in_threadpool(self.deliveries.state, token)
            status = (
                200 if state is LinkState.READY else (404 if state is LinkState.UNKNOWN else 410)
            )
            return self.page.render(
                request, "download.html", None, status=status, state=state.value, token=token
            )
        await self.form(request, None)
        try:
            state, pdf, _rid = await run_in_threadpool(
                self.deliveries.download, token, source(request)
            )
        except ServiceError as exc:
            if exc.status != 401:
                raise
            state, pdf = LinkState.UNKNOWN, None
        if pdf is None:
            status = 404 if state is LinkState.UNKNOWN else 410
            return self.page.render(
                request, "download.html", None, status=status, state=state.value, token=token
            )
        headers = security_headers()
        headers["Content-Disposition"] = 'attachment; filename="certificate.pdf"'
        return Response(pdf, media_type="application/pdf", headers=headers)

    # -- routes -----------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        g = self.guarded
        return [
            Route("/", g(self.home), methods=["GET"]),
            Route("/console", g(self.home), methods=["GET"]),
            Route("/console/", g(self.home), methods=["GET"]),
            Route("/console/lang/{lang}", g(self.language), methods=["GET"]),
            Route("/console/login", g(self.login), methods=["GET", "POST"]),
            Route("/console/logout", g(self.logout), methods=["POST"]),
            Route("/console/queue", g(self.queue), methods=["GET"]),
            Route("/console/requests/{rid}", g(self.show), methods=["GET"]),
            Route("/console/requests/{rid}/pdf", g(self.attach), methods=["POST"]),
            Route("/console/requests/{rid}/{action}", g(self.act), methods=["POST"]),
            Route("/console/audit", g(self.audit), methods=["GET"]),
            Route("/console/export.{fmt:str}", g(self.export), methods=["GET"]),
            Route("/console/kiosks", g(self.kiosks), methods=["GET", "POST"]),
            Route("/console/kiosks/{kiosk}/revoke", g(self.revoke), methods=["POST"]),
            Route("/console/staff", g(self.staff), methods=["GET", "POST"]),
            Route("/console/staff/{username}/{what}", g(self.staff_state), methods=["POST"]),
            Route("/download/{token}", g(self.download), methods=["GET", "POST"]),
            Mount("/console/static", StaticFiles(directory=str(STATIC)), name="static"),
        ]
