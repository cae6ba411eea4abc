"""What the kiosk's services are built from, read from the kiosk configuration: the trust
anchors, the CRLs, how the ledger verifies submissions, and how the card is opened."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

from jpki.card import JpkiCard
from jpki.ledger import LedgerConfig
from jpki.trust import CrlStore, RevocationPolicy, TrustStore

from .config import KioskConfig

__all__ = [
    "CardOpener",
    "crl_store_from_config",
    "ledger_config",
    "pcsc_card_opener",
    "trust_store_from_config",
]

#: Opens the card for one effect: a context manager giving a :class:`JpkiCard` session.
CardOpener = Callable[[], AbstractContextManager[JpkiCard]]


def trust_store_from_config(config: KioskConfig) -> TrustStore:
    """The J-LIS production roots, plus the extra anchors in ``config.trust`` (PEM/DER files
    or folders)."""
    production = TrustStore.production()
    if not config.trust:
        return production
    extra = TrustStore.from_paths(config.trust)
    return production.with_anchors(extra.anchors)


def crl_store_from_config(config: KioskConfig) -> CrlStore | None:
    """The CRL files (or folders of them) in ``config.crls``; ``None`` when there are none."""
    return CrlStore.from_paths(config.crls) if config.crls else None


def ledger_config(
    config: KioskConfig, trust_store: TrustStore, crls: CrlStore | None
) -> LedgerConfig:
    """How the ledger verifies this kiosk's submissions: the same trust, CRLs and revocation
    policy as the kiosk, the kiosk's catalogue as the allowed kinds, its PDF download window."""
    return LedgerConfig(
        trust_store=trust_store,
        crls=crls,
        revocation_policy=RevocationPolicy(config.revocation),
        allowed_kinds=frozenset(item.code for item in config.catalogue),
        download_window=timedelta(days=config.pdf_download_days),
    )


def pcsc_card_opener(reader: str | None = None) -> CardOpener:
    """Open the JPKI card in ``reader`` (a name or part of one; ``None``: ``$JPKI_READER`` or
    any reader) through :meth:`JpkiCard.open`: exclusive, reset when done."""

    def open_pcsc() -> AbstractContextManager[JpkiCard]:
        return JpkiCard.open(reader)

    return open_pcsc
