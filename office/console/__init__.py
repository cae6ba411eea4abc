"""The staff console: server-rendered pages (Jinja2, no script) in Japanese and English, served
by ``jpki-office serve`` beside the JSON API, and the recipient's one-time download page.

:class:`~office.console.pages.Console` holds the routes; :mod:`office.console.web`
the session, CSRF and header rules; :mod:`office.console.texts` the words.
"""

from __future__ import annotations

from .pages import Console, request_number

__all__ = ["Console", "request_number"]
