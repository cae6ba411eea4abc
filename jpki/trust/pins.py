"""Every J-LIS root generation, pinned by SHA-256: the one table the production trust is
built from (docs/card.md, "Trust").

J-LIS publishes three generations of each root (files ``signca01..03.cer`` and
``authca01..03.cer``); all generations of a purpose share one subject name, so a root is
told apart by its key (verified signatures) and trusted by its fingerprint, never by its
name, serial or key identifier. Where the package ships a root's bytes, ``shipped`` names
the file in ``jpki/data``; a root that is not shipped (generation 02) is still trusted
when its certificate arrives from the card (EF ``0002`` / ``000B``), inside a CMS
signature, or from ``jpki trust install FILE`` — if and only if its SHA-256 equals the
pin.

>>> [root.file_name for root in JLIS_ROOTS]
['signca01.cer', 'authca01.cer', 'signca02.cer', 'authca02.cer', 'signca03.cer', 'authca03.cer']
>>> JLIS_ROOTS[3].label("en")
'the J-LIS 2019 (generation 02) authentication root'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from ..messages import check_lang

__all__ = ["JLIS_ROOTS", "PinTable", "PinnedRoot"]

#: The two purposes of a root: ``"signature"`` (signca) and ``"authentication"`` (authca).
PURPOSES: Final = ("signature", "authentication")

_PURPOSE_TEXT: Final = {
    ("signature", "en"): "signature",
    ("authentication", "en"): "authentication",
    ("signature", "ja"): "署名用",
    ("authentication", "ja"): "利用者証明用",
}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class PinnedRoot:
    """One J-LIS root: its generation (``"01"``…), purpose, pin and what is known of it.

    ``sha256`` is the fingerprint of the DER (upper-case hex, no separators); ``ski`` the
    subject key identifier (hex), used only to *name* a missing root in a message — never
    to trust one. ``shipped`` is the file name in ``jpki/data`` (``None``: not shipped).
    ``source`` says where the pin comes from.
    """

    generation: str
    purpose: str
    file_name: str
    sha256: str
    serial: int
    not_before: datetime
    not_after: datetime
    ski: str
    shipped: str | None
    source: str

    @property
    def year(self) -> int:
        return self.not_before.year

    @property
    def fingerprint(self) -> bytes:
        return bytes.fromhex(self.sha256)

    def fingerprint_text(self, short: bool = False) -> str:
        """``0D98DE47…`` (``short``: the first 4 bytes and an ellipsis) or the whole hex."""
        return f"{self.sha256[:8]}…" if short else self.sha256

    def label(self, lang: str = "en") -> str:
        """``the J-LIS 2019 (generation 02) authentication root`` /
        ``J-LIS 2019年（第02世代）の利用者証明用ルート証明書``."""
        purpose = _PURPOSE_TEXT[(self.purpose, check_lang(lang))]
        if lang == "ja":
            return f"J-LIS {self.year}年（第{self.generation}世代）の{purpose}ルート証明書"
        return f"the J-LIS {self.year} (generation {self.generation}) {purpose} root"

    def valid_at(self, when: datetime) -> bool:
        return self.not_before <= when <= self.not_after


class PinTable:
    """The pinned roots a trust store knows (hashable: one production store per table)."""

    def __init__(self, roots: Iterable[PinnedRoot]) -> None:
        self.roots: tuple[PinnedRoot, ...] = tuple(roots)
        self._by_fp = {r.fingerprint: r for r in self.roots}
        self._by_ski: dict[bytes, list[PinnedRoot]] = {}
        for r in self.roots:
            self._by_ski.setdefault(bytes.fromhex(r.ski), []).append(r)

    def __iter__(self) -> Iterator[PinnedRoot]:
        return iter(self.roots)

    def __len__(self) -> int:
        return len(self.roots)

    def __getitem__(self, index: int) -> PinnedRoot:
        return self.roots[index]

    def __hash__(self) -> int:
        return hash(self.roots)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PinTable) and other.roots == self.roots

    def by_fingerprint(self, fp: bytes) -> PinnedRoot | None:
        """The pinned root with this SHA-256, if any: the only way a root is trusted."""
        return self._by_fp.get(fp)

    def by_key_id(self, key_id: bytes) -> list[PinnedRoot]:
        """The roots whose key identifier is ``key_id`` (to *name* a missing issuer only)."""
        return list(self._by_ski.get(key_id, ()))

    def by_file_name(self, name: str) -> PinnedRoot | None:
        return next((r for r in self.roots if r.file_name == name), None)


_JLIS_PAGE: Final = "as J-LIS publishes it on its CA page"
_FOUND: Final = (
    "fingerprint of the file found in public repositories (one source); check it against "
    "J-LIS's CA page"
)

#: Every J-LIS root, in the order of J-LIS's page (docs/card.md, "Trust").
JLIS_ROOTS: Final = PinTable(
    [
        PinnedRoot(
            generation="01",
            purpose="signature",
            file_name="signca01.cer",
            sha256="19645405A1FE14377434BD55957628AC4038557C542403A2243F21C706FC9355",
            serial=0x01,
            not_before=_utc("2015-10-20T02:40:28"),
            not_after=_utc("2025-10-19T14:59:59"),
            ski="0D034CBB34D0714F45E45A1CAFD8FD143FAB54A7",
            shipped="sign_ca_2015.pem",
            source=_JLIS_PAGE,
        ),
        PinnedRoot(
            generation="01",
            purpose="authentication",
            file_name="authca01.cer",
            sha256="4DCFC4CA0AAF9FB2A3081B3F0C991C320B3ACC008667A341EEAEC5AF1D58CA7D",
            serial=0x01,
            not_before=_utc("2015-10-20T03:08:13"),
            not_after=_utc("2025-10-19T14:59:59"),
            ski="9567951B5CA70D84A0FFF1D85A87F1AAB1340385",
            shipped="auth_ca_2015.pem",
            source=_JLIS_PAGE,
        ),
        PinnedRoot(
            generation="02",
            purpose="signature",
            file_name="signca02.cer",
            sha256="79679C33E4CC9319440F1AD120A597FF1844E2EF217063ADB176966FD5E6FBEB",
            serial=0x0132C4AB,
            not_before=_utc("2019-09-14T23:41:56"),
            not_after=_utc("2029-09-14T14:59:59"),
            ski="4DE017DE4B7F473DCD867A62D38B134ACE83558A",
            shipped=None,
            source=_JLIS_PAGE + " (reported by two independent projects)",
        ),
        PinnedRoot(
            generation="02",
            purpose="authentication",
            file_name="authca02.cer",
            sha256="0D98DE47FC11B7F67126874B7028B6026A803D2638D6EDFE53176953961FADE6",
            serial=0x0133C349,
            not_before=_utc("2019-09-14T23:41:59"),
            not_after=_utc("2029-09-14T14:59:59"),
            ski="8CD5586A891485E559379B7E29D410CFD28B3593",
            shipped=None,
            source=_FOUND,
        ),
        PinnedRoot(
            generation="03",
            purpose="signature",
            file_name="signca03.cer",
            sha256="D227F6CDE11D35C5252178F106F843D24651944975413B539FA2FB68DBFA365F",
            serial=0x067C6A21,
            not_before=_utc("2023-07-16T00:50:27"),
            not_after=_utc("2033-07-15T14:59:59"),
            ski="D21EA55895617E93ADBF966B941AB4EDF653F08F",
            shipped="sign_ca_2023.pem",
            source=_JLIS_PAGE,
        ),
        PinnedRoot(
            generation="03",
            purpose="authentication",
            file_name="authca03.cer",
            sha256="64114F29620C24ED2631D46476A040E7EE740D956089C00B036A6A8118C322B5",
            serial=0x06D18006,
            not_before=_utc("2023-07-16T01:01:04"),
            not_after=_utc("2033-07-15T14:59:59"),
            ski="1AC100F596A3BC8C4B3DF195E32699249E9E308A",
            shipped="auth_ca_2023.pem",
            source=_JLIS_PAGE,
        ),
    ]
)
