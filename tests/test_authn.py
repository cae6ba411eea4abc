"""jpki.authn: challenge-response authentication with the user-authentication key."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from apdu.replay import RecordingTransport
from jpki import CertKind, JpkiCard, PinIncorrect, PinKind
from jpki.authn import (
    CONTEXT,
    DEFAULT_CHALLENGE_TTL,
    NONCE_SIZE,
    AuthenticationReason,
    AuthenticationResult,
    Authenticator,
    Challenge,
    authenticate,
    challenge_message,
)
from jpki.trust import CrlStore, Reason, RevocationPolicy, TrustStore
from mock_card import CardProfile, MockCard, MockPki

AUTH_PIN = "1234"
SIGN_PIN = "ABCD1234"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture(scope="module")
def store() -> TrustStore:
    pki = MockPki.demo()
    return TrustStore.from_certificates([pki.sign_ca_cert, pki.auth_ca_cert])


@pytest.fixture
def auth(store: TrustStore) -> Authenticator:
    return Authenticator(store)


def login(auth: Authenticator, jpki_card: JpkiCard, pin: str = AUTH_PIN) -> AuthenticationResult:
    challenge = auth.issue_challenge()
    response = authenticate(jpki_card, challenge, pin)
    return auth.verify(challenge, response.signature, response.certificate)


def test_happy_path(auth: Authenticator, jpki_card: JpkiCard, mock_card: MockCard) -> None:
    result = login(auth, jpki_card)
    assert result.ok and bool(result)
    assert result.reason is None
    assert result.certificate_serial == mock_card.credentials.auth_cert.serial_number
    assert result.issuer_generation == "2010"  # the mock CAs' validity starts in 2010
    assert result.validation is not None and result.validation.valid
    assert result.validation.anchor == mock_card.credentials.auth_ca_cert
    assert abs(result.checked_at - datetime.now(UTC)) < timedelta(seconds=5)
    assert result.message.startswith("Authenticated.")


def test_challenge_shape(auth: Authenticator) -> None:
    a, b = auth.issue_challenge(), auth.issue_challenge()
    assert len(a.nonce) == NONCE_SIZE >= 32
    assert a.nonce != b.nonce
    assert a.to_bytes() == CONTEXT + a.nonce
    assert CONTEXT.startswith(b"JPKI-KIOSK-AUTH-v1\x00")
    assert a.expires_at - a.issued_at == DEFAULT_CHALLENGE_TTL == timedelta(minutes=2)
    with pytest.raises(AttributeError):
        a.nonce = b"x"  # type: ignore[misc]


def test_the_card_signs_the_context_and_the_nonce(
    auth: Authenticator, jpki_card: JpkiCard, mock_card: MockCard
) -> None:
    challenge = auth.issue_challenge()
    response = authenticate(jpki_card, challenge, AUTH_PIN)
    assert response.certificate == mock_card.credentials.auth_cert
    mock_card.credentials.auth_cert.public_key().verify(  # type: ignore[union-attr,call-arg]
        response.signature, CONTEXT + challenge.nonce, padding.PKCS1v15(), hashes.SHA256()
    )


def test_one_transaction_auth_pin_only(auth: Authenticator, mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    asked: list[tuple[PinKind, int]] = []

    def prompt(kind: PinKind, tries: int) -> str:
        asked.append((kind, tries))
        return AUTH_PIN

    challenge = auth.issue_challenge()
    response = authenticate(JpkiCard(rec), challenge, prompt)
    assert asked == [(PinKind.AUTH, 3)]
    assert [c for c in rec.commands if c[1] == 0x20 and len(c) > 4] == [
        bytes.fromhex("0020008004") + AUTH_PIN.encode()
    ]
    assert auth.verify(challenge, response.signature, response.certificate).ok


def test_wrong_pin_is_not_retried(
    auth: Authenticator, jpki_card: JpkiCard, mock_card: MockCard
) -> None:
    with pytest.raises(PinIncorrect):
        authenticate(jpki_card, auth.issue_challenge(), "9999")
    assert mock_card.pin_tries_left("auth") == 2


def test_challenge_as_bytes(auth: Authenticator, jpki_card: JpkiCard) -> None:
    for form in ("to_bytes", "nonce"):
        challenge = auth.issue_challenge()
        raw = challenge.to_bytes() if form == "to_bytes" else challenge.nonce
        response = authenticate(jpki_card, raw, AUTH_PIN)
        assert auth.verify(raw, response.signature, response.certificate).ok


def test_the_card_side_refuses_other_data(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    for junk in (b"pay 100 yen to mallory", b"", CONTEXT + b"short", b"\x00" * 33):
        with pytest.raises(ValueError, match="not an authentication challenge"):
            authenticate(JpkiCard(rec), junk, AUTH_PIN)
    assert rec.commands == []
    assert challenge_message(b"\x01" * NONCE_SIZE) == CONTEXT + b"\x01" * NONCE_SIZE


# -- single use, expiry, unknown -------------------------------------------------------------


def test_replay_is_rejected(auth: Authenticator, jpki_card: JpkiCard) -> None:
    challenge = auth.issue_challenge()
    response = authenticate(jpki_card, challenge, AUTH_PIN)
    assert auth.verify(challenge, response.signature, response.certificate).ok
    again = auth.verify(challenge, response.signature, response.certificate)
    assert not again.ok
    assert again.reason is AuthenticationReason.REPLAYED
    assert auth.verify(challenge.to_bytes(), response.signature, response.certificate).reason is (
        AuthenticationReason.REPLAYED
    )


def test_a_failed_verify_uses_the_challenge_up(auth: Authenticator, jpki_card: JpkiCard) -> None:
    challenge = auth.issue_challenge()
    response = authenticate(jpki_card, challenge, AUTH_PIN)
    flipped = response.signature[:-1] + bytes([response.signature[-1] ^ 0xFF])  # never equal
    bad = auth.verify(challenge, flipped, response.certificate)
    assert bad.reason is AuthenticationReason.BAD_SIGNATURE
    assert auth.verify(challenge, response.signature, response.certificate).reason is (
        AuthenticationReason.REPLAYED
    )


def test_expired_challenge(store: TrustStore, jpki_card: JpkiCard) -> None:
    clock = Clock()
    auth = Authenticator(store, clock=clock)
    on_time, late = auth.issue_challenge(), auth.issue_challenge()
    r1, r2 = authenticate(jpki_card, on_time, AUTH_PIN), authenticate(jpki_card, late, AUTH_PIN)
    clock.advance(DEFAULT_CHALLENGE_TTL)  # the last moment it is good
    assert auth.verify(on_time, r1.signature, r1.certificate).ok
    clock.advance(timedelta(seconds=1))
    result = auth.verify(late, r2.signature, r2.certificate)
    assert result.reason is AuthenticationReason.EXPIRED_CHALLENGE
    assert result.validation is None


def test_custom_ttl(store: TrustStore, jpki_card: JpkiCard) -> None:
    clock = Clock()
    auth = Authenticator(store, challenge_ttl=timedelta(seconds=10), clock=clock)
    challenge = auth.issue_challenge()
    response = authenticate(jpki_card, challenge, AUTH_PIN)
    clock.advance(timedelta(seconds=11))
    assert auth.verify(challenge, response.signature, response.certificate).reason is (
        AuthenticationReason.EXPIRED_CHALLENGE
    )
    with pytest.raises(ValueError):
        Authenticator(store, challenge_ttl=timedelta(0))


def test_unknown_challenge(auth: Authenticator, store: TrustStore, jpki_card: JpkiCard) -> None:
    elsewhere = Authenticator(store).issue_challenge()
    response = authenticate(jpki_card, elsewhere, AUTH_PIN)
    result = auth.verify(elsewhere, response.signature, response.certificate)
    assert result.reason is AuthenticationReason.UNKNOWN_CHALLENGE
    forged = Challenge(
        b"\x07" * NONCE_SIZE, datetime.now(UTC), datetime.now(UTC) + timedelta(days=9)
    )
    assert auth.verify(forged, response.signature, response.certificate).reason is (
        AuthenticationReason.UNKNOWN_CHALLENGE
    )
    assert auth.verify(b"junk", response.signature, response.certificate).reason is (
        AuthenticationReason.UNKNOWN_CHALLENGE
    )


def test_the_stored_expiry_counts_not_the_one_presented(
    store: TrustStore, jpki_card: JpkiCard
) -> None:
    clock = Clock()
    auth = Authenticator(store, clock=clock)
    issued = auth.issue_challenge()
    stretched = Challenge(issued.nonce, issued.issued_at, issued.expires_at + timedelta(days=1))
    response = authenticate(jpki_card, stretched, AUTH_PIN)
    clock.advance(timedelta(minutes=5))
    assert auth.verify(stretched, response.signature, response.certificate).reason is (
        AuthenticationReason.EXPIRED_CHALLENGE
    )


def test_old_challenges_are_forgotten(store: TrustStore, jpki_card: JpkiCard) -> None:
    clock = Clock()
    auth = Authenticator(store, clock=clock)
    old = auth.issue_challenge()
    response = authenticate(jpki_card, old, AUTH_PIN)
    assert auth.outstanding == 1
    clock.advance(timedelta(hours=1))
    auth.issue_challenge()
    assert auth.outstanding == 1
    assert auth.verify(old, response.signature, response.certificate).reason is (
        AuthenticationReason.UNKNOWN_CHALLENGE
    )


def test_naive_clock_is_an_error(store: TrustStore) -> None:
    auth = Authenticator(store, clock=datetime.now)  # a naive clock
    with pytest.raises(ValueError, match="timezone-aware"):
        auth.issue_challenge()


# -- keys and certificates ---------------------------------------------------------------------


def test_signed_by_the_sign_key_with_the_auth_cert(
    auth: Authenticator, jpki_card: JpkiCard, mock_card: MockCard
) -> None:
    challenge = auth.issue_challenge()
    signature = jpki_card.sign(CertKind.SIGN, challenge.to_bytes(), pin=SIGN_PIN)
    result = auth.verify(challenge, signature, mock_card.credentials.auth_cert)
    assert result.reason is AuthenticationReason.BAD_SIGNATURE
    assert result.validation is None


def test_sign_certificate_presented(
    auth: Authenticator, jpki_card: JpkiCard, mock_card: MockCard
) -> None:
    challenge = auth.issue_challenge()
    signature = jpki_card.sign(CertKind.SIGN, challenge.to_bytes(), pin=SIGN_PIN)
    result = auth.verify(challenge, signature, mock_card.credentials.sign_cert)
    assert result.reason is AuthenticationReason.WRONG_KEY_USAGE
    assert result.validation is not None
    assert result.validation.reason is Reason.WRONG_KEY_USAGE
    assert "user-authentication certificate" in result.message


def test_signature_without_the_context_prefix(
    auth: Authenticator, jpki_card: JpkiCard, mock_card: MockCard
) -> None:
    """A signature over the bare nonce (another protocol's message) does not count."""
    challenge = auth.issue_challenge()
    signature = jpki_card.sign(CertKind.AUTH, challenge.nonce, pin=AUTH_PIN)
    result = auth.verify(challenge, signature, mock_card.credentials.auth_cert)
    assert result.reason is AuthenticationReason.BAD_SIGNATURE


def test_not_a_certificate(auth: Authenticator, jpki_card: JpkiCard) -> None:
    challenge = auth.issue_challenge()
    response = authenticate(jpki_card, challenge, AUTH_PIN)
    result = auth.verify(challenge, response.signature, b"not a cert")  # type: ignore[arg-type]
    assert result.reason is AuthenticationReason.MALFORMED
    assert result.certificate_serial is None


@pytest.mark.parametrize(
    ("profile", "reason"),
    [
        (CardProfile.EXPIRED, AuthenticationReason.EXPIRED),
        (CardProfile.NOT_YET_VALID, AuthenticationReason.NOT_YET_VALID),
    ],
)
def test_holder_certificate_dates(
    auth: Authenticator, profile: CardProfile, reason: AuthenticationReason
) -> None:
    result = login(auth, JpkiCard(MockCard(profile=profile)))
    assert result.reason is reason
    assert result.validation is not None and result.validation.reason is not None


def test_revoked_with_crl(store: TrustStore) -> None:
    mock_card = MockCard(profile=CardProfile.REVOKED)
    crls = CrlStore.from_crls(mock_card.pki.revocation_crls(mock_card.credentials))
    for policy in (RevocationPolicy.REQUIRE, RevocationPolicy.IF_AVAILABLE):
        result = login(Authenticator(store, crl_policy=policy, crls=crls), JpkiCard(mock_card))
        assert result.reason is AuthenticationReason.REVOKED
        assert result.validation is not None and result.validation.revoked_at is not None
    # revocation checking off: the revoked card gets in, and the result says so
    off = login(
        Authenticator(store, crl_policy=RevocationPolicy.OFF, crls=crls), JpkiCard(mock_card)
    )
    assert off.ok
    assert off.validation is not None and not off.validation.revocation_checked


def test_good_card_with_crl(store: TrustStore, jpki_card: JpkiCard) -> None:
    revoked_other = MockPki.demo().issue_card(profile=CardProfile.REVOKED, key_index=1)
    crls = CrlStore.from_crls(MockPki.demo().revocation_crls(revoked_other))
    result = login(Authenticator(store, crl_policy=RevocationPolicy.REQUIRE, crls=crls), jpki_card)
    assert result.ok
    assert result.validation is not None and result.validation.revocation_checked


def test_revocation_required_without_crl(store: TrustStore, jpki_card: JpkiCard) -> None:
    required = login(Authenticator(store, crl_policy=RevocationPolicy.REQUIRE), jpki_card)
    assert required.reason is AuthenticationReason.NO_CRL
    optional = login(Authenticator(store), jpki_card)
    assert optional.ok
    assert optional.validation is not None and not optional.validation.revocation_checked


def test_production_store_rejects_the_mock_card(jpki_card: JpkiCard) -> None:
    result = login(Authenticator(), jpki_card)
    assert result.reason is AuthenticationReason.UNTRUSTED
    assert result.issuer_generation is None


def test_untrusted_look_alike_root(auth: Authenticator) -> None:
    other = MockPki.generate()
    result = login(auth, JpkiCard(MockCard(pki=other, key_index=2)))
    assert result.reason is AuthenticationReason.UNTRUSTED


def test_every_trust_reason_has_an_authentication_reason() -> None:
    for reason in Reason:
        assert AuthenticationReason.from_trust(reason).value == reason.value


# -- concurrency ------------------------------------------------------------------------------


def test_concurrent_verifications(auth: Authenticator, mock_card: MockCard) -> None:
    creds = mock_card.credentials

    def answer(challenge: Challenge) -> bytes:  # the card's computation, in software
        return creds.auth_key.sign(challenge.to_bytes(), padding.PKCS1v15(), hashes.SHA256())

    with ThreadPoolExecutor(8) as pool:
        challenges = list(pool.map(lambda _: auth.issue_challenge(), range(64)))
        assert len({c.nonce for c in challenges}) == 64
        signatures = [answer(c) for c in challenges]
        results = list(
            pool.map(
                lambda cs: auth.verify(cs[0], cs[1], creds.auth_cert),
                zip(challenges, signatures, strict=True),
            )
        )
    assert all(r.ok for r in results), {r.reason for r in results}


def test_concurrent_replays_only_one_wins(auth: Authenticator, jpki_card: JpkiCard) -> None:
    challenge = auth.issue_challenge()
    response = authenticate(jpki_card, challenge, AUTH_PIN)
    barrier = threading.Barrier(8)

    def attempt(_: int) -> AuthenticationResult:
        barrier.wait()
        return auth.verify(challenge, response.signature, response.certificate)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert sum(r.ok for r in results) == 1
    assert {r.reason for r in results if not r.ok} == {AuthenticationReason.REPLAYED}


def test_concurrent_logins_on_separate_cards(auth: Authenticator) -> None:
    cards = [JpkiCard(MockCard(key_index=i % 3)) for i in range(6)]
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda c: login(auth, c), cards))
    assert all(r.ok for r in results)
