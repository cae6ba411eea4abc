"""``jpki sign FILE``: a CMS signature or a signed PDF, made with the card's signature key.

A detached CMS signature (``FILE.p7s``, DER) by default; ``--attached`` puts
the content inside, ``--pem`` writes PEM. ``--pdf`` signs a PDF in place of a
CMS file (``FILE-signed.pdf``, PAdES B-B, or B-T with ``--tsa URL``;
``--visible`` adds a stamp with the holder's name). The signature PIN comes
from the prompt or ``JPKI_SIGN_PIN``; it is verified once per signature.
pyHanko is imported only for PDF files.

Everything that can be checked without the card is checked first, so that no PIN
is asked for (or try spent) for a command that cannot succeed: the output path
(its folder, that it is not the input, not a link unless ``--force``), the file
(readable, and for ``--attached`` and ``--pdf`` not larger than ``--max-size``),
the PIN's format. A CMS signature is made in a stream: the file is hashed in
chunks (and, attached, copied in chunks), whatever its size.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cryptography import x509

from ..files import InputTooLarge
from ..layout import PinKind
from ..limits import CMS_OVERHEAD, MAX_CMS_SIZE, MAX_PDF_SIZE, size_text
from ..verdict import one_line
from .card import open_card
from .common import (
    EXIT_OK,
    PIN_ENV,
    UsageError,
    check_output,
    note,
    pin_prompt,
    quiet_libraries,
    read_file,
    refuse_binary_on_terminal,
    require_pin_source,
    shown,
    size_option,
    write_output,
)

if TYPE_CHECKING:
    from ..cms import FileToSign

__all__ = ["add_sign_parser", "cmd_sign"]


def add_sign_parser(commands: Any, card_options: argparse.ArgumentParser) -> None:
    """Add ``sign`` to the main parser's subcommands."""
    p = commands.add_parser(
        "sign",
        parents=[card_options],
        help="sign a file (CMS .p7s) or a PDF with the signature key (署名用)",
        description=(
            "Sign FILE with the card's signature key. Default: a detached CMS signature "
            "in FILE.p7s (DER). --pdf signs a PDF document itself (FILE-signed.pdf, PAdES). "
            "The signature PIN is asked for (or read from JPKI_SIGN_PIN) and verified once."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the file to sign")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="where to write (default FILE.p7s, or FILE-signed.pdf with --pdf; '-' = stdout)",
    )
    p.add_argument(
        "--attached", action="store_true", help="CMS: put the content inside the signature"
    )
    p.add_argument("--pem", action="store_true", help="CMS: write PEM instead of DER")
    p.add_argument("--pdf", action="store_true", help="sign a PDF document (PAdES)")
    p.add_argument("--tsa", metavar="URL", help="PDF: add an RFC 3161 time-stamp (PAdES B-T)")
    p.add_argument(
        "--visible", action="store_true", help="PDF: a stamp with the holder's name on page 1"
    )
    p.add_argument(
        "--include-ca",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="embed the signature CA certificate (default: no for CMS, yes for PDF)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace OUT even if it is a symbolic link or has other hard links "
        "(the link is replaced, never written through)",
    )
    p.add_argument(
        "--max-size",
        metavar="SIZE",
        type=size_option,
        help=f"--attached and --pdf: the largest file read whole (default "
        f"{size_text(MAX_CMS_SIZE)}; K, M, G suffixes). A detached signature has no limit",
    )
    p.add_argument("--reason", metavar="TEXT", help="PDF: the reason for signing")
    p.add_argument("--location", metavar="TEXT", help="PDF: where it was signed")
    p.add_argument("--field", metavar="NAME", help="PDF: the signature field's name")
    p.set_defaults(handler=cmd_sign)


def _holder_name(cert: x509.Certificate | None) -> str | None:
    from ..certs import CertificateFormatError, parse_holder_attributes

    if cert is None:
        return None
    try:
        return one_line(parse_holder_attributes(cert).name)
    except CertificateFormatError:
        return None


def _default_output(path: Path, pdf: bool) -> Path:
    if pdf:
        stem = path.name[:-4] if path.name.lower().endswith(".pdf") else path.name
        return path.with_name(f"{stem}-signed.pdf")
    return path.with_name(path.name + ".p7s")


def cmd_sign(args: argparse.Namespace) -> int:
    source = Path(args.file)
    if not args.pdf:
        for option, value in (
            ("--tsa", args.tsa),
            ("--visible", args.visible),
            ("--reason", args.reason),
            ("--location", args.location),
            ("--field", args.field),
        ):
            if value:
                raise UsageError(f"{option} goes with --pdf")
    elif args.attached or args.pem:
        raise UsageError("--attached and --pem are for CMS signatures, not with --pdf")
    output = args.output or str(_default_output(source, args.pdf))
    to_stdout = output == "-"
    if to_stdout and not args.pem:
        refuse_binary_on_terminal("a binary signature")
    # everything that can fail without the card fails before it is touched
    check_output(output, force=args.force, inputs=[str(source)])
    limit: int = args.max_size or (MAX_PDF_SIZE if args.pdf else MAX_CMS_SIZE)
    signed: bytes | Iterator[bytes]
    if args.pdf:
        data = read_file(str(source), "file to sign", limit, hint=_MORE)
        from ..pdf import is_pdf

        if not is_pdf(data):
            raise UsageError(f"{shown(str(source))} is not a PDF (no %PDF header)")
        require_pin_source(PinKind.SIGN, PIN_ENV[PinKind.SIGN])
        signed, what = _sign_pdf(args, data)
    else:
        prepared = _prepare(args, source, limit)
        require_pin_source(PinKind.SIGN, PIN_ENV[PinKind.SIGN])
        signed, what = _sign_cms(args, prepared)
    write_output(signed, output, force=args.force, inputs=[str(source)])
    note(f"wrote {'stdout' if to_stdout else shown(output)}: {what}")
    return EXIT_OK


_MORE: Final = "; --max-size raises the limit"


def _prepare(args: argparse.Namespace, source: Path, limit: int) -> FileToSign:
    from ..cms import prepare_file

    content_limit = max(0, limit - CMS_OVERHEAD)  # what the signature holds besides
    try:
        return prepare_file(source, detached=not args.attached, max_attached=content_limit)
    except InputTooLarge as exc:
        held = "more" if exc.size is None else size_text(exc.size)
        raise UsageError(
            f"the file to sign {shown(str(source))} holds {held}: an attached signature "
            f"holds at most {size_text(limit)}, its content {size_text(content_limit)}{_MORE}; "
            "or sign it detached (no limit)"
        ) from None
    except OSError as exc:
        raise UsageError(
            f"cannot read the file to sign {shown(str(source))}: {exc.strerror or exc}"
        ) from None


def _sign_cms(args: argparse.Namespace, prepared: FileToSign) -> tuple[Iterator[bytes], str]:
    with open_card(args) as card:
        signed = prepared.sign(card, pin=pin_prompt(), include_ca=bool(args.include_ca))
    name = _holder_name(signed.parts.certificate)
    kind = "attached" if args.attached else "detached"
    what = f"CMS signature ({kind}, {'PEM' if args.pem else 'DER'})"
    if name:
        what += f" by {name}"
    return signed.chunks(pem=args.pem), what


def _sign_pdf(args: argparse.Namespace, data: bytes) -> tuple[bytes, str]:
    from ..pdf import CjkFontMissingWarning, sign_pdf

    include_ca = True if args.include_ca is None else bool(args.include_ca)
    with (
        quiet_libraries(args),
        warnings.catch_warnings(record=True) as caught,
        open_card(args) as card,
    ):
        warnings.simplefilter("always", CjkFontMissingWarning)
        signed = sign_pdf(
            card,
            data,
            pin=pin_prompt(),
            field_name=args.field,
            reason=args.reason,
            location=args.location,
            visible=args.visible,
            tsa_url=args.tsa,
            include_ca=include_ca,
            max_size=len(data),
        )
    for warning in caught:
        if issubclass(warning.category, CjkFontMissingWarning):
            note(f"note: {warning.message}")
    assert signed is not None  # no output path was given
    level = "PAdES B-T" if args.tsa else "PAdES B-B"
    what = f"signed PDF ({level}{', visible stamp' if args.visible else ''})"
    name = _holder_name(_pdf_signer(signed))
    return signed, what + (f" by {name}" if name else "")


def _pdf_signer(signed: bytes) -> x509.Certificate | None:
    """The certificate of the newest signature in ``signed`` (to name the holder)."""
    import io

    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        newest = PdfFileReader(io.BytesIO(signed)).embedded_regular_signatures[-1]
        return x509.load_der_x509_certificate(newest.signer_cert.dump())
    except (PdfError, ValueError, KeyError, IndexError, TypeError):
        return None
