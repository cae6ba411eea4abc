"""The kiosk's configuration (TOML): institution, identity source, timeouts, trust, catalogue,
and what happens after a request (:class:`Guidance`: payment, readiness, pickup, print,
download, post — the facts :mod:`gui.next_steps` tells the applicant).

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


class ReaderType(StrEnum):
    """How the card meets the kiosk's reader: the words and pictures that tell the applicant
    to insert, keep or take the card follow it (:mod:`gui.reader_kind`)."""

    CONTACT = "contact"  # a slot: the card is inserted, chip first
    CONTACTLESS = "contactless"  # an NFC pad: the card is placed on it and kept still
    AUTO = "auto"  # from the ATR of each card read (PC/SC part 3 ATRs are contactless)


class LetterOrder(StrEnum):
    """The order of the letters on the on-screen keypads (the applicant can switch)."""

    ABC = "abc"  # alphabetical, as on most public kiosks
    QWERTY = "qwerty"  # a computer keyboard's


class PaymentTime(StrEnum):
    """When the fee is paid (``[payment] when``)."""

    BEFORE_ISSUE = "before-issue"  # paid first; the office prepares the certificate once paid
    ON_PICKUP = "on-pickup"  # a counter pickup is paid when collected (others: before issue)


@dataclass(frozen=True, slots=True)
class Words:
    """A text the office writes in both languages (a place, opening hours…)."""

    ja: str
    en: str

    def __call__(self, language: str) -> str:
        return self.ja if language == "ja" else self.en


@dataclass(frozen=True, slots=True)
class Counter:
    """This office's staffed counter (``[counter]``): where an applicant the kiosk cannot
    serve (a card problem, a locked PIN) can still request a certificate in person, and
    where a certificate for pickup is collected."""

    name: Words = Words("教務課 証明書発行窓口", "the Registrar's Office counter")
    place: Words = Words("本館1階", "Main Building, ground floor")
    hours: Words = Words("平日 9:00〜17:00", "weekdays 9:00–17:00")
    # what to bring to collect a certificate there (the next steps of a counter pickup)
    bring: Words = Words(
        "この受付票とマイナンバーカード（または学生証などの本人確認書類）",
        "this receipt and your My Number card (or another identity document, such as a "
        "student card)",
    )

    def where(self, lang: str) -> str:
        """The counter and its place in one phrase (「本館1階の教務課 証明書発行窓口」)."""
        if lang == "ja":
            return f"{self.place.ja}の{self.name.ja}"
        return f"{self.name.en}, {self.place.en}"


@dataclass(frozen=True, slots=True)
class Guidance:
    """What an office tells the applicant happens after the request: where, when and how much
    to pay, how they learn it is ready, and how they get it (``[payment]``, ``[ready]``,
    ``[convenience_store]``, ``[digital_pdf]``, ``[postal]``). The counter for a pickup is
    :attr:`KioskConfig.counter` (``[counter]``, also named by the problem screens); the
    deadlines are :attr:`KioskConfig.print_deadline_days` and
    :attr:`KioskConfig.pdf_download_days`."""

    pay_where: Words = Words(
        "本部棟1階の会計窓口", "the cashier's window, Main Building, 1st floor"
    )
    pay_hours: Words = Words("平日 9:00〜16:00", "weekdays 9:00–16:00")
    pay_when: PaymentTime = PaymentTime.BEFORE_ISSUE
    store_pays_at_machine: bool = True  # a convenience-store print is paid at the machine
    postage_yen: int = 0  # added to the total of a request by post
    ready_days: int = 2  # typical working days until it is ready (after payment)
    kiosk_status: bool = True  # the kiosk shows an applicant's requests when their card is in
    ready_notice: Words = Words(
        "大学に登録されているメールアドレスへのメール",
        "an e-mail to the address registered with the university",
    )
    store_machines: Words = Words(
        "主なコンビニエンスストアのマルチコピー機",
        "the multi-copy machine of a major convenience store",
    )
    store_menu: Words = Words("「証明書の印刷」", '"Certificate printing"')
    pdf_site: str = "https://certificates.mihon-u.example/download"
    pdf_link_to: Words = Words(
        "大学に登録されているメールアドレス", "the e-mail address registered with the university"
    )


class IdentitySource(StrEnum):
    SIGN_CERTIFICATE = "sign-certificate"  # name, address, birth date from the signature cert
    TEXT_AP = "text-ap"  # the basic four from the text AP (its own 4-digit PIN)


@dataclass(frozen=True, slots=True)
class KioskConfig:
    institution_ja: str = "見本大学 教務課"
    institution_en: str = "Mihon University, Registrar's Office"
    kiosk_id: str = "kiosk-01"
    identity_source: IdentitySource = IdentitySource.SIGN_CERTIFICATE
    reader_type: ReaderType = ReaderType.AUTO
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
    guidance: Guidance = Guidance()  # what happens next: payment, readiness, pickup…

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
            reader_type=_reader_type(kiosk.get("reader", _DEFAULT.reader_type.value)),
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
            guidance=_guidance(data),
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
    _check_guidance(cfg)
    if cfg.office_urls and (cfg.office_token_file is None or cfg.office_ca is None):
        raise ConfigError("[office] needs token_file and ca besides url")
    if cfg.office_urls and cfg.ledger_url is not None:
        raise ConfigError(
            "[office] and [ledger] url exclude each other: a kiosk sends its "
            "requests to the office, or keeps them in a local ledger"
        )
    return cfg


def _reader_type(value: object) -> ReaderType:
    if not isinstance(value, str) or value not in tuple(ReaderType):
        choices = " | ".join(t.value for t in ReaderType)
        raise ConfigError(f"kiosk.reader must be {choices}, not {str(value)[:40]!r}")
    return ReaderType(value)


def _counter(table: object) -> Counter:
    if not isinstance(table, dict):
        raise ConfigError("[counter] must be a table")
    fields = ("name", "place", "hours", "bring")
    unknown = sorted(set(table) - {f"{k}_{lang}" for k in fields for lang in ("ja", "en")})
    if unknown:
        raise ConfigError(f"[counter] has unknown keys: {', '.join(unknown)}")
    d = _DEFAULT.counter
    return Counter(**{k: _words(table, "counter", k, getattr(d, k)) for k in fields})


_NO_GUIDANCE = Guidance()
_GUIDANCE_TABLES = {
    "payment": ("where_ja", "where_en", "hours_ja", "hours_en", "when", "store_pays_at_machine"),
    "ready": ("working_days", "notice_ja", "notice_en", "kiosk_status"),
    "convenience_store": ("machines_ja", "machines_en", "menu_ja", "menu_en"),
    "digital_pdf": ("site", "link_to_ja", "link_to_en"),
    "postal": ("postage_yen",),
}


def _table(data: dict[str, object], name: str) -> dict[str, object]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"[{name}] must be a table")
    unknown = sorted(set(table) - set(_GUIDANCE_TABLES[name]))
    if unknown:
        raise ConfigError(f"[{name}] has no setting {unknown[0]!r}")
    return table


def _words(table: dict[str, object], name: str, key: str, default: Words) -> Words:
    ja, en = table.get(f"{key}_ja", default.ja), table.get(f"{key}_en", default.en)
    for lang, value in (("ja", ja), ("en", en)):
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise ConfigError(f"[{name}] {key}_{lang} must be a text of 1 to 200 characters")
    assert isinstance(ja, str) and isinstance(en, str)
    return Words(ja.strip(), en.strip())


def _whole(
    table: dict[str, object], name: str, key: str, default: int, *, low: int, high: int
) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"[{name}] {key} must be a whole number from {low} to {high}")
    return value


def _guidance(data: dict[str, object]) -> Guidance:
    d = _NO_GUIDANCE
    pay, ready = _table(data, "payment"), _table(data, "ready")
    store, pdf, post = (
        _table(data, "convenience_store"),
        _table(data, "digital_pdf"),
        _table(data, "postal"),
    )
    when = pay.get("when", d.pay_when.value)
    if when not in [t.value for t in PaymentTime]:
        raise ConfigError("[payment] when must be before-issue or on-pickup")
    at_machine = pay.get("store_pays_at_machine", d.store_pays_at_machine)
    if not isinstance(at_machine, bool):
        raise ConfigError("[payment] store_pays_at_machine must be true or false")
    kiosk_status = ready.get("kiosk_status", d.kiosk_status)
    if not isinstance(kiosk_status, bool):
        raise ConfigError("[ready] kiosk_status must be true or false")
    site = pdf.get("site", d.pdf_site)
    if not isinstance(site, str) or not site.startswith("https://") or len(site) > 200:
        raise ConfigError("[digital_pdf] site must be an https:// URL")
    return Guidance(
        pay_where=_words(pay, "payment", "where", d.pay_where),
        pay_hours=_words(pay, "payment", "hours", d.pay_hours),
        pay_when=PaymentTime(str(when)),
        store_pays_at_machine=at_machine,
        postage_yen=_whole(post, "postal", "postage_yen", d.postage_yen, low=0, high=10_000),
        ready_days=_whole(ready, "ready", "working_days", d.ready_days, low=0, high=30),
        kiosk_status=kiosk_status,
        ready_notice=_words(ready, "ready", "notice", d.ready_notice),
        store_machines=_words(store, "convenience_store", "machines", d.store_machines),
        store_menu=_words(store, "convenience_store", "menu", d.store_menu),
        pdf_site=site,
        pdf_link_to=_words(pdf, "digital_pdf", "link_to", d.pdf_link_to),
    )


def _check_guidance(cfg: KioskConfig) -> None:
    if not 1 <= cfg.print_deadline_days <= 90:
        raise ConfigError("[delivery] print_deadline_days must be 1..90")
    if not 1 <= cfg.pdf_download_days <= 366:
        raise ConfigError("[delivery] pdf_download_days must be 1..366")
    # the print deadline is a date fixed in the signed request: the certificate must be
    # ready (working days, so up to twice as many calendar days) well before it
    if cfg.print_deadline_days <= 2 * cfg.guidance.ready_days:
        raise ConfigError(
            "[delivery] print_deadline_days must be more than twice [ready] working_days: "
            "the print deadline counts from the day of the request, and the certificate "
            "must be ready before it"
        )


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
