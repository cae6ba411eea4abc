"""``jpki authenticate``: a challenge–response with the user-authentication key against a local
:class:`jpki.authn.Authenticator`.

The auth PIN comes from the prompt or ``JPKI_AUTH_PIN``. The verifier checks
the signature and the certificate (chain, validity, key usage, revocation from
``--crl`` files). Exit 0 when authenticated; the result prints through
:func:`jpki.cli.verdicts.report`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography import x509

from ..layout import PinKind
from ..trust import RevocationPolicy
from .card import open_card
from .common import (
    PIN_ENV,
    crl_store,
    jst_iso,
    pin_prompt,
    require_pin_source,
    serial_hex,
    trust_store,
)
from .verdicts import AUTHENTICATION, report

if TYPE_CHECKING:
    from ..authn import AuthenticationResult

__all__ = ["add_authenticate_parser", "cmd_authenticate"]


def add_authenticate_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``authenticate`` to the main parser's subcommands."""
    p = commands.add_parser(
        "authenticate",
        parents=parents,
        help="log in with the user-authentication key (利用者証明用) against a local verifier",
        description=(
            "Run the whole challenge-response: a local verifier issues a challenge, the card "
            "signs it with the user-authentication key (PIN asked for, or JPKI_AUTH_PIN), and "
            "the verifier checks the signature and the certificate (chain, validity, key "
            "usage, revocation from --crl files)."
        ),
    )
    p.set_defaults(handler=cmd_authenticate)


def cmd_authenticate(args: argparse.Namespace) -> int:
    from ..authn import Authenticator, authenticate

    authenticator = Authenticator(
        trust_store(args.trust),
        crl_policy=RevocationPolicy(args.revocation),
        crls=crl_store(args.crl),
    )
    require_pin_source(PinKind.AUTH, PIN_ENV[PinKind.AUTH])
    challenge = authenticator.issue_challenge()
    with open_card(args) as card:
        response = authenticate(card, challenge, pin_prompt())
    result = authenticator.verify(challenge, response.signature, response.certificate)
    return report(
        AUTHENTICATION, [_AuthenticationVerdict(result, response.certificate)], as_json=args.json
    )


@dataclass(frozen=True)
class _AuthenticationVerdict:
    """An authentication result and the certificate it judged, with an ``as_dict()``.
    TODO(verdict): the common result base gives the result one; this adapter then goes."""

    result: AuthenticationResult
    certificate: x509.Certificate

    def as_dict(self) -> dict[str, Any]:
        result, cert, validation = self.result, self.certificate, self.result.validation
        return {
            "authenticated": result.ok,
            "reason": None if result.reason is None else result.reason.value,
            "message": result.message,
            "certificate": {
                "subject": cert.subject.rfc4514_string(),
                "serial": serial_hex(cert),
                "issuer": cert.issuer.rfc4514_string(),
                "issuer_generation": result.issuer_generation,
                "not_after": jst_iso(cert.not_valid_after_utc),
            },
            "revocation": None if validation is None else validation.revocation,
            "revocation_checked": bool(validation is not None and validation.revocation_checked),
            "checks": {} if validation is None else dict(validation.checks),
            "checked_at": jst_iso(result.checked_at),
        }
