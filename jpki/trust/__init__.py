"""Offline validation of JPKI certificates: pinned J-LIS roots and CRL files given to us.

>>> store = TrustStore.production()                       # the four J-LIS roots
>>> crls = CrlStore.from_paths(["/path/to/crls"])         # doctest: +SKIP
>>> result = store.validate(cert, purpose=Purpose.SIGNATURE, crls=crls)  # doctest: +SKIP
>>> result.valid, result.reason, result.message            # doctest: +SKIP

How a certificate is judged (RFC 5280 path validation, cut down to what JPKI
needs):

* **chain** — the issuer is found by key identifier (AKI = SKI) and proved by
  verifying the signature, never by name alone: the 2015 and 2023 J-LIS roots
  share one subject name. JPKI roots issue holder certificates directly; one
  level of ``intermediates`` is also supported.
* **validity** — every certificate in the path, the trust anchor included,
  must be valid at ``at`` (default: now). Bounds are inclusive.
* **key usage** — :attr:`Purpose.SIGNATURE` needs digitalSignature and
  nonRepudiation (the signature certificate); :attr:`Purpose.AUTHENTICATION`
  needs digitalSignature without nonRepudiation (the user-authentication
  certificate). A CA certificate is never accepted as a holder certificate.
* **revocation** — from CRL files given to us (:class:`CrlStore`), offline.
  Only a CRL whose signature verifies with the issuer's key counts. The newest
  such CRL covering the certificate decides. See :class:`RevocationPolicy`.

When several checks fail the reason reported follows this precedence:
malformed > untrusted > bad signature > validity > key usage > revocation;
:attr:`ValidationResult.checks` shows every check's outcome.

The package: :mod:`~jpki.trust.roots` (the pinned J-LIS roots, certificate and
CRL files), :mod:`~jpki.trust.crl` (:class:`CrlStore`, revocation),
:mod:`~jpki.trust.store` (:class:`TrustStore`, path validation) and
``jpki.trust._facts`` (what is parsed once from a certificate). Everything public is
importable from ``jpki.trust``; :class:`Reason` is :class:`jpki.verdict.Reason`.

Speed: facts parsed from a certificate (extensions, names, times) and
signature results are cached per certificate (keyed by its DER), and a CRL's
signature is verified once per issuer key and its serials indexed in a dict
when first used. Times and revocation are evaluated on every call.
"""

from ..verdict import Reason
from ._facts import jpki_generation
from .crl import CrlStore, RevocationPolicy
from .roots import PRODUCTION_ROOTS, TrustDataError
from .store import Purpose, TrustStore, ValidationResult

__all__ = [
    "PRODUCTION_ROOTS",
    "CrlStore",
    "Purpose",
    "Reason",
    "RevocationPolicy",
    "TrustDataError",
    "TrustStore",
    "ValidationResult",
    "jpki_generation",
]
