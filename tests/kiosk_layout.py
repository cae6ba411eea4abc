"""Layout checks for the kiosk window, used by the size tests (offscreen) and the full-screen
test (under Xvfb): every visible widget inside the window and inside its parents, no two
interactive widgets overlapping, no label or button with less room than its text needs."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QLineEdit,
    QWidget,
)

from gui.widgets import PinField

#: The screen sizes a kiosk runs at (width, height), portrait last.
SIZES = ((1024, 768), (1280, 800), (1280, 1024), (1366, 768), (1920, 1080), (1080, 1920))


def _describe(w: QWidget) -> str:
    text = ""
    if isinstance(w, QLabel | QAbstractButton | QLineEdit):
        text = w.text()[:40]
    name = w.accessibleName() or w.objectName()
    return f"{type(w).__name__}({name!r} {text!r})"


def _rect(w: QWidget, root: QWidget) -> QRect:
    return QRect(w.mapTo(root, QPoint(0, 0)), w.size())


def _scrolled(w: QWidget, root: QWidget) -> bool:
    p = w.parentWidget()
    while p is not None and p is not root:
        if isinstance(p, QAbstractScrollArea):
            return True
        p = p.parentWidget()
    return False


def _shown_rect(w: QWidget, root: QWidget) -> QRect:
    """The part of ``w`` on the screen: clipped by every parent (a scroll area's viewport too)."""
    r = _rect(w, root)
    p = w.parentWidget()
    while p is not None and p is not root:
        r = r.intersected(_rect(p, root))
        p = p.parentWidget()
    return r.intersected(root.rect())


def _interactive(w: QWidget) -> bool:
    return isinstance(w, QAbstractButton | QLineEdit | PinField)


def layout_problems(root: QWidget) -> list[str]:
    """What is wrong with the layout of ``root`` as it is shown now; empty when all fits.

    A widget inside a scroll area may lie above or below its viewport (it scrolls into
    view), but not beside it, nor outside its other parents; everything else lies inside the
    window and its parents.
    """
    problems: list[str] = []
    whole = root.rect()
    widgets = [w for w in root.findChildren(QWidget) if w.isVisible()]
    for w in widgets:
        if isinstance(w.parentWidget(), QAbstractScrollArea) or w.width() <= 0 or w.height() <= 0:
            continue  # a scroll area's viewport and scroll bars
        r = _rect(w, root)
        scrolled = _scrolled(w, root)
        if not scrolled and not whole.contains(r):
            problems.append(f"{_describe(w)} at {r.getRect()} is outside the window {whole.size()}")
            continue
        p = w.parentWidget()
        while p is not None and p is not root:
            if isinstance(p.parentWidget(), QAbstractScrollArea):
                # the viewport: scrolling brings it into view — up and down only (a kiosk
                # never scrolls sideways: what is wider than the viewport is cut off)
                view = _rect(p, root)
                if r.left() < view.left() or r.right() > view.right():
                    problems.append(
                        f"{_describe(w)} at x {r.left()}..{r.right()} is wider than its "
                        f"scroll area's x {view.left()}..{view.right()}"
                    )
                break
            if not _rect(p, root).contains(r):
                problems.append(f"{_describe(w)} is cut off by its parent {_describe(p)}")
                break
            p = p.parentWidget()
        if isinstance(w, QLabel) and w.text().strip() and w.pixmap().isNull():
            if w.wordWrap():
                need = w.heightForWidth(w.width())
                if need > w.height() + 1:
                    problems.append(f"{_describe(w)} needs {need} px height, has {w.height()}")
            elif w.sizeHint().width() > w.width() + 1:
                problems.append(
                    f"{_describe(w)} needs {w.sizeHint().width()} px width, has {w.width()}"
                )
        if isinstance(w, QAbstractButton) and w.text():
            hint = w.sizeHint()
            if hint.width() > w.width() + 1 or w.height() < min(hint.height(), 64):
                problems.append(f"{_describe(w)} needs {hint.toTuple()}, has {w.size().toTuple()}")
    active = [(w, _shown_rect(w, root)) for w in widgets if _interactive(w)]
    active = [(w, r) for w, r in active if not r.isEmpty()]
    for i, (a, ra) in enumerate(active):
        for b, rb in active[i + 1 :]:
            if ra.intersects(rb) and not a.isAncestorOf(b) and not b.isAncestorOf(a):
                problems.append(f"{_describe(a)} overlaps {_describe(b)}")
    return problems


def scrolls(screen: QWidget) -> bool:
    """Whether ``screen``'s body (:class:`gui.screens.base.KioskScreen`) needs scrolling."""
    area = getattr(screen, "body_area", None)
    return isinstance(area, QAbstractScrollArea) and area.verticalScrollBar().maximum() > 0


#: The smallest touch target, in pixels at scale 1 (a fingertip; ISO 9241-9 / WCAG 2.5.5 ask
#: 44 CSS px; the kiosk's own rule is 64 px high).
TOUCH_PX = 64
#: A key of a keypad or the touch keyboard may be narrower than high, never narrower than this.
KEY_WIDTH_PX = 48


def touch_problems(root: QWidget) -> list[str]:
    """Buttons and fields on the screen too small to touch: less than :data:`TOUCH_PX` high or
    :data:`KEY_WIDTH_PX` wide (the PIN field and text fields are touched too)."""
    problems: list[str] = []
    for w in root.findChildren(QWidget):
        if not (w.isVisible() and w.isEnabled() and _interactive(w)):
            continue
        if w.height() < TOUCH_PX or w.width() < KEY_WIDTH_PX:
            problems.append(f"{_describe(w)} is {w.width()}×{w.height()}: too small to touch")
    return problems


def cancel_problems(window: QWidget, thumb_px: int) -> list[str]:
    """The header's Cancel less than ``thumb_px`` (a thumb's width) from a language button."""
    cancel = getattr(window, "cancel", None)
    languages = getattr(window, "lang_buttons", {})
    if cancel is None or not cancel.isVisible():
        return []
    problems = []
    c = _rect(cancel, window)
    for b in languages.values():
        r = _rect(b, window)
        gap = max(r.left() - c.right(), c.left() - r.right()) - 1
        if gap < thumb_px:
            problems.append(f"Cancel is {gap} px from {_describe(b)} (less than {thumb_px})")
    return problems
