"""``jpki authenticate``: a challenge–response with the user-authentication key against a local
:class:`jpki.authn.Authenticator`.

The auth PIN comes from the prompt or ``JPKI_AUTH_PIN``. The verifier checks
the signature and the certificate (chain, validity, key usage, revocation from
``--crl`` files). Exit 0 when authenticated; the result prints through
:func:`jpki.cli.verdicts.report`.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..layout import PinKind
from ..trust import RevocationPolicy
from .card import open_card
from .common import (
    PIN_ENV,
    crl_store,
    pin_prompt,
    require_pin_source,
    trust_store,
)
from .verdicts import AUTHENTICATION, report

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
        # the card's root is read too when the trust lacks the pinned one (generation 02)
        response = authenticate(card, challenge, pin_prompt(), store=authenticator.trust_store)
    result = authenticator.verify(
        challenge, response.signature, response.certificate, presented=response.roots
    )
    return report(AUTHENTICATION, [result], as_json=args.json)
