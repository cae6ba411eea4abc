"""Every J-LIS root generation (docs/card.md, "Trust"): the pin table, a generation-02
chain whose root arrives from the card or a signature (accepted if and only if its SHA-256
equals the pin), the trust folder (``jpki trust install`` / ``list``), the message naming a
missing root, and the kiosk and the relying party accepting a generation-02 card.

The generation-02 chain is the mock's (:meth:`mock_card.MockPki.generation_02`: J-LIS's
serials and validity, the mock's names and keys), pinned in place of the real roots by a
substituted pin table. The real generation-02 files are not in the repository (nothing
fetched is committed): ``JPKI_TEST_REAL_ROOTS`` names a folder holding J-LIS's
``signca02.cer`` and ``authca02.cer`` for the optional test at the end.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from jpki import JpkiCard
from jpki.authn import Authenticator, authenticate
from jpki.certs import explain_validation
from jpki.cli.trust import root_states
from jpki.cms import sign_cms, verify_cms
from jpki.layout import CertKind
from jpki.trust import Purpose, Reason, TrustStore
from jpki.trust.installed import install_root, installed_roots
from jpki.trust.pins import JLIS_ROOTS, PinnedRoot, PinTable
from jpki.trust.roots import TrustDataError, parse_certificates
from mock_card import MockCard, MockPki
from mock_card.keypool import pool_key

GEN02 = MockPki.generation_02()
NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
AUTH_PIN = "1234"


def _pin_for(real: PinnedRoot, cert: x509.Certificate) -> PinnedRoot:
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    return dataclasses.replace(
        real,
        sha256=cert.fingerprint(hashes.SHA256()).hex().upper(),
        ski=ski.hex().upper(),
        source="the mock's generation-02-shaped root (tests only)",
    )


def mock_pins() -> PinTable:
    """JLIS_ROOTS with generation 02 replaced by the mock's generation-02-shaped roots."""
    gen02 = {"signature": GEN02.sign_ca_cert, "authentication": GEN02.auth_ca_cert}
    return PinTable(
        _pin_for(r, gen02[r.purpose]) if r.generation == "02" else r for r in JLIS_ROOTS
    )


PINS = mock_pins()


@pytest.fixture
def store(tmp_path: Path) -> TrustStore:
    """The production trust with the mock generation-02 pins and an empty trust folder."""
    return TrustStore.production(pins=PINS, folder=tmp_path / "trust")


@pytest.fixture
def gen02_card() -> MockCard:
    return MockCard(pki=GEN02, auth_pin=AUTH_PIN, now=NOW)


# -- the table -----------------------------------------------------------------------------


def test_the_table_has_every_generation_and_purpose_once() -> None:
    assert [(r.generation, r.purpose) for r in JLIS_ROOTS] == [
        (g, p) for g in ("01", "02", "03") for p in ("signature", "authentication")
    ]
    assert [r.shipped is not None for r in JLIS_ROOTS] == [True, True, False, False, True, True]
    assert JLIS_ROOTS[2].sha256 == (
        "79679C33E4CC9319440F1AD120A597FF1844E2EF217063ADB176966FD5E6FBEB"
    )
    assert (JLIS_ROOTS[2].serial, JLIS_ROOTS[3].serial) == (0x0132C4AB, 0x0133C349)


def test_each_shipped_root_matches_its_row() -> None:
    """Serial, validity and key identifier of the table are those of the shipped bytes (the
    fingerprint is checked independently of the table: hashlib over the DER)."""
    folder = resources.files("jpki").joinpath("data")
    for root in JLIS_ROOTS:
        if root.shipped is None:
            continue
        (cert,) = parse_certificates(root.shipped, folder.joinpath(root.shipped).read_bytes())
        der = cert.public_bytes(serialization.Encoding.DER)
        assert hashlib.sha256(der).hexdigest().upper() == root.sha256
        assert cert.serial_number == root.serial
        assert (cert.not_valid_before_utc, cert.not_valid_after_utc) == (
            root.not_before,
            root.not_after,
        )
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert ski.digest.hex().upper() == root.ski
        assert ("digital signature" in cert.subject.rfc4514_string()) == (
            root.purpose == "signature"
        )


def test_the_mock_generation_02_roots_look_like_j_lis_s() -> None:
    for cert, serial in ((GEN02.sign_ca_cert, 0x0132C4AB), (GEN02.auth_ca_cert, 0x0133C349)):
        assert cert.serial_number == serial
        assert cert.not_valid_before_utc == datetime(2019, 9, 14, 23, 41, 56, tzinfo=UTC)
        assert cert.not_valid_after_utc == datetime(2029, 9, 14, 14, 59, 59, tzinfo=UTC)


# -- a generation-02 chain -----------------------------------------------------------------


def test_without_the_root_the_result_names_the_missing_generation(
    store: TrustStore, gen02_card: MockCard
) -> None:
    result = store.validate(
        gen02_card.credentials.auth_cert, purpose=Purpose.AUTHENTICATION, at=NOW
    )
    assert not result.valid and result.reason is Reason.UNTRUSTED
    assert result.missing_root is not None and result.missing_root.generation == "02"
    assert result.message.startswith(
        "The certificate was issued by the J-LIS 2019 (generation 02) authentication root, "
        "which this installation does not have: run `jpki trust install authca02.cer` "
        f"(SHA-256 {PINS[3].sha256[:8]}…)"
    )
    assert "does not have" in result.checks["chain"]
    ja = explain_validation(result, lang="ja")
    assert "J-LIS 2019年（第02世代）の利用者証明用ルート証明書" in ja
    assert "jpki trust install authca02.cer" in ja
    en = explain_validation(result, lang="en")
    assert "generation 02" in en and "untrusted" not in en.casefold()


def test_the_root_from_the_card_is_accepted_when_it_is_the_pinned_one(
    store: TrustStore, gen02_card: MockCard
) -> None:
    creds = gen02_card.credentials
    for cert, purpose, root in (
        (creds.auth_cert, Purpose.AUTHENTICATION, GEN02.auth_ca_cert),
        (creds.sign_cert, Purpose.SIGNATURE, GEN02.sign_ca_cert),
    ):
        result = store.validate(cert, purpose=purpose, at=NOW, intermediates=(root,))
        assert result.valid, result.message
        assert result.issuer_root is not None and result.issuer_root.generation == "02"
        assert result.root_source == "presented" and result.missing_root is None
        assert "generation 02" in result.message
    # the store itself learnt nothing: the next certificate must present the root again
    again = store.validate(creds.auth_cert, purpose=Purpose.AUTHENTICATION, at=NOW)
    assert not again.valid and again.missing_root is not None


def _lookalike(real: x509.Certificate, key: rsa.RSAPrivateKey) -> x509.Certificate:
    """Same subject, serial, validity and subject key identifier as ``real``; another key."""
    ski = real.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(real.subject)
        .issuer_name(real.subject)
        .public_key(key.public_key())
        .serial_number(real.serial_number)
        .not_valid_before(real.not_valid_before_utc)
        .not_valid_after(real.not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )


def _leaf_under(
    issuer: x509.Certificate, key: rsa.RSAPrivateKey, like: x509.Certificate
) -> x509.Certificate:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateBuilder()
        .subject_name(like.subject)
        .issuer_name(issuer.subject)
        .public_key(like.public_key())
        .serial_number(like.serial_number)
        .not_valid_before(like.not_valid_before_utc)
        .not_valid_after(like.not_valid_after_utc)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
    )
    for ext in like.extensions:
        if not isinstance(ext.value, x509.AuthorityKeyIdentifier):
            builder = builder.add_extension(ext.value, ext.critical)
    return builder.sign(key, hashes.SHA256())


def test_a_lookalike_root_with_the_same_name_serial_and_key_id_is_refused(
    store: TrustStore, gen02_card: MockCard
) -> None:
    forger = pool_key(4)
    fake_root = _lookalike(GEN02.auth_ca_cert, forger)
    assert fake_root.subject == GEN02.auth_ca_cert.subject
    assert fake_root.serial_number == GEN02.auth_ca_cert.serial_number
    forged_leaf = _leaf_under(fake_root, forger, gen02_card.credentials.auth_cert)
    result = store.validate(
        forged_leaf, purpose=Purpose.AUTHENTICATION, at=NOW, intermediates=(fake_root,)
    )
    assert not result.valid and result.reason is Reason.UNTRUSTED
    assert result.anchor is None and result.issuer_root is None
    # and the genuine leaf does not chain to the lookalike either
    genuine = store.validate(
        gen02_card.credentials.auth_cert,
        purpose=Purpose.AUTHENTICATION,
        at=NOW,
        intermediates=(fake_root,),
    )
    assert not genuine.valid and genuine.anchor is None


def test_a_store_of_chosen_anchors_accepts_no_presented_root(gen02_card: MockCard) -> None:
    chosen = TrustStore.from_certificates([MockPki.demo().auth_ca_cert])
    result = chosen.validate(
        gen02_card.credentials.auth_cert,
        purpose=Purpose.AUTHENTICATION,
        at=NOW,
        intermediates=(GEN02.auth_ca_cert,),
    )
    assert not result.valid and result.anchor is None and result.issuer_root is None


def test_a_cms_signature_carrying_the_root_verifies(store: TrustStore) -> None:
    """``include_ca`` puts the card's EF 0002 in the CMS certificates: that is the root."""
    card = JpkiCard(MockCard(pki=GEN02))
    content = b"generation 02"
    plain = verify_cms(sign_cms(card, content, pin="ABCD1234"), content, trust_store=store)
    assert not plain.valid and plain.validation is not None
    assert plain.validation.missing_root is not None
    assert plain.as_dict()["certificate"]["missing_root"]["file"] == "signca02.cer"
    signature = sign_cms(card, content, pin="ABCD1234", include_ca=True)
    with_root = verify_cms(signature, content, trust_store=store)
    assert with_root.valid, with_root.message
    cert = with_root.as_dict()["certificate"]
    assert cert["issuer_root"]["generation"] == "02" and cert["root_source"] == "presented"
    assert "generation 02" in with_root.sentence()


def test_a_pdf_signature_embedding_the_root_verifies(store: TrustStore) -> None:
    """A PDF signed by a generation-02 card embeds the card's EF 0002 (``include_ca``)."""
    from jpki.pdf import sign_pdf, verify_pdf
    from tests.test_pdf import make_pdf

    card = JpkiCard(MockCard(pki=GEN02))
    (with_root,) = verify_pdf(sign_pdf(card, make_pdf(), pin="ABCD1234"), trust_store=store)
    assert with_root.valid, with_root.message
    assert with_root.as_dict()["certificate"]["issuer_root"]["generation"] == "02"
    assert "generation 02" in with_root.sentence()
    (bare,) = verify_pdf(
        sign_pdf(card, make_pdf(), pin="ABCD1234", include_ca=False), trust_store=store
    )
    assert not bare.valid and "signca02.cer" in bare.message


# -- the relying party and the kiosk path --------------------------------------------------


def test_authentication_of_a_generation_02_card_takes_the_root_from_the_card(
    store: TrustStore, gen02_card: MockCard
) -> None:
    auth = Authenticator(trust_store=store, clock=lambda: NOW)
    card = JpkiCard(gen02_card)
    challenge = auth.issue_challenge()
    response = authenticate(card, challenge, AUTH_PIN, store=store)
    assert [r.fingerprint(hashes.SHA256()) for r in response.roots] == [PINS[3].fingerprint]
    result = auth.verify(
        challenge, response.signature, response.certificate, presented=response.roots
    )
    assert result.ok, result.message
    assert result.validation is not None and result.validation.issuer_root == PINS[3]
    # without the root the refusal names it
    challenge = auth.issue_challenge()
    bare = authenticate(card, challenge, AUTH_PIN)
    assert bare.roots == ()
    refused = auth.verify(challenge, bare.signature, bare.certificate)
    assert not refused.ok and "authca02.cer" in refused.message


def test_a_card_of_a_shipped_generation_reads_no_ca_file(store: TrustStore) -> None:
    """The card's root is read only when it can help: a generation-03 chain (here: a store
    that has the mock demo root) costs no extra APDUs."""
    from jpki.cardtrust import card_roots

    card = MockCard(now=NOW)
    demo = MockPki.demo()
    chosen = TrustStore([demo.auth_ca_cert], pins=PINS)
    jpki_card = JpkiCard(card)
    before = card.apdu_count
    assert card_roots(jpki_card, chosen, card.credentials.auth_cert, Purpose.AUTHENTICATION) == ()
    assert card.apdu_count == before
    gen02 = MockCard(pki=GEN02, now=NOW)
    got = card_roots(JpkiCard(gen02), store, gen02.credentials.auth_cert, Purpose.AUTHENTICATION)
    assert got == (JpkiCard(gen02).read_certificate(CertKind.AUTH_CA),)


# -- the trust folder ----------------------------------------------------------------------


def _der_file(tmp_path: Path, cert: x509.Certificate, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    return path


def test_install_writes_the_pinned_root_0644_and_the_store_trusts_it(
    tmp_path: Path, gen02_card: MockCard
) -> None:
    folder = tmp_path / "trust"
    given = _der_file(tmp_path, GEN02.auth_ca_cert, "from-j-lis.cer")
    done = install_root(given, folder=folder, pins=PINS)
    assert done.path == folder / "authca02.cer" and not done.already
    assert stat.S_IMODE(os.stat(done.path).st_mode) == 0o644
    assert done.path.read_bytes() == given.read_bytes()
    assert [p.name for p in folder.iterdir()] == ["authca02.cer"]  # no temporary left
    assert install_root(given, folder=folder, pins=PINS).already
    store = TrustStore.production(pins=PINS, folder=folder)
    result = store.validate(
        gen02_card.credentials.auth_cert, purpose=Purpose.AUTHENTICATION, at=NOW
    )
    assert result.valid and result.root_source == "installed"
    assert store.source_of(GEN02.auth_ca_cert) == "installed"


def test_install_refuses_a_root_that_is_not_pinned(tmp_path: Path) -> None:
    folder = tmp_path / "trust"
    lookalike = _der_file(tmp_path, _lookalike(GEN02.auth_ca_cert, pool_key(4)), "authca02.cer")
    with pytest.raises(TrustDataError, match="not a J-LIS root this program pins"):
        install_root(lookalike, folder=folder, pins=PINS)
    assert not folder.exists()


def test_a_file_copied_into_the_folder_by_hand_trusts_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "trust"
    folder.mkdir()
    _der_file(folder, _lookalike(GEN02.auth_ca_cert, pool_key(4)), "authca02.cer")
    (folder / "README").write_text("not a certificate\n", encoding="utf-8")
    skipped: list[str] = []
    assert installed_roots(folder, PINS, on_skip=lambda p, why: skipped.append(p.name)) == []
    assert sorted(skipped) == ["README", "authca02.cer"]
    assert len(TrustStore.production(pins=PINS, folder=folder).anchors) == 4


def test_cli_install_and_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jpki.cli import main

    folder = tmp_path / "trust"
    monkeypatch.setenv("JPKI_TRUST_DIR", str(folder))
    # a certificate that no pin has: exit 1, one line naming its fingerprint
    mock_root = _der_file(tmp_path, MockPki.demo().auth_ca_cert, "mock.cer")
    assert main(["trust", "install", str(mock_root)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a J-LIS root this program pins (SHA-256 " in err[0]
    # not a certificate, or no file: usage errors
    junk = tmp_path / "junk.cer"
    junk.write_bytes(b"junk")
    assert main(["trust", "install", str(junk)]) == 2
    assert main(["trust", "install", str(tmp_path / "none.cer")]) == 2
    capsys.readouterr()
    # a pinned root (the shipped generation-03 signature root, PEM): installed as DER, 0644
    pem = resources.files("jpki").joinpath("data", "sign_ca_2023.pem")
    given = tmp_path / "signca03.pem"
    given.write_bytes(pem.read_bytes())
    assert main(["trust", "install", str(given)]) == 0
    target = folder / "signca03.cer"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644
    assert target.read_bytes()[:2] == b"\x30\x82"
    capsys.readouterr()
    assert main(["trust", "list", "--json"]) == 0
    import json

    listed = json.loads(capsys.readouterr().out)
    states = {(r["generation"], r["purpose"]): r["state"] for r in listed["roots"]}
    assert states[("02", "authentication")] == "pinned-missing"
    assert states[("03", "signature")] == "shipped"
    assert listed["trust_folder"] == str(folder)
    assert main(["trust", "list"]) == 0
    text = capsys.readouterr().out
    assert "pinned-missing" in text and "0D98DE47FC11B7F6" in text


def test_list_states_at_a_given_time(tmp_path: Path) -> None:
    rows = root_states(tmp_path / "none", now=datetime(2024, 1, 1, tzinfo=UTC))
    assert [r["state"] for r in rows] == [
        "shipped",
        "shipped",
        "pinned-missing",
        "pinned-missing",
        "shipped",
        "shipped",
    ]
    later = root_states(tmp_path / "none", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert [r["state"] for r in later][:2] == ["expired", "expired"]


# -- the real generation-02 files (optional) ------------------------------------------------

REAL_ROOTS = os.environ.get("JPKI_TEST_REAL_ROOTS")


@pytest.mark.skipif(not REAL_ROOTS, reason="JPKI_TEST_REAL_ROOTS names no folder of J-LIS's files")
def test_the_real_generation_02_roots_match_the_pins_and_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jpki.cli import main

    assert REAL_ROOTS is not None
    source = Path(REAL_ROOTS)
    folder = tmp_path / "trust"
    monkeypatch.setenv("JPKI_TRUST_DIR", str(folder))
    for name in ("signca02.cer", "authca02.cer"):
        assert main(["trust", "install", str(source / name)]) == 0
        installed = (folder / name).read_bytes()
        assert hashlib.sha256(installed).hexdigest().upper() == JLIS_ROOTS.by_file_name(name).sha256  # type: ignore[union-attr]
        cert = x509.load_der_x509_certificate(installed)
        cert.verify_directly_issued_by(cert)  # self-signed
    capsys.readouterr()
    states = {r["file"]: r["state"] for r in root_states(folder, now=NOW)}
    assert states["signca02.cer"] == states["authca02.cer"] == "installed"
    store = TrustStore.production(folder=folder)
    assert len(store.anchors) == 6
    assert {store.source_of(a) for a in store.anchors} == {"shipped", "installed"}
    for name, purpose in (("signca02.cer", "signature"), ("authca02.cer", "authentication")):
        cert = x509.load_der_x509_certificate((folder / name).read_bytes())
        root = store.pins.by_fingerprint(cert.fingerprint(hashes.SHA256()))
        assert root is not None and root.purpose == purpose and root.generation == "02"


def test_the_kiosk_accepts_a_generation_02_card_with_the_root_from_the_card(
    store: TrustStore, tmp_path: Path
) -> None:
    from gui.flow import Screen
    from gui.setup import ledger_config
    from jpki.ledger import Ledger
    from tests.test_kiosk_services import CONFIG, make_kiosk, new_card

    card = new_card(pki=GEN02)
    with Ledger.open(
        tmp_path / "ledger.sqlite3", config=ledger_config(CONFIG, store, None)
    ) as ledger:
        kiosk = make_kiosk(card, ledger, trust=store)
        kiosk.to_receipt()
        assert kiosk.screen() is Screen.RECEIPT
        assert sum(ledger.count().values()) == 1


def test_the_kiosk_names_the_missing_root_when_the_card_has_none(
    store: TrustStore, tmp_path: Path
) -> None:
    """A card whose EF 000B holds a lookalike of the root: refused, and the refusal says
    which root to install."""
    from gui.flow import CardInserted, CardProblem, Screen
    from gui.setup import ledger_config
    from jpki.ledger import Ledger
    from tests.test_kiosk_services import CONFIG, make_kiosk, new_card

    genuine = GEN02.issue_card()
    lookalike = _lookalike(GEN02.auth_ca_cert, pool_key(4))
    card = new_card(credentials=dataclasses.replace(genuine, auth_ca_cert=lookalike))
    with Ledger.open(
        tmp_path / "ledger.sqlite3", config=ledger_config(CONFIG, store, None)
    ) as ledger:
        kiosk = make_kiosk(card, ledger, trust=store)
        kiosk.send(CardInserted())
        assert kiosk.screen() is Screen.CARD_PROBLEM
        assert kiosk.model.problem is CardProblem.UNTRUSTED
        assert "authca02.cer" in kiosk.model.problem_detail
