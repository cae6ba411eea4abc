"""CMS (PKCS #7) SignedData: sign with the card's signature key, verify offline.

As pyHanko does, signing and validation are apart:

* :mod:`jpki.cms.sign` — :func:`sign_cms` (the card) and :func:`sign_cms_with_key`
  (any RSA key): a SignedData in DER that ``openssl cms -verify`` accepts;
* :mod:`jpki.cms.verify` — :func:`verify_cms`: DER, BER or PEM, detached or
  attached, one signer; never raises for bad input (a :class:`CmsVerification`
  with a :data:`CmsReason` instead);
* :mod:`jpki.cms.pem` — PEM text and ``.p7s`` files;
* :mod:`jpki.cms._der` — the small strict DER reader verification runs on.

Everything public is importable from ``jpki.cms``.
"""

from .pem import PEM_LABEL, from_pem, to_pem, write_p7s
from .sign import SHA256, CmsSigningError, sign_cms, sign_cms_with_key
from .verify import CHECKS, SIGNING_TIME_SKEW, CmsReason, CmsVerification, verify_cms

__all__ = [
    "CHECKS",
    "PEM_LABEL",
    "SHA256",
    "SIGNING_TIME_SKEW",
    "CmsReason",
    "CmsSigningError",
    "CmsVerification",
    "from_pem",
    "sign_cms",
    "sign_cms_with_key",
    "to_pem",
    "verify_cms",
    "write_p7s",
]
