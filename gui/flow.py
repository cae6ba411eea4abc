"""The kiosk's flow as a pure state machine: ``step(model, event) -> (model, effects)``.

No Qt here. Screens render a :class:`Model`; the controller runs the
:class:`Effect` objects (card work on the worker thread) and feeds the results
back as events. Worker results carry the session number they were started in:
a result from a session that has since been wiped (card removed, cancel,
timeout) is ignored.

PINs pass through here only inside :class:`Secret`, from a keypad straight
into the effect that uses them; the model never holds one.

Why one module: it is one state machine. The screens, events, effects, the model and the
transition table are read together whenever one transition changes (a new event needs its
handler, its place in the table and what the model keeps); split apart they would have to
be changed in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Final

from jpki.birthdate import BirthDate
from jpki.layout import CertKind, PinKind
from jpki.pins import is_valid_pin
from jpki.requests import DeliveryMethod

from .config import IdentitySource, KioskConfig
from .forms import form_problem
from .reader_kind import ReaderKind, reader_kind


class Screen(StrEnum):
    INSERT_CARD = "insert-card"
    READING_CARD = "reading-card"
    CARD_PROBLEM = "card-problem"
    AUTH_PIN = "auth-pin"
    AUTHENTICATING = "authenticating"
    PIN_BLOCKED = "pin-blocked"
    IDENTITY_PIN = "identity-pin"
    READING_IDENTITY = "reading-identity"
    IDENTITY = "identity"
    FORM = "form"
    REVIEW = "review"
    SIGN_PIN = "sign-pin"
    SUBMITTING = "submitting"
    RECEIPT = "receipt"
    ERROR = "error"
    LISTING = "listing-requests"  # the applicant's own requests are being fetched
    STATUS = "my-requests"  # the applicant's own requests and where each stands

    @property
    def busy(self) -> bool:
        """Card work is under way: the idle timeout waits for it to end."""
        return self in (
            Screen.READING_CARD,
            Screen.AUTHENTICATING,
            Screen.READING_IDENTITY,
            Screen.SUBMITTING,
            Screen.LISTING,
        )

    @property
    def pin_kind_screen(self) -> bool:
        return self in (Screen.AUTH_PIN, Screen.IDENTITY_PIN, Screen.SIGN_PIN)


class Intent(StrEnum):
    """What the applicant came for, chosen on the insert screen (apply unless they say so)."""

    APPLY = "apply"
    CHECK_STATUS = "check-status"  # see their own requests: the 4-digit PIN only


#: How many of the applicant's requests the status screen shows (the newest).
MY_REQUESTS_SHOWN: Final = 20


class CardProblem(StrEnum):
    NOT_JPKI = "not-jpki"
    JUKI_CARD = "juki-card"  # a 住基カード: its JPKI certificates are no longer issued
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REVOKED = "revoked"
    UNTRUSTED = "untrusted"
    UNREADABLE = "unreadable"
    AUTH_FAILED = "auth-failed"  # the challenge-response did not verify


class Secret:
    """A PIN on its way from a keypad to the card. Masked in ``repr``; not comparable."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def wipe(self) -> None:
        """Drop the PIN (right after the one VERIFY that used it): later reveals give ``""``."""
        self._value = ""

    def __repr__(self) -> str:
        return "Secret(****)"

    __str__ = __repr__


# -- what the kiosk knows about the applicant ---------------------------------------


@dataclass(frozen=True, slots=True)
class CardSummary:
    serial: str
    not_after: str  # ISO date, shown to the applicant
    renewal_open: bool
    auth_tries: int
    sign_tries: int
    text_tries: int


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    address: str
    birth_date: BirthDate
    sex: str
    source: IdentitySource


@dataclass(frozen=True, slots=True)
class RequestForm:
    certificate: str  # catalogue code
    copies: int = 1
    delivery: DeliveryMethod = DeliveryMethod.COUNTER
    postal_address: str = ""
    postal_code: str = ""
    recipient: str = ""  # the organisation a digital PDF goes to
    purpose: str = ""  # the applicant's own words (purpose_code "other", or no code)
    #: a key of :data:`gui.texts.PURPOSES` ("job", …, "other"): shown in the language of the
    #: moment, signed in the session's language (``""``: ``purpose`` alone)
    purpose_code: str = ""


@dataclass(frozen=True, slots=True)
class Receipt:
    request_id: str
    summary: str
    requested_on: date | None = None  # the request's day (JST): its print deadline counts from it


@dataclass(frozen=True, slots=True)
class RequestLine:
    """One of the applicant's own requests on the status screen: what it asks for and where
    it stands (the ledger's status, e.g. ``submitted``, ``approved``, ``issued``)."""

    request_id: str
    certificate: str  # catalogue code
    copies: int
    delivery: str  # a DeliveryMethod value
    submitted_at: str  # ISO 8601 (UTC), "" when unknown
    status: str


# -- events ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardInserted:
    """A card came into the reader; ``atr`` when the watch knows it (with ``reader = "auto"``
    it decides the wording: contact or contactless)."""

    atr: bytes | None = None


@dataclass(frozen=True, slots=True)
class CardRemoved:
    pass


@dataclass(frozen=True, slots=True)
class Cancel:
    pass


@dataclass(frozen=True, slots=True)
class Timeout:
    pass


@dataclass(frozen=True, slots=True)
class SetLanguage:
    language: str


@dataclass(frozen=True, slots=True)
class PinEntered:
    pin: Secret


@dataclass(frozen=True, slots=True)
class ConfirmIdentity:
    pass


@dataclass(frozen=True, slots=True)
class SubmitForm:
    form: RequestForm


@dataclass(frozen=True, slots=True)
class Edit:
    """From the review screen back to an earlier one."""

    screen: Screen


@dataclass(frozen=True, slots=True)
class Back:
    """One step back after the identity: form -> identity, review -> form (as it was),
    signature PIN -> review."""


@dataclass(frozen=True, slots=True)
class ConfirmReview:
    pass


@dataclass(frozen=True, slots=True)
class Finish:
    pass


@dataclass(frozen=True, slots=True)
class ChooseIntent:
    """On the insert screen: apply for a certificate, or check one's own requests."""

    intent: Intent


@dataclass(frozen=True, slots=True)
class CardChecked:
    session: int
    summary: CardSummary | None = None
    problem: CardProblem | None = None
    detail: str = ""
    removed: bool = False  # the card left the reader during the card work (nothing done)


@dataclass(frozen=True, slots=True)
class PinResult:
    """The outcome of an operation that used a PIN (authenticate, read identity, sign + submit)."""

    session: int
    ok: bool
    remaining: int | None = None  # tries left after a wrong PIN
    blocked: bool = False
    problem: CardProblem | None = None
    error: str = ""
    identity: Identity | None = None
    receipt: Receipt | None = None
    removed: bool = False  # the card left the reader during the card work (nothing done)


@dataclass(frozen=True, slots=True)
class RequestsListed:
    """The applicant's own requests (newest first), or why there are none to show:
    ``available`` False when this kiosk cannot list them now (no office, or one that does not
    offer it); ``error`` when the session could not list them (say so and start again)."""

    session: int
    requests: tuple[RequestLine, ...] = ()
    available: bool = True
    error: str = ""


Event = (
    CardInserted
    | CardRemoved
    | Cancel
    | Timeout
    | SetLanguage
    | PinEntered
    | ConfirmIdentity
    | SubmitForm
    | Edit
    | Back
    | ConfirmReview
    | Finish
    | CardChecked
    | PinResult
    | ChooseIntent
    | RequestsListed
)


# -- effects ------------------------------------------------------------------------------
# Every effect that ends in an event carries the session's language: its messages (and the
# request it signs) are in that language, whatever the screen shows when it ends.


@dataclass(frozen=True, slots=True)
class ReadCard:
    session: int
    language: str


@dataclass(frozen=True, slots=True)
class Authenticate:
    session: int
    pin: Secret
    language: str


@dataclass(frozen=True, slots=True)
class ReadIdentity:
    session: int
    pin: Secret
    source: IdentitySource
    language: str


@dataclass(frozen=True, slots=True)
class SignAndSubmit:
    """Sign the request and send it. ``pin`` is ``None`` when the signature PIN was verified
    earlier in the session (to read the identity from the signature certificate): the card
    still holds that verification, and the applicant confirmed on the review (consent)."""

    session: int
    pin: Secret | None
    form: RequestForm
    identity: Identity
    language: str  # the request's language too


@dataclass(frozen=True, slots=True)
class ListMyRequests:
    """List the requests of the card that authenticated in this session (the newest
    ``limit``); refused unless it has."""

    session: int
    language: str
    limit: int = MY_REQUESTS_SHOWN


@dataclass(frozen=True, slots=True)
class Wipe:
    """Clear every entered value and PIN buffer on the screens (and the services' session
    state). It ends in no event and says nothing, so it carries no language."""


Effect = ReadCard | Authenticate | ReadIdentity | SignAndSubmit | ListMyRequests | Wipe


# -- the model --------------------------------------------------------------------------------


class Notice(StrEnum):
    NONE = ""
    WRONG_PIN = "wrong-pin"
    BAD_PIN_FORMAT = "bad-pin-format"
    TAKE_CARD = "take-card"  # shown on the insert screen while a card is still in
    # why the kiosk started over in the middle of an application (on the insert screen)
    TIMED_OUT = "timed-out"  # no activity: the card may still be in (take it, as TAKE_CARD)
    CARD_REMOVED = "card-removed"
    # a contactless card left the reader during card work: wiped, nothing was sent; "please
    # place the card again" (in the applicant's language until the idle timeout)
    CARD_MOVED = "card-moved"


#: The notices that say why an application stopped half-way.
STOPPED_NOTICES: Final = frozenset({Notice.TIMED_OUT, Notice.CARD_REMOVED, Notice.CARD_MOVED})


@dataclass(frozen=True, slots=True)
class Model:
    config: KioskConfig
    language: str
    reader: ReaderKind = ReaderKind.EITHER  # what the card words follow (gui.reader_kind)
    screen: Screen = Screen.INSERT_CARD
    session: int = 0
    card_present: bool = False
    summary: CardSummary | None = None
    problem: CardProblem | None = None
    # which certificate the problem is about: the user-authentication one while the card is
    # checked and authenticates, the signature one when it is read (identity) or signs;
    # None when no certificate was judged (text-AP reading, a card that is not JPKI)
    problem_cert: CertKind | None = None
    problem_detail: str = ""
    blocked_pin: PinKind | None = None
    tries: dict[PinKind, int] = field(default_factory=dict)
    notice: Notice = Notice.NONE
    identity: Identity | None = None
    form: RequestForm | None = None
    receipt: Receipt | None = None
    error: str = ""
    #: the language of ``problem_detail`` and ``error`` (the card work's, composed by the
    #: services): shown only while the screen is in that language
    detail_language: str = ""
    form_problem: str = ""  # why the form could not go to the review, for the applicant
    intent: Intent = Intent.APPLY
    my_requests: tuple[RequestLine, ...] = ()  # the status screen's list
    status_available: bool = True  # False: this kiosk cannot list requests now

    @property
    def pin_kind(self) -> PinKind | None:
        """Which PIN the current screen asks for."""
        if self.screen is Screen.AUTH_PIN:
            return PinKind.AUTH
        if self.screen is Screen.SIGN_PIN:
            return PinKind.SIGN
        if self.screen is Screen.IDENTITY_PIN:
            return identity_pin_kind(self.config)
        return None

    @property
    def tries_left(self) -> int | None:
        kind = self.pin_kind
        return None if kind is None else self.tries.get(kind)

    @property
    def last_try(self) -> bool:
        return self.tries_left == 1

    @property
    def times_out(self) -> bool:
        """Whether the idle timeout runs on this screen (on the start screen: only to clear
        a notice of why the last application stopped, once its applicant has gone, or a choice
        of "check my requests" nobody followed: the next person finds it back at "apply")."""
        if self.screen is Screen.INSERT_CARD:
            stale = self.notice in STOPPED_NOTICES and not self.card_present
            return stale or self.intent is not Intent.APPLY
        return not self.screen.busy


def identity_pin_kind(config: KioskConfig) -> PinKind:
    return PinKind.TEXT if config.identity_source is IdentitySource.TEXT_AP else PinKind.SIGN


def initial(config: KioskConfig) -> Model:
    return Model(
        config=config, language=config.default_language, reader=reader_kind(config.reader_type)
    )


def wiped(model: Model, why: Notice = Notice.NONE) -> Model:
    """A clean start for the next applicant: new session, nothing kept. The language stays
    the applicant's while their card is still in (after a cancel or a timeout). ``why``: the
    notice that says why an application stopped half-way (else "take your card" while the
    card is in)."""
    if why is Notice.NONE and model.card_present:
        why = Notice.TAKE_CARD
    return Model(
        config=model.config,
        language=model.language if model.card_present else model.config.default_language,
        reader=model.reader,  # the same reader for the next applicant
        session=model.session + 1,
        card_present=model.card_present,
        notice=why,
    )


#: The screens of an application under way: leaving one by the timeout or by taking the card
#: out says why on the start screen (the closing screens need no reason).
IN_PROGRESS = frozenset(
    {
        Screen.READING_CARD,
        Screen.AUTH_PIN,
        Screen.AUTHENTICATING,
        Screen.IDENTITY_PIN,
        Screen.READING_IDENTITY,
        Screen.IDENTITY,
        Screen.FORM,
        Screen.REVIEW,
        Screen.SIGN_PIN,
        Screen.SUBMITTING,
    }
)


Step = tuple[Model, list[Effect]]


def _card_moved(model: Model) -> Step:
    """A contactless card left the reader in the middle of card work: like a removal (the
    session wiped, nothing half-done kept), with a calm "place the card again" on the insert
    screen, in the applicant's language, until the card is back or the idle timeout."""
    fresh = wiped(replace(model, card_present=False), Notice.CARD_MOVED)
    return replace(fresh, language=model.language), [Wipe()]


def _lifted(model: Model, event: Event) -> bool:
    """Whether ``event`` is a contactless card leaving the reader during card work: the
    watch's removal on a busy screen, or the card work's own report of the card gone."""
    if model.reader is not ReaderKind.CONTACTLESS:
        return False  # a contact card pulled out mid-command stays an error, then a removal
    if isinstance(event, CardRemoved):
        return model.screen.busy
    return isinstance(event, CardChecked | PinResult) and event.removed


def _applying(model: Model) -> bool:
    """An application under way (the start screen then says why it stopped); a status check
    stopped half-way needs no reason."""
    return model.screen in IN_PROGRESS and model.intent is Intent.APPLY


def _receipt_part(form: RequestForm | None) -> RequestForm | None:
    """The part of a request the receipt shows: document, copies, delivery, and the PDF
    recipient (named in the next steps); the postal address and the purpose are not on it."""
    if form is None:
        return None
    recipient = form.recipient if form.delivery is DeliveryMethod.DIGITAL_PDF else ""
    return replace(
        form, postal_address="", postal_code="", purpose="", purpose_code="", recipient=recipient
    )


def step(model: Model, event: Event) -> Step:
    """The next model and the effects to run, for ``event``."""
    # anywhere: removal, cancel, timeout -> wipe, back to the insert screen
    if (
        isinstance(event, CardChecked | PinResult | RequestsListed)
        and event.session != model.session
    ):
        return model, []  # a result from a wiped session
    if _lifted(model, event):
        return _card_moved(model)
    if isinstance(event, CardRemoved):
        if model.screen is Screen.INSERT_CARD and model.notice is Notice.CARD_MOVED:
            return replace(model, card_present=False), []  # the watch saw the lift too
        if model.screen is Screen.RECEIPT and model.receipt is not None:
            # the applicant obeyed "take your card": the receipt stays until Finish or the
            # timeout; everything not on it is gone, and the card session ends
            kept = replace(
                wiped(replace(model, card_present=False)),
                screen=Screen.RECEIPT,
                receipt=model.receipt,
                form=_receipt_part(model.form),  # only what the receipt shows
                language=model.language,
                detail_language=model.detail_language,  # the receipt's summary's
            )
            return kept, [Wipe()]
        why = Notice.CARD_REMOVED if _applying(model) else Notice.NONE
        fresh = wiped(replace(model, card_present=False), why)
        return fresh, [Wipe()]
    if isinstance(event, Cancel | Timeout):
        if model.screen is Screen.INSERT_CARD:
            if isinstance(event, Timeout) and model.times_out:
                stale = model.notice in STOPPED_NOTICES and not model.card_present
                notice = Notice.NONE if stale else model.notice  # not for the next applicant
                # (a lift's notice was in its applicant's language: the next one starts anew)
                language = model.config.default_language if stale else model.language
                return replace(model, notice=notice, intent=Intent.APPLY, language=language), []
            if model.intent is not Intent.APPLY:
                return replace(model, intent=Intent.APPLY), []
            return model, []
        if isinstance(event, Timeout) and model.screen.busy:
            return model, []  # never cut card work short; the timer restarts after it
        timed_out = isinstance(event, Timeout) and _applying(model)
        return wiped(model, Notice.TIMED_OUT if timed_out else Notice.NONE), [Wipe()]
    if isinstance(event, SetLanguage):
        if event.language not in ("ja", "en"):
            return model, []
        return replace(model, language=event.language), []
    handler = _HANDLERS.get((model.screen, type(event)))
    if handler is None:
        return model, []
    return handler(model, event)


def _inserted(model: Model, event: Event) -> Step:
    assert isinstance(event, CardInserted)
    session = model.session + 1
    return (
        replace(
            model,
            reader=reader_kind(model.config.reader_type, event.atr, model.reader),
            screen=Screen.READING_CARD,
            card_present=True,
            session=session,
            notice=Notice.NONE,
            detail_language=model.language,
        ),
        [ReadCard(session, model.language)],
    )


def _checked(model: Model, event: Event) -> Step:
    assert isinstance(event, CardChecked)
    if event.problem is not None or event.summary is None:
        return (
            replace(
                model,
                screen=Screen.CARD_PROBLEM,
                problem=event.problem or CardProblem.UNREADABLE,
                problem_cert=CertKind.AUTH,
                problem_detail=event.detail,
            ),
            [],
        )
    s = event.summary
    tries = {PinKind.AUTH: s.auth_tries, PinKind.SIGN: s.sign_tries, PinKind.TEXT: s.text_tries}
    model = replace(model, summary=s, tries=tries)
    if s.auth_tries == 0:
        return replace(model, screen=Screen.PIN_BLOCKED, blocked_pin=PinKind.AUTH), []
    return replace(model, screen=Screen.AUTH_PIN), []


def _pin_entered(model: Model, event: Event) -> Step:
    assert isinstance(event, PinEntered)
    kind = model.pin_kind
    assert kind is not None
    if not is_valid_pin(kind, event.pin.reveal()):
        return replace(model, notice=Notice.BAD_PIN_FORMAT), []  # never reaches the card
    model = replace(model, notice=Notice.NONE, detail_language=model.language)
    if model.screen is Screen.AUTH_PIN:
        return replace(model, screen=Screen.AUTHENTICATING), [
            Authenticate(model.session, event.pin, model.language)
        ]
    if model.screen is Screen.IDENTITY_PIN:
        effect = ReadIdentity(
            model.session, event.pin, model.config.identity_source, model.language
        )
        return replace(model, screen=Screen.READING_IDENTITY), [effect]
    assert model.form is not None and model.identity is not None
    effect2 = SignAndSubmit(model.session, event.pin, model.form, model.identity, model.language)
    return replace(model, screen=Screen.SUBMITTING), [effect2]


def _pin_result(model: Model, event: Event) -> Step:
    assert isinstance(event, PinResult)
    back = {
        Screen.AUTHENTICATING: Screen.AUTH_PIN,
        Screen.READING_IDENTITY: Screen.IDENTITY_PIN,
        Screen.SUBMITTING: Screen.SIGN_PIN,
    }[model.screen]
    kind = {
        Screen.AUTH_PIN: PinKind.AUTH,
        Screen.IDENTITY_PIN: identity_pin_kind(model.config),
        Screen.SIGN_PIN: PinKind.SIGN,
    }[back]
    if event.ok:
        tries = {**model.tries, kind: kind.max_tries}
        model = replace(model, tries=tries, notice=Notice.NONE)
        if model.screen is Screen.AUTHENTICATING:
            if model.intent is Intent.CHECK_STATUS:  # the 4-digit PIN is all it needs
                return replace(model, screen=Screen.LISTING), [
                    ListMyRequests(model.session, model.language)
                ]
            return replace(model, screen=Screen.IDENTITY_PIN), []
        if model.screen is Screen.READING_IDENTITY:
            return replace(model, screen=Screen.IDENTITY, identity=event.identity), []
        return replace(model, screen=Screen.RECEIPT, receipt=event.receipt), []
    if event.blocked:
        tries = {**model.tries, kind: 0}
        return replace(model, screen=Screen.PIN_BLOCKED, blocked_pin=kind, tries=tries), []
    if event.remaining is not None:
        tries = {**model.tries, kind: event.remaining}
        return replace(model, screen=back, tries=tries, notice=Notice.WRONG_PIN), []
    if event.problem is not None:
        cert = (
            CertKind.AUTH
            if model.screen is Screen.AUTHENTICATING
            else CertKind.SIGN
            if kind is PinKind.SIGN
            else None  # the text AP: no certificate read
        )
        return (
            replace(
                model,
                screen=Screen.CARD_PROBLEM,
                problem=event.problem,
                problem_cert=cert,
                problem_detail=event.error,
            ),
            [],
        )
    return replace(model, screen=Screen.ERROR, error=event.error), []


def _next_applicant(model: Model, event: Event) -> Step:
    """A card inserted while the last applicant's receipt is still shown (their card out)."""
    if model.card_present:
        return model, []
    return _inserted(wiped(model), event)


def _confirm_identity(model: Model, event: Event) -> Step:
    return replace(model, screen=Screen.FORM), []


def _submit_form(model: Model, event: Event) -> Step:
    assert isinstance(event, SubmitForm)
    problem = form_problem(model.config, event.form, language=model.language)
    if problem is not None:
        return replace(model, form_problem=problem), []  # stays on the form, says why
    return replace(model, screen=Screen.REVIEW, form=event.form, form_problem=""), []


def _edit(model: Model, event: Event) -> Step:
    assert isinstance(event, Edit)
    if event.screen in (Screen.FORM, Screen.IDENTITY):
        return replace(model, screen=event.screen), []
    return model, []


def _back(model: Model, event: Event) -> Step:
    """The form, the entries and the identity stay in the model: going back loses nothing."""
    back = {
        Screen.FORM: Screen.IDENTITY,
        Screen.REVIEW: Screen.FORM,
        Screen.SIGN_PIN: Screen.REVIEW,
    }
    return replace(model, screen=back[model.screen], notice=Notice.NONE, form_problem=""), []


def _confirm_review(model: Model, event: Event) -> Step:
    if identity_pin_kind(model.config) is PinKind.SIGN:
        # the signature PIN was verified to read the identity, on this very connection: the
        # review is the consent, and signing needs no second entry
        assert model.form is not None and model.identity is not None
        effect = SignAndSubmit(model.session, None, model.form, model.identity, model.language)
        busy = replace(model, detail_language=model.language)
        return replace(busy, screen=Screen.SUBMITTING, notice=Notice.NONE), [effect]
    if model.tries.get(PinKind.SIGN) == 0:
        return replace(model, screen=Screen.PIN_BLOCKED, blocked_pin=PinKind.SIGN), []
    return replace(model, screen=Screen.SIGN_PIN, notice=Notice.NONE), []


def _choose_intent(model: Model, event: Event) -> Step:
    assert isinstance(event, ChooseIntent)
    return replace(model, intent=event.intent), []


def _listed(model: Model, event: Event) -> Step:
    assert isinstance(event, RequestsListed)
    if event.error:
        return replace(model, screen=Screen.ERROR, error=event.error), []
    requests = event.requests[:MY_REQUESTS_SHOWN] if event.available else ()
    return (
        replace(
            model,
            screen=Screen.STATUS,
            my_requests=requests,
            status_available=event.available,
        ),
        [],
    )


def _finish(model: Model, event: Event) -> Step:
    return wiped(model), [Wipe()]


_HANDLERS = {
    (Screen.INSERT_CARD, CardInserted): _inserted,
    (Screen.READING_CARD, CardChecked): _checked,
    (Screen.AUTH_PIN, PinEntered): _pin_entered,
    (Screen.IDENTITY_PIN, PinEntered): _pin_entered,
    (Screen.SIGN_PIN, PinEntered): _pin_entered,
    (Screen.AUTHENTICATING, PinResult): _pin_result,
    (Screen.READING_IDENTITY, PinResult): _pin_result,
    (Screen.SUBMITTING, PinResult): _pin_result,
    (Screen.IDENTITY, ConfirmIdentity): _confirm_identity,
    (Screen.FORM, SubmitForm): _submit_form,
    (Screen.REVIEW, Edit): _edit,
    (Screen.FORM, Back): _back,
    (Screen.REVIEW, Back): _back,
    (Screen.SIGN_PIN, Back): _back,
    (Screen.REVIEW, ConfirmReview): _confirm_review,
    (Screen.RECEIPT, Finish): _finish,
    (Screen.RECEIPT, CardInserted): _next_applicant,
    (Screen.ERROR, Finish): _finish,
    (Screen.CARD_PROBLEM, Finish): _finish,
    (Screen.PIN_BLOCKED, Finish): _finish,
    (Screen.INSERT_CARD, ChooseIntent): _choose_intent,
    (Screen.LISTING, RequestsListed): _listed,
    (Screen.STATUS, Finish): _finish,
}
