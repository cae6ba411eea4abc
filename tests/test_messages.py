"""jpki.messages: the library's bilingual texts, one catalogue, complete in both languages."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest

from jpki import messages
from jpki.certs import SEX_LABELS, CertificateKind


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("table", [messages.EXPLANATIONS, messages.LABELS])
def test_every_text_has_both_languages_and_the_same_fields(table: object) -> None:
    assert isinstance(table, type(messages.LABELS))
    for key, texts in table.items():
        assert set(texts) == set(messages.LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key
        assert not texts["ja"].isascii(), key
        assert _fields(texts["en"]) == _fields(texts["ja"]), key


def test_every_certificate_kind_and_sex_code_has_a_label() -> None:
    for kind in CertificateKind:
        assert kind.label == messages.label(f"kind.{kind.value}", "en")
        assert kind.label_ja == messages.label(f"kind.{kind.value}", "ja") == kind.label_in("ja")
    assert CertificateKind.SIGNATURE.label_ja == "署名用電子証明書"
    assert dict(SEX_LABELS) == {
        "1": ("male", "男"),
        "2": ("female", "女"),
        "3": ("unknown", "不明"),
        "9": ("not applicable", "適用不能"),
    }


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="'en' or 'ja'"):
        messages.explanation("malformed", "fr")
    with pytest.raises(ValueError, match="'en' or 'ja'"):
        messages.label("kind.ca", "")


def test_dates_are_written_in_jst_the_way_of_each_language() -> None:
    when = datetime(2026, 6, 14, 15, 30, tzinfo=UTC)  # 00:30 the next day in Japan
    assert messages.date_text(when, "en") == "2026-06-15 00:30 JST"
    assert messages.date_text(when, "ja") == "2026年6月15日 00:30"
    text = messages.explanation("not_yet_valid", "ja", cert="署名用電子証明書", not_before="X")
    assert text.startswith("署名用電子証明書はXから有効")
