"""The JPKI certificate model: what kind a certificate is, its holder's data, its dates.

>>> info = CertificateInfo.from_x509(cert, store=TrustStore.production())  # doctest: +SKIP
>>> info.kind, info.holder.name, info.days_left(), info.renewal_open()      # doctest: +SKIP
>>> explain_expiry(info, lang="ja")                                          # doctest: +SKIP

* :mod:`~jpki.certs.kind` — the kind (signature, user authentication, CA), told
  from key usage and policy, never from names;
* :mod:`~jpki.certs.holder` — the holder's basic four (基本4情報) in a signature
  certificate's subjectAltName;
* :mod:`~jpki.certs.model` — :class:`CertificateInfo`: kind, dates, renewal;
* :mod:`~jpki.certs.explain` — paragraphs for a person, in English or Japanese
  (the texts themselves are in :mod:`jpki.messages`).

Everything is importable from ``jpki.certs``.
"""

from ..messages import EXPLANATIONS, explanation
from ..timeutil import JST
from .explain import explain_expiry, explain_revocation, explain_validation
from .holder import (
    ERAS,
    OID_ADDRESS,
    OID_ADDRESS_FLAGS,
    OID_BIRTH_DATE,
    OID_NAME,
    OID_NAME_FLAGS,
    OID_SEX,
    SEX_LABELS,
    HolderAttributes,
    has_holder_attributes,
    parse_holder_attributes,
)
from .kind import (
    CertificateFormatError,
    CertificateKind,
    certificate_kind,
    kind_or_unknown,
    serial_hex,
)
from .model import RENEWAL_MONTHS, CertificateInfo, JpkiCertificate

__all__ = [
    "ERAS",
    "EXPLANATIONS",
    "JST",
    "OID_ADDRESS",
    "OID_ADDRESS_FLAGS",
    "OID_BIRTH_DATE",
    "OID_NAME",
    "OID_NAME_FLAGS",
    "OID_SEX",
    "RENEWAL_MONTHS",
    "SEX_LABELS",
    "CertificateFormatError",
    "CertificateInfo",
    "CertificateKind",
    "HolderAttributes",
    "JpkiCertificate",
    "certificate_kind",
    "explain_expiry",
    "explain_revocation",
    "explain_validation",
    "explanation",
    "has_holder_attributes",
    "kind_or_unknown",
    "parse_holder_attributes",
    "serial_hex",
]
