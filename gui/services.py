"""The kiosk's card and ledger work: one :meth:`KioskServices.run` per :mod:`gui.flow` effect.

The controller calls :meth:`KioskServices.run` on its worker thread with each
effect the flow asks for, and feeds the event it returns back into
:func:`gui.flow.step`::

    services = KioskServices.from_config(config, pcsc_card_opener())
    event = services.run(effect)
    if event is not None:
        model, effects = step(model, event)

Each effect carries the session's language: the messages and the request are in it
(:mod:`gui.texts`). What the services are built from is :mod:`gui.setup`; how a failed
effect becomes its event, :mod:`gui.outcomes`.

What each effect does:

One exclusive card connection per applicant (:class:`gui.card_session.CardSession`):
opened by ReadCard, closed — and the card reset — by Wipe (removal, finish, cancel,
timeout). Every effect of the session runs on it; a lost connection ends the session and
the applicant starts again.

* :class:`~gui.flow.ReadCard` — opens the session, reads the user-authentication
  certificate (once: it is kept in the session), validates it (chain to the trust store,
  validity, revocation per ``config.revocation``) and the PIN counters that the flow will
  ask for (which spends no try): :class:`~gui.flow.CardChecked` with a summary or a
  :class:`~gui.flow.CardProblem`.
* :class:`~gui.flow.Authenticate` — challenge–response (:mod:`jpki.authn`'s message) with
  the session's certificate.
* :class:`~gui.flow.ReadIdentity` — the holder's basic four from the signature
  certificate (the signature PIN, verified once for the whole session; the certificate is
  validated too: a change of address or name revokes it) or from the text AP (its own PIN;
  the individual number is never read).
* :class:`~gui.flow.SignAndSubmit` — the request document
  (:class:`jpki.requests.CertificateRequest`, the applicant taken from the
  signature certificate) signed as CMS by the card — under the session's verified
  signature PIN, or the PIN the effect carries (text-AP mode) — and stored by the ledger,
  which verifies it again.
* :class:`~gui.flow.ListMyRequests` — the requests of the card that authenticated in this
  session (refused otherwise), through the sink (:meth:`RequestSink.my_requests`): the local
  ledger lists them by the certificate's SHA-256; the office wants its own challenge
  answered, which the card signs under the session's verified user-authentication PIN.
  Nothing else is read from the card. :class:`~gui.flow.RequestsListed`.
* :class:`~gui.flow.Wipe` — ends the card session and forgets it; returns ``None``.

PINs: each effect's :class:`~gui.flow.Secret` is revealed only for the one VERIFY that
uses it, checked against its rule before anything is sent, and wiped right after; never
retried, kept or logged. The card's security state, not the kiosk, carries a verification
from one effect to the next, and the reset at the session's end clears it. :meth:`KioskServices.run` never
raises: an unexpected failure becomes an error event with a short message, and
is logged with any PIN text scrubbed out.

Why one module: it is one class, :class:`KioskServices`, whose effects share one card
session, one trust decision and one PIN discipline; every effect checks what the earlier
ones left in the session (which certificate authenticated, which PIN is verified). What
could stand apart already does: how the services are built (:mod:`gui.setup`), how a
failure becomes an event (:mod:`gui.outcomes`), the texts (:mod:`gui.texts`,
:mod:`gui.next_steps`) and the card session (:mod:`gui.card_session`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import Encoding

from jpki import errors
from jpki.authn import AuthenticationReason, Authenticator, challenge_message
from jpki.card import JpkiCard
from jpki.cardtrust import card_roots
from jpki.certs import (
    JST,
    CertificateFormatError,
    CertificateInfo,
    explain_validation,
    parse_holder_attributes,
)
from jpki.cms import sign_cms
from jpki.layout import CertKind, PinKind
from jpki.ledger import Ledger, SubmissionRejected
from jpki.messages import explanation
from jpki.officeapi import HolderProof
from jpki.officeapi import Receipt as OfficeReceipt
from jpki.pins import is_valid_pin
from jpki.requests import (
    Applicant,
    CertificateRequest,
    ConvenienceStoreDelivery,
    CounterDelivery,
    DeliveryMethod,
    DigitalPdfDelivery,
    PostalDelivery,
    RequestSchemaError,
)
from jpki.requests import Delivery as RequestDelivery
from jpki.token import TokenKind
from jpki.trust import CrlStore, Purpose, RevocationPolicy, TrustStore, ValidationResult

from . import texts
from .card_session import CardSession, SessionLost
from .config import IdentitySource, KioskConfig
from .flow import (
    Authenticate,
    CardChecked,
    CardProblem,
    CardSummary,
    Effect,
    Event,
    Identity,
    ListMyRequests,
    PinResult,
    ReadCard,
    ReadIdentity,
    Receipt,
    RequestForm,
    RequestLine,
    RequestsListed,
    Secret,
    SignAndSubmit,
    Wipe,
)
from .forms import form_problem, postal_code
from .next_steps import next_steps, print_deadline
from .office_link import LocalLedgerSink, OfficeSink, RequestSink, StatusUnavailable
from .outcomes import (
    Refused,
    bad_pin_format,
    log_unexpected,
    one_line,
    pin_failure,
    problem_of,
    scrub,
)
from .setup import CardOpener, crl_store_from_config, ledger_config, trust_store_from_config
from .texts import text
from .worker import unexpected_event

__all__ = [
    "CONVENIENCE_STORE_CODE",
    "COUNTER_CODE",
    "KioskServices",
]

logger = logging.getLogger(__name__)

#: The pick-up counter and the convenience-store code put into requests. The kiosk
#: configuration has no such settings (yet); the request schema needs a code.
COUNTER_CODE: Final = "main"
CONVENIENCE_STORE_CODE: Final = "any"
#: The request's ``purpose`` when the applicant gave none (the schema needs text).
NO_PURPOSE: Final = "(not stated)"

_T = TypeVar("_T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


# -- internal outcomes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Signed:
    request: CertificateRequest
    document: bytes
    signature: bytes


def _fingerprint(der: bytes) -> bytes:
    return hashlib.sha256(der).digest()


def _use_once(pin: Secret, use: Callable[[str], _T]) -> _T:
    """``use(pin)`` — one VERIFY — then the PIN is wiped, whatever happened. An unexpected
    failure comes out as a ``RuntimeError`` whose text has the PIN scrubbed (the log of it
    can no longer scrub a wiped PIN)."""
    try:
        return use(pin.reveal())
    except (errors.JpkiError, Refused):
        raise
    except Exception as exc:
        detail = scrub("".join(traceback.format_exception(exc)), pin)
        raise RuntimeError(f"the card step failed: {detail}") from None
    finally:
        pin.wipe()


def _load(der: bytes, kind: CertKind) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion is no ValueError
        raise errors.CorruptData(f"the {kind.label} on the card cannot be parsed: {exc}") from None


# -- the services --------------------------------------------------------------------------------


class KioskServices:
    """Runs the kiosk flow's effects against a card, the trust store and the ledger.

    ``card_opener`` opens the card once per effect (:func:`pcsc_card_opener`,
    :func:`mock_card_opener`). ``trust_store`` and ``crls`` default to what
    ``config`` names (:func:`trust_store_from_config`, :func:`crl_store_from_config`);
    the revocation policy is ``config.revocation``. ``ledger`` defaults to the
    ledger at ``config.ledger_url`` (or the default SQLite file), opened at the
    first submission. ``clock`` (aware datetimes) is for tests.

    Meant for one worker thread; :meth:`run` never raises.
    """

    def __init__(
        self,
        config: KioskConfig,
        card_opener: CardOpener,
        *,
        trust_store: TrustStore | None = None,
        crls: CrlStore | None = None,
        ledger: Ledger | None = None,
        clock: Callable[[], datetime] | None = None,
        sink: RequestSink | None = None,
    ) -> None:
        self.config = config
        self._sink = sink  # where requests go; default: the local ledger
        self._holders: dict[int, HolderProof] = {}  # session -> the card's answer
        self.trust_store = (
            trust_store if trust_store is not None else trust_store_from_config(config)
        )
        self.crls = crls if crls is not None else crl_store_from_config(config)
        self.policy = RevocationPolicy(config.revocation)
        self.kinds = frozenset(item.code for item in config.catalogue)
        self._open_card = card_opener
        self._clock = clock or _utc_now
        self._ledger = ledger
        self._owns_ledger = False
        self._authenticator = Authenticator(
            self.trust_store, self.policy, self.crls, clock=self._now
        )
        self._lock = threading.Lock()
        self._card_session: CardSession | None = None  # the applicant's hold on the card

    @classmethod
    def from_config(
        cls,
        config: KioskConfig,
        card_opener: CardOpener,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> KioskServices:
        """Everything from ``config``, loaded now so that a wrong setting shows at start-up:
        trust anchors (J-LIS roots plus ``config.trust``), CRLs, and the ledger (migrated)."""
        trust = trust_store_from_config(config)
        crls = crl_store_from_config(config)
        if config.office_urls:  # no local ledger, no database credentials
            return cls(
                config,
                card_opener,
                trust_store=trust,
                crls=crls,
                clock=clock,
                sink=OfficeSink.from_config(config),
            )
        ledger = Ledger.open(config.ledger_url, config=ledger_config(config, trust, crls))
        services = cls(
            config, card_opener, trust_store=trust, crls=crls, ledger=ledger, clock=clock
        )
        services._owns_ledger = True
        return services

    def close(self) -> None:
        """End any card session; close the ledger if these services opened it."""
        self._end_card_session()
        if self._sink is not None:
            self._sink.close()
            self._sink = None
        if self._owns_ledger and self._ledger is not None:
            self._ledger.close()
            self._ledger = None
            self._owns_ledger = False

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = Ledger.open(
                self.config.ledger_url,
                config=ledger_config(self.config, self.trust_store, self.crls),
            )
            self._owns_ledger = True
        return self._ledger

    @property
    def sink(self) -> RequestSink:
        """Where signed requests go: the office's outbox, or the local ledger."""
        if self._sink is None:
            self._sink = LocalLedgerSink(self.ledger)
        return self._sink

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return now

    # -- the entry point ---------------------------------------------------------------------

    def run(self, effect: Effect) -> Event | None:
        """Carry out ``effect`` (blocking) and return the event for the flow; ``None`` for
        :class:`~gui.flow.Wipe`. The effect's ``language`` (the session's) is that of its
        messages and of the request."""
        if isinstance(effect, Wipe):
            self._forget()
            logger.debug("wipe: session state forgotten")
            return None
        lang = effect.language
        try:
            if isinstance(effect, ReadCard):
                return self._read_card(effect, lang)
            if isinstance(effect, Authenticate):
                return self._authenticate(effect, lang)
            if isinstance(effect, ReadIdentity):
                return self._read_identity(effect, lang)
            if isinstance(effect, SignAndSubmit):
                return self._sign_and_submit(effect, lang)
            if isinstance(effect, ListMyRequests):
                return self._list_my_requests(effect, lang)
            raise TypeError(f"unknown effect {type(effect).__name__}")
        except Exception as exc:  # run() never raises: the flow gets an error event
            log_unexpected(effect, exc)
            return unexpected_event(effect)

    # -- plumbing ----------------------------------------------------------------------------

    def _forget(self) -> None:
        self._end_card_session()
        with self._lock:
            self._holders.clear()

    def _end_card_session(self) -> None:
        held, self._card_session = self._card_session, None
        if held is not None:
            held.close()  # the card is reset: every verification on it dies
            logger.info("session %d: card session ended", held.number)

    def _with_card(self, session: int, lang: str, work: Callable[[CardSession], _T]) -> _T:
        """Run ``work`` on the card session of ``session``. A lost connection (or a card
        fault) ends the card session: the applicant starts again. A wrong PIN does not."""
        held = self._card_session
        if held is None or held.number != session or not held.open:
            raise Refused(text(lang, texts.START_AGAIN))
        try:
            return work(held)
        except (errors.PinIncorrect, errors.PinFormatError, Refused):
            raise
        except (errors.JpkiError, SessionLost):
            self._end_card_session()
            raise

    def _validate(
        self, cert: x509.Certificate, purpose: Purpose, card: JpkiCard | None = None
    ) -> ValidationResult:
        """The trust verdict; with ``card``, a pinned root the installation lacks is taken
        from the card (accepted only if its SHA-256 equals the pin)."""
        at = self._now()
        roots = () if card is None else card_roots(card, self.trust_store, cert, purpose, at=at)
        return self.trust_store.validate(
            cert,
            purpose=purpose,
            at=at,
            crls=self.crls,
            policy=self.policy,
            intermediates=roots,
        )

    def _check_authenticated(self, held: CardSession, lang: str) -> None:
        """Refuse to go on unless the card of this session has authenticated (the connection
        is exclusive and was never let go: it is the same card)."""
        if held.authenticated is None:
            raise Refused(text(lang, texts.NOT_AUTHENTICATED))
        if _fingerprint(held.certificate_der(CertKind.AUTH)) != held.authenticated:
            raise Refused(text(lang, texts.OTHER_CARD))

    # -- ReadCard ------------------------------------------------------------------------------

    def _read_card(self, effect: ReadCard, lang: str) -> CardChecked:
        session = effect.session
        self._forget()  # a new applicant

        def work(held: CardSession) -> CardChecked:
            card = held.card
            cert = _load(held.certificate_der(CertKind.AUTH), CertKind.AUTH)
            result = self._validate(cert, Purpose.AUTHENTICATION, card)
            if not result.valid:
                if card.token_info().kind is TokenKind.JUKI_CARD:  # only read when refused
                    logger.info("session %d: a Juki card, not a My Number card", session)
                    detail = explanation("juki_card", lang)
                    return CardChecked(session, problem=CardProblem.JUKI_CARD, detail=detail)
                problem = problem_of(result.reason)
                logger.info("session %d: card refused: %s", session, result.reason)
                return CardChecked(
                    session,
                    problem=problem,
                    detail=one_line(explain_validation(result, lang=lang)),
                )
            info = CertificateInfo.from_x509(cert)
            # the signature PIN's counter first, the authentication PIN's last: its EF stays
            # selected for the VERIFY that comes next (one SELECT fewer)
            sign = card.pin_status(PinKind.SIGN)
            text_tries = 0  # the text AP's counter only where its PIN will be asked for
            if self.config.identity_source is IdentitySource.TEXT_AP:
                text_tries = card.pin_status(PinKind.TEXT)
            auth = card.pin_status(PinKind.AUTH)
            summary = CardSummary(
                serial=format(cert.serial_number, "X"),
                not_after=info.not_after.astimezone(JST).date().isoformat(),
                renewal_open=info.renewal_open(self._now()),
                auth_tries=auth,
                sign_tries=sign,
                text_tries=text_tries,
            )
            logger.info(
                "session %d: card ok (tries auth %d, sign %d, text %d)",
                session,
                auth,
                sign,
                text_tries,
            )
            return CardChecked(session, summary=summary)

        try:
            self._card_session = CardSession(session, self._open_card)
            checked = self._with_card(session, lang, work)
            if checked.problem is not None:
                self._end_card_session()  # nothing more happens with this card
            return checked
        except errors.NotJpkiCard as exc:
            return CardChecked(session, problem=CardProblem.NOT_JPKI, detail=str(exc))
        except (errors.CorruptData, CertificateFormatError) as exc:
            logger.warning("session %d: unusable data on the card: %s", session, exc)
            return CardChecked(session, problem=CardProblem.UNREADABLE, detail=one_line(str(exc)))
        except errors.JpkiError as exc:
            logger.info("session %d: the card could not be read: %s", session, exc)
            if isinstance(exc, errors.CardRemoved):
                detail = text(lang, texts.CARD_REMOVED)
                return CardChecked(
                    session, problem=CardProblem.UNREADABLE, detail=detail, removed=True
                )
            return CardChecked(session, problem=CardProblem.UNREADABLE, detail=one_line(str(exc)))

    # -- Authenticate --------------------------------------------------------------------------

    def _authenticate(self, effect: Authenticate, lang: str) -> PinResult:
        session = effect.session
        if not is_valid_pin(PinKind.AUTH, effect.pin.reveal()):
            return bad_pin_format(session, PinKind.AUTH, lang)
        challenge = self._authenticator.issue_challenge()

        def work(
            held: CardSession,
        ) -> tuple[x509.Certificate, bytes, tuple[x509.Certificate, ...]]:
            certificate = _load(held.certificate_der(CertKind.AUTH), CertKind.AUTH)
            card = held.card
            _use_once(effect.pin, lambda pin: card.verify_pin(PinKind.AUTH, pin))
            signature = card.sign(
                CertKind.AUTH, challenge_message(challenge), pin=None, hash_algorithm=SHA256()
            )
            roots = card_roots(
                card, self._authenticator.trust_store, certificate, Purpose.AUTHENTICATION
            )
            return certificate, signature, roots

        try:
            certificate, signature, roots = self._with_card(session, lang, work)
        except (errors.JpkiError, Refused, SessionLost) as exc:
            return pin_failure(session, exc, lang)
        result = self._authenticator.verify(challenge, signature, certificate, presented=roots)
        if not result.ok:
            logger.info("session %d: authentication failed: %s", session, result.reason)
            validation = result.validation
            if validation is not None and not validation.valid:
                return PinResult(
                    session,
                    ok=False,
                    problem=problem_of(validation.reason),
                    error=one_line(explain_validation(validation, lang=lang)),
                )
            problem = (
                CardProblem.NOT_JPKI
                if result.reason is AuthenticationReason.MALFORMED
                else CardProblem.AUTH_FAILED
            )
            return PinResult(session, ok=False, problem=problem, error=one_line(result.message))
        fingerprint = certificate.fingerprint(SHA256())
        holder = HolderProof(  # the card's answer, for the applicant's own list
            certificate.public_bytes(Encoding.DER),
            challenge.to_bytes(),
            signature,
        )
        held = self._card_session
        if held is not None and held.number == session:
            held.authenticated = fingerprint
        with self._lock:
            self._holders[session] = holder
        logger.info("session %d: authenticated", session)
        return PinResult(session, ok=True)

    # -- ReadIdentity --------------------------------------------------------------------------

    def _read_identity(self, effect: ReadIdentity, lang: str) -> PinResult:
        session = effect.session
        text_ap = effect.source is IdentitySource.TEXT_AP
        kind = PinKind.TEXT if text_ap else PinKind.SIGN
        if not is_valid_pin(kind, effect.pin.reveal()):
            return bad_pin_format(session, kind, lang)

        def work(
            held: CardSession,
        ) -> Identity | tuple[x509.Certificate, tuple[x509.Certificate, ...]]:
            self._check_authenticated(held, lang)
            card = held.card
            if text_ap:
                info = _use_once(effect.pin, card.read_basic_info)
                return Identity(
                    name=info.name,
                    address=info.address,
                    birth_date=info.birth_date,
                    sex=info.sex,
                    source=IdentitySource.TEXT_AP,
                )
            # the one VERIFY of the signature PIN in this session: the card keeps it for the
            # signature at the end; the PIN string goes now
            _use_once(effect.pin, lambda pin: card.verify_pin(PinKind.SIGN, pin))
            cert = _load(held.certificate_der(CertKind.SIGN), CertKind.SIGN)
            return cert, card_roots(card, self.trust_store, cert, Purpose.SIGNATURE, at=self._now())

        try:
            got = self._with_card(session, lang, work)
            if isinstance(got, Identity):
                identity = got
            else:
                cert, roots = got
                self._check_sign_certificate(cert, lang, roots)
                holder = parse_holder_attributes(cert)
                identity = Identity(
                    name=holder.name,
                    address=holder.address,
                    birth_date=holder.birth_date,
                    sex=holder.sex,
                    source=IdentitySource.SIGN_CERTIFICATE,
                )
        except (errors.JpkiError, Refused, SessionLost) as exc:
            return pin_failure(session, exc, lang)
        logger.info("session %d: identity read (%s)", session, effect.source.value)
        return PinResult(session, ok=True, identity=identity)

    def _check_sign_certificate(
        self, cert: x509.Certificate, lang: str, roots: tuple[x509.Certificate, ...] = ()
    ) -> None:
        """Raise :class:`Refused` with the reason unless the signature certificate is valid
        (revoked after a change of name or address, expired, untrusted...). ``roots``: the
        card's root, read when the trust store lacks it (:func:`jpki.cardtrust.card_roots`)."""
        result = self.trust_store.validate(
            cert,
            purpose=Purpose.SIGNATURE,
            at=self._now(),
            crls=self.crls,
            policy=self.policy,
            intermediates=roots,
        )
        if not result.valid:
            raise Refused(
                one_line(explain_validation(result, lang=lang)), problem_of(result.reason)
            )

    # -- SignAndSubmit -------------------------------------------------------------------------

    def _sign_and_submit(self, effect: SignAndSubmit, lang: str) -> PinResult:
        session = effect.session
        form, identity = effect.form, effect.identity
        problem = form_problem(self.config, form, language=lang)
        if problem is not None:  # before the PIN goes anywhere
            logger.info("session %d: the form was refused: %s", session, problem)
            return PinResult(session, ok=False, error=problem)
        pin = effect.pin
        if pin is not None and not is_valid_pin(PinKind.SIGN, pin.reveal()):
            return bad_pin_format(session, PinKind.SIGN, lang)
        now = self._now().astimezone(JST).replace(microsecond=0)
        try:
            delivery = self._delivery(form, identity, now.date())
        except RequestSchemaError as exc:
            logger.info("session %d: the delivery was refused: %s", session, exc)
            return PinResult(session, ok=False, error=one_line(str(exc)))

        def work(held: CardSession) -> _Signed:
            self._check_authenticated(held, lang)
            card = held.card
            if pin is not None:  # text-AP mode: the signature PIN is entered for this step
                _use_once(pin, lambda value: card.verify_pin(PinKind.SIGN, value))
            elif not held.verified(PinKind.SIGN):
                raise Refused(text(lang, texts.START_AGAIN))
            cert = _load(held.certificate_der(CertKind.SIGN), CertKind.SIGN)
            roots = card_roots(card, self.trust_store, cert, Purpose.SIGNATURE, at=self._now())
            self._check_sign_certificate(cert, lang, roots)
            applicant = Applicant.from_certificate(cert)
            if identity.source is IdentitySource.SIGN_CERTIFICATE and (
                identity.name,
                identity.address,
                identity.birth_date,
                identity.sex,
            ) != (applicant.name, applicant.address, applicant.birth_date, applicant.sex):
                raise Refused(text(lang, texts.OTHER_PERSON))
            request = CertificateRequest.create(
                kiosk_id=self.config.kiosk_id,
                kind=form.certificate,
                language=lang,
                copies=form.copies,
                delivery=delivery,
                purpose=texts.purpose_text(lang, form.purpose_code, form.purpose).strip()
                or NO_PURPOSE,
                applicant=applicant,
                time=now,
                allowed_kinds=self.kinds,
            )
            document = request.to_bytes()
            # the session's VERIFY of the signature PIN covers it; a root the trust store
            # lacks (generation 02) goes into the CMS for the ledger
            signature = sign_cms(
                card,
                document,
                pin=None,
                certificate=cert,
                signing_time=now,
                include_ca=bool(roots),
            )
            return _Signed(request, document, signature)

        try:
            signed = self._with_card(session, lang, work)
        except RequestSchemaError as exc:
            logger.warning("session %d: the request could not be built: %s", session, exc)
            return PinResult(session, ok=False, error=one_line(str(exc)))
        except (errors.JpkiError, Refused, SessionLost) as exc:
            return pin_failure(session, exc, lang)
        logger.info("session %d: request %s signed", session, signed.request.request_id)

        try:  # the sink is the office's outbox or the local ledger
            with self._lock:
                holder = self._holders.get(session)
            outcome = self.sink.submit(
                signed.signature,
                signed.document,
                request_id=signed.request.request_id,
                holder=holder,
                at=self._now(),
            )
        except SubmissionRejected as exc:
            logger.warning(
                "session %d: the ledger refused request %s: %s (%s)",
                session,
                signed.request.request_id,
                exc.reason,
                exc.message,
            )
            return PinResult(
                session,
                ok=False,
                error=text(lang, texts.NOT_ACCEPTED, reason=one_line(exc.message)),
            )
        state = "queued for the office" if outcome.queued else "stored"
        logger.info("session %d: request %s %s", session, outcome.request_id, state)
        receipt = Receipt(
            outcome.request_id,
            self._receipt_summary(signed.request, form, lang),
            requested_on=now.date(),
        )
        return PinResult(session, ok=True, receipt=receipt)

    # -- ListMyRequests ------------------------------------------------------------------------

    def _list_my_requests(self, effect: ListMyRequests, lang: str) -> RequestsListed:
        session = effect.session

        def work(held: CardSession) -> list[OfficeReceipt]:
            self._check_authenticated(held, lang)
            assert held.authenticated is not None
            certificate = held.certificate_der(CertKind.AUTH)
            card = held.card

            def prove(challenge: bytes) -> HolderProof:
                """The card answers the office's challenge: the user-authentication PIN this
                session verified still holds on the card; no PIN is sent again."""
                if not held.verified(PinKind.AUTH):
                    raise Refused(text(lang, texts.START_AGAIN))
                try:
                    message = challenge_message(challenge)
                except ValueError as exc:
                    raise StatusUnavailable(f"the office's challenge: {exc}") from None
                signature = card.sign(CertKind.AUTH, message, pin=None, hash_algorithm=SHA256())
                return HolderProof(certificate, message, signature)

            return self.sink.my_requests(held.authenticated.hex(), prove, limit=effect.limit)

        try:
            found = self._with_card(session, lang, work)
        except StatusUnavailable as exc:
            logger.warning("session %d: the requests cannot be listed: %s", session, exc)
            return RequestsListed(session, available=False)
        except Refused as exc:
            logger.info("session %d: listing refused: %s", session, exc.message)
            return RequestsListed(session, error=exc.message)
        except (errors.JpkiError, SessionLost) as exc:
            logger.info("session %d: the card failed while listing: %s", session, exc)
            gone = isinstance(exc, errors.CardRemoved)
            return RequestsListed(
                session, error=text(lang, texts.CARD_REMOVED if gone else texts.START_AGAIN)
            )
        logger.info("session %d: %d request(s) of the applicant listed", session, len(found))
        lines = tuple(
            RequestLine(
                request_id=r.request_id,
                certificate=r.kind,
                copies=r.copies,
                delivery=r.delivery_method,
                submitted_at=r.submitted_at or "",
                status=r.status,
            )
            for r in found
        )
        return RequestsListed(session, requests=lines)

    def _delivery(self, form: RequestForm, identity: Identity, today: date) -> RequestDelivery:
        if form.delivery is DeliveryMethod.POSTAL:
            return PostalDelivery(
                recipient=identity.name,
                address=form.postal_address.strip(),
                postal_code=postal_code(form),
                country="JP",
            )
        if form.delivery is DeliveryMethod.CONVENIENCE_STORE:
            return ConvenienceStoreDelivery(
                store=CONVENIENCE_STORE_CODE,
                print_deadline=print_deadline(self.config, today),
            )
        if form.delivery is DeliveryMethod.DIGITAL_PDF:
            return DigitalPdfDelivery(recipient=form.recipient.strip())
        return CounterDelivery(counter=COUNTER_CODE)

    def _receipt_summary(self, request: CertificateRequest, form: RequestForm, lang: str) -> str:
        """What was asked for, then the next steps (:mod:`gui.next_steps`, as on the screens)."""
        item = self.config.document_type(request.kind)
        item_line = text(
            lang,
            texts.RECEIPT_ITEM,
            name=item.name(lang),
            copies=request.copies,
            fee=f"{item.fee_yen * request.copies:,}",
        )
        steps = next_steps(
            self.config,
            form,
            lang,
            request_id=request.request_id,
            requested_on=request.time.astimezone(JST).date(),
        )
        return "\n".join((item_line, *steps))
