"""How the library judges a certificate, a signature or an authentication: one vocabulary.

* :class:`Reason` — why a certificate is not valid: the verdict of :mod:`jpki.trust`.
* :class:`SignatureReason` — why a signature (CMS, PDF) or an authentication answer
  was not accepted: the problems of the signature or the protocol itself and, with the
  same values, every certificate :class:`Reason` (:meth:`SignatureReason.from_trust`).
  ``jpki.cms.CmsReason``, ``jpki.pdf.PdfReason`` and ``jpki.authn.AuthenticationReason``
  are this enum; each result class lists the members its verifier can give
  (``REASONS``).
* :data:`TRUST_CHECKS` — the checks :mod:`jpki.trust` makes of a certificate, and
  :data:`CERTIFICATE_CHECKS` — their names among the checks of a signature.
* :class:`Verdict` — the base of every result on a signature or an authentication
  (``jpki.cms.CmsVerification``, ``jpki.pdf.PdfSignatureResult``,
  ``jpki.authn.AuthenticationResult``): ``valid``, ``reason``, ``message``,
  ``checks``, the signer's certificate and ``holder``, and what a program needs to show
  any of them the same way: :meth:`Verdict.as_dict` (JSON-ready),
  :meth:`Verdict.sentence` (one line) and :meth:`Verdict.check_lines`.

A result's ``message`` is a sentence for a person; ``reason`` is for programs. The
``checks`` map each check, in the order made, to its outcome: a string that starts
with ``ok``, ``failed:``, ``skipped:`` or ``not checked``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final

from cryptography import x509

if TYPE_CHECKING:
    from .certs import HolderAttributes
    from .trust import ValidationResult
    from .trust.pins import PinnedRoot

__all__ = [
    "CERTIFICATE_CHECKS",
    "CERTIFICATE_REASONS",
    "CLOCK_SKEW",
    "NOT_CHECKED",
    "TRUST_CHECKS",
    "Reason",
    "SignatureReason",
    "Verdict",
    "as_sentence",
    "certificate_checks",
    "certificate_refusal",
    "escape_controls",
    "one_line",
]


class Reason(StrEnum):
    """Why a certificate is not valid (machine-readable)."""

    UNTRUSTED = "untrusted"
    BAD_SIGNATURE = "bad-certificate-signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REVOKED = "revoked"
    CRL_STALE = "crl-stale"
    CRL_BAD_SIGNATURE = "crl-bad-signature"
    NO_CRL = "no-crl"
    WRONG_KEY_USAGE = "wrong-key-usage"
    MALFORMED = "malformed"


class SignatureReason(StrEnum):
    """Why a signature or an authentication answer was not accepted (machine-readable)."""

    # the signature: its form, content and value
    MALFORMED = Reason.MALFORMED.value
    TOO_LARGE = "too-large"
    UNSUPPORTED = "unsupported"
    SIGNER_COUNT = "signer-count"
    NO_CONTENT = "no-content"
    CONTENT_MISMATCH = "content-mismatch"
    DIGEST_MISMATCH = "digest-mismatch"
    NO_SIGNER_CERTIFICATE = "no-signer-certificate"
    SIGNING_CERTIFICATE_MISMATCH = "signing-certificate-mismatch"
    BAD_SIGNATURE = "bad-signature"
    FUTURE_SIGNING_TIME = "future-signing-time"
    # a PDF: what the signature covers, its time-stamp
    COVERAGE = "coverage"
    MODIFIED = "modified-after-signing"
    TIMESTAMP_INVALID = "timestamp-invalid"
    # an authentication: the challenge
    REPLAYED = "replayed"
    UNKNOWN_CHALLENGE = "unknown-challenge"
    EXPIRED_CHALLENGE = "expired-challenge"
    # the certificate's own problems, with the values of Reason (MALFORMED above too)
    UNTRUSTED = Reason.UNTRUSTED.value
    BAD_CERTIFICATE_SIGNATURE = Reason.BAD_SIGNATURE.value
    EXPIRED = Reason.EXPIRED.value
    NOT_YET_VALID = Reason.NOT_YET_VALID.value
    REVOKED = Reason.REVOKED.value
    CRL_STALE = Reason.CRL_STALE.value
    CRL_BAD_SIGNATURE = Reason.CRL_BAD_SIGNATURE.value
    NO_CRL = Reason.NO_CRL.value
    WRONG_KEY_USAGE = Reason.WRONG_KEY_USAGE.value

    @classmethod
    def from_trust(cls, reason: Reason) -> SignatureReason:
        """The member with the value of a certificate's :class:`Reason`."""
        return cls(Reason(reason).value)


#: The reasons that come from the signer's certificate (:meth:`SignatureReason.from_trust`).
CERTIFICATE_REASONS: Final = frozenset(SignatureReason.from_trust(r) for r in Reason)

#: The checks :meth:`jpki.trust.TrustStore.validate` makes, in order (the keys), and their
#: names among the checks of a signature or an authentication (the values).
CERTIFICATE_CHECKS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "format": "certificate-format",
        "chain": "certificate-chain",
        "signature": "certificate-signature",
        "validity": "certificate-validity",
        "key_usage": "key-usage",
        "revocation": "revocation",
    }
)
#: The checks :meth:`jpki.trust.TrustStore.validate` makes, in order.
TRUST_CHECKS: Final = tuple(CERTIFICATE_CHECKS)
#: The outcome of a check that was not reached.
NOT_CHECKED: Final = "not checked"
#: How far in the future, by the verifier's clock, a signing or time-stamp time may be.
CLOCK_SKEW: Final = timedelta(minutes=5)


def certificate_checks(validation: ValidationResult) -> dict[str, str]:
    """The certificate's checks (:data:`CERTIFICATE_CHECKS` names) from a trust verdict."""
    checks = validation.checks
    return {ours: checks.get(theirs, NOT_CHECKED) for theirs, ours in CERTIFICATE_CHECKS.items()}


def certificate_refusal(
    validation: ValidationResult, *, signature_certificate_needed: str | None = None
) -> tuple[SignatureReason, str]:
    """The reason and message of a signature refused for its certificate.

    With ``signature_certificate_needed``, a signature made with the user-authentication
    certificate, where the signature certificate is needed, gets that message instead of
    the trust store's (which says only what the key usage lacks).
    """
    reason = SignatureReason.from_trust(validation.reason or Reason.UNTRUSTED)
    if (
        signature_certificate_needed is not None
        and reason is SignatureReason.WRONG_KEY_USAGE
        and _is_authentication_certificate(validation.certificate)
    ):
        return reason, signature_certificate_needed
    return reason, validation.message


def _is_authentication_certificate(cert: x509.Certificate) -> bool:
    # jpki.certs imports this module (its explanations name the reasons): imported here
    from .certs import CertificateKind, kind_or_unknown

    return kind_or_unknown(cert) is CertificateKind.AUTHENTICATION


# -- text ----------------------------------------------------------------------------------

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the
# bidirectional embeddings, overrides and isolates (which reorder what is shown)
_CONTROLS: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control character escaped (``\\x1b``, ``\\x0a``, ``\\u202e``) and
    nothing else changed: a field from a card, a signature or a file, safe to put on a
    terminal, in a CSV cell or a log line."""
    return _CONTROLS.sub(_escape, text)


def one_line(text: str) -> str:
    """``text`` on one line for a terminal or a log: white space collapsed to single
    spaces, any other control character escaped (``\\x1b``), so that what a certificate
    or a signature says cannot move the cursor or forge a line."""
    return _CONTROLS.sub(_escape, " ".join(text.split()))


def as_sentence(message: str) -> str:
    """One line, capitalised, with a full stop (as :mod:`jpki.trust` writes its messages)."""
    line = " ".join(message.split())
    if line and not line.endswith((".", "。")):
        line += "."
    return line[:1].upper() + line[1:]


# -- the result base -----------------------------------------------------------------------


def _no_checks() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """What every result on a signature or an authentication has.

    ``signer_certificate`` and ``holder`` are what the signature *claims*; rely on
    them only when ``valid``. ``validation`` is the trust store's verdict on that
    certificate (``None`` when verification stopped before it).
    """

    valid: bool
    reason: SignatureReason | None
    message: str
    signer_certificate: x509.Certificate | None = None
    checks: Mapping[str, str] = field(default_factory=_no_checks)
    validation: ValidationResult | None = None

    #: The words for the outcome, valid and not.
    OUTCOMES: ClassVar[tuple[str, str]] = ("valid", "not valid")
    #: The key of the outcome in :meth:`as_dict`.
    VALID_KEY: ClassVar[str] = "valid"
    #: The reasons this kind of result can give.
    REASONS: ClassVar[frozenset[SignatureReason]] = frozenset(SignatureReason)

    def __bool__(self) -> bool:
        return self.valid

    @functools.cached_property
    def holder(self) -> HolderAttributes | None:
        """Name, address, birth date and sex from a signature certificate (``None`` for
        another kind, or when its attributes are damaged). Read on first use."""
        cert = self.signer_certificate
        if cert is None:
            return None
        # jpki.certs imports this module (its explanations name the reasons): imported here
        from .certs import (
            CertificateFormatError,
            CertificateKind,
            kind_or_unknown,
            parse_holder_attributes,
        )

        if kind_or_unknown(cert) is not CertificateKind.SIGNATURE:
            return None
        try:
            return parse_holder_attributes(cert)
        except CertificateFormatError:
            return None

    @property
    def revocation_checked(self) -> bool:
        """Whether the certificate's revocation status was checked against a CRL."""
        return self.validation is not None and self.validation.revocation_checked

    # -- showing it ------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (times in JST, ISO 8601): ``valid`` (:attr:`VALID_KEY`), ``reason``,
        ``message``, what this kind of result adds, ``signer`` (the holder's data, or ``None``),
        ``certificate`` (subject, serial, issuer generation), ``revocation``,
        ``revocation_checked`` and ``checks``."""
        holder = self.holder
        cert = self.signer_certificate
        validation = self.validation
        return {
            **self._head(),
            self.VALID_KEY: self.valid,
            "reason": None if self.reason is None else self.reason.value,
            "message": self.message,
            **self._details(),
            "signer": None
            if holder is None
            else {
                "name": holder.name,
                "address": holder.address,
                # ISO 8601 with the register's precision: 1980, 1980-05 or 1980-05-01
                "birth_date": holder.birth_date.isoformat(),
                "sex": holder.sex,
                # substitute characters, an unknown month or day, an era digit that
                # disagrees with the date: shown with the data, never a refusal
                "notes": holder.notes("en"),
            },
            "certificate": None if cert is None else self._certificate_dict(cert),
            "revocation": None if validation is None else validation.revocation,
            "revocation_checked": self.revocation_checked,
            "checks": dict(self.checks),
        }

    def sentence(self) -> str:
        """One line: ``valid: <message>`` or ``not valid: <reason>: <message>`` (with the
        words of :attr:`OUTCOMES`; a PDF signature names its field), control characters
        escaped."""
        word = self.OUTCOMES[0] if self.valid else self.OUTCOMES[1]
        reason = "" if self.reason is None else f"{self.reason.value}: "
        return one_line(f"{word}{self._where()}: {reason}{self.message}")

    def check_lines(self, indent: str = "  ") -> list[str]:
        """One line per check, ``<name>  <outcome>``, the names in a column, control
        characters escaped."""
        width = max((len(name) for name in self.checks), default=0)
        return [
            f"{indent}{one_line(name):<{width}}  {one_line(outcome)}"
            for name, outcome in self.checks.items()
        ]

    # -- what a kind of result adds ------------------------------------------------------

    def _head(self) -> dict[str, Any]:
        """Keys of :meth:`as_dict` before ``valid``."""
        return {}

    def _details(self) -> dict[str, Any]:
        """Keys of :meth:`as_dict` after ``message``."""
        return {}

    def _where(self) -> str:
        """What :meth:`sentence` adds after the outcome (`` (Signature1)``)."""
        return ""

    def _certificate_dict(self, cert: x509.Certificate) -> dict[str, Any]:
        from .certs import serial_hex  # see holder

        validation = self.validation
        return {
            "subject": cert.subject.rfc4514_string(),
            "serial": serial_hex(cert),
            "issuer_generation": None if validation is None else validation.issuer_generation,
            "issuer_root": _root_dict(None if validation is None else validation.issuer_root),
            "root_source": None if validation is None else validation.root_source,
            "missing_root": _root_dict(None if validation is None else validation.missing_root),
        }


def _root_dict(root: PinnedRoot | None) -> dict[str, str] | None:
    """A pinned J-LIS root for :meth:`Verdict.as_dict`: generation, purpose, label, file."""
    if root is None:
        return None
    return {
        "generation": root.generation,
        "purpose": root.purpose,
        "label": root.label("en"),
        "file": root.file_name,
        "sha256": root.sha256,
    }
