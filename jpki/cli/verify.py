"""``jpki verify SIGNATURE [CONTENT]``: a CMS signature (DER, BER or PEM) or a signed PDF.

A PDF is told by its ``%PDF`` header; every signature in it is checked. Trust
is the J-LIS production roots unless ``--trust`` files are given; revocation
comes only from ``--crl`` files. Exit 0 when every signature is valid, 1
otherwise (the reason on one line). The results print through
:func:`jpki.cli.verdicts.report`.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from cryptography import x509

from ..limits import MAX_CMS_SIZE, MAX_PDF_SIZE, CmsLimits, pem_size, size_text
from ..trust import RevocationPolicy, TrustDataError, TrustStore
from .common import (
    CommandFailed,
    UsageError,
    crl_store,
    note,
    parse_time,
    quiet_libraries,
    read_file,
    shown,
    size_option,
    trust_store,
)
from .verdicts import Verdict, report

if TYPE_CHECKING:
    from ..cms import CmsVerification
    from ..trust import CrlStore

__all__ = ["add_trust_options", "add_verify_parser", "cmd_verify"]

REVOCATION_CHOICES: Final = [p.value for p in RevocationPolicy]


def add_trust_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--trust``, ``--crl`` and ``--revocation`` (for ``verify`` and ``authenticate``)."""
    parser.add_argument(
        "--trust",
        metavar="FILE",
        action="append",
        default=[],
        help="trusted root certificates (PEM/DER file or directory; repeatable). "
        "Default: the J-LIS production roots",
    )
    parser.add_argument(
        "--crl",
        metavar="PATH",
        action="append",
        default=[],
        help="CRL files or directories (repeatable); revocation is checked only from these",
    )
    parser.add_argument(
        "--revocation",
        choices=REVOCATION_CHOICES,
        default=RevocationPolicy.IF_AVAILABLE.value,
        help="require: fail without a CRL covering the certificate; if-available (default): "
        "check when a CRL is given; off: do not check",
    )
    return parser


def add_verify_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``verify`` to the main parser's subcommands."""
    p = commands.add_parser(
        "verify",
        parents=parents,
        help="verify a CMS signature or a signed PDF (offline)",
        description=(
            "Verify SIGNATURE: a CMS signature (.p7s, PEM or DER; CONTENT is the signed file "
            "for a detached one, default SIGNATURE without .p7s) or a PDF (recognised by "
            "its %%PDF header; every signature in it is checked). The signer's certificate "
            "must chain to a trusted root: the J-LIS production roots, or --trust files. "
            "Exit 0 when valid, 1 when not (the reason on one line)."
        ),
    )
    p.add_argument("signature", metavar="SIGNATURE", help="the .p7s/.pem/.der file or the PDF")
    p.add_argument("content", metavar="CONTENT", nargs="?", help="the signed file (CMS)")
    p.add_argument(
        "--at",
        metavar="ISO-TIME",
        help="verify as of this time (ISO 8601; without a zone it is JST). Default: now",
    )
    p.add_argument(
        "--max-size",
        metavar="SIZE",
        type=size_option,
        help=f"the largest signature or PDF read (default {size_text(MAX_CMS_SIZE)}; K, M, G "
        "suffixes). The content of a detached signature is hashed in a stream: no limit",
    )
    p.add_argument(
        "--tsa-trust",
        metavar="FILE",
        action="append",
        default=[],
        help="PDF: roots trusted for time-stamping authorities (default: the --trust files)",
    )
    p.set_defaults(handler=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    at = None if args.at is None else parse_time(args.at, "--at")
    cms_limit: int = args.max_size or MAX_CMS_SIZE
    pdf_limit: int = args.max_size or MAX_PDF_SIZE
    signature = read_file(
        args.signature, "signature", max(pem_size(cms_limit), pdf_limit), hint=_MORE
    )
    store = trust_store(args.trust, verbose=_verbose(args))
    crls = crl_store(args.crl, verbose=_verbose(args))
    policy = RevocationPolicy(args.revocation)
    from ..pdf import is_pdf

    verdicts: list[Verdict]
    if is_pdf(signature):
        if args.content is not None:
            raise UsageError("a PDF carries its own content: give no CONTENT")
        if len(signature) > pdf_limit:
            raise UsageError(
                f"the PDF {shown(args.signature)} holds {size_text(len(signature))}; at most "
                f"{size_text(pdf_limit)} are read{_MORE}"
            )
        verdicts = _verify_pdf(args, signature, store=store, crls=crls, policy=policy, at=at)
        return report("pdf", verdicts, as_json=args.json)
    if args.tsa_trust:
        raise UsageError("--tsa-trust is for PDF signatures")
    result, content_file = _verify_cms(
        args, signature, store=store, crls=crls, policy=policy, at=at
    )
    extra = None if content_file is None else {"content_file": content_file}
    return report("cms", [result], as_json=args.json, extra=extra)


_MORE: Final = "; --max-size raises the limit"


def _verbose(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "verbose", 0) or getattr(args, "sub_verbose", 0))


def _verify_cms(
    args: argparse.Namespace,
    signature: bytes,
    *,
    store: TrustStore,
    crls: CrlStore | None,
    policy: RevocationPolicy,
    at: datetime | None,
) -> tuple[CmsVerification, str | None]:
    """The result and the content file it was checked against (``None``: attached)."""
    from ..cms import verify_cms

    content_path = args.content
    if content_path is None:
        guess = Path(args.signature)
        if guess.suffix.lower() == ".p7s" and guess.with_suffix("").is_file():
            content_path = str(guess.with_suffix(""))
            note(f"content: {shown(content_path)}")
    limits = CmsLimits(max_size=args.max_size or MAX_CMS_SIZE)
    with ExitStack() as stack:
        content: BinaryIO | None = None
        if content_path is not None:  # hashed in chunks, whatever its size
            try:
                content = stack.enter_context(open(content_path, "rb"))
            except OSError as exc:
                raise UsageError(
                    f"cannot read the content {shown(content_path)}: {exc.strerror or exc}"
                ) from None
        try:
            result = verify_cms(
                signature,
                content,
                trust_store=store,
                crls=crls,
                policy=policy,
                at=at,
                limits=limits,
            )
        except OSError as exc:  # the content file failed while it was read
            raise CommandFailed(
                f"cannot read the content {shown(content_path or '')}: {exc.strerror or exc}"
            ) from None
    return result, content_path


def _verify_pdf(
    args: argparse.Namespace,
    data: bytes,
    *,
    store: TrustStore,
    crls: CrlStore | None,
    policy: RevocationPolicy,
    at: datetime | None,
) -> list[Verdict]:
    from ..pdf import verify_pdf

    tsa_paths = args.tsa_trust or args.trust
    tsa_trust: list[x509.Certificate] = []
    if tsa_paths:
        try:
            tsa_trust = list(TrustStore.from_paths(tsa_paths).anchors)
        except TrustDataError as exc:
            raise UsageError(f"--tsa-trust {exc}") from None
    with quiet_libraries(args):
        results = verify_pdf(
            data,
            trust_store=store,
            crls=crls,
            policy=policy,
            at=at,
            tsa_trust=tsa_trust,
            max_size=len(data),
        )
    return list(results)
