"""HTTPS clients of the office service: :class:`KioskClient` (a kiosk's token) and
:class:`StaffClient` (a member of staff's session).

Both pin the office's CA: ``ca`` is the PEM file of the CA that signed the
office's TLS certificate, and only that CA is trusted (not the system's). Several
URLs may be given (instances behind no load balancer): a request that cannot
reach one instance goes to the next. Errors:

* :class:`OfficeUnreachable` — no instance answered, or it answered that it cannot
  serve now (502/503/504): try again later (a kiosk keeps the request in its outbox);
* :class:`OfficeRefused` — the office answered no (``status``, ``code``, ``message``).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import httpx

from ..errors import JpkiError
from ..ledger.chain import ChainBreak, ChainReport
from ..ledger.records import AuditEntry, RequestRecord
from .wire import (
    API,
    ErrorCode,
    HolderProof,
    Receipt,
    b64,
    entry_from_json,
    record_from_json,
    unb64,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "KioskClient",
    "OfficeClient",
    "OfficeError",
    "OfficeRefused",
    "OfficeUnreachable",
    "StaffClient",
    "StaffSession",
    "tls_context",
]

DEFAULT_TIMEOUT: Final = 10.0
_RETRY_STATUSES: Final = frozenset({502, 503, 504})
_MAX_RESPONSE: Final = 64 * 1024 * 1024


class OfficeError(JpkiError):
    """Base of the office client's errors."""


class OfficeUnreachable(OfficeError):
    """No office instance could be reached (or it could not serve): try again later."""


class OfficeRefused(OfficeError):
    """The office refused the request: ``status`` (HTTP), ``code`` (:class:`ErrorCode` value),
    ``message``, ``reason`` (a refused submission's), ``retry_after`` (seconds, 429)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"the office refused ({status} {code}): {message}")
        self.status = status
        self.code = code
        self.message = message
        self.reason = reason
        self.retry_after = retry_after

    @property
    def final(self) -> bool:
        """Sending the same again cannot succeed: the request itself was refused — not a rate
        limit, an outage, or this client's credential (a revoked or wrong token is fixed by
        configuring the kiosk again; its requests wait for that)."""
        return self.status < 500 and self.code not in (
            ErrorCode.RATE_LIMITED,
            ErrorCode.UNAVAILABLE,
            ErrorCode.UNAUTHENTICATED,
        )


def tls_context(ca: str | Path | None) -> ssl.SSLContext:
    """A client TLS context trusting only ``ca`` (PEM), TLS 1.2 or later, hostname checked;
    ``None``: the system's trust store (for an office behind a public certificate)."""
    if ca is None:
        context = ssl.create_default_context()
    else:
        context = ssl.create_default_context(cafile=str(ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class OfficeClient:
    """What both clients share: the instances, TLS, the credential, errors."""

    def __init__(
        self,
        urls: str | Sequence[str],
        *,
        ca: str | Path | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        if not self.urls:
            raise ValueError("give the office's URL")
        for url in self.urls:
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"the office URL must start with https:// ({url[:60]!r})")
        self.token = token
        self._client = httpx.Client(
            verify=tls_context(ca),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": "jpki-officeapi/1"},
        )
        self._preferred = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OfficeClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        raw: bool = False,
    ) -> Any:
        """Send one request to the first instance that answers; the decoded JSON answer
        (``raw``: the bytes)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        problems: list[str] = []
        count = len(self.urls)
        for attempt in range(count):
            index = (self._preferred + attempt) % count
            base = self.urls[index].rstrip("/")
            try:
                response = self._client.request(
                    method, base + API + path, json=json, params=params, headers=headers
                )
            except httpx.HTTPError as exc:
                problems.append(f"{base}: {_one_line(exc)}")
                continue
            if response.status_code in _RETRY_STATUSES:
                problems.append(f"{base}: HTTP {response.status_code}")
                continue
            self._preferred = index
            return _answer(response, raw=raw)
        raise OfficeUnreachable("the office cannot be reached: " + "; ".join(problems))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _answer(response: httpx.Response, *, raw: bool) -> Any:
    if len(response.content) > _MAX_RESPONSE:
        raise OfficeError("the office's answer is too large")
    if response.is_success:
        if raw:
            return response.content
        try:
            return response.json()
        except ValueError:
            raise OfficeError("the office's answer is not JSON") from None
    try:
        body = response.json()
        code = str(body.get("error", "error"))
        message = str(body.get("message", ""))
        reason = body.get("reason")
    except (ValueError, AttributeError):
        code, message, reason = "error", response.text[:200], None
    retry = response.headers.get("Retry-After")
    try:
        retry_after = float(retry) if retry is not None else None
    except ValueError:
        retry_after = None
    raise OfficeRefused(
        response.status_code,
        code,
        message,
        reason=str(reason) if reason else None,
        retry_after=retry_after,
    )


class KioskClient(OfficeClient):
    """A kiosk's client (its token): submit, read its receipts, list an applicant's own."""

    def submit(
        self,
        signature: bytes,
        document: bytes | None,
        *,
        holder: HolderProof | None = None,
    ) -> Receipt:
        """Submit a signed request (``document``: of a detached signature). Idempotent: the
        same signed request again gives its receipt with ``created`` False."""
        body = {
            "signature": b64(signature),
            "document": b64(document) if document is not None else None,
            "holder": holder.to_json() if holder is not None else None,
        }
        return Receipt.from_json(self.request("POST", "/kiosk/requests", json=body))

    def receipt(self, request_id: str) -> Receipt:
        return Receipt.from_json(self.request("GET", f"/kiosk/requests/{request_id}"))

    def holder_challenge(self) -> bytes:
        """A one-time challenge from the office for the applicant's card to sign with the
        user-authentication key (:func:`jpki.authn.authenticate` takes it as it is)."""
        answer = self.request("POST", "/kiosk/holder/challenge", json={})
        return unb64(answer.get("challenge"), "challenge")

    def holder_requests(self, proof: HolderProof) -> list[Receipt]:
        """The applicant's own requests, once the office has verified the card's answer to
        :meth:`holder_challenge`."""
        answer = self.request("POST", "/kiosk/holder/requests", json=proof.to_json())
        return [Receipt.from_json(item) for item in answer.get("requests", [])]


@dataclass(frozen=True)
class StaffSession:
    """A signed-in member of staff: the session token and what it allows."""

    token: str
    username: str
    roles: tuple[str, ...]
    expires_at: datetime


class StaffClient(OfficeClient):
    """A member of staff's client: sign in, then act as the roles allow."""

    def login(self, username: str, password: str, totp: str | None = None) -> StaffSession:
        answer = self.request(
            "POST",
            "/staff/login",
            json={"username": username, "password": password, "totp": totp},
        )
        session = StaffSession(
            token=str(answer["token"]),
            username=str(answer["username"]),
            roles=tuple(answer["roles"]),
            expires_at=datetime.fromisoformat(answer["expires_at"]),
        )
        self.token = session.token
        return session

    def logout(self) -> None:
        self.request("POST", "/staff/logout", json={})
        self.token = None

    def me(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.request("GET", "/staff/me")
        return answer

    def list_requests(self, **filters: Any) -> list[RequestRecord]:
        params = {k: v for k, v in filters.items() if v is not None}
        answer = self.request("GET", "/staff/requests", params=params)
        return [record_from_json(item) for item in answer["requests"]]

    def find(self, prefix: str) -> tuple[RequestRecord, list[AuditEntry]]:
        answer = self.request("GET", f"/staff/requests/{prefix}")
        return record_from_json(answer["request"]), [entry_from_json(e) for e in answer["audit"]]

    def verify(self, prefix: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.request("POST", f"/staff/requests/{prefix}/verify", json={})
        return answer

    def change(self, prefix: str, action: str, reason: str | None = None) -> RequestRecord:
        answer = self.request("POST", f"/staff/requests/{prefix}/{action}", json={"reason": reason})
        return record_from_json(answer["request"])

    def expire(self) -> list[str]:
        answer = self.request("POST", "/staff/expire", json={})
        return [str(x) for x in answer["expired"]]

    def audit(self, **filters: Any) -> list[AuditEntry]:
        params = {k: v for k, v in filters.items() if v is not None}
        answer = self.request("GET", "/staff/audit", params=params)
        return [entry_from_json(e) for e in answer["entries"]]

    def audit_verify(self) -> ChainReport:
        answer = self.request("GET", "/staff/audit/verify")
        return ChainReport(
            entries=int(answer["entries"]),
            head_seq=int(answer["head_seq"]),
            head_hash=str(answer["head_hash"]),
            key_id=answer["key_id"],
            key_checked=bool(answer["key_checked"]),
            breaks=tuple(
                ChainBreak(b["seq"], b["id"], str(b["kind"]), str(b["message"]))
                for b in answer["breaks"]
            ),
            truncated=bool(answer["truncated"]),
        )

    def audit_head(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.request("GET", "/staff/audit/head")
        return answer

    # -- admin --------------------------------------------------------------------------

    def kiosks(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "/admin/kiosks")["kiosks"])

    def add_kiosk(self, kiosk_id: str) -> str:
        """Register a kiosk; its token (shown once)."""
        return str(self.request("POST", "/admin/kiosks", json={"kiosk_id": kiosk_id})["token"])

    def revoke_kiosk(self, kiosk_id: str) -> None:
        self.request("POST", f"/admin/kiosks/{kiosk_id}/revoke", json={})

    def staff(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "/admin/staff")["staff"])

    def add_staff(self, username: str, password: str, roles: Sequence[str]) -> None:
        self.request(
            "POST",
            "/admin/staff",
            json={"username": username, "password": password, "roles": list(roles)},
        )

    def change_staff(
        self, username: str, *, roles: Sequence[str] | None = None, disabled: bool | None = None
    ) -> None:
        body: dict[str, Any] = {}
        if roles is not None:
            body["roles"] = list(roles)
        if disabled is not None:
            body["disabled"] = disabled
        self.request("POST", f"/admin/staff/{username}", json=body)
