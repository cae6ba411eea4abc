"""The mock card's JPKI-like *test* PKI: a pair of mock CAs, the cards they issue, CRLs.

Everything here is for tests and demos. The CA names say ``O=JPKI-MOCK`` (never
J-LIS's ``O=JPKI``, nor its test hierarchy's ``O=JPKI-TEST``), the keys come
from a public pool shipped with the package (:mod:`mock_card.keypool`), and the
default holder is an obviously fictional person (:mod:`mock_card.holders`). What the
certificates look like, and the public sources of that, is :mod:`mock_card.certprofile`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from jpki.timeutil import JST, aware, utc

from .certprofile import (
    DEMO_ORGANISATION,
    OU_AUTH,
    OU_SIGN,
    REAL_ORGANISATIONS,
    auth_subject,
    build_ca,
    holder_san,
    issue_leaf,
    random_serial,
    sign_subject,
    subject_key_id,
)
from .credentials import CardCredentials, key_matches
from .holders import (
    DEFAULT_HOLDER,
    MOCK_MUNICIPALITY,
    CardProfile,
    Holder,
    Municipality,
    validity_end,
)
from .keypool import fresh_key, pool_key

__all__ = [
    "DEMO_CA_NOT_AFTER",
    "DEMO_CA_NOT_BEFORE",
    "GEN02_NOT_AFTER",
    "GEN02_NOT_BEFORE",
    "MockPki",
]


DEMO_CA_NOT_BEFORE: Final = datetime(2010, 1, 1, 0, 0, 0, tzinfo=UTC)
DEMO_CA_NOT_AFTER: Final = datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC)
#: The validity of J-LIS's generation 02 roots (:meth:`MockPki.generation_02`).
GEN02_NOT_BEFORE: Final = datetime(2019, 9, 14, 23, 41, 56, tzinfo=UTC)
GEN02_NOT_AFTER: Final = datetime(2029, 9, 14, 14, 59, 59, tzinfo=UTC)
_DEMO_SIGN_CA_SERIAL: Final = 0x4D4F434B01  # "MOCK" 01
_DEMO_AUTH_CA_SERIAL: Final = 0x4D4F434B02  # "MOCK" 02


def _jst_midnight(d: date) -> datetime:
    return datetime.combine(d, time(0, 0, 0), JST)


# Pool slots: the demo CA pair, a second CA pair for MockPki.generate(), a
# spare pair, then holder keys two per card (auth, sign).
_DEMO_SIGN_CA_SLOT: Final = 0
_DEMO_AUTH_CA_SLOT: Final = 1
_GENERATE_DEFAULT_OFFSET: Final = 2
_HOLDER_BASE_SLOT: Final = 6

_demo_lock = threading.Lock()
_demo: MockPki | None = None


@dataclass(frozen=True, eq=False)
class MockPki:
    """A pair of self-signed mock CAs: one issues signature certs, one user-auth certs."""

    organisation: str
    sign_ca_key: rsa.RSAPrivateKey
    sign_ca_cert: x509.Certificate
    auth_ca_key: rsa.RSAPrivateKey
    auth_ca_cert: x509.Certificate

    def __post_init__(self) -> None:
        if self.organisation in REAL_ORGANISATIONS:
            raise ValueError(f"the mock PKI must not call itself {self.organisation!r}")
        if not key_matches(self.sign_ca_key, self.sign_ca_cert):
            raise ValueError("sign_ca_key does not belong to sign_ca_cert")
        if not key_matches(self.auth_ca_key, self.auth_ca_cert):
            raise ValueError("auth_ca_key does not belong to auth_ca_cert")

    # -- construction ------------------------------------------------------

    @classmethod
    def create(
        cls,
        organisation: str,
        sign_ca_key: rsa.RSAPrivateKey,
        auth_ca_key: rsa.RSAPrivateKey,
        *,
        sign_serial: int | None = None,
        auth_serial: int | None = None,
        not_before: datetime = DEMO_CA_NOT_BEFORE,
        not_after: datetime = DEMO_CA_NOT_AFTER,
    ) -> MockPki:
        """A PKI with self-signed CA certs for the given keys (random serials unless given)."""
        if organisation in REAL_ORGANISATIONS:
            raise ValueError(f"the mock PKI must not call itself {organisation!r}")
        return cls(
            organisation=organisation,
            sign_ca_key=sign_ca_key,
            sign_ca_cert=build_ca(
                organisation=organisation,
                purpose=OU_SIGN,
                key=sign_ca_key,
                serial=sign_serial if sign_serial is not None else random_serial(),
                not_before=not_before,
                not_after=not_after,
            ),
            auth_ca_key=auth_ca_key,
            auth_ca_cert=build_ca(
                organisation=organisation,
                purpose=OU_AUTH,
                key=auth_ca_key,
                serial=auth_serial if auth_serial is not None else random_serial(),
                not_before=not_before,
                not_after=not_after,
            ),
        )

    @classmethod
    def demo(cls) -> MockPki:
        """The fixed demo PKI: pool keys 0/1, fixed serials and validity, so its CA
        certificates are byte-identical in every process. Built once and cached."""
        global _demo  # noqa: PLW0603 - process-wide cache of an immutable object
        with _demo_lock:
            if _demo is None:
                _demo = cls.create(
                    DEMO_ORGANISATION,
                    pool_key(_DEMO_SIGN_CA_SLOT),
                    pool_key(_DEMO_AUTH_CA_SLOT),
                    sign_serial=_DEMO_SIGN_CA_SERIAL,
                    auth_serial=_DEMO_AUTH_CA_SERIAL,
                )
            return _demo

    @classmethod
    def generate(
        cls,
        organisation: str = DEMO_ORGANISATION,
        key_offset: int | None = _GENERATE_DEFAULT_OFFSET,
    ) -> MockPki:
        """Another CA pair, unrelated to :meth:`demo` (for "untrusted root" tests).

        By default it has the *same* names as the demo PKI but other keys
        (pool slots ``key_offset`` and ``key_offset + 1``; offsets 2 and 4 are
        free for this, higher slots hold the holder keys) and random serials,
        like a later J-LIS root generation: only the signature tells the two
        apart. ``key_offset=None`` uses fresh keys (slow).
        """
        if key_offset is None:
            sign_key, auth_key = fresh_key(), fresh_key()
        else:
            if {key_offset, key_offset + 1} & {_DEMO_SIGN_CA_SLOT, _DEMO_AUTH_CA_SLOT}:
                raise ValueError("key_offset would reuse the demo CA keys")
            sign_key, auth_key = pool_key(key_offset), pool_key(key_offset + 1)
        return cls.create(organisation, sign_key, auth_key)

    @classmethod
    def generation_02(cls) -> MockPki:
        """A CA pair shaped like J-LIS's generation 02 roots: their serials (``0132C4AB``
        signature, ``0133C349`` authentication) and validity (2019-09-14 → 2029-09-14),
        the mock's names and keys (pool slots 2 and 3, as :meth:`generate`). Tests pin it
        in place of the real roots to exercise the pin logic (docs/card.md, "Trust")."""
        return cls.create(
            DEMO_ORGANISATION,
            pool_key(_GENERATE_DEFAULT_OFFSET),
            pool_key(_GENERATE_DEFAULT_OFFSET + 1),
            sign_serial=0x0132C4AB,
            auth_serial=0x0133C349,
            not_before=GEN02_NOT_BEFORE,
            not_after=GEN02_NOT_AFTER,
        )

    # -- issuing -----------------------------------------------------------

    def _ca(self, kind: Literal["sign", "auth"]) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        if kind == "sign":
            return self.sign_ca_key, self.sign_ca_cert
        if kind == "auth":
            return self.auth_ca_key, self.auth_ca_cert
        raise ValueError(f"kind must be 'sign' or 'auth', not {kind!r}")

    def issue_card(
        self,
        holder: Holder = DEFAULT_HOLDER,
        *,
        issued: datetime | None = None,
        profile: CardProfile = CardProfile.VALID,
        now: datetime | None = None,
        key_index: int | None = 0,
        municipality: Municipality = MOCK_MUNICIPALITY,
    ) -> CardCredentials:
        """Keys and certificates for one card.

        ``issued`` (notBefore) defaults by ``profile``, relative to ``now``
        (default: the current time):

        * VALID / REVOKED: 00:00 JST, 30 days before now's UTC date;
        * EXPIRED: 00:00 JST, 6 × 366 days before now's UTC date, so the
          5-year validity has run out;
        * NOT_YET_VALID: 00:00 JST, 30 days after now's UTC date.

        notAfter is :func:`validity_end`. ``ValueError`` if the dates do not
        fit the profile (e.g. an explicit ``issued`` that makes a VALID card
        expired, or an EXPIRED card for someone born after the default issue
        date). A REVOKED card is a valid one; :meth:`revocation_crls` lists it.

        ``key_index`` picks the holder keys from the pool (``0``–``4``, two
        keys per card; the same index always gives the same keys, so two cards
        with one index share keys); ``None`` generates fresh keys (slow).
        """
        now_utc = utc(now, "now")
        profile = CardProfile(profile)
        if issued is None:
            today = now_utc.date()
            if profile is CardProfile.EXPIRED:
                issued = _jst_midnight(today - timedelta(days=6 * 366))
            elif profile is CardProfile.NOT_YET_VALID:
                issued = _jst_midnight(today + timedelta(days=30))
            else:
                issued = _jst_midnight(today - timedelta(days=30))
        not_before = aware(issued, "issued").replace(microsecond=0)
        not_after = validity_end(holder.birth_date, not_before.astimezone(JST).date())
        _check_profile(profile, not_before, not_after, now_utc)

        if key_index is None:
            auth_key, sign_key = fresh_key(), fresh_key()
        else:
            if key_index < 0:
                raise ValueError("key_index must be >= 0 (or None for fresh keys)")
            auth_key = pool_key(_HOLDER_BASE_SLOT + 2 * key_index)
            sign_key = pool_key(_HOLDER_BASE_SLOT + 2 * key_index + 1)

        auth_ca_key, auth_ca_cert = self._ca("auth")
        sign_ca_key, sign_ca_cert = self._ca("sign")
        auth_cert = issue_leaf(
            kind="auth",
            organisation=self.organisation,
            subject=auth_subject(municipality),
            key=auth_key,
            municipality=municipality,
            san=None,
            not_before=not_before,
            not_after=not_after,
            ca_key=auth_ca_key,
            ca_cert=auth_ca_cert,
        )
        sign_cert = issue_leaf(
            kind="sign",
            organisation=self.organisation,
            subject=sign_subject(municipality),
            key=sign_key,
            municipality=municipality,
            san=holder_san(holder),
            not_before=not_before,
            not_after=not_after,
            ca_key=sign_ca_key,
            ca_cert=sign_ca_cert,
        )
        return CardCredentials(
            auth_key=auth_key,
            auth_cert=auth_cert,
            sign_key=sign_key,
            sign_cert=sign_cert,
            auth_ca_cert=self.auth_ca_cert,
            sign_ca_cert=self.sign_ca_cert,
        )

    # -- revocation --------------------------------------------------------

    def crl(
        self,
        kind: Literal["sign", "auth"],
        revoked: Sequence[tuple[int, datetime]] = (),
        *,
        this_update: datetime | None = None,
        next_update: datetime | None = None,
    ) -> x509.CertificateRevocationList:
        """A full CRL of the ``kind`` CA listing ``(serial, revocation date)`` pairs.

        ``this_update`` defaults to now, ``next_update`` to a day later. The
        CRL carries an authority key identifier and a CRL number (the
        thisUpdate time in seconds, so later CRLs have larger numbers).
        """
        ca_key, ca_cert = self._ca(kind)
        this = utc(this_update, "this_update").replace(microsecond=0)
        if next_update is None:
            next_update = this + timedelta(days=1)
        nxt = aware(next_update, "next_update")
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_cert.subject)
            .last_update(this)
            .next_update(nxt.astimezone(UTC))
        )
        for serial, when in revoked:
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(utc(when, "revocation date"))
                .build()
            )
            builder = builder.add_revoked_certificate(entry)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(subject_key_id(ca_cert)),
            critical=False,
        ).add_extension(x509.CRLNumber(max(0, int(this.timestamp()))), critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    def revocation_crls(
        self, creds: CardCredentials, *, now: datetime | None = None
    ) -> tuple[x509.CertificateRevocationList, x509.CertificateRevocationList]:
        """``(sign CRL, auth CRL)``, each listing the card's certificate as revoked at ``now``."""
        try:
            creds.sign_cert.verify_directly_issued_by(self.sign_ca_cert)
            creds.auth_cert.verify_directly_issued_by(self.auth_ca_cert)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise ValueError("these credentials were not issued by this PKI") from exc
        when = utc(now, "now").replace(microsecond=0)
        return (
            self.crl("sign", [(creds.sign_cert.serial_number, when)], this_update=when),
            self.crl("auth", [(creds.auth_cert.serial_number, when)], this_update=when),
        )


def _check_profile(
    profile: CardProfile, not_before: datetime, not_after: datetime, now: datetime
) -> None:
    if profile is CardProfile.EXPIRED:
        ok = not_after < now
    elif profile is CardProfile.NOT_YET_VALID:
        ok = now < not_before
    else:
        ok = not_before <= now <= not_after
    if not ok:
        raise ValueError(
            f"a {profile.value} card cannot run {not_before.isoformat()} .. "
            f"{not_after.isoformat()} when now is {now.isoformat()}"
        )
