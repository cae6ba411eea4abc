"""The project's wording rules hold in every kiosk text, so the old words cannot come back.

The rules (issue 15): the signature PIN is 「6文字以上16文字以下」, not 桁; copies are counted
in 「通」, not 部; the PDF the office sends is 「デジタル版の証明書」, never 「電子証明書」 (that word
is the card's JPKI certificates); 「理由の如何を問わず」; remaining tries are said politely
(「残り2回です」); a list of identity documents names the residence card; English addresses
the applicant as "you", not "the holder".

The texts are read where the applicant reads them: the translations in ``gui/i18n/*.ts``
(their English source texts are the code's ``translate`` / ``QT_TRANSLATE_NOOP`` strings) and
any other string constant in the kiosk's code.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from jpki.messages import EXPLANATIONS

ROOT = Path(__file__).resolve().parent.parent
GUI = ROOT / "gui"

# -- the rules, as patterns -----------------------------------------------------------------------

#: Japanese words that must not appear, each with the rule it breaks.
JA_FORBIDDEN: dict[str, re.Pattern[str]] = {
    # the signature PIN's length in 桁 (「6〜16桁」「6桁以上」), or 桁 after 英数字/英大文字
    "signature PIN length in 桁": re.compile(
        r"(?:6|16)\s*[〜～~\-–]?\s*(?:16\s*)?桁|(?:英数字|英大文字|署名用)[^。：]*?[0-9]+\s*桁"
    ),
    # 部 as the counter of copies (「2部」「{copies}部」「部数」), not 部屋/部分/学部...
    "copies counted in 部": re.compile(r"(?:[0-9０-９}]|何)\s*部(?![屋分品署門局会長])|部数"),
    "the PDF called 電子証明書": re.compile(
        r"電子証明書\s*[（(]\s*PDF|PDF[^。]*電子証明書|デジタル証明書"
    ),
    "理由の如何を問わず": re.compile(r"如何(?!を問わず)"),
    "tries left said plainly": re.compile(r"残り[^。]*?回(?!です|数)"),
}

#: English words that must not appear in applicant-facing texts.
EN_FORBIDDEN: dict[str, re.Pattern[str]] = {
    "the holder instead of you": re.compile(r"\bholder", re.IGNORECASE),
}


def ts_messages(language: str) -> list[tuple[str, str, str]]:
    """(context, English source, translation) of every message in ``kiosk_<language>.ts``."""
    root = ET.parse(GUI / "i18n" / f"kiosk_{language}.ts").getroot()
    return [
        (ctx.findtext("name") or "", m.findtext("source") or "", m.findtext("translation") or "")
        for ctx in root.iter("context")
        for m in ctx.iter("message")
    ]


def code_strings() -> list[tuple[str, str]]:
    """(where, text) of every string constant in the kiosk's code that is not a docstring."""
    out = []
    for path in sorted(GUI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                out.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return out


def breaches(texts: list[tuple[str, str]], rules: dict[str, re.Pattern[str]]) -> list[str]:
    return [
        f"{where}: {rule}: {text!r}"
        for where, text in texts
        for rule, pattern in rules.items()
        if pattern.search(text)
    ]


# -- the patterns catch the old words (else the scans below prove nothing) ----------------------


@pytest.mark.parametrize(
    "old",
    [
        "署名用電子証明書の暗証番号（英数字6〜16桁）",
        "英大文字（A〜Z）と数字（0〜9）を両方含む6〜16桁",
        "{name} × {copies}部（手数料 {fee}円）",
        "部数は1〜{max}部で選んでください。",
        "{recipient} 宛の電子証明書（PDF）です。",
        "デジタル証明書（PDF）",
        "送信後は、理由の如何によらず手数料は返金できません。",
        "暗証番号が違います。残り{n}回",
    ],
)
def test_the_rules_catch_the_old_japanese_words(old: str) -> None:
    assert breaches([("example", old)], JA_FORBIDDEN)


@pytest.mark.parametrize(
    "fine",
    [
        "英大文字（A〜Z）と数字（0〜9）を両方含む6文字以上16文字以下",
        "郵便番号を7桁で入力してください（例：123-4567）。",
        "数字4桁",
        "{name} × {copies}通（手数料 {fee}円）",
        "必要であれば建物名・部屋番号を書き加えてください。",
        "全部消す",
        "提出先名の入ったデジタル版の証明書（PDF）です。",
        "カードの署名用電子証明書で申請に電子署名します。",
        "手数料は、理由の如何を問わず返金できません。",
        "暗証番号が違います。残り{n}回です。",
        "入力できる残り回数は{n}回です。",
    ],
)
def test_the_rules_let_the_right_words_pass(fine: str) -> None:
    assert not breaches([("example", fine)], JA_FORBIDDEN)


def test_the_english_rule_catches_the_holder() -> None:
    assert breaches([("example", "valid until the holder's 5th birthday")], EN_FORBIDDEN)
    assert not breaches([("example", "valid until your 5th birthday")], EN_FORBIDDEN)


# -- the scans ------------------------------------------------------------------------------------


def test_japanese_translations_keep_the_wording_rules() -> None:
    texts = [(f"kiosk_ja.ts [{c}] {s[:40]!r}", t) for c, s, t in ts_messages("ja")]
    assert texts
    assert breaches(texts, JA_FORBIDDEN) == []


def test_the_kiosk_code_has_no_forbidden_japanese_words() -> None:
    assert breaches(code_strings(), JA_FORBIDDEN) == []


def test_english_texts_address_the_applicant() -> None:
    texts = [(f"kiosk_en.ts [{c}]", t) for c, _s, t in ts_messages("en")]
    texts += [(f"source [{c}]", s) for c, s, _t in ts_messages("ja")]
    # the library's paragraphs the kiosk shows as a problem's detail (explain_validation)
    texts += [(f"jpki.messages {k}", v["en"]) for k, v in EXPLANATIONS.items()]
    assert breaches(texts, EN_FORBIDDEN) == []


def test_the_signature_pin_rule_reads_6_to_16_characters() -> None:
    """Positively: where the Japanese names the signature PIN's length, it says 文字."""
    ja = ts_messages("ja")
    lengths = [t for _c, s, t in ja if "6 to 16" in s]
    assert len(lengths) >= 2  # the PIN rule and the insert screen's list of PINs
    for t in lengths:
        assert "6文字以上16文字以下" in t, t


def test_copies_are_counted_in_tsu() -> None:
    ja = {s: t for _c, s, t in ja_pairs()}
    from gui import texts

    assert "{copies}通" in ja[texts.RECEIPT_ITEM]
    assert "{max}通" in ja[texts.COPIES_RANGE]


def test_the_pdf_is_called_the_digital_version_of_the_certificate() -> None:
    from gui import texts

    ja = {s: t for _c, s, t in ja_pairs()}
    assert "デジタル版の証明書" in ja[texts.LINK_SENT]
    assert [t for _c, s, t in ja_pairs() if s == "Digital certificate (PDF)"] == [
        "デジタル版の証明書（PDF）"
    ]


def test_every_list_of_identity_documents_names_the_residence_card() -> None:
    lists = [(s, t) for _c, s, t in ja_pairs() if "運転免許証" in t]
    assert lists
    for source, t in lists:
        assert "在留カード" in t, t
        assert "residence card" in source, source


def ja_pairs() -> list[tuple[str, str, str]]:
    return ts_messages("ja")


# -- the texts a screen composes --------------------------------------------------------------


@pytest.mark.parametrize(("language", "said"), [("en", "1 try left"), ("ja", "残り1回です")])
@pytest.mark.parametrize("wrong", [False, True])
def test_the_last_try_warning_says_how_many_tries_remain(
    qtbot,  # type: ignore[no-untyped-def]
    language: str,
    said: str,
    wrong: bool,
) -> None:
    """English says "1 try left" as the Japanese says 残り1回です (not "Last try")."""
    from dataclasses import replace

    from gui.config import load_config
    from gui.flow import Notice, Screen, initial
    from gui.i18n import Translations
    from gui.screens.pin import PinScreen
    from jpki.layout import PinKind

    translations = Translations()
    translations.set_language(language)
    try:
        screen = PinScreen(Screen.AUTH_PIN)
        qtbot.addWidget(screen)
        model = replace(
            initial(load_config()),
            language=language,
            screen=Screen.AUTH_PIN,
            tries={PinKind.AUTH: 1},
            notice=Notice.WRONG_PIN if wrong else Notice.NONE,
        )
        screen.present(model, True)
        assert said in screen.status.text()
        model = replace(model, tries={PinKind.AUTH: 2})
        screen.present(model, False)
        assert ("2 tries left" if language == "en" else "2回です") in screen.status.text()
    finally:
        translations.set_language("en")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_start_screen_says_how_many_pins_are_needed(qtbot, language: str) -> None:  # type: ignore[no-untyped-def]
    """Two PINs when the details come from the signature certificate; three in text-AP mode
    (the text AP has its own 4-digit PIN)."""
    from dataclasses import replace

    from gui.config import IdentitySource, load_config
    from gui.flow import initial
    from gui.i18n import Translations
    from gui.screens.insert import InsertCardScreen

    translations = Translations()
    translations.set_language(language)
    try:
        screen = InsertCardScreen()
        qtbot.addWidget(screen)
        config = load_config()
        screen.present(replace(initial(config), language=language), True)
        two = screen.needs.text()
        text_ap = replace(config, identity_source=IdentitySource.TEXT_AP)
        screen.present(replace(initial(text_ap), language=language), True)
        three = screen.needs.text()
    finally:
        translations.set_language("en")
    if language == "en":
        assert "two PINs" in two and "three PINs" in three
        assert "personal-information PIN" in three and "personal-information" not in two
    else:
        assert "2つの暗証番号" in two and "3つの暗証番号" in three
        assert "券面事項入力補助用" in three and "券面事項入力補助用" not in two
        assert "6文字以上16文字以下" in two and "6文字以上16文字以下" in three


def test_only_the_reader_s_own_words_say_insert_or_take_out() -> None:
    """Words that fit only a slot (insert, take out, 差し込む, 取り出す, 抜く) live in
    gui/screens/card_words.py, chosen by the reader's kind; every other text fits a slot and a
    contactless pad alike ("take your card", カードをお取りください)."""
    from gui.screens.card_words import _WORDS

    reader_words = {entry for table in _WORDS.values() for entry in table.values()}
    slot_only = re.compile(r"差し込|取り出|抜[いく]|\binsert|take (?:it|the card|your card) out")
    found = [
        (c, s, t)
        for c, s, t in ts_messages("ja")
        if (c, s) not in reader_words and (slot_only.search(s) or slot_only.search(t))
    ]
    assert found == []
