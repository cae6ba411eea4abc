"""Paragraphs for a person about a certificate: its validity, renewal, revocation, or why
it was not accepted, in English or Japanese (the texts are in :mod:`jpki.messages`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..messages import check_lang, date_text, explanation
from ..timeutil import aware
from ..verdict import Reason
from .kind import CertificateFormatError, CertificateKind, certificate_kind
from .model import CertificateInfo

if TYPE_CHECKING:
    from ..trust import ValidationResult

__all__ = ["explain_expiry", "explain_revocation", "explain_validation"]


def _fields(info: CertificateInfo, at: datetime, lang: str) -> dict[str, object]:
    return {
        "cert": info.kind.label_in(lang),
        "not_before": date_text(info.not_before, lang),
        "not_after": date_text(info.not_after, lang),
        "renewal_from": date_text(info.renewal_opens_at, lang),
        "days_left": info.days_left(at),
        "revoked_at": "",
    }


def explain_expiry(info: CertificateInfo, at: datetime | None = None, *, lang: str = "en") -> str:
    """One paragraph about ``info``'s validity at ``at``: not yet valid, expired (renew at
    the municipal office), renewal window open, or valid (with the renewal date)."""
    when = aware(at)
    fields = _fields(info, when, check_lang(lang))
    if info.is_not_yet_valid(when):
        key = "not_yet_valid"
    elif info.is_expired(when):
        key = "expired"
    elif info.renewal_open(when):
        key = "renewal_open"
    else:
        key = "valid"
    return explanation(key, lang, **fields)


def explain_revocation(
    kind: CertificateKind, *, revoked_at: datetime | None = None, lang: str = "en"
) -> str:
    """Why a certificate of ``kind`` is revoked and what to do: a signature certificate
    after a change of name/address/birth date/sex; the user-authentication one not."""
    lang = check_lang(lang)
    when = ""
    if revoked_at is not None:
        text = date_text(revoked_at, lang)
        when = f"（{text}）" if lang == "ja" else f" (on {text})"
    key = {
        CertificateKind.SIGNATURE: "sign_revoked",
        CertificateKind.AUTHENTICATION: "auth_revoked",
    }.get(kind, "revoked")
    cert = kind.label_in(lang)
    return explanation(key, lang, cert=cert, revoked_at=when)


def explain_validation(result: ValidationResult, *, lang: str = "en") -> str:
    """A paragraph for a person about a :class:`~jpki.trust.ValidationResult`."""
    lang = check_lang(lang)
    cert = result.certificate
    at = aware(result.at)
    try:
        kind = certificate_kind(cert)
    except CertificateFormatError:
        return explanation("malformed", lang)
    info = CertificateInfo(
        certificate=cert,
        kind=kind,
        serial_number=cert.serial_number,
        issuer_generation=result.issuer_generation,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        holder=None,
        subject="",
        issuer="",
    )
    reason = result.reason
    if reason is None or reason in (Reason.EXPIRED, Reason.NOT_YET_VALID):
        if reason is not None and not (info.is_expired(at) or info.is_not_yet_valid(at)):
            return explanation("root_expired", lang)
        return explain_expiry(info, at, lang=lang)
    missing = result.missing_root
    if reason is Reason.UNTRUSTED and missing is not None:
        return explanation(
            "root_missing",
            lang,
            root=missing.label(lang),
            file=missing.file_name,
            fingerprint=missing.fingerprint_text(short=True),
        )
    if reason is Reason.REVOKED:
        return explain_revocation(kind, revoked_at=result.revoked_at, lang=lang)
    key = {
        Reason.UNTRUSTED: "untrusted",
        Reason.BAD_SIGNATURE: "bad_signature",
        Reason.WRONG_KEY_USAGE: "wrong_key_usage",
        Reason.MALFORMED: "malformed",
    }.get(reason, "crl_problem")
    return explanation(key, lang, cert=kind.label_in(lang))
