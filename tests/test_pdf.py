"""jpki.pdf: PDF signatures made on the (mock) card through pyHanko, verified offline, and
cross-checked with poppler's ``pdfsig`` / ``pdftoppm`` / ``pdftotext``.

What poppler says about a mock-signed PDF (poppler 25, NSS with an empty database)::

    - Signature Type: ETSI.CAdES.detached
    - Total document signed
    - Signature Validation: Signature is Valid.
    - Certificate Validation: Certificate issuer isn't Trusted.

A byte changed after signing gives ``Signature Validation: Digest Mismatch.``; a B-T
signature from the local TSA is ``Signature is Valid.`` as well. The integrity verdict is
poppler's own; its certificate verdict comes from NSS's trust
store, which does not hold the mock CA (nor the J-LIS roots), so only the signature line
is asserted on.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
from pyhanko.sign.signers import sign_pdf as pyhanko_sign_pdf
from pyhanko_certvalidator.registry import SimpleCertificateStore

from apdu.replay import RecordingTransport
from jpki import CertKind, JpkiCard, PinFormatError, PinIncorrect, PinKind
from jpki.cms import sign_cms
from jpki.pdf import (
    PDF_CHECKS,
    SIGNATURE_SIZE,
    CardSigner,
    CjkFontMissingWarning,
    PdfFormatError,
    PdfReason,
    PdfSignatureResult,
    PdfSigningError,
    find_cjk_font,
    is_pdf,
    sign_pdf,
    verify_pdf,
)
from jpki.trust import CrlStore, RevocationPolicy, TrustStore
from mock_card import CardProfile, MockCard, MockPki
from tests.tsa import LocalTsa

SIGN_PIN = "ABCD1234"
HOLDER = "見本 花子"
TEXT = b"Hello JPKI"

POPPLER = all(shutil.which(tool) for tool in ("pdfsig", "pdftoppm", "pdftotext", "pdffonts"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")


# -- fixtures -----------------------------------------------------------------------------------


def make_pdf(text: bytes = TEXT) -> bytes:
    """A one-page A4 PDF with one line of Helvetica (uncompressed, so tests can find it)."""
    w = PdfFileWriter()
    font = w.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
    )
    content = w.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET")
    )
    w.insert_page(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Page"),
                generic.NameObject("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (0, 0, 595, 842)]
                ),
                generic.NameObject("/Resources"): generic.DictionaryObject(
                    {
                        generic.NameObject("/Font"): generic.DictionaryObject(
                            {generic.NameObject("/F1"): font}
                        )
                    }
                ),
                generic.NameObject("/Contents"): content,
            }
        )
    )
    out = io.BytesIO()
    w.write(out)
    data = out.getvalue()
    assert text in data
    return data


@pytest.fixture(scope="module")
def pki() -> MockPki:
    return MockPki.demo()


@pytest.fixture(scope="module")
def store(pki: MockPki) -> TrustStore:
    return TrustStore.from_certificates([pki.sign_ca_cert])


@pytest.fixture(scope="module")
def mock_card() -> MockCard:
    """One card for the module (conftest's is one per test): signing spends no try."""
    return MockCard()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return make_pdf()


@pytest.fixture(scope="module")
def signed(mock_card: MockCard, pdf: bytes) -> bytes:
    out = sign_pdf(JpkiCard(mock_card), pdf, pin=SIGN_PIN, reason="承認します", location="東京都")
    assert out is not None
    return out


@pytest.fixture(scope="module")
def tsa() -> Iterator[LocalTsa]:
    with LocalTsa() as server:
        yield server


def only(results: list[PdfSignatureResult]) -> PdfSignatureResult:
    assert len(results) == 1, results
    return results[0]


def assert_valid(result: PdfSignatureResult) -> None:
    assert result.valid, (result.reason, result.message, dict(result.checks))
    assert result.reason is None
    assert bool(result)
    assert set(result.checks) == set(PDF_CHECKS)


# -- signing and verifying ---------------------------------------------------------------------


def test_sign_and_verify(signed: bytes, store: TrustStore, mock_card: MockCard) -> None:
    result = only(verify_pdf(signed, trust_store=store))
    assert_valid(result)
    assert result.field_name == "Signature1"
    assert result.level == "PAdES B-B"
    assert result.coverage == "entire-file"
    assert result.later_revisions == 0
    assert result.holder is not None and result.holder.name == HOLDER
    assert result.signer_certificate == mock_card.credentials.sign_cert
    assert result.signing_time is not None
    assert result.timestamp is None
    assert result.reason_text == "承認します" and result.location == "東京都"
    assert result.message.startswith("The signature is valid and covers the whole document.")
    checks = result.checks
    assert checks["document-digest"] == "ok (sha256)"
    assert checks["coverage"] == "ok: the whole file"
    assert checks["timestamp"].startswith("not checked: no time-stamp")
    assert checks["signing-time"].endswith("(the signer's claim)")
    for name in ("certificate-chain", "certificate-validity", "key-usage"):
        assert checks[name] == "ok"
    assert checks["revocation"] == "not checked: no CRLs were given"
    assert not result.revocation_checked
    data = result.as_dict()
    assert data["signer"]["name"] == HOLDER and data["valid"] is True


def test_sign_to_a_file(tmp_path: Path, mock_card: MockCard, store: TrustStore) -> None:
    source = tmp_path / "in.pdf"
    source.write_bytes(make_pdf())
    target = tmp_path / "out.pdf"
    assert sign_pdf(JpkiCard(mock_card), source, target, pin=SIGN_PIN) is None
    assert_valid(only(verify_pdf(target, trust_store=store)))


def test_untrusted_against_the_production_roots(signed: bytes) -> None:
    result = only(verify_pdf(signed))
    assert not result.valid
    assert result.reason is PdfReason.UNTRUSTED
    assert result.checks["certificate-chain"].startswith("failed:")
    assert result.checks["document-digest"] == "ok (sha256)"  # intact, just not trusted
    assert result.holder is not None and result.holder.name == HOLDER  # what it claims


def test_revocation_checked_with_a_crl(signed: bytes, store: TrustStore, pki: MockPki) -> None:
    crls = CrlStore.from_crls([pki.crl("sign")])
    result = only(verify_pdf(signed, trust_store=store, crls=crls, policy=RevocationPolicy.REQUIRE))
    assert_valid(result)
    assert result.revocation_checked
    assert result.checks["revocation"] == "ok"


def test_revocation_required_without_a_crl(signed: bytes, store: TrustStore) -> None:
    result = only(verify_pdf(signed, trust_store=store, policy=RevocationPolicy.REQUIRE))
    assert not result.valid
    assert result.reason is PdfReason.NO_CRL


def test_revoked_certificate(pki: MockPki, store: TrustStore) -> None:
    card = MockCard(profile=CardProfile.REVOKED)
    signed = sign_pdf(JpkiCard(card), make_pdf(), pin=SIGN_PIN)
    assert signed is not None
    assert_valid(only(verify_pdf(signed, trust_store=store)))  # nobody said it was revoked
    sign_crl, _ = pki.revocation_crls(card.credentials)
    result = only(verify_pdf(signed, trust_store=store, crls=CrlStore.from_crls([sign_crl])))
    assert not result.valid
    assert result.reason is PdfReason.REVOKED
    assert result.revocation_checked
    assert "revoked" in result.message


def test_tampered_after_signing(signed: bytes, store: TrustStore) -> None:
    assert signed.count(TEXT) == 1
    tampered = signed.replace(TEXT, b"Jello JPKI")
    result = only(verify_pdf(tampered, trust_store=store))
    assert not result.valid
    assert result.reason is PdfReason.DIGEST_MISMATCH
    assert result.checks["document-digest"].startswith("failed:")
    assert "changed after it was signed" in result.message


def _append_content_change(signed: bytes) -> bytes:
    """An incremental update that replaces page 1's text (what a forger would append)."""
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref, _ = w.find_page_for_modification(0)
    page = page_ref.get_object()
    stream = w.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Forged) Tj ET")
    )
    page[generic.NameObject("/Contents")] = stream
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_a_later_revision_changing_the_content(signed: bytes, store: TrustStore) -> None:
    result = only(verify_pdf(_append_content_change(signed), trust_store=store))
    assert not result.valid
    assert result.reason is PdfReason.MODIFIED
    assert result.coverage == "entire-revision"
    assert result.later_revisions == 1
    assert result.checks["document-digest"] == "ok (sha256)"  # the signed revision is intact
    assert result.checks["modifications"].startswith("failed:")


def test_a_second_signature_keeps_the_first_valid(
    signed: bytes, mock_card: MockCard, store: TrustStore
) -> None:
    twice = sign_pdf(JpkiCard(mock_card), signed, pin=SIGN_PIN)
    assert twice is not None
    first, second = verify_pdf(twice, trust_store=store)
    assert (first.field_name, second.field_name) == ("Signature1", "Signature2")
    assert_valid(first)
    assert_valid(second)
    assert first.coverage == "entire-revision" and first.later_revisions == 1
    assert first.checks["modifications"].startswith("ok: the later revisions add")
    assert "up to revision" in first.message
    assert second.coverage == "entire-file"


def _software_signed(cert: x509.Certificate, key: rsa.RSAPrivateKey, subfilter: str) -> bytes:
    """A PDF signed by pyHanko's own software signer (not the card), for other shapes."""
    der = serialization.Encoding.DER
    signer = SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore(),
    )
    meta = PdfSignatureMetadata(
        field_name="Other", md_algorithm="sha256", subfilter=SigSeedSubFilter("/" + subfilter)
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(make_pdf()))
    return bytes(pyhanko_sign_pdf(writer, meta, signer=signer).getvalue())


def test_signed_with_the_user_authentication_key(mock_card: MockCard, pki: MockPki) -> None:
    creds = mock_card.credentials
    signed = _software_signed(creds.auth_cert, creds.auth_key, "ETSI.CAdES.detached")
    both = TrustStore.from_certificates([pki.sign_ca_cert, pki.auth_ca_cert])
    result = only(verify_pdf(signed, trust_store=both))
    assert not result.valid
    assert result.reason is PdfReason.WRONG_KEY_USAGE
    assert "user-authentication certificate" in result.message
    assert result.checks["signature"].startswith("ok")  # the signature itself is sound


def test_adbe_pkcs7_detached_is_accepted(mock_card: MockCard, store: TrustStore) -> None:
    creds = mock_card.credentials
    signed = _software_signed(creds.sign_cert, creds.sign_key, "adbe.pkcs7.detached")
    result = only(verify_pdf(signed, trust_store=store))
    assert_valid(result)
    assert result.level == "PKCS#7"
    assert result.checks["structure"] == "ok (adbe.pkcs7.detached)"


def test_unsigned_and_not_a_pdf(pdf: bytes, mock_card: MockCard) -> None:
    assert is_pdf(pdf) and is_pdf(b"\n%PDF-1.7")
    attached = sign_cms(JpkiCard(mock_card), pdf, pin=SIGN_PIN, detached=False)
    assert b"%PDF-" in attached[:100] and not is_pdf(attached)  # a CMS holding a PDF
    assert verify_pdf(pdf) == []
    with pytest.raises(PdfFormatError):
        verify_pdf(b"hello, not a PDF")
    with pytest.raises(PdfFormatError):
        verify_pdf(b"%PDF-1.7\n garbage with no xref")
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_pdf(pdf, at=datetime(2030, 1, 1))


# -- the card: one prompt, one VERIFY, no APDU in the dry run ----------------------------------


def _verifies(rec: RecordingTransport) -> list[bytes]:
    return [c for c in rec.commands if c[1] == 0x20 and len(c) > 4]


def _signatures(rec: RecordingTransport) -> list[bytes]:
    return [c for c in rec.commands if c[:2] == b"\x80\x2a"]


def test_dry_run_touches_neither_the_card_nor_the_prompt(mock_card: MockCard) -> None:
    asked: list[int] = []

    def prompt(kind: PinKind, tries: int) -> str:
        asked.append(tries)
        return SIGN_PIN

    rec = RecordingTransport(mock_card)
    signer = CardSigner(JpkiCard(rec), prompt, mock_card.credentials.sign_cert)
    placeholder = asyncio.run(signer.async_sign_raw(b"attributes", "sha256", dry_run=True))
    assert placeholder == bytes(SIGNATURE_SIZE)
    assert rec.commands == [] and asked == []

    real = asyncio.run(signer.async_sign_raw(b"attributes", "sha256"))
    assert len(real) == SIGNATURE_SIZE and real != placeholder
    assert asked == [5]
    assert len(_verifies(rec)) == 1 and len(_signatures(rec)) == 1


def test_one_prompt_and_one_verify_per_pdf(
    mock_card: MockCard, tsa: LocalTsa, store: TrustStore
) -> None:
    asked: list[tuple[PinKind, int]] = []

    def prompt(kind: PinKind, tries: int) -> str:
        asked.append((kind, tries))
        return SIGN_PIN

    rec = RecordingTransport(mock_card)
    before = tsa.granted
    signed = sign_pdf(JpkiCard(rec), make_pdf(), pin=prompt, tsa_url=tsa.url)
    assert signed is not None
    assert asked == [(PinKind.SIGN, 5)]
    assert len(_verifies(rec)) == 1
    assert len(_signatures(rec)) == 1  # the size estimate signed nothing on the card
    assert tsa.granted - before == 2  # pyHanko's size estimate, then the real token
    assert_valid(only(verify_pdf(signed, trust_store=store, tsa_trust=[tsa.ca_cert])))


def test_malformed_pin_sends_nothing(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    with pytest.raises(PinFormatError):
        sign_pdf(JpkiCard(rec), make_pdf(), pin="abc")
    assert rec.commands == []
    with pytest.raises(PinFormatError):
        CardSigner(JpkiCard(rec), "12", mock_card.credentials.sign_cert)
    assert rec.commands == []


def test_not_a_pdf_is_refused_before_the_card(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    with pytest.raises(PdfFormatError):
        sign_pdf(JpkiCard(rec), b"plain text", pin=SIGN_PIN)
    assert rec.commands == []


def test_wrong_pin_signs_nothing(tmp_path: Path) -> None:
    card = MockCard()
    rec = RecordingTransport(card)
    target = tmp_path / "out.pdf"
    with pytest.raises(PinIncorrect) as caught:
        sign_pdf(JpkiCard(rec), make_pdf(), target, pin="WRONG123")
    assert caught.value.remaining == 4
    assert _signatures(rec) == []
    assert not target.exists()


def test_dead_tsa_costs_no_pin_entry(mock_card: MockCard) -> None:
    server = LocalTsa()
    url = server.url
    server.stop()  # never started: the port is closed now
    asked: list[int] = []

    def prompt(kind: PinKind, tries: int) -> str:
        asked.append(tries)
        return SIGN_PIN

    rec = RecordingTransport(mock_card)
    with pytest.raises(PdfSigningError, match="time-stamping server"):
        sign_pdf(JpkiCard(rec), make_pdf(), pin=prompt, tsa_url=url)
    assert asked == [] and rec.commands == []


def test_card_signer_with_pyhanko_directly(mock_card: MockCard, store: TrustStore) -> None:
    """Used alone, CardSigner verifies its PIN string at each real signature (SHA-384 here)."""
    rec = RecordingTransport(mock_card)
    signer = CardSigner(JpkiCard(rec), SIGN_PIN, mock_card.credentials.sign_cert)
    meta = PdfSignatureMetadata(field_name="Direct", md_algorithm="sha384")
    out = PdfSigner(meta, signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(make_pdf())))
    result = only(verify_pdf(out.getvalue(), trust_store=store))
    assert_valid(result)
    assert result.checks["document-digest"] == "ok (sha384)"
    assert result.level == "PKCS#7"  # pyHanko's default sub-filter when none is asked for
    assert len(_verifies(rec)) == 1 and len(_signatures(rec)) == 1


def test_signer_reads_the_certificate_when_not_given(mock_card: MockCard) -> None:
    card = JpkiCard(mock_card)
    with card.transaction():
        card.verify_pin(PinKind.SIGN, SIGN_PIN)
        signer = CardSigner(card, None)
        assert signer.certificate == card.read_certificate(CertKind.SIGN)


# -- PAdES B-T with the local time-stamping server ---------------------------------------------


def test_b_t_with_the_local_tsa(
    mock_card: MockCard, tsa: LocalTsa, store: TrustStore, tmp_path: Path
) -> None:
    signed = sign_pdf(JpkiCard(mock_card), make_pdf(), pin=SIGN_PIN, tsa_url=tsa.url)
    assert signed is not None
    result = only(verify_pdf(signed, trust_store=store, tsa_trust=[tsa.ca_cert]))
    assert_valid(result)
    assert result.level == "PAdES B-T"
    assert result.timestamp is not None and result.signing_time is not None
    assert abs((result.timestamp - result.signing_time).total_seconds()) < 60
    assert result.checks["timestamp"].startswith("ok: ")
    assert "Test Time-Stamping Authority" in result.checks["timestamp"]
    assert not result.checks["signing-time"].endswith("(the signer's claim)")

    # without the TSA's root the token is reported, not relied on; the signature stays valid
    plain = only(verify_pdf(signed, trust_store=store))
    assert_valid(plain)
    assert plain.level == "PAdES B-B" and plain.timestamp is None
    assert plain.checks["timestamp"].startswith("not checked: a time-stamp of")

    if POPPLER:
        path = tmp_path / "b-t.pdf"
        path.write_bytes(signed)
        assert "Signature Validation: Signature is Valid." in _pdfsig(path)

    # a token that does not belong to the signature: swap in another signature's token
    other = sign_pdf(JpkiCard(mock_card), make_pdf(b"Other text"), pin=SIGN_PIN, tsa_url=tsa.url)
    assert other is not None
    swapped = _swap_timestamp(signed, other)
    broken = only(verify_pdf(swapped, trust_store=store, tsa_trust=[tsa.ca_cert]))
    assert not broken.valid
    assert broken.reason is PdfReason.TIMESTAMP_INVALID


def _swap_timestamp(target: bytes, donor: bytes) -> bytes:
    """``target`` with the signature time-stamp token of ``donor``'s signature (same length:
    the DummyTimeStamper's tokens differ only in their values)."""
    from asn1crypto import cms as asn1_cms

    def contents(pdf: bytes) -> tuple[int, int, asn1_cms.ContentInfo]:
        start = pdf.index(b"/Contents <") + len(b"/Contents <")
        end = pdf.index(b">", start)
        raw = bytes.fromhex(pdf[start:end].decode("ascii"))
        # the zero padding after the DER is left to asn1crypto (not stripped: the DER itself
        # may end in a zero byte)
        return start, end, asn1_cms.ContentInfo.load(raw, strict=False)

    start, end, mine = contents(target)
    _, _, theirs = contents(donor)
    mine_si = mine["content"]["signer_infos"][0]
    mine_si["unsigned_attrs"] = theirs["content"]["signer_infos"][0]["unsigned_attrs"]
    new = mine.dump(force=True).hex().encode("ascii")
    assert len(new) <= end - start
    return target[:start] + new.ljust(end - start, b"0") + target[end:]


# -- poppler cross-checks ----------------------------------------------------------------------


def _pdfsig(path: Path) -> str:
    proc = subprocess.run(["pdfsig", str(path)], capture_output=True, timeout=30, check=False)
    return proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")


@needs_poppler
def test_pdfsig_accepts_the_signature(signed: bytes, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    report = _pdfsig(path)
    assert "Signature #1:" in report
    assert "Signature Field Name: Signature1" in report
    assert "ETSI.CAdES.detached" in report
    assert "Total document signed" in report
    assert "Signature Validation: Signature is Valid." in report
    # poppler judges the certificate with NSS's store, which lacks the mock CA
    (certificate_line,) = [ln for ln in report.splitlines() if "Certificate Validation:" in ln]
    assert "Certificate is Trusted" not in certificate_line


@needs_poppler
def test_pdfsig_rejects_the_tampered_file(signed: bytes, tmp_path: Path) -> None:
    path = tmp_path / "tampered.pdf"
    path.write_bytes(signed.replace(TEXT, b"Jello JPKI"))
    report = _pdfsig(path)
    assert "Signature Validation: Signature is Valid." not in report
    assert "Signature Validation: Digest Mismatch." in report


def _gray(path: Path, tmp_path: Path, name: str) -> tuple[int, int, bytes]:
    """Page 1 of ``path`` as 8-bit gray pixels (pdftoppm's PGM; a PNG is made alongside
    for people to look at)."""
    base = tmp_path / name
    for fmt in ("-png", "-gray"):
        subprocess.run(
            [
                "pdftoppm",
                fmt,
                "-r",
                "72",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(path),
                str(base),
            ],
            check=True,
            timeout=60,
        )
    raw = base.with_suffix(".pgm").read_bytes()
    assert base.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fields = raw.split(maxsplit=4)
    assert fields[0] == b"P5" and fields[3] == b"255"
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4][-width * height :]
    return width, height, pixels


def _dark_pixels(image: tuple[int, int, bytes], box: tuple[int, int, int, int]) -> int:
    """Dark pixels inside ``box`` (PDF points, origin bottom left; 1 pt = 1 px at 72 dpi)."""
    width, height, pixels = image
    x1, y1, x2, y2 = box
    count = 0
    for y in range(height - y2, height - y1):
        row = pixels[y * width : (y + 1) * width]
        count += sum(1 for v in row[x1:x2] if v < 128)
    return count


STAMP_BOX = (309, 36, 559, 108)  # 250 x 72 pt, 36 pt from the bottom right of an A4 page


@pytest.fixture(scope="module")
def visible(mock_card: MockCard) -> bytes:
    out = sign_pdf(JpkiCard(mock_card), make_pdf(), pin=SIGN_PIN, visible=True)
    assert out is not None
    return out


@needs_poppler
def test_visible_stamp_shows_the_holder_in_kanji(
    visible: bytes, pdf: bytes, store: TrustStore, tmp_path: Path
) -> None:
    if find_cjk_font() is None:
        pytest.skip("no CJK font installed (fonts-noto-cjk)")
    assert_valid(only(verify_pdf(visible, trust_store=store)))
    signed_path, plain_path = tmp_path / "visible.pdf", tmp_path / "plain.pdf"
    signed_path.write_bytes(visible)
    plain_path.write_bytes(pdf)

    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(signed_path), "-"],
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.decode("utf-8")
    assert HOLDER in text  # the glyphs map back to the name (the font's ToUnicode map)
    assert "署名者" in text and "JST" in text
    fonts = subprocess.run(
        ["pdffonts", str(signed_path)], capture_output=True, check=True, timeout=30
    ).stdout.decode()
    assert "NotoSansCJK" in fonts or "CJK" in fonts, fonts

    stamped = _dark_pixels(_gray(signed_path, tmp_path, "visible"), STAMP_BOX)
    blank = _dark_pixels(_gray(plain_path, tmp_path, "plain"), STAMP_BOX)
    assert blank == 0
    assert stamped > 300  # a border and three lines of text


@needs_poppler
def test_visible_stamp_without_a_cjk_font(
    mock_card: MockCard, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: TrustStore
) -> None:
    monkeypatch.setenv("JPKI_PDF_FONT", str(tmp_path / "no-such-font.ttf"))
    assert find_cjk_font() is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = sign_pdf(JpkiCard(mock_card), make_pdf(), pin=SIGN_PIN, visible=True)
    assert out is not None
    assert any(issubclass(w.category, CjkFontMissingWarning) for w in caught)
    assert_valid(only(verify_pdf(out, trust_store=store)))
    path = tmp_path / "ascii.pdf"
    path.write_bytes(out)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=30
    ).stdout.decode("utf-8")
    assert "Signer: the certificate holder" in text
    assert _dark_pixels(_gray(path, tmp_path, "ascii"), STAMP_BOX) > 300
