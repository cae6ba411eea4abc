"""The kiosk's state machine, without a window: every transition, and removal/cancel/timeout
from every screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from gui.config import IdentitySource, load_config
from gui.flow import (
    IN_PROGRESS,
    Authenticate,
    Back,
    Cancel,
    CardChecked,
    CardInserted,
    CardProblem,
    CardRemoved,
    CardSummary,
    ChooseIntent,
    ConfirmIdentity,
    ConfirmReview,
    Edit,
    Finish,
    Identity,
    Intent,
    ListMyRequests,
    Model,
    Notice,
    PinEntered,
    PinResult,
    ReadCard,
    ReadIdentity,
    Receipt,
    RequestForm,
    RequestLine,
    RequestsListed,
    Screen,
    Secret,
    SetLanguage,
    SignAndSubmit,
    SubmitForm,
    Timeout,
    Wipe,
    initial,
    step,
)
from jpki.layout import CertKind, PinKind
from jpki.requests import DeliveryMethod

CONFIG = load_config()
TEXT_CONFIG = replace(CONFIG, identity_source=IdentitySource.TEXT_AP)
SUMMARY = CardSummary("1234", "2030-04-01", False, 3, 5, 3)
IDENTITY = Identity(
    "見本 花子", "架空県見本市1-2-3", date(1990, 4, 1), "2", IdentitySource.SIGN_CERTIFICATE
)
FORM = RequestForm("transcript-ja", copies=2, delivery=DeliveryMethod.COUNTER)
LINE = RequestLine("R-1", "transcript-ja", 2, "counter", "2026-12-05T01:30:00+00:00", "submitted")


def run(model: Model, *events: object) -> tuple[Model, list[object]]:
    effects: list[object] = []
    for event in events:
        model, new = step(model, event)  # type: ignore[arg-type]
        effects.extend(new)
    return model, effects


def at(screen: Screen) -> Model:
    """A model that reached ``screen`` through the real transitions (the signature PIN's own
    screen exists only in text-AP mode: there, in that mode)."""
    text_ap = screen is Screen.SIGN_PIN
    m = initial(TEXT_CONFIG if text_ap else CONFIG)
    if screen is Screen.INSERT_CARD:
        return m
    status = screen in (Screen.LISTING, Screen.STATUS)
    if status:
        m, _ = run(m, ChooseIntent(Intent.CHECK_STATUS))
    m, _ = run(m, CardInserted())
    if screen is Screen.READING_CARD:
        return m
    if screen is Screen.CARD_PROBLEM:
        return run(m, CardChecked(m.session, problem=CardProblem.EXPIRED))[0]
    m, _ = run(m, CardChecked(m.session, SUMMARY))
    if screen is Screen.AUTH_PIN:
        return m
    m, _ = run(m, PinEntered(Secret("1234")))
    if screen is Screen.AUTHENTICATING:
        return m
    if screen is Screen.PIN_BLOCKED:
        return run(m, PinResult(m.session, ok=False, blocked=True))[0]
    if screen is Screen.ERROR:
        return run(m, PinResult(m.session, ok=False, error="reader failed"))[0]
    m, _ = run(m, PinResult(m.session, ok=True))
    if status:
        if screen is Screen.LISTING:
            return m
        return run(m, RequestsListed(m.session, (LINE,)))[0]
    if screen is Screen.IDENTITY_PIN:
        return m
    m, _ = run(m, PinEntered(Secret("1234" if text_ap else "ABCD1234")))
    if screen is Screen.READING_IDENTITY:
        return m
    m, _ = run(m, PinResult(m.session, ok=True, identity=IDENTITY))
    if screen is Screen.IDENTITY:
        return m
    m, _ = run(m, ConfirmIdentity())
    if screen is Screen.FORM:
        return m
    m, _ = run(m, SubmitForm(FORM))
    if screen is Screen.REVIEW:
        return m
    m, _ = run(m, ConfirmReview())  # the consent: signs with the session's verified PIN
    if screen is Screen.SIGN_PIN:
        return m
    if screen is Screen.SUBMITTING:
        return m
    m, _ = run(m, PinResult(m.session, ok=True, receipt=Receipt("R-1", "summary")))
    assert screen is Screen.RECEIPT
    return m


ALL = list(Screen)


@pytest.mark.parametrize("screen", ALL)
def test_every_screen_is_reachable(screen: Screen) -> None:
    assert at(screen).screen is screen


def test_happy_path_effects() -> None:
    m = initial(CONFIG)
    m, eff = run(m, CardInserted())
    assert m.screen is Screen.READING_CARD and eff == [ReadCard(m.session, "ja")]
    m, _ = run(m, CardChecked(m.session, SUMMARY))
    assert m.screen is Screen.AUTH_PIN and m.tries_left == 3 and not m.last_try
    m, eff = run(m, PinEntered(Secret("1234")))
    assert isinstance(eff[0], Authenticate) and eff[0].pin.reveal() == "1234"
    m, _ = run(m, PinResult(m.session, ok=True))
    assert m.screen is Screen.IDENTITY_PIN and m.pin_kind is PinKind.SIGN
    m, eff = run(m, PinEntered(Secret("abcd1234")))
    assert isinstance(eff[0], ReadIdentity) and eff[0].source is IdentitySource.SIGN_CERTIFICATE
    m, _ = run(m, PinResult(m.session, ok=True, identity=IDENTITY))
    assert m.screen is Screen.IDENTITY and m.identity == IDENTITY
    m, _ = run(m, ConfirmIdentity())
    m, _ = run(m, SubmitForm(FORM))
    assert m.screen is Screen.REVIEW and m.form == FORM
    m, eff = run(m, ConfirmReview())  # the review is the consent: no second PIN
    assert m.screen is Screen.SUBMITTING
    assert isinstance(eff[0], SignAndSubmit) and eff[0].form == FORM and eff[0].identity == IDENTITY
    assert eff[0].pin is None
    m, _ = run(m, PinResult(m.session, ok=True, receipt=Receipt("R-1", "x")))
    assert m.screen is Screen.RECEIPT and m.receipt == Receipt("R-1", "x")
    m, eff = run(m, Finish())
    assert m.screen is Screen.INSERT_CARD and eff == [Wipe()]
    assert m.identity is None and m.form is None and m.receipt is None
    assert m.notice is Notice.TAKE_CARD  # the card is still in


@pytest.mark.parametrize("screen", ALL)
def test_removal_from_every_screen(screen: Screen) -> None:
    m = replace(at(screen), language="en")
    m2, eff = step(m, CardRemoved())
    if screen is Screen.RECEIPT:  # the receipt stays, in the applicant's language
        assert m2.screen is Screen.RECEIPT and m2.receipt == m.receipt and m2.language == "en"
        assert m2.identity is None and m2.summary is None
        # only what the receipt shows stays: the address and the purpose are wiped
        assert m2.form is not None and m.form is not None
        assert (m2.form.certificate, m2.form.copies, m2.form.delivery) == (
            m.form.certificate,
            m.form.copies,
            m.form.delivery,
        )
        assert m2.form.postal_address == m2.form.postal_code == m2.form.purpose == ""
        assert m2.tries == {} and not m2.card_present and eff == [Wipe()]
        m3, eff = step(m2, Finish())
        assert m3.screen is Screen.INSERT_CARD and m3.receipt is None
        assert m3.language == CONFIG.default_language and eff == [Wipe()]
        return
    assert m2.screen is Screen.INSERT_CARD
    # taken out half-way, the start screen says why it started over
    why = Notice.CARD_REMOVED if screen in IN_PROGRESS else Notice.NONE
    assert not m2.card_present and m2.notice is why
    assert m2.identity is None and m2.form is None and m2.summary is None and m2.tries == {}
    assert m2.my_requests == () and m2.intent is Intent.APPLY
    assert m2.language == CONFIG.default_language
    assert eff == [Wipe()]
    assert m2.session > m.session or screen is Screen.INSERT_CARD


@pytest.mark.parametrize("screen", ALL)
@pytest.mark.parametrize("event", [Cancel(), Timeout()], ids=["cancel", "timeout"])
def test_cancel_and_timeout_from_every_screen(screen: Screen, event: object) -> None:
    m = at(screen)
    m2, eff = step(m, event)  # type: ignore[arg-type]
    if screen is Screen.INSERT_CARD or (isinstance(event, Timeout) and screen.busy):
        assert m2 == m and eff == []
        return
    assert m2.screen is Screen.INSERT_CARD and eff == [Wipe()]
    assert m2.identity is None and m2.form is None and m2.tries == {}
    assert m2.session == m.session + 1
    # the card is still in: the applicant's language stays, and the start screen says to
    # take the card (and why it started over, after the timeout of an application under way)
    assert m2.card_present and m2.language == m.language
    timed_out = isinstance(event, Timeout) and screen in IN_PROGRESS
    assert m2.notice is (Notice.TIMED_OUT if timed_out else Notice.TAKE_CARD)


def test_cancel_keeps_the_language_until_the_card_is_out() -> None:
    m = replace(at(Screen.FORM), language="en")
    m, _ = run(m, Cancel())
    assert m.screen is Screen.INSERT_CARD and m.language == "en"
    m, _ = run(m, CardRemoved())
    assert m.language == CONFIG.default_language and m.notice is Notice.NONE


def test_back_after_the_identity_keeps_everything() -> None:
    m = at(Screen.REVIEW)
    form, ident = m.form, m.identity
    m, eff = run(m, Back())
    assert m.screen is Screen.FORM and m.form == form and m.identity == ident and eff == []
    m, _ = run(m, Back())
    assert m.screen is Screen.IDENTITY and m.form == form
    m, _ = run(m, ConfirmIdentity(), SubmitForm(FORM))
    assert m.screen is Screen.REVIEW
    sign = at(Screen.SIGN_PIN)  # text-AP mode: the signature PIN after the review
    back, _ = run(sign, Back())
    assert back.screen is Screen.REVIEW and back.form == sign.form
    for screen in (Screen.AUTH_PIN, Screen.IDENTITY_PIN, Screen.IDENTITY, Screen.RECEIPT):
        assert step(at(screen), Back()) == (at(screen), [])  # no way back before the identity


def test_the_purpose_is_a_code_signed_in_the_session_language() -> None:
    m = at(Screen.REVIEW)
    m, _ = run(m, Back(), SubmitForm(replace(FORM, purpose_code="job")), SetLanguage("en"))
    m, eff = run(m, ConfirmReview())
    assert isinstance(eff[0], SignAndSubmit) and eff[0].form.purpose_code == "job"
    assert eff[0].language == "en"


def test_times_out_only_on_idle_screens() -> None:
    assert not at(Screen.INSERT_CARD).times_out
    assert not at(Screen.SUBMITTING).times_out
    assert at(Screen.FORM).times_out and at(Screen.AUTH_PIN).times_out


@pytest.mark.parametrize(
    "screen", [Screen.AUTHENTICATING, Screen.READING_IDENTITY, Screen.SUBMITTING]
)
def test_late_results_of_a_wiped_session_are_ignored(screen: Screen) -> None:
    m = at(screen)
    old = m.session
    m, _ = step(m, CardRemoved())
    m, _ = step(m, CardInserted())
    m2, eff = step(m, PinResult(old, ok=True, identity=IDENTITY, receipt=Receipt("R", "")))
    assert m2 == m and eff == []


def test_wrong_pin_then_right() -> None:
    m = at(Screen.AUTHENTICATING)
    m, _ = run(m, PinResult(m.session, ok=False, remaining=2))
    assert m.screen is Screen.AUTH_PIN and m.notice is Notice.WRONG_PIN and m.tries_left == 2
    m, _ = run(m, PinEntered(Secret("0000")), PinResult(m.session, ok=False, remaining=1))
    assert m.last_try
    m, _ = run(m, PinEntered(Secret("1234")), PinResult(m.session, ok=True))
    assert m.screen is Screen.IDENTITY_PIN and m.tries[PinKind.AUTH] == 3


def test_malformed_pin_sends_nothing() -> None:
    for screen, bad in [
        (Screen.AUTH_PIN, "12a"),
        (Screen.SIGN_PIN, "ABCDEF"),
        (Screen.IDENTITY_PIN, "12"),
    ]:
        m = at(screen)
        m2, eff = step(m, PinEntered(Secret(bad)))
        assert eff == [] and m2.screen is screen and m2.notice is Notice.BAD_PIN_FORMAT


def test_blocked_at_card_read_and_after_last_try() -> None:
    m = at(Screen.READING_CARD)
    m, _ = run(m, CardChecked(m.session, replace(SUMMARY, auth_tries=0)))
    assert m.screen is Screen.PIN_BLOCKED and m.blocked_pin is PinKind.AUTH
    m = at(Screen.SUBMITTING)
    m, _ = run(m, PinResult(m.session, ok=False, blocked=True))
    assert m.screen is Screen.PIN_BLOCKED and m.blocked_pin is PinKind.SIGN
    m, eff = run(m, Finish())
    assert m.screen is Screen.INSERT_CARD and eff == [Wipe()]


def test_sign_pin_blocked_known_before_asking() -> None:
    m = at(Screen.REVIEW)
    m = replace(m, config=TEXT_CONFIG)
    m = replace(m, tries={**m.tries, PinKind.SIGN: 0})
    m, _ = run(m, ConfirmReview())
    assert m.screen is Screen.PIN_BLOCKED and m.blocked_pin is PinKind.SIGN


@pytest.mark.parametrize("problem", list(CardProblem))
def test_card_problems(problem: CardProblem) -> None:
    m = at(Screen.READING_CARD)
    m, _ = run(m, CardChecked(m.session, problem=problem, detail="why"))
    assert m.screen is Screen.CARD_PROBLEM and m.problem is problem and m.problem_detail == "why"


def test_authentication_failure_is_a_card_problem() -> None:
    m = at(Screen.AUTHENTICATING)
    m, _ = run(m, PinResult(m.session, ok=False, problem=CardProblem.REVOKED, error="revoked"))
    assert m.screen is Screen.CARD_PROBLEM and m.problem is CardProblem.REVOKED


@pytest.mark.parametrize(
    ("screen", "config", "cert"),
    [
        (Screen.READING_CARD, CONFIG, CertKind.AUTH),  # the card check judges the auth cert
        (Screen.AUTHENTICATING, CONFIG, CertKind.AUTH),
        (Screen.READING_IDENTITY, CONFIG, CertKind.SIGN),  # read from the signature cert
        (Screen.READING_IDENTITY, TEXT_CONFIG, None),  # the text AP: no certificate judged
        (Screen.SUBMITTING, CONFIG, CertKind.SIGN),
        (Screen.SUBMITTING, TEXT_CONFIG, CertKind.SIGN),
    ],
)
def test_a_card_problem_knows_which_certificate_it_is_about(
    screen: Screen, config: object, cert: CertKind | None
) -> None:
    """The problem screen names the certificate the kiosk judged where the problem came up:
    a revoked user-authentication certificate is not explained as a signature certificate
    that lapsed after a move."""
    m = at(screen)
    if m.config is not config:  # reach it again in the other identity mode
        m = replace(at(Screen.INSERT_CARD), config=config)  # type: ignore[arg-type]
        m = _reach(m, screen)
    assert m.screen is screen
    if screen is Screen.READING_CARD:
        m, _ = run(m, CardChecked(m.session, problem=CardProblem.REVOKED, detail="why"))
    else:
        m, _ = run(m, PinResult(m.session, ok=False, problem=CardProblem.REVOKED, error="why"))
    assert m.screen is Screen.CARD_PROBLEM and m.problem_cert is cert
    m, _ = run(m, Finish())
    assert m.problem_cert is None  # the next applicant starts clean


def _reach(m: Model, screen: Screen) -> Model:
    """From the insert screen to ``screen`` in ``m``'s identity mode."""
    m, _ = run(m, CardInserted(), CardChecked(m.session + 1, SUMMARY), PinEntered(Secret("1234")))
    m, _ = run(m, PinResult(m.session, ok=True))
    text_ap = m.config.identity_source is IdentitySource.TEXT_AP
    m, _ = run(m, PinEntered(Secret("5678" if text_ap else "ABCD1234")))
    if screen is Screen.READING_IDENTITY:
        return m
    m, _ = run(m, PinResult(m.session, ok=True, identity=IDENTITY), ConfirmIdentity())
    m, _ = run(m, SubmitForm(FORM), ConfirmReview())
    if text_ap:
        m, _ = run(m, PinEntered(Secret("ABCD1234")))
    return m


def test_review_edit_links() -> None:
    m = at(Screen.REVIEW)
    m, _ = run(m, Edit(Screen.FORM))
    assert m.screen is Screen.FORM and m.form == FORM  # the form keeps its values
    m, _ = run(m, SubmitForm(replace(FORM, copies=3)))
    assert m.screen is Screen.REVIEW and m.form is not None and m.form.copies == 3
    m, _ = run(m, Edit(Screen.IDENTITY), ConfirmIdentity())
    assert m.screen is Screen.FORM
    m2, _ = run(m, Edit(Screen.SIGN_PIN))
    assert m2 == m


@pytest.mark.parametrize(
    "form",
    [
        RequestForm("no-such-kind"),
        RequestForm("transcript-ja", copies=0),
        RequestForm("transcript-ja", copies=11),
        RequestForm("transcript-ja", delivery=DeliveryMethod.POSTAL, postal_address=" "),
        RequestForm("transcript-ja", delivery=DeliveryMethod.DIGITAL_PDF, recipient=""),
    ],
)
def test_invalid_forms_stay(form: RequestForm) -> None:
    m = at(Screen.FORM)
    m2, eff = step(m, SubmitForm(form))
    assert eff == [] and m2.screen is Screen.FORM and m2.form == m.form
    assert m2.form_problem  # the applicant is told why


def test_language_switch_anywhere_and_reset_for_next_person() -> None:
    m = at(Screen.FORM)
    m, _ = run(m, SetLanguage("en"))
    assert m.language == "en" and m.screen is Screen.FORM
    m2, _ = run(m, SetLanguage("fr"))
    assert m2 == m
    m, _ = run(m, Cancel())
    assert m.language == "en"  # the applicant's card is still in: their language stays
    m, _ = run(m, CardRemoved())
    assert m.language == "ja"  # the next person starts in the default


def test_the_receipt_gives_way_to_the_next_card() -> None:
    m, _ = run(at(Screen.RECEIPT), CardRemoved())
    m, eff = run(m, CardInserted())
    assert m.screen is Screen.READING_CARD and m.receipt is None
    assert isinstance(eff[0], ReadCard)


def test_text_ap_identity_source() -> None:
    cfg = replace(CONFIG, identity_source=IdentitySource.TEXT_AP)
    m = initial(cfg)
    m, _ = run(m, CardInserted())
    m, _ = run(m, CardChecked(m.session, SUMMARY), PinEntered(Secret("1234")))
    m, _ = run(m, PinResult(m.session, ok=True))
    assert m.pin_kind is PinKind.TEXT and m.tries_left == 3
    m, eff = run(m, PinEntered(Secret("1234")))
    assert isinstance(eff[0], ReadIdentity) and eff[0].source is IdentitySource.TEXT_AP


def test_secret_never_shows() -> None:
    s = Secret("ABCD1234")
    assert "ABCD1234" not in repr(s) and "ABCD1234" not in str(s)
    effect = Authenticate(1, Secret("9876"), "ja")
    assert "9876" not in repr(effect)
    assert "9876" not in repr(PinEntered(Secret("9876")))


def test_postal_code_field_or_in_the_address() -> None:
    m = at(Screen.FORM)
    base = RequestForm(
        "transcript-ja", delivery=DeliveryMethod.POSTAL, postal_address="架空県見本市1-2-3"
    )
    m2, _ = step(m, SubmitForm(base))
    assert m2.screen is Screen.FORM and "郵便番号" in m2.form_problem
    m3, _ = step(m2, SubmitForm(replace(base, postal_code="１０２－８１６０")))
    assert m3.screen is Screen.REVIEW and m3.form_problem == ""
    m4, _ = step(m2, SubmitForm(replace(base, postal_address="〒102-8160 架空県見本市1-2-3")))
    assert m4.screen is Screen.REVIEW


def test_effects_carry_the_session_language() -> None:
    m = at(Screen.SIGN_PIN)
    m, _ = step(m, SetLanguage("en"))
    _, eff = step(m, PinEntered(Secret("ABCD1234")))
    assert isinstance(eff[0], SignAndSubmit) and eff[0].language == "en"
    m = at(Screen.REVIEW)
    m, _ = step(m, SetLanguage("en"))
    _, eff = step(m, ConfirmReview())
    assert isinstance(eff[0], SignAndSubmit) and eff[0].language == "en"


def test_why_it_started_over_is_cleared_for_the_next_applicant() -> None:
    """ "Your card was taken out…" is for the applicant who just left, not the next one: it
    goes after an idle timeout on the start screen (the only timeout that runs there)."""
    m, _ = run(at(Screen.FORM), CardRemoved())
    assert m.screen is Screen.INSERT_CARD and m.notice is Notice.CARD_REMOVED
    assert m.times_out
    m2, eff = step(m, Timeout())
    assert m2.notice is Notice.NONE and m2.screen is Screen.INSERT_CARD and eff == []
    assert not m2.times_out  # and then the start screen waits for ever
    assert step(m2, Timeout()) == (m2, [])
    # while the card is still in, "take your card" stays until it is out
    m3, _ = run(at(Screen.FORM), Cancel())
    assert m3.notice is Notice.TAKE_CARD and not m3.times_out


# -- checking one's own requests ---------------------------------------------------------------


def test_status_lookup_asks_only_the_auth_pin_then_lists() -> None:
    m = initial(CONFIG)
    m, eff = run(m, ChooseIntent(Intent.CHECK_STATUS))
    assert m.screen is Screen.INSERT_CARD and m.intent is Intent.CHECK_STATUS and eff == []
    m, eff = run(m, CardInserted())
    assert m.screen is Screen.READING_CARD and eff == [ReadCard(m.session, "ja")]
    m, _ = run(m, CardChecked(m.session, SUMMARY))
    assert m.screen is Screen.AUTH_PIN and m.pin_kind is PinKind.AUTH
    m, eff = run(m, PinEntered(Secret("1234")))
    assert m.screen is Screen.AUTHENTICATING and isinstance(eff[0], Authenticate)
    m, eff = run(m, PinResult(m.session, ok=True))
    # no signature PIN, no identity, no form: straight to the list of the authenticated card
    assert m.screen is Screen.LISTING and m.screen.busy
    assert eff == [ListMyRequests(m.session, "ja")]
    lines = tuple(replace(LINE, request_id=f"R-{i}") for i in range(30))
    m, eff = run(m, RequestsListed(m.session, lines))
    assert m.screen is Screen.STATUS and eff == [] and m.status_available
    assert m.my_requests == lines[:20]  # bounded even if a sink gave more
    assert m.identity is None and m.form is None
    m, eff = run(m, Finish())
    assert m.screen is Screen.INSERT_CARD and eff == [Wipe()]
    assert m.my_requests == () and m.intent is Intent.APPLY  # the next person applies


def test_status_wrong_pin_last_try_and_blocked_stay_on_the_status_path() -> None:
    m = run(initial(CONFIG), ChooseIntent(Intent.CHECK_STATUS), CardInserted())[0]
    m, _ = run(m, CardChecked(m.session, SUMMARY), PinEntered(Secret("0000")))
    m, _ = run(m, PinResult(m.session, ok=False, remaining=1))
    assert m.screen is Screen.AUTH_PIN and m.notice is Notice.WRONG_PIN and m.last_try
    assert m.intent is Intent.CHECK_STATUS
    m, _ = run(m, PinEntered(Secret("1234")), PinResult(m.session, ok=True))
    assert m.screen is Screen.LISTING
    m = run(initial(CONFIG), ChooseIntent(Intent.CHECK_STATUS), CardInserted())[0]
    m, _ = run(m, CardChecked(m.session, SUMMARY), PinEntered(Secret("0000")))
    m, eff = run(m, PinResult(m.session, ok=False, blocked=True))
    assert m.screen is Screen.PIN_BLOCKED and m.blocked_pin is PinKind.AUTH and eff == []
    m = run(initial(CONFIG), ChooseIntent(Intent.CHECK_STATUS), CardInserted())[0]
    m, _ = run(m, CardChecked(m.session, replace(SUMMARY, auth_tries=0)))
    assert m.screen is Screen.PIN_BLOCKED


def test_status_unavailable_and_errors() -> None:
    m = at(Screen.LISTING)
    m2, _ = step(m, RequestsListed(m.session, (LINE,), available=False))
    assert m2.screen is Screen.STATUS and not m2.status_available and m2.my_requests == ()
    m3, _ = step(m, RequestsListed(m.session, error="start again"))
    assert m3.screen is Screen.ERROR and m3.error == "start again"
    m4, _ = step(m, RequestsListed(m.session))
    assert m4.screen is Screen.STATUS and m4.status_available and m4.my_requests == ()
    stale, eff = step(m, RequestsListed(m.session - 1, (LINE,)))
    assert stale == m and eff == []


def test_the_status_choice_is_only_on_the_insert_screen_and_times_out() -> None:
    m = run(initial(CONFIG), ChooseIntent(Intent.CHECK_STATUS))[0]
    assert m.times_out  # someone chose it and walked away: back to "apply"
    m2, eff = step(m, Timeout())
    assert m2.intent is Intent.APPLY and m2.screen is Screen.INSERT_CARD and eff == []
    assert not m2.times_out
    m3, _ = step(m, Cancel())
    assert m3.intent is Intent.APPLY
    back = run(m, ChooseIntent(Intent.APPLY))[0]
    assert back.intent is Intent.APPLY
    auth = at(Screen.AUTH_PIN)
    assert step(auth, ChooseIntent(Intent.CHECK_STATUS)) == (auth, [])
    applied = at(Screen.AUTHENTICATING)
    assert run(applied, PinResult(applied.session, ok=True))[0].screen is Screen.IDENTITY_PIN
