"""``jpki sign``, ``jpki verify`` and ``jpki authenticate``: signatures and logins on the CLI.

Registered into the main parser by :func:`jpki.cli.build_parser` through
:func:`add_sign_parsers`; the helpers (PIN prompt, output, errors) are those
of :mod:`jpki.cli`. pyHanko is imported only for PDF files.

* ``sign FILE`` — a CMS signature (``FILE.p7s``, detached, DER) with the
  signature key; ``--attached`` puts the content inside, ``--pem`` writes PEM;
  ``--pdf`` signs a PDF in place of a CMS file (``FILE-signed.pdf``, PAdES
  B-B, or B-T with ``--tsa URL``; ``--visible`` adds a stamp with the
  holder's name). The signature PIN comes from the prompt or
  ``JPKI_SIGN_PIN``; it is verified once per signature.
* ``verify SIGNATURE [CONTENT]`` — a CMS signature (DER, BER or PEM) or a PDF
  (told by its ``%PDF`` header). Trust is the J-LIS production roots unless
  ``--trust`` files are given; revocation comes only from ``--crl`` files.
  Exit 0 when every signature is valid, 1 otherwise (the reason on one line).
* ``authenticate`` — a challenge–response with the user-authentication key
  against a local :class:`jpki.authn.Authenticator` (auth PIN from the prompt
  or ``JPKI_AUTH_PIN``). Exit 0 when authenticated.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cryptography import x509

from . import cli
from .layout import PinKind
from .trust import CrlStore, RevocationPolicy, TrustDataError, TrustStore

if TYPE_CHECKING:
    from .cms import CmsVerification
    from .pdf import PdfSignatureResult

__all__ = ["add_sign_parsers", "cmd_authenticate", "cmd_sign", "cmd_verify"]

REVOCATION_CHOICES: Final = [p.value for p in RevocationPolicy]
_LOGGERS: Final = ("pyhanko", "pyhanko_certvalidator", "fontTools")


def add_sign_parsers(
    commands: Any, common: argparse.ArgumentParser, json_flag: argparse.ArgumentParser
) -> None:
    """Add ``sign``, ``verify`` and ``authenticate`` to the main parser's subcommands."""
    trust_options = argparse.ArgumentParser(add_help=False)
    trust_options.add_argument(
        "--trust",
        metavar="FILE",
        action="append",
        default=[],
        help="trusted root certificates (PEM/DER file or directory; repeatable). "
        "Default: the J-LIS production roots",
    )
    trust_options.add_argument(
        "--crl",
        metavar="PATH",
        action="append",
        default=[],
        help="CRL files or directories (repeatable); revocation is checked only from these",
    )
    trust_options.add_argument(
        "--revocation",
        choices=REVOCATION_CHOICES,
        default=RevocationPolicy.IF_AVAILABLE.value,
        help="require: fail without a CRL covering the certificate; if-available (default): "
        "check when a CRL is given; off: do not check",
    )

    p = commands.add_parser(
        "sign",
        parents=[common],
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
    p.add_argument("--reason", metavar="TEXT", help="PDF: the reason for signing")
    p.add_argument("--location", metavar="TEXT", help="PDF: where it was signed")
    p.add_argument("--field", metavar="NAME", help="PDF: the signature field's name")
    p.set_defaults(handler=cmd_sign)

    p = commands.add_parser(
        "verify",
        parents=[common, trust_options, json_flag],
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
        "--tsa-trust",
        metavar="FILE",
        action="append",
        default=[],
        help="PDF: roots trusted for time-stamping authorities (default: the --trust files)",
    )
    p.set_defaults(handler=cmd_verify)

    p = commands.add_parser(
        "authenticate",
        parents=[common, trust_options, json_flag],
        help="log in with the user-authentication key (利用者証明用) against a local verifier",
        description=(
            "Run the whole challenge-response: a local verifier issues a challenge, the card "
            "signs it with the user-authentication key (PIN asked for, or JPKI_AUTH_PIN), and "
            "the verifier checks the signature and the certificate (chain, validity, key "
            "usage, revocation from --crl files)."
        ),
    )
    p.set_defaults(handler=cmd_authenticate)


# -- shared helpers ------------------------------------------------------------------------------


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise cli.UsageError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None


def _trust_store(paths: Sequence[str]) -> TrustStore:
    if not paths:
        return TrustStore.production()
    try:
        return TrustStore.from_paths(paths)
    except TrustDataError as exc:
        raise cli.UsageError(f"--trust {exc}") from None


def _crl_store(paths: Sequence[str]) -> CrlStore | None:
    if not paths:
        return None
    try:
        return CrlStore.from_paths(paths)
    except TrustDataError as exc:
        raise cli.UsageError(f"--crl {exc}") from None


def _parse_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise cli.UsageError(f"--at {text!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=cli.JST)
    return when


@contextmanager
def _quiet_libraries(verbose: bool) -> Iterator[None]:
    """pyHanko logs tracebacks for every certificate path it cannot build (an untrusted
    time-stamping authority, say); the report says it in one line. Shown with -v."""
    if verbose:
        yield
        return
    saved = {name: logging.getLogger(name).level for name in _LOGGERS}
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _verbose(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "verbose", 0) or getattr(args, "sub_verbose", 0))


def _holder_name(cert: x509.Certificate | None) -> str | None:
    from .certs import CertificateFormatError, parse_holder_attributes

    if cert is None:
        return None
    try:
        return parse_holder_attributes(cert).name
    except CertificateFormatError:
        return None


def _serial(cert: x509.Certificate) -> str:
    text = f"{cert.serial_number:X}"
    return text.rjust(len(text) + len(text) % 2, "0")


# -- sign ----------------------------------------------------------------------------------------


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
                raise cli.UsageError(f"{option} goes with --pdf")
    elif args.attached or args.pem:
        raise cli.UsageError("--attached and --pem are for CMS signatures, not with --pdf")
    output = args.output or str(_default_output(source, args.pdf))
    to_stdout = output == "-"
    if to_stdout and not args.pem and cli._stdout_is_tty():
        raise cli.UsageError("refusing to write a binary signature to a terminal: use -o FILE")
    if not to_stdout and Path(output).resolve() == source.resolve():
        raise cli.UsageError("the output would overwrite the file being signed")
    data = _read(str(source), "file to sign")
    if args.pdf:
        from .pdf import is_pdf

        if not is_pdf(data):
            raise cli.UsageError(f"{source} is not a PDF (no %PDF header)")
    # a PIN in the environment is checked before the card is touched
    cli._require_pin_source(PinKind.SIGN, cli.PIN_ENV[PinKind.SIGN])
    if args.pdf:
        signed, what = _sign_pdf(args, data)
    else:
        signed, what = _sign_cms(args, data)
    cli._write_output(signed, None if to_stdout else output)
    where = "stdout" if to_stdout else output
    cli._note(f"wrote {where}: {what}")
    return cli.EXIT_OK


def _sign_cms(args: argparse.Namespace, data: bytes) -> tuple[bytes, str]:
    from .cms import sign_cms, to_pem

    with cli._session(args) as card:
        der = sign_cms(
            card,
            data,
            pin=cli.pin_prompt(),
            detached=not args.attached,
            include_ca=bool(args.include_ca),
        )
    name = _holder_name(_cms_signer(der))
    kind = "attached" if args.attached else "detached"
    what = f"CMS signature ({kind}, {'PEM' if args.pem else 'DER'})"
    if name:
        what += f" by {name}"
    return (to_pem(der).encode("ascii") if args.pem else der), what


def _cms_signer(der: bytes) -> x509.Certificate | None:
    from asn1crypto import cms as asn1_cms

    try:
        certs = asn1_cms.ContentInfo.load(der)["content"]["certificates"]
        return x509.load_der_x509_certificate(certs[0].chosen.dump())
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _sign_pdf(args: argparse.Namespace, data: bytes) -> tuple[bytes, str]:
    from .pdf import CjkFontMissingWarning, sign_pdf

    include_ca = True if args.include_ca is None else bool(args.include_ca)
    with (
        _quiet_libraries(_verbose(args)),
        warnings.catch_warnings(record=True) as caught,
        cli._session(args) as card,
    ):
        warnings.simplefilter("always", CjkFontMissingWarning)
        signed = sign_pdf(
            card,
            data,
            pin=cli.pin_prompt(),
            field_name=args.field,
            reason=args.reason,
            location=args.location,
            visible=args.visible,
            tsa_url=args.tsa,
            include_ca=include_ca,
        )
    for warning in caught:
        if issubclass(warning.category, CjkFontMissingWarning):
            cli._note(f"note: {warning.message}")
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


# -- verify --------------------------------------------------------------------------------------


@dataclass
class _Report:
    """What ``verify`` prints, for CMS and PDF alike."""

    kind: str
    signatures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.signatures) and all(s["valid"] for s in self.signatures)


def cmd_verify(args: argparse.Namespace) -> int:
    signature = _read(args.signature, "signature")
    store = _trust_store(args.trust)
    crls = _crl_store(args.crl)
    policy = RevocationPolicy(args.revocation)
    at = _parse_time(args.at)
    from .pdf import is_pdf

    if is_pdf(signature):
        if args.content is not None:
            raise cli.UsageError("a PDF carries its own content: give no CONTENT")
        report = _verify_pdf(args, data=signature, store=store, crls=crls, policy=policy, at=at)
    else:
        if args.tsa_trust:
            raise cli.UsageError("--tsa-trust is for PDF signatures")
        report = _verify_cms(
            args, signature=signature, store=store, crls=crls, policy=policy, at=at
        )
    if args.json:
        cli._print_json(
            {"kind": report.kind, "valid": report.valid, "signatures": report.signatures}
        )
    else:
        sys.stdout.write(_report_text(report))
    if report.valid:
        return cli.EXIT_OK
    if not report.signatures:
        cli._note(f"{cli.PROG}: error: not valid: the PDF has no signatures")
        return cli.EXIT_FAILED
    bad = next(s for s in report.signatures if not s["valid"])
    where = f" ({bad['field']})" if report.kind == "pdf" else ""
    cli._note(f"{cli.PROG}: error: not valid{where}: {bad['reason']}: {bad['message']}")
    return cli.EXIT_FAILED


def _verify_cms(
    args: argparse.Namespace,
    *,
    signature: bytes,
    store: TrustStore,
    crls: CrlStore | None,
    policy: RevocationPolicy,
    at: datetime | None,
) -> _Report:
    from .cms import verify_cms

    content_path = args.content
    if content_path is None:
        guess = Path(args.signature)
        if guess.suffix.lower() == ".p7s" and guess.with_suffix("").is_file():
            content_path = str(guess.with_suffix(""))
    content = None if content_path is None else _read(content_path, "content")
    result = verify_cms(signature, content, trust_store=store, crls=crls, policy=policy, at=at)
    entry = _cms_entry(result)
    if content_path is not None:
        entry["content_file"] = content_path
        if args.content is None:
            cli._note(f"content: {content_path}")
    return _Report("cms", [entry])


def _cms_entry(result: CmsVerification) -> dict[str, Any]:
    cert = result.signer_certificate
    validation = result.validation
    holder = result.holder
    return {
        "field": None,
        "valid": result.valid,
        "reason": None if result.reason is None else result.reason.value,
        "message": result.message,
        "level": "CMS",
        "signing_time": None if result.signing_time is None else _iso(result.signing_time),
        "timestamp": None,
        "signer": None
        if holder is None
        else {
            "name": holder.name,
            "address": holder.address,
            "birth_date": holder.birth_date.isoformat(),
            "sex": holder.sex,
        },
        "certificate": None
        if cert is None
        else {
            "subject": cert.subject.rfc4514_string(),
            "serial": _serial(cert),
            "issuer_generation": None if validation is None else validation.issuer_generation,
        },
        "revocation": None if validation is None else validation.revocation,
        "revocation_checked": bool(validation is not None and validation.revocation_checked),
        "checks": dict(result.checks),
    }


def _iso(when: datetime) -> str:
    return when.astimezone(cli.JST).isoformat()


def _verify_pdf(
    args: argparse.Namespace,
    *,
    data: bytes,
    store: TrustStore,
    crls: CrlStore | None,
    policy: RevocationPolicy,
    at: datetime | None,
) -> _Report:
    from .pdf import verify_pdf

    tsa_paths = args.tsa_trust or args.trust
    tsa_trust: list[x509.Certificate] = []
    if tsa_paths:
        try:
            tsa_trust = list(TrustStore.from_paths(tsa_paths).anchors)
        except TrustDataError as exc:
            raise cli.UsageError(f"--tsa-trust {exc}") from None
    with _quiet_libraries(_verbose(args)):
        results = verify_pdf(
            data, trust_store=store, crls=crls, policy=policy, at=at, tsa_trust=tsa_trust
        )
    return _Report("pdf", [_pdf_entry(r) for r in results])


def _pdf_entry(result: PdfSignatureResult) -> dict[str, Any]:
    entry = result.as_dict()
    if entry["certificate"] is not None and result.signer_certificate is not None:
        entry["certificate"]["serial"] = _serial(result.signer_certificate)
    return entry


_TEXT_TIME: Final = "%Y-%m-%d %H:%M:%S JST"


def _time_text(iso: str | None) -> str:
    if iso is None:
        return "-"
    return datetime.fromisoformat(iso).astimezone(cli.JST).strftime(_TEXT_TIME)


def _report_text(report: _Report) -> str:
    if not report.signatures:
        return "signatures: none (the PDF is not signed)\n"
    lines: list[str] = []
    many = len(report.signatures) > 1
    for i, sig in enumerate(report.signatures, 1):
        if many or report.kind == "pdf":
            lines.append(f"signature {i} of {len(report.signatures)} (field {sig['field']}):")
        lines.extend(_signature_lines(sig, "  " if (many or report.kind == "pdf") else ""))
    return "\n".join(lines) + "\n"


def _revocation_text(checked: bool, summary: str | None) -> str:
    if summary is None:
        return "not checked"
    return f"checked: {summary}" if checked else summary


def _signature_lines(sig: Mapping[str, Any], indent: str) -> list[str]:
    verdict = "VALID" if sig["valid"] else f"INVALID ({sig['reason']})"
    holder = sig.get("signer")
    cert = sig.get("certificate")
    who = holder["name"] if holder else (cert["subject"] if cert else "(unknown)")
    rows = [("result", verdict), ("message", sig["message"])]
    rows.append(("signed by" if sig["valid"] else "claimed signer", who))
    if cert:
        generation = cert.get("issuer_generation")
        gen = f", issuer generation {generation}" if generation else ""
        rows.append(("certificate", f"serial {cert['serial']}{gen}"))
    rows.append(("format", sig["level"]))
    if sig.get("coverage"):
        extra = sig.get("later_revisions") or 0
        rows.append(
            ("coverage", sig["coverage"] + (f", {extra} later revision(s)" if extra else ""))
        )
    rows.append(("signing time", _time_text(sig.get("signing_time"))))
    if sig.get("timestamp"):
        rows.append(("time-stamp", _time_text(sig["timestamp"])))
    rows.append(
        ("revocation", _revocation_text(bool(sig.get("revocation_checked")), sig.get("revocation")))
    )
    lines = [f"{label + ':':<16}{value}" for label, value in rows]
    lines.append("checks:")
    lines.extend(f"  {name:<30} {outcome}" for name, outcome in sig["checks"].items())
    return [indent + line for line in lines]


# -- authenticate --------------------------------------------------------------------------------


def cmd_authenticate(args: argparse.Namespace) -> int:
    from .authn import Authenticator, authenticate

    authenticator = Authenticator(
        _trust_store(args.trust),
        crl_policy=RevocationPolicy(args.revocation),
        crls=_crl_store(args.crl),
    )
    cli._require_pin_source(PinKind.AUTH, cli.PIN_ENV[PinKind.AUTH])
    challenge = authenticator.issue_challenge()
    with cli._session(args) as card:
        response = authenticate(card, challenge, cli.pin_prompt())
    result = authenticator.verify(challenge, response.signature, response.certificate)
    cert = response.certificate
    validation = result.validation
    data: dict[str, Any] = {
        "authenticated": result.ok,
        "reason": None if result.reason is None else result.reason.value,
        "message": result.message,
        "certificate": {
            "subject": cert.subject.rfc4514_string(),
            "serial": _serial(cert),
            "issuer": cert.issuer.rfc4514_string(),
            "issuer_generation": result.issuer_generation,
            "not_after": _iso(cert.not_valid_after_utc),
        },
        "revocation": None if validation is None else validation.revocation,
        "revocation_checked": bool(validation is not None and validation.revocation_checked),
        "checks": {} if validation is None else dict(validation.checks),
        "checked_at": _iso(result.checked_at),
    }
    if args.json:
        cli._print_json(data)
    else:
        lines = [
            f"result:            {'AUTHENTICATED' if result.ok else 'REFUSED'}"
            + ("" if result.ok else f" ({data['reason']})"),
            f"message:           {result.message}",
            f"certificate:       serial {data['certificate']['serial']} "
            "(user-authentication certificate; it names no person)",
            f"issuer:            {data['certificate']['issuer']}",
            f"issuer generation: {result.issuer_generation or '-'}",
            f"expires:           {_time_text(data['certificate']['not_after'])}",
            "revocation:        "
            + _revocation_text(bool(data["revocation_checked"]), data["revocation"]),
            "checks:",
            *(f"  {name:<12} {outcome}" for name, outcome in data["checks"].items()),
        ]
        sys.stdout.write("\n".join(lines) + "\n")
    if result.ok:
        return cli.EXIT_OK
    cli._note(f"{cli.PROG}: error: not authenticated: {data['reason']}: {result.message}")
    return cli.EXIT_FAILED
