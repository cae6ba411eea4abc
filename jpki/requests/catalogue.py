"""The catalogue of certificates an office issues (the kinds a request may ask for).

Certificate kinds come from a catalogue (:class:`KindCatalogue`; the kiosk's
TOML configuration lists them, see :meth:`KindCatalogue.from_toml`);
:data:`DEFAULT_CATALOGUE` is the built-in one.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .schema import SHORT_TEXT, RequestSchemaError, check_code, check_text

__all__ = ["DEFAULT_CATALOGUE", "DEFAULT_KIND_CODES", "CertificateKindInfo", "KindCatalogue"]


@dataclass(frozen=True)
class CertificateKindInfo:
    """One certificate the office issues: a stable code and its names."""

    code: str
    name_ja: str
    name_en: str

    def __post_init__(self) -> None:
        check_code(self.code, "certificate kind code")
        check_text(self.name_ja, f"name_ja of {self.code}", SHORT_TEXT)
        check_text(self.name_en, f"name_en of {self.code}", SHORT_TEXT)

    def name(self, language: str) -> str:
        return self.name_ja if language == "ja" else self.name_en


@dataclass(frozen=True)
class KindCatalogue:
    """The certificate kinds a kiosk offers (order kept for display)."""

    kinds: tuple[CertificateKindInfo, ...]
    _by_code: Mapping[str, CertificateKindInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, CertificateKindInfo] = {}
        for kind in self.kinds:
            if kind.code in by_code:
                raise RequestSchemaError(f"certificate kind {kind.code!r} is listed twice")
            by_code[kind.code] = kind
        if not by_code:
            raise RequestSchemaError("the certificate catalogue lists no kind")
        object.__setattr__(self, "_by_code", by_code)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[CertificateKindInfo]:
        return iter(self.kinds)

    def get(self, code: str) -> CertificateKindInfo | None:
        return self._by_code.get(code)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> KindCatalogue:
        """From parsed TOML: an array of tables ``certificate_kinds`` with ``code``,
        ``name_ja`` and ``name_en``."""
        entries = config.get("certificate_kinds")
        if not isinstance(entries, list):
            raise RequestSchemaError(
                "the configuration has no [[certificate_kinds]] array of tables"
            )
        kinds = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise RequestSchemaError(f"certificate_kinds[{i}] is not a table")
            unknown = set(entry) - {"code", "name_ja", "name_en"}
            if unknown:
                raise RequestSchemaError(
                    f"certificate_kinds[{i}] has unknown key(s): {', '.join(sorted(unknown))}"
                )
            missing = {"code", "name_ja", "name_en"} - set(entry)
            if missing:
                raise RequestSchemaError(
                    f"certificate_kinds[{i}] lacks key(s): {', '.join(sorted(missing))}"
                )
            kinds.append(CertificateKindInfo(entry["code"], entry["name_ja"], entry["name_en"]))
        return cls(tuple(kinds))

    @classmethod
    def from_toml(cls, source: str | Path) -> KindCatalogue:
        """Read the kiosk's TOML configuration (a path, or TOML text when it holds a newline
        or ``[``)::

            [[certificate_kinds]]
            code = "transcript"
            name_ja = "成績証明書"
            name_en = "Academic Transcript"
        """
        if isinstance(source, Path) or ("\n" not in source and "[" not in source):
            text = Path(source).read_text(encoding="utf-8")
        else:
            text = source
        try:
            config = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RequestSchemaError(f"the configuration is not valid TOML: {exc}") from None
        return cls.from_mapping(config)


DEFAULT_CATALOGUE: Final = KindCatalogue(
    (
        CertificateKindInfo("transcript", "成績証明書", "Academic Transcript"),
        CertificateKindInfo("graduation", "卒業証明書", "Certificate of Graduation"),
        CertificateKindInfo("enrolment", "在学証明書", "Certificate of Enrolment"),
        CertificateKindInfo(
            "expected-graduation", "卒業見込証明書", "Certificate of Expected Graduation"
        ),
        CertificateKindInfo("completion", "修了証明書", "Certificate of Completion"),
        CertificateKindInfo("transcript-en", "成績証明書（英文）", "Academic Transcript (English)"),
        CertificateKindInfo(
            "graduation-en", "卒業証明書（英文）", "Certificate of Graduation (English)"
        ),
        CertificateKindInfo(
            "enrolment-en", "在学証明書（英文）", "Certificate of Enrolment (English)"
        ),
        CertificateKindInfo(
            "expected-graduation-en",
            "卒業見込証明書（英文）",
            "Certificate of Expected Graduation (English)",
        ),
        CertificateKindInfo(
            "completion-en", "修了証明書（英文）", "Certificate of Completion (English)"
        ),
    )
)
#: The kind codes :meth:`CertificateRequest.from_bytes` accepts unless told otherwise.
DEFAULT_KIND_CODES: Final = DEFAULT_CATALOGUE.codes
