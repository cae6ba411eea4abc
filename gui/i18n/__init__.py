"""The kiosk's translations: ``kiosk_ja.ts`` / ``kiosk_en.ts`` (sources), compiled to ``.qm``.

The source strings in the code are English: the screens' (``translate("Context", ...)``) and
the messages of :mod:`gui.texts` (context ``Messages``). Update after changing texts (lupdate
wants the files named: given the folder it finds none)::

    .venv/bin/pyside6-lupdate $(find gui -name '*.py') -no-obsolete -locations none -ts gui/i18n/kiosk_ja.ts gui/i18n/kiosk_en.ts
    # translate the new entries (pyside6-linguist), then:
    .venv/bin/pyside6-lrelease gui/i18n/kiosk_ja.ts gui/i18n/kiosk_en.ts

``tests/test_kiosk_gui.py::test_translations_complete`` fails when an entry is missing or a
``.qm`` is older than its ``.ts``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtCore import QCoreApplication, QTranslator

LANGUAGES: Final = ("ja", "en")
DIRECTORY: Final = Path(__file__).resolve().parent


def qm_path(language: str) -> Path:
    return DIRECTORY / f"kiosk_{language}.qm"


class Translations:
    """Installs the translator of one language at a time into the application."""

    def __init__(self) -> None:
        self._translators: dict[str, QTranslator] = {}
        self._installed: QTranslator | None = None
        self.language = ""

    def _translator(self, language: str) -> QTranslator | None:
        if language not in self._translators:
            t = QTranslator()
            if not t.load(str(qm_path(language))):
                return None
            self._translators[language] = t
        return self._translators[language]

    def set_language(self, language: str) -> bool:
        """Switch to ``language``; False if it has no compiled translation (English still works:
        the source texts are English)."""
        if language == self.language:
            return True
        app = QCoreApplication.instance()
        if self._installed is not None and app is not None:
            QCoreApplication.removeTranslator(self._installed)
            self._installed = None
        self.language = language
        translator = self._translator(language)
        if translator is None:
            return language == "en"
        QCoreApplication.installTranslator(translator)
        self._installed = translator
        return True
