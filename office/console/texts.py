"""The console's words, in Japanese and English (one table; a missing key is a bug the tests
catch, not a blank on a page).

The console's language is the ``jpki_lang`` cookie (set by the language links),
else the browser's first choice of ``ja``/``en``, else Japanese.
"""

from __future__ import annotations

from typing import Final

__all__ = ["LANGUAGES", "TEXTS", "choose_language", "text"]

LANGUAGES: Final = ("ja", "en")

#: key -> (Japanese, English)
TEXTS: Final[dict[str, tuple[str, str]]] = {
    "app": ("証明書発行 事務コンソール", "Certificate office console"),
    "skip": ("本文へ移動", "Skip to content"),
    "nav": ("メニュー", "Menu"),
    "queue": ("受付一覧", "Queue"),
    "audit": ("監査記録", "Audit trail"),
    "export": ("書き出し", "Export"),
    "kiosks": ("端末", "Kiosks"),
    "staff": ("職員", "Staff"),
    "sign_in": ("サインイン", "Sign in"),
    "sign_out": ("サインアウト", "Sign out"),
    "signed_in_as": ("サインイン中:", "Signed in as"),
    "roles": ("役割", "Roles"),
    "username": ("ユーザー名", "User name"),
    "password": ("パスワード", "Password"),
    "totp": ("ワンタイムコード(設定している場合)", "One-time code (if set up)"),
    "signed_out": ("サインアウトしました。", "You have signed out."),
    "session_ended": (
        "セッションが終了しました。もう一度サインインしてください。",
        "Your session has ended. Please sign in again.",
    ),
    "login_failed": (
        "サインインできませんでした: ユーザー名、パスワード、ワンタイムコードを確認してください。",
        "Could not sign in: check the user name, password and one-time code.",
    ),
    "search": ("受付番号で検索", "Find by request number"),
    "search_hint": (
        "受付票の8桁の番号、またはQRコードの内容",
        "The 8-character number on the receipt, or the QR code's text",
    ),
    "find": ("検索", "Find"),
    "not_found": ("該当する申請がありません。", "No request matches."),
    "filter": ("絞り込み", "Filter"),
    "status": ("状態", "Status"),
    "kind": ("証明書の種類", "Certificate"),
    "kiosk": ("端末", "Kiosk"),
    "since": ("受付日(から)", "Submitted from"),
    "until": ("受付日(まで)", "Submitted until"),
    "any": ("すべて", "Any"),
    "apply": ("絞り込む", "Apply"),
    "counts": ("状態別件数", "Counts by status"),
    "shown": ("表示中の件数", "Requests shown"),
    "request_no": ("受付番号", "Request number"),
    "submitted_at": ("受付日時", "Submitted"),
    "delivery": ("受取方法", "Delivery"),
    "copies": ("部数", "Copies"),
    "applicant": ("申請者", "Applicant"),
    "no_requests": ("該当する申請はありません。", "No requests."),
    "request": ("申請", "Request"),
    "signed_request": ("署名された申請書(署名のまま)", "The signed request, as signed"),
    "verification": ("検証結果", "Verification"),
    "valid": ("有効", "valid"),
    "not_valid": ("無効", "not valid"),
    "holder": ("署名者", "Holder"),
    "name": ("氏名", "Name"),
    "birth_date": ("生年月日", "Date of birth"),
    "address": ("住所", "Address"),
    "certificate": ("証明書", "Certificate"),
    "generation": ("発行CAの世代", "Issuer generation"),
    "serial": ("シリアル番号", "Serial number"),
    "checks": ("検証項目", "Checks"),
    "revocation": ("失効状態", "Revocation"),
    "revocation_checked": ("失効確認", "Revocation checked"),
    "yes": ("はい", "yes"),
    "no": ("いいえ", "no"),
    "integrity": ("整合性", "Integrity"),
    "intact": ("署名済みデータと一致", "Matches the signed data"),
    "tampered": ("改ざんの疑い", "Tampered"),
    "trail": ("この申請の監査記録", "This request's audit trail"),
    "chain": ("監査チェーン", "Audit chain"),
    "chain_ok": ("検証済み(改ざんなし)", "verified (intact)"),
    "chain_broken": ("破損あり", "BROKEN"),
    "entries": ("件", "entries"),
    "at": ("日時", "When"),
    "actor": ("実行者", "Who"),
    "action": ("操作", "Action"),
    "from_to": ("状態の変化", "Status change"),
    "reason": ("理由", "Reason"),
    "subject": ("対象", "Subject"),
    "actions": ("操作", "Actions"),
    "no_actions": (
        "あなたの役割で行える操作はありません。",
        "There is nothing your role can do on this request.",
    ),
    "do_approve": ("承認する", "Approve"),
    "do_reject": ("却下する", "Reject"),
    "do_issue": ("発行する", "Issue"),
    "do_deliver": ("交付済みにする", "Mark delivered"),
    "do_download": ("ダウンロード済みにする", "Record the download"),
    "reject_reason": ("却下の理由(必須)", "Reason for the rejection (required)"),
    "done": ("完了しました:", "Done:"),
    "refused": ("実行できません:", "Refused:"),
    "pdf": ("証明書PDF", "Certificate PDF"),
    "pdf_upload": ("証明書PDFを添付する", "Attach the certificate PDF"),
    "pdf_file": ("PDFファイル", "PDF file"),
    "pdf_attached": ("添付済み(機関の署名付き)", "Attached (signed by the institution)"),
    "pdf_none": ("未添付", "Not attached yet"),
    "upload": ("添付して署名する", "Attach and sign"),
    "link_once": (
        "受取人用ダウンロードリンク(この画面で一度だけ表示されます):",
        "The recipient's download link (shown once, on this page only):",
    ),
    "link_state": ("ダウンロードリンク", "Download link"),
    "link_unused": ("未使用", "not used yet"),
    "link_used": ("使用済み", "used"),
    "valid_until": ("有効期限", "Valid until"),
    "recipient": ("受取人", "Recipient"),
    "audit_view": ("監査記録の閲覧", "The audit trail"),
    "verify_chain": ("チェーンの検証", "Chain verification"),
    "export_csv": ("CSVで書き出す", "Export as CSV"),
    "export_json": ("JSONで書き出す", "Export as JSON"),
    "export_hint": (
        "現在の絞り込み条件で書き出します(表計算の数式は無効化されます)。",
        "Exports with the current filter (spreadsheet formulas are neutralised).",
    ),
    "kiosk_id": ("端末ID", "Kiosk id"),
    "created": ("登録日時", "Created"),
    "created_by": ("登録者", "Created by"),
    "revoked": ("失効", "Revoked"),
    "active": ("有効", "active"),
    "add_kiosk": ("端末を追加", "Add a kiosk"),
    "revoke": ("失効させる", "Revoke"),
    "token_once": (
        "端末トークン(一度だけ表示されます。端末の設定に入れてください):",
        "The kiosk's token (shown once; put it into the kiosk's configuration):",
    ),
    "add_staff": ("職員を追加", "Add a member of staff"),
    "use_totp": ("ワンタイムコードを使う", "Use a one-time code (TOTP)"),
    "totp_once": (
        "TOTPシークレット(一度だけ表示されます):",
        "The TOTP secret (shown once):",
    ),
    "disabled": ("無効", "Disabled"),
    "disable": ("無効にする", "Disable"),
    "enable": ("有効にする", "Enable"),
    "add": ("追加", "Add"),
    "forbidden": ("この操作の権限がありません。", "Your role may not do this."),
    "csrf": (
        "フォームの有効期限が切れました。ページを開き直してください。",
        "This form has expired; open the page again.",
    ),
    "error": ("エラー", "Error"),
    "back": ("戻る", "Back"),
    "language": ("言語", "Language"),
    "dl_title": ("証明書のダウンロード", "Download your certificate"),
    "dl_intro": (
        "このリンクで証明書PDFを一度だけダウンロードできます。",
        "This link downloads the certificate PDF once.",
    ),
    "dl_button": ("ダウンロードする", "Download"),
    "dl_used": (
        "このリンクは使用済みです。証明書は一度しかダウンロードできません。",
        "This link has been used: a certificate can be downloaded once.",
    ),
    "dl_expired": (
        "このリンクは有効期限が切れています。",
        "This link has expired.",
    ),
    "dl_unknown": (
        "このリンクは無効です。",
        "This link is not valid.",
    ),
    "dl_not_ready": (
        "この証明書はまだダウンロードできません。",
        "This certificate cannot be downloaded yet.",
    ),
    "st_submitted": ("受付済み", "submitted"),
    "st_approved": ("承認済み", "approved"),
    "st_rejected": ("却下", "rejected"),
    "st_issued": ("発行済み", "issued"),
    "st_delivered": ("交付済み", "delivered"),
    "st_downloaded": ("ダウンロード済み", "downloaded"),
    "st_expired": ("期限切れ", "expired"),
    "role_clerk": ("窓口担当(承認・却下)", "clerk (approve, reject)"),
    "role_issuer": ("発行担当(発行・交付)", "issuer (issue, deliver)"),
    "role_auditor": ("監査担当(閲覧・書き出し)", "auditor (read, export, audit)"),
    "role_admin": ("管理者(職員・端末)", "admin (staff, kiosks)"),
}


def text(language: str, key: str) -> str:
    ja, en = TEXTS[key]
    return en if language == "en" else ja


def choose_language(cookie: str | None, accept: str | None) -> str:
    """The cookie's language, else the first of ``ja``/``en`` the browser names, else ``ja``."""
    if cookie in LANGUAGES:
        return str(cookie)
    for part in (accept or "").split(",")[:20]:
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "ja"
