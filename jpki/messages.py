"""The library's user-facing bilingual texts (English and Japanese), in one catalogue.

The kiosk shows these to applicants and the CLI to staff; the kiosk's own screens have
their Qt translation files. Each text has a key and one template per language::

    >>> explanation("bad_signature", "ja")
    '証明書の署名を検証できません。証明書が壊れているか、偽造されたものです。'
    >>> label("kind.signature", "en")
    'signature certificate'

* :data:`LABELS` — names of things: the kinds of certificate (``kind.<value>`` of
  :class:`jpki.certs.CertificateKind`) and the sexes of the holder data
  (``sex.<code>``);
* :data:`EXPLANATIONS` — paragraphs about a certificate's validity, renewal and
  revocation (filled in by :mod:`jpki.certs.explain`).

Languages are ``"en"`` and ``"ja"`` (:data:`LANGUAGES`); anything else is a
``ValueError``. Dates are written in JST, the Japanese way in Japanese
(:func:`date_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final

from .timeutil import to_jst

__all__ = ["EXPLANATIONS", "LABELS", "LANGUAGES", "check_lang", "date_text", "explanation", "label"]

#: The languages of every text.
LANGUAGES: Final = ("en", "ja")

#: Names of things, ``{key: {"en": ..., "ja": ...}}``.
LABELS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "kind.signature": {"en": "signature certificate", "ja": "署名用電子証明書"},
        "kind.authentication": {
            "en": "user-authentication certificate",
            "ja": "利用者証明用電子証明書",
        },
        "kind.ca": {"en": "CA certificate", "ja": "認証局の証明書"},
        "kind.unknown": {"en": "certificate", "ja": "電子証明書"},
        # Sex codes of the holder data: the text AP uses 1/2/9, a public dump of a
        # certificate suggests 1/2/3 there.
        "sex.1": {"en": "male", "ja": "男"},
        "sex.2": {"en": "female", "ja": "女"},
        "sex.3": {"en": "unknown", "ja": "不明"},
        "sex.9": {"en": "not applicable", "ja": "適用不能"},
        # Kinds of JPKI token, by the label in EF 0006 (jpki.token.TokenKind)
        "token.my-number-card": {"en": "My Number card", "ja": "マイナンバーカード"},
        "token.juki-card": {
            "en": "Juki card (住基カード), not a My Number card",
            "ja": "住基カード（マイナンバーカードではありません）",
        },
        "token.smartphone-android": {
            "en": "smartphone JPKI (Android)",
            "ja": "スマートフォン用電子証明書（Android）",
        },
        "token.smartphone-ios": {
            "en": "smartphone JPKI (iPhone)",
            "ja": "スマートフォン用電子証明書（iPhone）",
        },
        "token.unknown": {"en": "unknown JPKI token", "ja": "不明なJPKIトークン"},
    }
)

_OFFICE_EN: Final = (
    "at the municipal office where you are registered (住民票のある市区町村の"
    "窓口), with your My Number card and an identity document"
)
_OFFICE_JA: Final = "住民票のある市区町村の窓口で、マイナンバーカードと本人確認書類をお持ちのうえ"

#: Explanation templates, ``{key: {"en": ..., "ja": ...}}``. Fields: ``cert`` (kind
#: label), ``not_before``, ``not_after``, ``renewal_from``, ``days_left``, ``revoked_at``.
EXPLANATIONS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "valid": {
            "en": "The {cert} is valid until {not_after} ({days_left} days left); it can be "
            "renewed from {renewal_from}.",
            "ja": "{cert}の有効期限は{not_after}です（残り{days_left}日）。"
            "{renewal_from}から更新できます。",
        },
        "renewal_open": {
            "en": "The {cert} expires on {not_after} ({days_left} days left). It can be "
            f"renewed now (from 3 months before expiry), {_OFFICE_EN}.",
            "ja": "{cert}の有効期限は{not_after}です（残り{days_left}日）。有効期限の3か月前から"
            f"更新できます。{_OFFICE_JA}更新の手続きをしてください。",
        },
        "expired": {
            "en": "The {cert} expired on {not_after} and can no longer be used. You "
            f"can get a new one {_OFFICE_EN}.",
            "ja": "{cert}は{not_after}に有効期限が切れたため、使えません。"
            f"{_OFFICE_JA}新しい電子証明書の発行を申請してください。",
        },
        "not_yet_valid": {
            "en": "The {cert} is not valid until {not_before}. Check the computer's date and time.",
            "ja": "{cert}は{not_before}から有効になります。パソコンの日付と時刻を確認してください。",
        },
        "sign_revoked": {
            "en": "The signature certificate has been revoked{revoked_at}. It is revoked when "
            "your name, address, birth date or sex changes (for example after moving "
            "or marriage) or when the card is reported lost. You can apply for a new "
            f"one {_OFFICE_EN}. The user-authentication certificate is not revoked by a change "
            "of name or address.",
            "ja": "署名用電子証明書は失効しています{revoked_at}。氏名・住所・生年月日・性別が変わった"
            "とき（引っ越しや結婚など）やカードの紛失を届け出たときに失効します。"
            f"{_OFFICE_JA}新しい署名用電子証明書の発行を申請してください。"
            "利用者証明用電子証明書は、氏名や住所が変わっても失効しません。",
        },
        "auth_revoked": {
            "en": "The user-authentication certificate has been revoked{revoked_at}, for "
            "example because the card was reported lost or returned (a change of name or "
            f"address does not revoke it). Please ask {_OFFICE_EN}.",
            "ja": "利用者証明用電子証明書は失効しています{revoked_at}（カードの紛失の届出や返納など。"
            f"氏名や住所の変更では失効しません）。{_OFFICE_JA}お問い合わせください。",
        },
        "revoked": {
            "en": "The {cert} has been revoked{revoked_at} and can no longer be used.",
            "ja": "{cert}は失効しています{revoked_at}。使えません。",
        },
        "untrusted": {
            "en": "The certificate was not issued by a J-LIS certification authority this "
            "program trusts. Test cards and certificates of other authorities are not accepted.",
            "ja": "この証明書は、このプログラムが信頼する地方公共団体情報システム機構（J-LIS）の"
            "認証局が発行したものではありません。テスト用のカードや他の認証局の証明書は使えません。",
        },
        "root_missing": {
            "en": "The certificate was issued by {root}, which this installation does not "
            "have: run `jpki trust install {file}` (SHA-256 {fingerprint}) with the file from "
            "J-LIS's CA page, or present the root from the card.",
            "ja": "この証明書は{root}が発行したものですが、このインストールにはその証明書が"
            "ありません。J-LISの認証局のページから入手した{file}で `jpki trust install {file}` "
            "（SHA-256 {fingerprint}）を実行してください。",
        },
        "bad_signature": {
            "en": "The certificate's signature does not verify: it is damaged or forged.",
            "ja": "証明書の署名を検証できません。証明書が壊れているか、偽造されたものです。",
        },
        "root_expired": {
            "en": "The J-LIS root certificate that issued this certificate is not valid at "
            "this time, so the certificate cannot be accepted.",
            "ja": "この証明書を発行した認証局の証明書が、この時点で有効ではないため、受け付けられません。",
        },
        "wrong_key_usage": {
            "en": "This {cert} cannot be used for this purpose: a signature needs the "
            "signature certificate, a login the user-authentication certificate.",
            "ja": "この{cert}はこの用途には使えません。署名には署名用電子証明書、ログインには"
            "利用者証明用電子証明書を使います。",
        },
        "crl_problem": {
            "en": "The certificate's revocation status could not be checked: the revocation "
            "list (CRL) given is out of date, damaged or missing. Get a current CRL.",
            "ja": "失効情報（CRL）が古いか、壊れているか、ないため、証明書が失効していないことを"
            "確認できませんでした。最新のCRLを用意してください。",
        },
        "malformed": {
            "en": "The certificate is damaged or is not a JPKI certificate.",
            "ja": "証明書が壊れているか、公的個人認証サービスの証明書ではありません。",
        },
        # not about a certificate but the card that holds it (token label JPKIAPICCTOKEN)
        "juki_card": {
            "en": "This is a Juki card (Basic Resident Register card), not a My Number card. "
            "Electronic certificates for Juki cards are no longer issued, so it cannot be used "
            "here: please use your My Number card.",
            "ja": "これは住基カード（住民基本台帳カード）で、マイナンバーカードではありません。"
            "住基カードの電子証明書は発行が終了しているため、ここでは使えません。"
            "マイナンバーカードをお使いください。",
        },
    }
)


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else ``ValueError``."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be 'en' or 'ja', not {lang!r}")
    return lang


def label(key: str, lang: str = "en") -> str:
    """The ``key`` name of :data:`LABELS` in ``lang``."""
    return LABELS[key][check_lang(lang)]


def explanation(key: str, lang: str = "en", **fields: object) -> str:
    """The ``key`` text of :data:`EXPLANATIONS` in ``lang`` with ``fields`` filled in."""
    return EXPLANATIONS[key][check_lang(lang)].format(**fields)


def date_text(when: datetime, lang: str) -> str:
    """A time for a person, in JST: ``2026年6月15日 12:00`` or ``2026-06-15 12:00 JST``."""
    local = to_jst(when)
    if check_lang(lang) == "ja":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M} JST"
