"""What every console page shares: the staff session behind a cookie, CSRF tokens, the
security headers, reading a form with a size bound, and rendering a template.

* **Session**: the cookie holds a session token of :meth:`OfficeService.login`
  (the database keeps only its SHA-256). A console session ends after
  ``idle`` without a request (each request moves its end on, never past the
  service's session life) or at sign-out. The cookie is ``HttpOnly``,
  ``SameSite=Strict``, and under TLS ``Secure`` with the ``__Host-`` prefix.
* **CSRF**: a signed-in form carries ``HMAC-SHA256(session token, "csrf")``
  (bound to the session, nothing stored); a form before sign-in (sign-in, a
  recipient's download) a random value that must equal a ``SameSite=Strict``
  cookie (double submit). A POST without the right one is refused (403) before
  anything else is done.
* **Headers**: a content-security policy with no inline script or style
  (``default-src 'self'``), no framing, no caching, no referrer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from jpki.officeapi.wire import ErrorCode, StaffRole

from ..credentials import token_digest
from ..models import StaffSessionRow
from ..service import OfficeService, ServiceError, Staff
from .texts import choose_language, text

__all__ = [
    "CSP",
    "ConsoleSessions",
    "Page",
    "read_form",
    "security_headers",
]

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
LANG_COOKIE: Final = "jpki_lang"
PRE_CSRF_COOKIE: Final = "jpki_form"
MAX_FORM: Final = 16 * 1024
_SLIDE_EVERY: Final = timedelta(seconds=15)


def security_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CSP,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def session_cookie(request: Request) -> str:
    return "__Host-jpki_console" if secure(request) else "jpki_console"


def set_cookie(response: Response, request: Request, name: str, value: str, **kw: Any) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/",
        **kw,
    )


def csrf_for(token: str) -> str:
    return hmac.new(token.encode("ascii"), b"jpki-console-csrf", hashlib.sha256).hexdigest()


def source(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def read_form(request: Request, limit: int = MAX_FORM, *, files: int = 0) -> FormData:
    """The form of a POST, its size checked before it is read (413 past ``limit``; a body
    without a declared length is refused: browsers always declare one)."""
    declared = request.headers.get("content-length")
    try:
        size = int(declared) if declared is not None else -1
    except ValueError:
        size = -1
    if size < 0:
        raise ServiceError(411, ErrorCode.MALFORMED, "a form needs a Content-Length")
    if size > limit:
        raise ServiceError(413, ErrorCode.TOO_LARGE, f"the form is over {limit} bytes")
    return await request.form(max_files=files, max_fields=30, max_part_size=max(limit, 1024))


@dataclass
class Current:
    """A signed-in member of staff and their session token (for the CSRF token)."""

    staff: Staff
    token: str

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)

    def has(self, *roles: StaffRole) -> bool:
        return bool(self.staff.roles & set(roles))


class ConsoleSessions:
    """Console sessions over the service's staff sessions, with an idle timeout."""

    def __init__(self, service: OfficeService, idle: timedelta) -> None:
        self.service = service
        self.idle = idle
        self._db = sessionmaker(service.ledger.engine, expire_on_commit=False)

    def sign_in(self, username: object, password: object, totp: object, where: str) -> str:
        token, _staff = self.service.login(username, password, totp, where)
        digest = token_digest(token)
        now = self.service.now()
        with self._db.begin() as db:
            db.execute(
                update(StaffSessionRow)
                .where(StaffSessionRow.token_sha256 == digest)
                .values(expires_at=min(now + self.idle, now + self.service.session_ttl))
            )
        return token

    def current(self, request: Request) -> Current | None:
        """The signed-in member of staff, their session's end moved on; ``None`` without a
        live session."""
        token = request.cookies.get(session_cookie(request))
        if not token:
            return None
        try:
            staff = self.service.staff_for_token(token, source(request))
        except ServiceError:
            return None
        now = self.service.now()
        digest = token_digest(token)
        with self._db() as db:
            row = db.scalars(
                select(StaffSessionRow).where(StaffSessionRow.token_sha256 == digest)
            ).one_or_none()
        if row is None:
            return None
        end = min(now + self.idle, row.created_at + self.service.session_ttl)
        if end - row.expires_at >= _SLIDE_EVERY:
            with self._db.begin() as db:
                db.execute(
                    update(StaffSessionRow)
                    .where(StaffSessionRow.token_sha256 == digest)
                    .values(expires_at=end)
                )
        return Current(staff, token)

    def sign_out(self, request: Request) -> None:
        token = request.cookies.get(session_cookie(request))
        if token:
            self.service.logout(token)


class Page:
    """Renders the console's templates in the request's language."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["jst"] = _jst

    @staticmethod
    def language(request: Request) -> str:
        return choose_language(
            request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
        )

    def render(
        self,
        request: Request,
        name: str,
        current: Current | None,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        lang = self.language(request)
        form_token = None
        if current is None:
            form_token = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(24)
        body = self.env.get_template(name).render(
            lang=lang,
            t=lambda key: text(lang, key),
            me=current,
            csrf=current.csrf if current is not None else form_token,
            roles=StaffRole,
            path=request.url.path,
            **values,
        )
        response = HTMLResponse(body, status_code=status, headers=security_headers())
        if form_token is not None and request.cookies.get(PRE_CSRF_COOKIE) != form_token:
            set_cookie(response, request, PRE_CSRF_COOKIE, form_token)
        return response


def check_csrf(request: Request, form: FormData, current: Current | None) -> bool:
    """Whether the form carries the right CSRF token (session-bound, or double submit)."""
    sent = form.get("csrf")
    if not isinstance(sent, str) or not sent:
        return False
    if current is not None:
        expected = current.csrf
    else:
        expected = request.cookies.get(PRE_CSRF_COOKIE) or ""
        if len(expected) < 16:
            return False
    return hmac.compare_digest(sent.encode(), expected.encode())


def _jst(value: datetime | str | None, seconds: bool = False) -> str:
    from jpki.timeutil import jst_text

    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return jst_text(value, seconds=seconds)
