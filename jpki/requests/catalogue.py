"""The catalogue: the kinds of certificate an office issues (成績証明書, 卒業証明書, …).

One :class:`DocumentType` per kind: a stable code (what a request's ``kind``
holds), its names in Japanese and English, the language it is printed in, the
fee per copy and the delivery methods it may take. A :class:`DocumentCatalogue`
lists them in display order. The kiosk offers what its catalogue lists, the
request document must name one of its codes, and the ledger accepts only
those — one catalogue for all three.

The kiosk's TOML configuration holds the catalogue as an array of tables
(:meth:`DocumentCatalogue.from_config`); a configuration that lists none uses
:data:`DEFAULT_CATALOGUE`, the demo university's::

    [[catalogue]]
    code = "transcript-ja"
    name_ja = "成績証明書（和文）"
    name_en = "Academic transcript (Japanese)"
    language = "ja"                   # the language it is printed in
    fee_yen = 300                     # per copy
    deliveries = ["postal", "counter", "convenience-store", "digital-pdf"]  # default: all
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ..files import read_limited
from ..limits import MAX_CONFIG_SIZE
from .delivery import DeliveryMethod
from .schema import (
    LANGUAGES,
    SHORT_TEXT,
    RequestSchemaError,
    check_code,
    check_int,
    check_text,
)

__all__ = [
    "CATALOGUE_KEY",
    "DEFAULT_CATALOGUE",
    "DEFAULT_KIND_CODES",
    "MAX_FEE_YEN",
    "DocumentCatalogue",
    "DocumentType",
]

#: The key of the catalogue's array of tables in a configuration.
CATALOGUE_KEY: Final = "catalogue"
MAX_FEE_YEN: Final = 1_000_000

_ENTRY_KEYS: Final = frozenset({"code", "name_ja", "name_en", "language", "fee_yen", "deliveries"})
_REQUIRED_KEYS: Final = frozenset({"code", "name_ja", "name_en"})


@dataclass(frozen=True)
class DocumentType:
    """One kind of certificate the office issues. ``language`` is the language it is
    printed in (a session in English may ask for a Japanese one); ``fee_yen`` is per copy."""

    code: str
    name_ja: str
    name_en: str
    language: str = "ja"
    fee_yen: int = 0
    deliveries: tuple[DeliveryMethod, ...] = tuple(DeliveryMethod)

    def __post_init__(self) -> None:
        check_code(self.code, "document type code")
        check_text(self.name_ja, f"name_ja of {self.code}", SHORT_TEXT)
        check_text(self.name_en, f"name_en of {self.code}", SHORT_TEXT)
        if not isinstance(self.language, str) or self.language not in LANGUAGES:
            raise RequestSchemaError(
                f"language of {self.code} must be one of {', '.join(sorted(LANGUAGES))}"
            )
        check_int(self.fee_yen, f"fee_yen of {self.code}", 0, MAX_FEE_YEN)
        if not isinstance(self.deliveries, tuple) or not all(
            isinstance(d, DeliveryMethod) for d in self.deliveries
        ):
            raise RequestSchemaError(f"deliveries of {self.code} must be delivery methods")
        if not self.deliveries or len(set(self.deliveries)) != len(self.deliveries):
            raise RequestSchemaError(
                f"deliveries of {self.code} must name each method at most once, and one at least"
            )

    def name(self, language: str) -> str:
        """Its name in ``language`` (Japanese for ``ja``, else English)."""
        return self.name_ja if language == "ja" else self.name_en

    @classmethod
    def from_entry(cls, entry: object, where: str) -> DocumentType:
        """From one table of a configuration's catalogue (``where`` names it in errors)."""
        if not isinstance(entry, dict):
            raise RequestSchemaError(f"{where} is not a table")
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise RequestSchemaError(f"{where} has unknown key(s): {', '.join(sorted(unknown))}")
        missing = _REQUIRED_KEYS - set(entry)
        if missing:
            raise RequestSchemaError(f"{where} lacks key(s): {', '.join(sorted(missing))}")
        deliveries = entry.get("deliveries", [m.value for m in DeliveryMethod])
        if not isinstance(deliveries, list):
            raise RequestSchemaError(f"{where}: deliveries must be an array of methods")
        methods = []
        for value in deliveries:
            try:
                methods.append(DeliveryMethod(value))
            except ValueError:
                known = ", ".join(m.value for m in DeliveryMethod)
                raise RequestSchemaError(
                    f"{where}: unknown delivery method {str(value)[:40]!r} (known: {known})"
                ) from None
        return cls(
            code=entry["code"],
            name_ja=entry["name_ja"],
            name_en=entry["name_en"],
            language=entry.get("language", "ja"),
            fee_yen=entry.get("fee_yen", 0),
            deliveries=tuple(methods),
        )


@dataclass(frozen=True)
class DocumentCatalogue:
    """The document types an office issues, in display order; codes are unique."""

    types: tuple[DocumentType, ...]
    _by_code: Mapping[str, DocumentType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, DocumentType] = {}
        for item in self.types:
            if item.code in by_code:
                raise RequestSchemaError(f"document type {item.code!r} is listed twice")
            by_code[item.code] = item
        if not by_code:
            raise RequestSchemaError("the catalogue lists no document type")
        object.__setattr__(self, "_by_code", by_code)

    @property
    def codes(self) -> frozenset[str]:
        """The codes a request's ``kind`` may hold."""
        return frozenset(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[DocumentType]:
        return iter(self.types)

    def __len__(self) -> int:
        return len(self.types)

    def get(self, code: str) -> DocumentType | None:
        return self._by_code.get(code)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DocumentCatalogue:
        """The catalogue of a parsed configuration: its ``[[catalogue]]`` tables, or
        :data:`DEFAULT_CATALOGUE` when it has none."""
        entries = config.get(CATALOGUE_KEY)
        if "certificate_kinds" in config:  # the staff CLI's format before there was one
            raise RequestSchemaError(
                "[[certificate_kinds]] is not read any more: list the document types as "
                f"[[{CATALOGUE_KEY}]] tables, as the kiosk configuration does"
            )
        if entries is None:
            return DEFAULT_CATALOGUE
        if not isinstance(entries, list):
            raise RequestSchemaError(f"{CATALOGUE_KEY} must be an array of tables")
        return cls(
            tuple(
                DocumentType.from_entry(entry, f"{CATALOGUE_KEY}[{i}]")
                for i, entry in enumerate(entries)
            )
        )

    @classmethod
    def from_toml(cls, source: str | Path) -> DocumentCatalogue:
        """The catalogue of a TOML configuration (a path, or TOML text when it holds a
        newline or ``[``), as :meth:`from_config` reads it."""
        if isinstance(source, Path) or ("\n" not in source and "[" not in source):
            raw = read_limited(source, MAX_CONFIG_SIZE)  # InputTooLarge past 1 MiB
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RequestSchemaError(
                    f"the configuration is not UTF-8 (byte {exc.start})"
                ) from None
        else:
            text = source
        if len(text) > MAX_CONFIG_SIZE:
            raise RequestSchemaError(
                f"the configuration is longer than {MAX_CONFIG_SIZE} characters"
            )
        try:
            config = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError) as exc:  # RecursionError: nested deep
            raise RequestSchemaError(f"the configuration is not valid TOML: {exc}") from None
        return cls.from_config(config)


#: The demo university's registrar: the kiosk's catalogue unless its configuration lists one.
DEFAULT_CATALOGUE: Final = DocumentCatalogue(
    (
        DocumentType(
            "transcript-ja", "成績証明書（和文）", "Academic transcript (Japanese)", "ja", 300
        ),
        DocumentType(
            "transcript-en", "成績証明書（英文）", "Academic transcript (English)", "en", 300
        ),
        DocumentType(
            "graduation-ja",
            "卒業証明書（和文）",
            "Certificate of graduation (Japanese)",
            "ja",
            300,
        ),
        DocumentType(
            "graduation-en", "卒業証明書（英文）", "Certificate of graduation (English)", "en", 300
        ),
        DocumentType("enrolment-ja", "在学証明書", "Certificate of enrolment", "ja", 200),
        DocumentType(
            "expected-graduation-ja",
            "卒業見込証明書",
            "Certificate of expected graduation",
            "ja",
            200,
        ),
        DocumentType("completion-ja", "修了証明書", "Certificate of completion", "ja", 300),
    )
)
#: The kind codes :meth:`CertificateRequest.from_bytes` accepts unless told otherwise.
DEFAULT_KIND_CODES: Final = DEFAULT_CATALOGUE.codes
