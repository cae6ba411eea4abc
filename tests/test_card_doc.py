"""docs/card.md and the code say the same bytes: the AIDs, FIDs, ATRs and token labels the
code uses all appear in the card documentation (one home for the facts, checked)."""

from __future__ import annotations

from pathlib import Path

from jpki.layout import JPKI_AID, TEXT_AID, CertKind, PinKind
from jpki.token import TokenKind
from mock_card.atrs import ATRS

DOC = (Path(__file__).resolve().parent.parent / "docs" / "card.md").read_text("utf-8")


def card_section() -> str:
    begin, end = DOC.index("<!-- card: begin -->"), DOC.index("<!-- card: end -->")
    assert begin < end
    return DOC[begin:end]


def spaced(raw: bytes) -> str:
    return raw.hex(" ").upper()


def test_the_applications_and_files_the_code_uses_are_documented() -> None:
    text = card_section()
    for aid in (JPKI_AID, TEXT_AID):
        assert f"`{spaced(aid)}`" in text
    for kind in CertKind:
        assert f"EF `{kind.fid:04X}`" in text or f"`{kind.fid:04X}`" in text, kind
        if kind in (CertKind.AUTH, CertKind.SIGN):
            assert f"`{kind.key_fid:04X}`" in text, kind
    for pin in PinKind:
        assert f"EF `{pin.fid:04X}`" in text, pin


def test_every_atr_the_mock_offers_is_documented() -> None:
    text = card_section()
    for name, atr in ATRS.items():
        assert f"`{name}" in text, name
        full = spaced(atr)
        tail = spaced(atr[-5:])
        assert full in text or tail in text, name  # the f5 pair shares its start


def test_every_token_label_is_documented() -> None:
    text = card_section()
    for label in ("JPKIAPICCTOKEN2", "JPKIAPICCTOKEN", "JPKIAPGPSETOKEN", "JPKIAPIOSTOKEN"):
        assert f"`{label}`" in text
    assert len(TokenKind) == 5  # four labels and "unknown": a new kind needs a row here
