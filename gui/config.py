"""The kiosk's configuration (TOML): institution, identity source, timeouts, trust, catalogue.

The catalogue (the certificates offered, their fees and delivery methods) and
the delivery methods are the request document's own
(:class:`jpki.requests.DocumentCatalogue`, :class:`jpki.requests.DeliveryMethod`):
what the kiosk offers is what the ledger and the staff CLI accept.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path

from jpki.requests import (
    DEFAULT_CATALOGUE,
    DocumentCatalogue,
    DocumentType,
    RequestSchemaError,
)


class ConfigError(Exception):
    """The kiosk configuration is missing something or holds a wrong value."""


class LetterOrder(StrEnum):
    """The order of the letters on the on-screen keypads (the applicant can switch)."""

    ABC = "abc"  # alphabetical, as on most public kiosks
    QWERTY = "qwerty"  # a computer keyboard's


@dataclass(frozen=True, slots=True)
class Counter:
    """This office's staffed counter: where an applicant the kiosk cannot serve (a card
    problem, a locked PIN) can still request a certificate in person."""

    name_ja: str = "教務課 証明書発行窓口"
    name_en: str = "the Registrar's Office counter"
    place_ja: str = "本館1階"
    place_en: str = "Main Building, ground floor"
    hours_ja: str = "平日 9:00〜17:00"
    hours_en: str = "weekdays 9:00–17:00"

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en

    def place(self, lang: str) -> str:
        return self.place_ja if lang == "ja" else self.place_en

    def hours(self, lang: str) -> str:
        return self.hours_ja if lang == "ja" else self.hours_en


class IdentitySource(StrEnum):
    SIGN_CERTIFICATE = "sign-certificate"  # name, address, birth date from the signature cert
    TEXT_AP = "text-ap"  # the basic four from the text AP (its own 4-digit PIN)


@dataclass(frozen=True, slots=True)
class KioskConfig:
    institution_ja: str = "見本大学 教務課"
    institution_en: str = "Mihon University, Registrar's Office"
    kiosk_id: str = "kiosk-01"
    identity_source: IdentitySource = IdentitySource.SIGN_CERTIFICATE
    idle_timeout: float = 60.0
    countdown: float = 15.0  # the countdown shown for the last seconds before the timeout
    default_language: str = "ja"
    revocation: str = "if-available"  # require | if-available | off
    trust: tuple[Path, ...] = ()  # extra trust anchors (PEM/DER); empty = the J-LIS roots
    crls: tuple[Path, ...] = ()
    ledger_url: str | None = None  # None = SQLite in the user data directory
    # The office service ([office]): where signed requests go instead of a local ledger.
    office_urls: tuple[str, ...] = ()  # one URL, or the instances to try in turn
    office_token_file: Path | None = None  # this kiosk's token (from `jpki-office kiosk add`)
    office_ca: Path | None = None  # the CA of the office's TLS certificate (pinned)
    outbox: Path | None = None  # the store-and-forward folder; default: the user data dir
    print_deadline_days: int = 7  # convenience-store print deadline
    pdf_download_days: int = 14
    max_copies: int = 10
    letter_order: LetterOrder = LetterOrder.ABC
    counter: Counter = Counter()
    catalogue: DocumentCatalogue = DEFAULT_CATALOGUE

    @property
    def office_url(self) -> str | None:
        """The office's URL (the first instance), or ``None`` for a local ledger."""
        return self.office_urls[0] if self.office_urls else None

    def institution(self, lang: str) -> str:
        return self.institution_ja if lang == "ja" else self.institution_en

    def document_type(self, code: str) -> DocumentType:
        """The catalogue's entry for ``code``; :class:`ConfigError` when it lists none."""
        item = self.catalogue.get(code)
        if item is None:
            raise ConfigError(f"no document type {code!r} in the catalogue")
        return item


_DEFAULT = KioskConfig()


def _catalogue(data: dict[str, object]) -> DocumentCatalogue:
    try:
        return DocumentCatalogue.from_config(data)
    except RequestSchemaError as exc:
        raise ConfigError(f"the catalogue: {exc}") from None


def parse_config(text: str, base: Path | None = None) -> KioskConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the kiosk configuration is not valid TOML: {exc}") from None
    kiosk = data.get("kiosk", {})
    security = data.get("security", {})
    ledger = data.get("ledger", {})
    office = data.get("office", {})
    delivery = data.get("delivery", {})
    counter = data.get("counter", {})
    base = base or Path.cwd()
    try:
        cfg = KioskConfig(
            institution_ja=str(kiosk.get("institution_ja", _DEFAULT.institution_ja)),
            institution_en=str(kiosk.get("institution_en", _DEFAULT.institution_en)),
            kiosk_id=str(kiosk.get("id", _DEFAULT.kiosk_id)),
            identity_source=IdentitySource(
                kiosk.get("identity_source", IdentitySource.SIGN_CERTIFICATE)
            ),
            idle_timeout=float(kiosk.get("idle_timeout", _DEFAULT.idle_timeout)),
            countdown=float(kiosk.get("countdown", _DEFAULT.countdown)),
            default_language=str(kiosk.get("language", _DEFAULT.default_language)),
            revocation=str(security.get("revocation", _DEFAULT.revocation)),
            trust=tuple(base / p for p in security.get("trust", [])),
            crls=tuple(base / p for p in security.get("crls", [])),
            ledger_url=ledger.get("url"),
            office_urls=_urls(office.get("url")),
            office_token_file=_file(base, office.get("token_file")),
            office_ca=_file(base, office.get("ca")),
            outbox=_file(base, office.get("outbox")),
            print_deadline_days=int(delivery.get("print_deadline_days", 7)),
            pdf_download_days=int(delivery.get("pdf_download_days", 14)),
            max_copies=int(kiosk.get("max_copies", 10)),
            letter_order=LetterOrder(kiosk.get("letter_order", _DEFAULT.letter_order)),
            counter=_counter(counter),
            catalogue=_catalogue(data),
        )
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"the kiosk configuration has a wrong value: {exc}") from None
    if cfg.default_language not in ("ja", "en"):
        raise ConfigError("kiosk.language must be 'ja' or 'en'")
    if cfg.revocation not in ("require", "if-available", "off"):
        raise ConfigError("security.revocation must be require, if-available or off")
    if not 5 <= cfg.idle_timeout <= 3600 or not 0 <= cfg.countdown < cfg.idle_timeout:
        raise ConfigError("kiosk.idle_timeout must be 5..3600 s and countdown shorter than it")
    if not 1 <= cfg.max_copies <= 10:
        raise ConfigError("kiosk.max_copies must be 1..10")
    if cfg.office_urls and (cfg.office_token_file is None or cfg.office_ca is None):
        raise ConfigError("[office] needs token_file and ca besides url")
    if cfg.office_urls and cfg.ledger_url is not None:
        raise ConfigError(
            "[office] and [ledger] url exclude each other: a kiosk sends its "
            "requests to the office, or keeps them in a local ledger"
        )
    return cfg


def _counter(table: object) -> Counter:
    if not isinstance(table, dict):
        raise ConfigError("[counter] must be a table")
    values: dict[str, str] = {}
    for key in ("name_ja", "name_en", "place_ja", "place_en", "hours_ja", "hours_en"):
        value = table.get(key, getattr(_DEFAULT.counter, key))
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise ConfigError(
                f"[counter] {key} must be a non-empty string (200 characters at most)"
            )
        values[key] = value.strip()
    unknown = sorted(set(table) - set(values))
    if unknown:
        raise ConfigError(f"[counter] has unknown keys: {', '.join(unknown)}")
    return Counter(**values)


def _urls(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    urls = [value] if isinstance(value, str) else value
    if not isinstance(urls, list) or not all(
        isinstance(u, str) and u.startswith("https://") for u in urls
    ):
        raise ConfigError("[office] url must be an https:// URL (or a list of them)")
    return tuple(urls)


def _file(base: Path, value: object) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError("a file name in [office] must be a non-empty string")
    return base / value


def default_config_text() -> str:
    return resources.files("gui").joinpath("default_config.toml").read_text(encoding="utf-8")


def load_config(path: str | Path | None = None) -> KioskConfig:
    """The configuration at ``path``, or the built-in default (a demo university)."""
    if path is None:
        return parse_config(default_config_text())
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the kiosk configuration {p}: {exc.strerror}") from None
    return parse_config(text, base=p.parent)
