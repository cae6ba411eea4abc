"""What a certificate is for: the kinds of JPKI certificate, told from key usage and policy.

Kinds are told apart by key usage and certificate policy, never by names (the
organisation differs between production, test cards and the mock). Certificate
policies: signature, the ``1.2.392.200149.8.5.1.1`` arc (production class 20
``.1.1.20``; ``.1.1.40`` is reported for smartphone certificates) and the test
environment's ``.1.0.20``; user authentication, the ``.1.3`` arc (``.1.3.30``;
jsrsasign's JPKI OID table, unconfirmed against a real card).
"""

from __future__ import annotations

from enum import Enum
from typing import Final

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.x509.oid import ExtensionOID

from ..errors import JpkiError
from ..messages import label

__all__ = [
    "PARSE_ERRORS",
    "CertificateFormatError",
    "CertificateKind",
    "certificate_kind",
    "extensions_of",
    "kind_or_unknown",
    "serial_hex",
]

_SIGN_POLICY_ARC: Final = "1.2.392.200149.8.5.1.1."
_SIGN_TEST_POLICY: Final = "1.2.392.200149.8.5.1.0.20"
_AUTH_POLICY_ARC: Final = "1.2.392.200149.8.5.1.3."

#: What ``cryptography`` raises for a certificate it cannot make sense of.
PARSE_ERRORS: Final = (
    ValueError,
    TypeError,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
    UnsupportedAlgorithm,
)


class CertificateFormatError(JpkiError, ValueError):
    """A certificate, or the holder data in it, is missing or malformed."""


class CertificateKind(Enum):
    """What a certificate is for, judged from key usage and policy OIDs (never names)."""

    SIGNATURE = "signature"
    AUTHENTICATION = "authentication"
    CA = "ca"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return label(f"kind.{self.value}", "en")

    @property
    def label_ja(self) -> str:
        return label(f"kind.{self.value}", "ja")

    def label_in(self, lang: str) -> str:
        """The label in ``lang`` (``"en"`` or ``"ja"``)."""
        return label(f"kind.{self.value}", lang)


def extensions_of(cert: x509.Certificate) -> x509.Extensions:
    """``cert``'s extensions; ``TypeError`` for a non-certificate, ``CertificateFormatError``
    when they cannot be parsed."""
    if not isinstance(cert, x509.Certificate):
        raise TypeError(f"expected a cryptography x509.Certificate, got {type(cert).__name__}")
    try:
        return cert.extensions
    except PARSE_ERRORS as exc:
        raise CertificateFormatError(
            f"the certificate's extensions cannot be parsed ({exc})"
        ) from exc


def _policy_kinds(exts: x509.Extensions) -> set[CertificateKind]:
    kinds: set[CertificateKind] = set()
    try:
        policies = exts.get_extension_for_oid(ExtensionOID.CERTIFICATE_POLICIES).value
    except x509.ExtensionNotFound:
        return kinds
    if not isinstance(policies, x509.CertificatePolicies):
        return kinds
    for info in policies:
        oid = info.policy_identifier.dotted_string
        if oid.startswith(_SIGN_POLICY_ARC) or oid == _SIGN_TEST_POLICY:
            kinds.add(CertificateKind.SIGNATURE)
        elif oid.startswith(_AUTH_POLICY_ARC):
            kinds.add(CertificateKind.AUTHENTICATION)
    return kinds


def certificate_kind(cert: x509.Certificate) -> CertificateKind:
    """The kind of ``cert``.

    * ``CA``: basicConstraints cA, or keyUsage keyCertSign.
    * ``SIGNATURE``: keyUsage digitalSignature + nonRepudiation.
    * ``AUTHENTICATION``: keyUsage digitalSignature without nonRepudiation.
    * A JPKI policy OID of the other kind makes it ``UNKNOWN`` (contradiction);
      without a keyUsage extension a JPKI policy OID alone decides.
    * Anything else is ``UNKNOWN``.

    ``CertificateFormatError`` if the extensions cannot be parsed.
    """
    exts = extensions_of(cert)
    try:
        bc = exts.get_extension_for_class(x509.BasicConstraints).value
        if bc.ca:
            return CertificateKind.CA
    except x509.ExtensionNotFound:
        pass
    try:
        ku: x509.KeyUsage | None = exts.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        ku = None
    policies = _policy_kinds(exts)
    if ku is None:
        return next(iter(policies)) if len(policies) == 1 else CertificateKind.UNKNOWN
    if ku.key_cert_sign:
        return CertificateKind.CA
    if not ku.digital_signature:
        return CertificateKind.UNKNOWN
    kind = CertificateKind.SIGNATURE if ku.content_commitment else CertificateKind.AUTHENTICATION
    if policies and kind not in policies:
        return CertificateKind.UNKNOWN
    return kind


def kind_or_unknown(cert: x509.Certificate) -> CertificateKind:
    """:func:`certificate_kind`, ``UNKNOWN`` where the extensions cannot be parsed."""
    try:
        return certificate_kind(cert)
    except CertificateFormatError:
        return CertificateKind.UNKNOWN


def serial_hex(cert: x509.Certificate) -> str:
    """The serial number in upper-case hex, whole bytes (``0A1B``), as openssl shows it."""
    text = f"{cert.serial_number:X}"
    return text.rjust(len(text) + len(text) % 2, "0")
