"""The end screens (a card problem, a locked PIN) give one coherent explanation each, name the
certificate the kiosk judged, and say what the applicant can do: at the municipal office for
the card, and at this office's staffed counter for the certificate they came for.

The bug this guards (issue 15): the "revoked" screen explained that the signature certificate
lapses after a move while its detail said the user-authentication certificate was revoked
and that moves do not revoke it; the "expired" screen talked about renewing 3 months ahead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from gui.config import Counter, Words, load_config, parse_config
from gui.flow import CardProblem, Model, Screen, initial
from gui.i18n import Translations
from gui.screens.problem import CardProblemScreen, PinBlockedScreen
from jpki.layout import CertKind, PinKind

COUNTER = Counter(
    name=Words("学生支援センター", "the Student Support Centre"),
    place=Words("北棟2階", "North Wing, 2nd floor"),
    hours=Words("平日 8:30〜16:00", "weekdays 8:30–16:00"),
)
CONFIG = replace(load_config(), counter=COUNTER)

#: How each language names the certificates and the municipal office.
AUTH = {"en": "user-authentication certificate", "ja": "利用者証明用電子証明書"}
SIGN = {"en": "signature certificate", "ja": "署名用電子証明書"}
MUNICIPAL = {"en": "municipal office", "ja": "市区町村の窓口"}

#: The certificate each problem can be about, where the kiosk meets it (gui.flow).
CASES = [
    (problem, cert)
    for problem in CardProblem
    for cert in (CertKind.AUTH, CertKind.SIGN, None)
    if not (problem is CardProblem.AUTH_FAILED and cert is not CertKind.AUTH)
]


@pytest.fixture
def language(qtbot) -> Iterator[Translations]:  # type: ignore[no-untyped-def]
    translations = Translations()
    yield translations
    translations.set_language("en")


def shown(qtbot, model: Model, lang: str, translations: Translations) -> dict[str, str]:  # type: ignore[no-untyped-def]
    translations.set_language(lang)
    screen = CardProblemScreen() if model.screen is Screen.CARD_PROBLEM else PinBlockedScreen()
    qtbot.addWidget(screen)
    screen.present(replace(model, language=lang), True)
    return {
        "title": screen.title.text(),
        "what": screen.what.text(),
        "todo": screen.todo.text(),
        "counter": screen.counter.text(),
    }


def problem_model(problem: CardProblem, cert: CertKind | None) -> Model:
    return replace(initial(CONFIG), screen=Screen.CARD_PROBLEM, problem=problem, problem_cert=cert)


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(("problem", "cert"), CASES)
def test_every_problem_says_what_the_applicant_can_do_here_and_at_the_municipal_office(
    qtbot,  # type: ignore[no-untyped-def]
    language: Translations,
    lang: str,
    problem: CardProblem,
    cert: CertKind | None,
) -> None:
    texts = shown(qtbot, problem_model(problem, cert), lang, language)
    assert all(texts.values()), texts
    assert MUNICIPAL[lang] in texts["todo"]
    for value in (COUNTER.name(lang), COUNTER.place(lang), COUNTER.hours(lang)):
        assert value in texts["counter"]  # this office's counter, from the configuration


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(
    "problem",
    [CardProblem.EXPIRED, CardProblem.NOT_YET_VALID, CardProblem.REVOKED, CardProblem.UNTRUSTED],
)
@pytest.mark.parametrize("cert", [CertKind.AUTH, CertKind.SIGN])
def test_a_certificate_problem_names_the_certificate_judged_and_no_other(
    qtbot,  # type: ignore[no-untyped-def]
    language: Translations,
    lang: str,
    problem: CardProblem,
    cert: CertKind,
) -> None:
    texts = shown(qtbot, problem_model(problem, cert), lang, language)
    named, other = (AUTH, SIGN) if cert is CertKind.AUTH else (SIGN, AUTH)
    assert named[lang] in texts["title"]
    screen = texts["title"] + texts["what"] + texts["todo"]
    assert other[lang] not in screen, screen


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_revoked_user_authentication_certificate_is_not_blamed_on_a_move(
    qtbot,  # type: ignore[no-untyped-def]
    language: Translations,
    lang: str,
) -> None:
    """The user-authentication certificate does not lapse on a move; the signature one does."""
    auth = shown(qtbot, problem_model(CardProblem.REVOKED, CertKind.AUTH), lang, language)
    sign = shown(qtbot, problem_model(CardProblem.REVOKED, CertKind.SIGN), lang, language)
    negation = {"en": "does not revoke", "ja": "失効しません"}[lang]
    a_move = {"en": ("move", "moving", "address"), "ja": ("引っ越し", "住所")}[lang]

    def sentences(text: str) -> list[str]:
        return [x for x in text.replace("。", ".").split(".") if x.strip()]

    about_moves = [x for x in sentences(auth["what"]) if any(w in x for w in a_move)]
    assert about_moves  # it says what a move does to it:
    assert all(negation in x for x in about_moves)  # nothing
    about_moves = [x for x in sentences(sign["what"]) if any(w in x for w in a_move)]
    assert about_moves and not any(negation in x for x in about_moves)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_expired_certificate_is_not_told_to_renew_ahead(
    qtbot,  # type: ignore[no-untyped-def]
    language: Translations,
    lang: str,
) -> None:
    """Renewal from 3 months before expiry is for a valid certificate, not an expired one."""
    for cert in (CertKind.AUTH, CertKind.SIGN):
        texts = shown(qtbot, problem_model(CardProblem.EXPIRED, cert), lang, language)
        screen = " ".join(texts.values())
        assert "3 months" not in screen and "3か月" not in screen
        assert "5th birthday" in screen or "5回目の誕生日" in screen


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_card_that_fails_the_challenge_is_not_an_identity_failure(
    qtbot,  # type: ignore[no-untyped-def]
    language: Translations,
    lang: str,
) -> None:
    """The card could not be confirmed genuine: that is not "the person could not be
    identified" (「カードの本人確認ができませんでした」)."""
    texts = shown(qtbot, problem_model(CardProblem.AUTH_FAILED, CertKind.AUTH), lang, language)
    if lang == "ja":
        assert "本人確認" not in texts["title"]
        assert "正規のもの" in texts["title"]
    else:
        assert "genuine" in texts["title"]
    assert AUTH[lang] in texts["what"]


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("kind", [PinKind.AUTH, PinKind.SIGN, PinKind.TEXT])
def test_a_locked_pin_sends_to_the_municipal_office_and_this_counter(
    qtbot,  # type: ignore[no-untyped-def]
    language: Translations,
    lang: str,
    kind: PinKind,
) -> None:
    model = replace(initial(CONFIG), screen=Screen.PIN_BLOCKED, blocked_pin=kind)
    texts = shown(qtbot, model, lang, language)
    assert MUNICIPAL[lang] in texts["todo"]
    assert COUNTER.name(lang) in texts["counter"] and COUNTER.hours(lang) in texts["counter"]
    assert ("在留カード" if lang == "ja" else "residence card") in texts["todo"]


def test_the_counter_is_configured_in_toml() -> None:
    config = parse_config(
        '[counter]\nname_en = "Room 101"\nplace_en = "Annex"\nhours_en = "Mondays 10:00–12:00"\n'
    )
    assert config.counter.name("en") == "Room 101"
    assert config.counter.place("en") == "Annex"
    assert config.counter.hours("en") == "Mondays 10:00–12:00"
    assert config.counter.name("ja") == Counter().name.ja  # the rest from the default
    assert load_config().counter == Counter()  # the shipped file lists the defaults


@pytest.mark.parametrize(
    "table",
    ['[counter]\nname_en = ""\n', "[counter]\nname_en = 3\n", '[counter]\nroom = "1"\n'],
)
def test_a_wrong_counter_setting_is_refused(table: str) -> None:
    from gui.config import ConfigError

    with pytest.raises(ConfigError, match=r"\[counter\]"):
        parse_config(table)
