"""A JPKI certificate, read: its kind, its dates (validity, renewal) and its holder's data.

Validity (seed 002): to the holder's 5th birthday after issuance; renewal is
possible from 3 months before it ends, at the municipal office of the
holder's registered address.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from cryptography import x509

from ..timeutil import JST, aware
from ..trust import jpki_generation
from .holder import HolderAttributes, has_holder_attributes, parse_holder_attributes
from .kind import PARSE_ERRORS, CertificateFormatError, CertificateKind, certificate_kind

if TYPE_CHECKING:
    from ..trust import TrustStore

__all__ = ["RENEWAL_MONTHS", "CertificateInfo", "JpkiCertificate"]


def _months_before(when: datetime, months: int) -> datetime:
    """``when`` (in JST) minus calendar months, the day clamped to the month's end
    (31 May - 3 months = 28/29 February); same wall-clock time."""
    local = when.astimezone(JST)
    index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


#: How long before expiry renewal opens (seed 002 Q7: 3 months).
RENEWAL_MONTHS: Final = 3


@dataclass(frozen=True)
class CertificateInfo:
    """A JPKI certificate, read: kind, dates, holder data (signature certificates only).

    ``issuer_generation`` is the generation (validity start year) of the
    trusted root that issued it, when :meth:`from_x509` was given a store and
    a root of the store verifies the certificate; else ``None``. Times are
    aware UTC. Every method taking ``at`` defaults it to now and needs an
    aware datetime.
    """

    certificate: x509.Certificate
    kind: CertificateKind
    serial_number: int
    issuer_generation: str | None
    not_before: datetime
    not_after: datetime
    holder: HolderAttributes | None
    subject: str
    issuer: str

    @classmethod
    def from_x509(
        cls, cert: x509.Certificate, *, store: TrustStore | None = None
    ) -> CertificateInfo:
        """Read ``cert``. Holder attributes are parsed for a ``SIGNATURE`` certificate that
        carries any of them (``CertificateFormatError`` if they are incomplete or
        malformed); a signature certificate without any has ``holder=None``."""
        kind = certificate_kind(cert)
        holder = None
        if kind is CertificateKind.SIGNATURE and has_holder_attributes(cert):
            holder = parse_holder_attributes(cert)
        generation = None
        if store is not None:
            anchor = store.find_issuer(cert)
            generation = jpki_generation(anchor) if anchor is not None else None
        try:
            subject = cert.subject.rfc4514_string()
            issuer = cert.issuer.rfc4514_string()
        except PARSE_ERRORS as exc:
            raise CertificateFormatError(f"the certificate's names cannot be read ({exc})") from exc
        return cls(
            certificate=cert,
            kind=kind,
            serial_number=cert.serial_number,
            issuer_generation=generation,
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            holder=holder,
            subject=subject,
            issuer=issuer,
        )

    @classmethod
    def from_der(cls, data: bytes, *, store: TrustStore | None = None) -> CertificateInfo:
        """From DER bytes (``CertificateFormatError`` if they are not a certificate)."""
        try:
            cert = x509.load_der_x509_certificate(bytes(data))
        except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion is no ValueError
            raise CertificateFormatError(f"not a DER certificate ({exc})") from exc
        return cls.from_x509(cert, store=store)

    @classmethod
    def from_pem(cls, data: bytes | str, *, store: TrustStore | None = None) -> CertificateInfo:
        """From a PEM certificate (the first one if there are several)."""
        raw = data.encode("ascii", "replace") if isinstance(data, str) else bytes(data)
        try:
            cert = x509.load_pem_x509_certificate(raw)
        except (ValueError, x509.InvalidVersion) as exc:
            raise CertificateFormatError(f"not a PEM certificate ({exc})") from exc
        return cls.from_x509(cert, store=store)

    # -- dates -------------------------------------------------------------------

    @property
    def renewal_opens_at(self) -> datetime:
        """``not_after`` minus 3 calendar months (JST wall clock, day clamped to the
        month's end), as an aware JST datetime."""
        return _months_before(self.not_after, RENEWAL_MONTHS)

    def days_left(self, at: datetime | None = None) -> int:
        """JST calendar days from ``at``'s date to the last day of validity: ``0`` on the
        last day, negative once expired (days since), larger than 0 before."""
        when = aware(at).astimezone(JST).date()
        return (self.not_after.astimezone(JST).date() - when).days

    def is_expired(self, at: datetime | None = None) -> bool:
        """``at`` is after ``not_after`` (the bound itself is still valid)."""
        return aware(at) > self.not_after

    def is_not_yet_valid(self, at: datetime | None = None) -> bool:
        return aware(at) < self.not_before

    def renewal_open(self, at: datetime | None = None) -> bool:
        """``at >= not_after - 3 calendar months``. Stays true after expiry (an expired
        certificate is renewed the same way, at the municipal office)."""
        return aware(at) >= self.renewal_opens_at


#: The name in the brief; the same class.
JpkiCertificate = CertificateInfo
