"""CMS (PKCS #7) SignedData: sign with the card's signature key, verify offline.

As pyHanko does, signing and validation are apart:

* :mod:`jpki.cms.sign` — :func:`sign_cms` (the card) and :func:`sign_cms_with_key`
  (any RSA key): a SignedData in DER that ``openssl cms -verify`` accepts;
* :mod:`jpki.cms.verify` — :func:`verify_cms`: DER, BER or PEM, detached or
  attached, one signer; never raises for bad input (a :class:`CmsVerification`
  with a :data:`CmsReason` instead);
* :mod:`jpki.cms.files` — :func:`sign_cms_file` (a file of any size, in a stream) and
  :func:`write_p7s` (``.p7s`` files, written safely);
* :mod:`jpki.cms.pem` — PEM text;
* :mod:`jpki.cms._der` — the small strict DER reader verification runs on.

Everything public is importable from ``jpki.cms``.
"""

from .files import FileToSign, SignedFile, hash_file, prepare_file, sign_cms_file, write_p7s
from .pem import PEM_LABEL, from_pem, pem_chunks, to_pem
from .sign import (
    SHA256,
    CmsSigningError,
    SignedParts,
    sign_cms,
    sign_cms_digest,
    sign_cms_with_key,
)
from .verify import CHECKS, SIGNING_TIME_SKEW, CmsReason, CmsVerification, verify_cms

__all__ = [
    "CHECKS",
    "PEM_LABEL",
    "SHA256",
    "SIGNING_TIME_SKEW",
    "CmsReason",
    "CmsSigningError",
    "CmsVerification",
    "FileToSign",
    "SignedFile",
    "SignedParts",
    "from_pem",
    "hash_file",
    "pem_chunks",
    "prepare_file",
    "sign_cms",
    "sign_cms_digest",
    "sign_cms_file",
    "sign_cms_with_key",
    "to_pem",
    "verify_cms",
    "write_p7s",
]
