"""What happens next is actionable, configurable per office, and the same everywhere
(issue 15, item 6).

Through the real widgets, the mock card, the real services and ledger and a ``pdf:DIR``
printer read back with poppler's ``pdftotext``: for every delivery method in both languages,
the review (before signing), the receipt screen, the printed receipt and the services' summary
carry the same steps — the total in yen and where and when it is paid, how the applicant learns
it is ready, how to collect / print / download it, how to check the status — taken from an
office's configuration that differs from the default in every value (so a value the screens
did not take from the configuration shows up as the default's). The deadlines: one rule each,
and the places that state them enumerated.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from gui.config import (
    ConfigError,
    Counter,
    Guidance,
    PaymentTime,
    Words,
    load_config,
    parse_config,
)
from gui.flow import RequestForm, Screen
from gui.next_steps import next_steps, print_deadline, short_number, total_text
from jpki.ledger import Status
from jpki.requests import ConvenienceStoreDelivery, DeliveryMethod
from jpki.timeutil import JST
from tests.test_kiosk_gui import (  # noqa: F401  (fixtures)
    Env,
    fill_form,
    make_env,
    to_identity,
)

ROOT = Path(__file__).resolve().parents[1]

OFFICE = Guidance(
    pay_where=Words("学生会館2階の証明書会計", "the certificate cashier, Student Hall 2F"),
    pay_hours=Words("月〜金 10:00〜15:00", "Mon–Fri 10:00–15:00"),
    pay_when=PaymentTime.BEFORE_ISSUE,
    store_pays_at_machine=True,
    postage_yen=140,
    ready_days=3,
    kiosk_status=True,
    ready_notice=Words("学務システムのお知らせ", "a notice in the student portal"),
    store_machines=Words("提携コンビニのマルチコピー機", "a partner store's multi-copy machine"),
    store_menu=Words("「行政・大学サービス」", '"University services"'),
    pdf_site="https://docs.example-university.example/get",
    pdf_link_to=Words(
        "申請時に届け出たメールアドレス", "the e-mail address on your student record"
    ),
)
DEFAULT = Guidance()
OFFICE_COUNTER = Counter(
    name=Words("学務窓口", "the Student Affairs desk"),
    place=Words("西館1階", "West Hall 1F"),
    hours=Words("平日 8:30〜18:00", "weekdays 8:30–18:00"),
    bring=Words("この受付票と学生証", "this receipt and your student card"),
)
DEFAULT_COUNTER = Counter()


def setting(name: str, counter: Counter, guidance: Guidance, language: str) -> str:
    """An office value as the applicant reads it: ``counter.where`` or a Guidance field."""
    if name.startswith("counter."):
        return str(getattr(counter, name.removeprefix("counter."))(language))
    return str(getattr(guidance, name)(language))


# each office value, as the applicant reads it, per delivery (besides the total)
SHOWN: dict[DeliveryMethod, tuple[str, ...]] = {
    DeliveryMethod.POSTAL: ("pay_where", "pay_hours", "ready_notice", "counter.where"),
    DeliveryMethod.COUNTER: (
        "pay_where",
        "pay_hours",
        "ready_notice",
        "counter.where",
        "counter.hours",
        "counter.bring",
    ),
    DeliveryMethod.CONVENIENCE_STORE: (
        "ready_notice",
        "store_machines",
        "store_menu",
        "counter.where",
    ),
    DeliveryMethod.DIGITAL_PDF: (
        "pay_where",
        "pay_hours",
        "ready_notice",
        "pdf_link_to",
        "counter.where",
    ),
}


# pdftotext reads some CJK glyphs as radicals (the Kangxi ones NFKC maps back, these not)
# and the middle dot ・ as the hyphenation point ‧
_RADICALS = str.maketrans("⻄⻑⻘⻝⻤⻩⻁⻆⺟⺠⻲⻭⻯‧", "西長青食鬼黄虎角母民亀歯竜・")


def flat(text: str) -> str:
    """Compared without white space or line breaks (pdftotext breaks lines where the layout
    did), NFKC, radicals read back as the ideographs."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_RADICALS))


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def office_config(language: str):  # type: ignore[no-untyped-def]
    return replace(
        load_config(),
        guidance=OFFICE,
        counter=OFFICE_COUNTER,
        print_deadline_days=9,
        pdf_download_days=21,
        default_language=language,
    )


def to_review(env: Env, delivery: DeliveryMethod) -> None:
    to_identity(env)
    env.window.current_screen().primary().click()
    env.wait(Screen.FORM)
    fill_form(env, delivery)
    env.form().plus.click()  # two copies
    env.form().next.click()
    env.wait(Screen.REVIEW)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("delivery", list(DeliveryMethod))
def test_review_receipt_and_printed_receipt_tell_the_same_next_steps_from_the_config(
    make_env,  # noqa: F811
    delivery: DeliveryMethod,
    language: str,
) -> None:
    config = office_config(language)
    env = make_env(config)
    to_review(env, delivery)
    form = env.window.model.form
    assert form is not None and form.copies == 2
    review = env.window.current_screen()
    review_steps = review.steps.text()  # type: ignore[attr-defined]
    expected_before = next_steps(
        config, form, language, request_id=None, requested_on=datetime.now(JST).date()
    )
    for step in expected_before:
        assert step in review_steps, (step, review_steps)

    review.primary().click()  # sign and send
    env.wait(Screen.RECEIPT)
    model = env.window.model
    receipt = model.receipt
    assert receipt is not None and receipt.requested_on is not None
    expected = next_steps(
        config,
        model.form,
        language,
        request_id=receipt.request_id,
        requested_on=receipt.requested_on,
    )
    screen_steps = env.window.current_screen().steps.text()  # type: ignore[attr-defined]
    [pdf] = list(env.receipts.glob("*.pdf"))
    printed = flat(pdf_text(pdf))
    summary = receipt.summary
    for step in expected:
        assert step in screen_steps, (step, screen_steps)
        assert flat(step) in printed, (step, printed)
        assert step in summary.splitlines(), (step, summary)
    # before signing, the same steps but for the number, which the receipt then names
    number = short_number(receipt.request_id)
    assert [s.replace(number, "#") for s in expected] == [
        re.sub(r"\(on your receipt\)|on your receipt|（受付票に記載）", "#", s)
        for s in expected_before
    ]

    # the values are the office's, not the defaults: payment total, places, instructions
    total = 300 * 2 + (140 if delivery is DeliveryMethod.POSTAL else 0)
    yen = f"{total:,}円" if language == "ja" else f"¥{total:,}"
    facts = [yen] + [setting(n, OFFICE_COUNTER, OFFICE, language) for n in SHOWN[delivery]]
    if delivery is DeliveryMethod.POSTAL:
        facts.append("140円" if language == "ja" else "¥140")  # postage in the total
    if delivery is DeliveryMethod.CONVENIENCE_STORE:
        facts.append(number)  # the print number
        deadline = receipt.requested_on + timedelta(days=9)
        facts.append(
            f"{deadline.year}年{deadline.month}月{deadline.day}日"
            if language == "ja"
            else f"{deadline.day} {deadline:%B} {deadline.year}"
        )
    if delivery is DeliveryMethod.DIGITAL_PDF:
        facts += [OFFICE.pdf_site, "21日以内" if language == "ja" else "within 21 days"]
        facts.append("デジタル版の証明書" if language == "ja" else "digital certificate")
    facts.append("3営業日" if language == "ja" else "3 working days")
    for fact in facts:
        if fact != number:  # the number is on the receipt, not yet on the review
            assert fact in review_steps, (fact, review_steps)
        assert fact in screen_steps, (fact, screen_steps)
        assert flat(fact) in printed, (fact, printed)
    for name in SHOWN[delivery]:
        assert setting(name, DEFAULT_COUNTER, DEFAULT, language) not in screen_steps, name
    if language == "ja":
        assert "電子証明書" not in screen_steps + printed  # the PDF is デジタル版の証明書
        assert "部" not in screen_steps + summary  # copies are 通
        assert "×2通" in screen_steps


def test_a_changed_value_changes_on_review_receipt_and_print(make_env) -> None:  # noqa: F811
    """One value changed in the configuration (the pickup place) changes on all three."""
    place = Words("図書館3階", "the Library, 3rd floor")
    counter = replace(OFFICE_COUNTER, place=place)
    config = replace(office_config("ja"), counter=counter)
    env = make_env(config)
    to_review(env, DeliveryMethod.COUNTER)
    assert place.ja in env.window.current_screen().steps.text()  # type: ignore[attr-defined]
    env.window.current_screen().primary().click()
    env.wait(Screen.RECEIPT)
    assert place.ja in env.window.current_screen().steps.text()  # type: ignore[attr-defined]
    [pdf] = list(env.receipts.glob("*.pdf"))
    assert flat(place.ja) in flat(pdf_text(pdf))
    assert OFFICE_COUNTER.place.ja not in flat(pdf_text(pdf))


# -- the deadlines: one rule each, every place that states one -------------------------------


def test_the_print_deadline_is_one_date_everywhere_and_the_office_enforces_it(
    make_env,  # noqa: F811
) -> None:
    """The convenience-store deadline is the day of the request + print_deadline_days: the
    form's note, the review, the receipt screen, the printed receipt, the summary, the signed
    request and the ledger's expiry (the office side) all name that one day."""
    config = office_config("ja")
    env = make_env(config)
    to_identity(env)
    env.window.current_screen().primary().click()
    env.wait(Screen.FORM)
    fill_form(env, DeliveryMethod.CONVENIENCE_STORE)
    day = datetime.now(JST).date()
    deadline = day + timedelta(days=9)
    written = f"{deadline.year}年{deadline.month}月{deadline.day}日"
    places = {"form note": env.form().delivery_note.text()}
    env.form().next.click()
    env.wait(Screen.REVIEW)
    places["review"] = env.window.current_screen().steps.text()  # type: ignore[attr-defined]
    env.window.current_screen().primary().click()
    env.wait(Screen.RECEIPT)
    places["receipt screen"] = env.window.current_screen().steps.text()  # type: ignore[attr-defined]
    [pdf] = list(env.receipts.glob("*.pdf"))
    places["printed receipt"] = flat(pdf_text(pdf))
    receipt = env.window.model.receipt
    assert receipt is not None
    places["summary"] = receipt.summary
    for where, text in places.items():
        assert written in text, (where, text)
        assert "申請日から9日後" in text, (where, text)
        assert "準備ができてから" not in text  # never "N days from when it is ready"
    assert print_deadline(config, day) == deadline

    with env.ledger() as ledger:
        [record] = ledger.list_requests()
        assert isinstance(record.request.delivery, ConvenienceStoreDelivery)
        assert record.request.delivery.print_deadline == deadline  # signed
        ledger.change(record.request_id, "approve", actor="clerk:test")
        issued = ledger.change(record.request_id, "issue", actor="issuer:test")
        assert issued.status is Status.ISSUED
        # printable to the end of that day (JST), not N days from the issue
        assert issued.expires_at == datetime.combine(deadline + timedelta(days=1), time(0), JST)


def test_the_download_window_counts_from_the_day_the_link_is_sent_everywhere() -> None:
    """The PDF's window starts when the office issues it (unknown at the kiosk): the form's
    note and the next steps say the same sentence, with the configured days."""
    from gui.next_steps import deadline_step

    config = replace(load_config(), pdf_download_days=21)
    form = RequestForm("transcript-ja", 1, DeliveryMethod.DIGITAL_PDF, recipient="見本商事")
    for language, words in (("ja", "リンクが送られた日から21日以内"), ("en", "within 21 days")):
        sentence = deadline_step(config, DeliveryMethod.DIGITAL_PDF, language, date(2026, 12, 5))
        assert words in sentence
        steps = next_steps(config, form, language, request_id=None, requested_on=date.today())
        assert [s for s in steps if words in s] == [sentence]


def test_the_places_that_state_a_deadline_are_enumerated() -> None:
    """Only gui/config.py (the numbers), gui/next_steps.py (the sentences, and the date signed
    into a convenience-store request) and gui/setup.py (a local ledger's download window: the
    office side of the same number) use the deadline settings; the kiosk's messages that
    state a deadline are the two of gui/texts.py."""
    users = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "gui").rglob("*.py")
        if re.search(r"print_deadline_days|pdf_download_days", p.read_text(encoding="utf-8"))
    }
    assert users == {"gui/config.py", "gui/next_steps.py", "gui/setup.py"}, users
    from gui import texts

    def states_a_deadline(source: str) -> bool:
        return bool(re.search(r"\{days\} days|deadline", source)) and "working days" not in source

    ts = (ROOT / "gui" / "i18n" / "kiosk_en.ts").read_text(encoding="utf-8")
    sources = [unescape(s) for s in re.findall(r"<source>(.*?)</source>", ts, flags=re.S)]
    stated = {s for s in sources if states_a_deadline(s)}
    assert stated == {texts.PRINT_DEADLINE, texts.DOWNLOAD_WINDOW}, stated
    # and "ready + N days" is said nowhere: the print deadline never counts from readiness
    assert not [s for s in sources if re.search(r"days after it is ready", s)]


def unescape(s: str) -> str:
    import html

    return html.unescape(s)


# -- the totals and the office's choices ----------------------------------------------------------


def test_the_total_is_fee_times_copies_plus_postage_for_the_post_only() -> None:
    config = replace(load_config(), guidance=replace(DEFAULT, postage_yen=110))
    post = RequestForm("transcript-ja", 3, DeliveryMethod.POSTAL)
    counter = replace(post, delivery=DeliveryMethod.COUNTER)
    assert total_text(config, post, "ja") == "合計1,010円（300円×3通＋郵送料110円）"
    assert total_text(config, counter, "ja") == "合計900円（300円×3通）"
    assert total_text(config, post, "en") == "¥1,010 in total (¥300 × 3 + postage ¥110)"


def test_payment_follows_the_office_rules() -> None:
    base = load_config()
    counter = RequestForm("transcript-ja", 1, DeliveryMethod.COUNTER)
    store = replace(counter, delivery=DeliveryMethod.CONVENIENCE_STORE)

    def first(config, form):  # type: ignore[no-untyped-def]
        return next_steps(config, form, "en", request_id=None, requested_on=date(2026, 12, 6))

    assert "when you collect" not in first(base, counter)[0]
    on_pickup = replace(base, guidance=replace(DEFAULT, pay_when=PaymentTime.ON_PICKUP))
    assert "when you collect the certificate" in first(on_pickup, counter)[0]
    assert "working days of the request" in first(on_pickup, counter)[1]  # not "after payment"
    assert "multi-copy machine when you print" in first(base, store)[0]
    at_cashier = replace(base, guidance=replace(DEFAULT, store_pays_at_machine=False))
    assert DEFAULT.pay_where.en in first(at_cashier, store)[0]
    no_lookup = replace(base, guidance=replace(DEFAULT, kiosk_status=False))
    assert "this kiosk" in first(base, counter)[-2]
    assert "this kiosk" not in first(no_lookup, counter)[-2]
    assert "on your receipt" in first(base, counter)[-2]


# -- the configuration ------------------------------------------------------------------------------


def test_the_default_configuration_file_documents_the_built_in_guidance() -> None:
    assert load_config().guidance == Guidance()


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('[payment]\nwhen = "later"', "[payment] when"),
        ('[payment]\nwhere_ja = ""', "where_ja"),
        ("[payment]\nwhere_en = 3", "where_en"),
        ('[payment]\nwhere_en = "' + "x" * 201 + '"', "where_en"),
        ('[payment]\ncolour = "red"', "no setting 'colour'"),
        ('[payment]\nstore_pays_at_machine = "yes"', "store_pays_at_machine"),
        ("[ready]\nworking_days = -1", "working_days"),
        ("[ready]\nworking_days = true", "working_days"),
        ("[ready]\nworking_days = 1.5", "working_days"),
        ('[ready]\nkiosk_status = "on"', "kiosk_status"),
        ("[postal]\npostage_yen = -10", "postage_yen"),
        ('[digital_pdf]\nsite = "http://example.org/"', "https://"),
        ("payment = 3", "[payment] must be a table"),
        ("[delivery]\nprint_deadline_days = 0", "print_deadline_days"),
        ("[delivery]\npdf_download_days = 0", "pdf_download_days"),
        ("[delivery]\nprint_deadline_days = 4\n[ready]\nworking_days = 2", "twice"),
    ],
)
def test_bad_guidance_values_are_refused_with_their_name(toml: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(toml)
    assert says in str(caught.value)


def test_an_office_sets_its_own_guidance() -> None:
    cfg = parse_config(
        '[payment]\nwhere_ja = "生協"\nwhere_en = "the co-op"\nwhen = "on-pickup"\n'
        "[postal]\npostage_yen = 140\n"
        '[digital_pdf]\nsite = "https://dl.example/"\n'
        "[ready]\nworking_days = 5\nkiosk_status = false\n"
        "[delivery]\nprint_deadline_days = 14\n"
    )
    g = cfg.guidance
    assert (g.pay_where("ja"), g.pay_where("en"), g.pay_when) == (
        "生協",
        "the co-op",
        PaymentTime.ON_PICKUP,
    )
    assert (g.postage_yen, g.pdf_site, g.ready_days, g.kiosk_status) == (
        140,
        "https://dl.example/",
        5,
        False,
    )
    assert g.store_menu == DEFAULT.store_menu and cfg.counter == DEFAULT_COUNTER  # the rest
