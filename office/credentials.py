"""Credentials: kiosk and session tokens, staff passwords (argon2id), TOTP (RFC 6238).

* A token is 32 random bytes in URL-safe base64 with a prefix saying what it is
  (``jpki-kiosk-…``, ``jpki-session-…``); the database keeps only its SHA-256
  (:func:`token_digest`) — a 256-bit random value needs no slow hash.
* A password is hashed with argon2id (argon2-cffi's defaults: RFC 9106's second
  recommended set, 64 MiB, t=3); a password of fewer than 12 characters is refused.
* TOTP: 6 digits, 30-second steps, SHA-1 (what authenticator apps read from an
  ``otpauth://`` URI); the step before and after are accepted, and a code is
  good once (the last step used is remembered).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
import time
import unicodedata
from typing import Final
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "KIOSK_TOKEN_PREFIX",
    "MIN_PASSWORD",
    "SESSION_TOKEN_PREFIX",
    "check_kiosk_id",
    "check_password",
    "check_username",
    "hash_password",
    "new_token",
    "new_totp_secret",
    "token_digest",
    "totp_now",
    "totp_uri",
    "verify_password",
    "verify_totp",
]

KIOSK_TOKEN_PREFIX: Final = "jpki-kiosk-"  # noqa: S105 - a prefix
SESSION_TOKEN_PREFIX: Final = "jpki-session-"  # noqa: S105 - a prefix
MIN_PASSWORD: Final = 12
MAX_PASSWORD: Final = 256
MAX_TOKEN: Final = 128
TOTP_STEP: Final = 30
TOTP_DIGITS: Final = 6

_HASHER: Final = PasswordHasher()
# verified against when the user does not exist, so that both take as long
_DUMMY_HASH: Final = _HASHER.hash(secrets.token_urlsafe(16))
_KIOSK_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_USERNAME: Final = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str | None:
    """The SHA-256 a token is stored as; ``None`` for something that is no token at all."""
    if not isinstance(token, str) or not 16 <= len(token) <= MAX_TOKEN or not token.isascii():
        return None
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def check_kiosk_id(kiosk_id: str) -> str:
    """A kiosk id as request documents carry it (1-64 letters, digits, ``.``, ``_``, ``-``)."""
    if not isinstance(kiosk_id, str) or not _KIOSK_ID.fullmatch(kiosk_id):
        raise ValueError(
            "a kiosk id is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return kiosk_id


def check_username(username: str) -> str:
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise ValueError(
            "a user name is 1-64 lower-case letters, digits, '.', '_' or '-' "
            "(starting with a letter or digit)"
        )
    return username


def check_password(password: str) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"a password is {MIN_PASSWORD}-{MAX_PASSWORD} characters")
    if any(unicodedata.category(c) == "Cc" for c in password):
        raise ValueError("a password holds no control characters")
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(check_password(password))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (``None``: no such user — the same work is done,
    and the answer is no)."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return False
    try:
        ok = _HASHER.verify(stored or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and stored is not None


# -- TOTP (RFC 6238 over RFC 4226) --------------------------------------------------------------


def new_totp_secret() -> str:
    """A fresh 160-bit secret in base32 (no padding), as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _hotp(secret: str, counter: int) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**TOTP_DIGITS).zfill(TOTP_DIGITS)


def totp_now(secret: str, at: float | None = None) -> str:
    """The code for ``at`` (default now)."""
    moment = time.time() if at is None else at
    return _hotp(secret, int(moment // TOTP_STEP))


def verify_totp(
    secret: str, code: str | None, *, last_step: int | None, at: float | None = None
) -> int | None:
    """The time step ``code`` is good for (the current one, or one either side), or ``None``
    when it is wrong or that step (or a later one) was used already."""
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code.strip()):
        return None
    code = code.strip()
    moment = time.time() if at is None else at
    current = int(moment // TOTP_STEP)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(_hotp(secret, step), code):
            if last_step is not None and step <= last_step:
                return None
            return step
    return None


def totp_uri(secret: str, username: str, issuer: str = "jpki-office") -> str:
    """The ``otpauth://`` URI an authenticator app scans (as a QR code)."""
    label = quote(f"{issuer}:{username}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits=6&period=30"
