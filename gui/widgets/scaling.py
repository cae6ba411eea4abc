"""Scale a widget tree for a large screen: type, minimum and fixed sizes (the style sheet's
min-height included: Qt applies it as the widget's minimum size), layout margins and spacing
grow by one factor; borders and paddings keep their design size.

The kiosk is designed at 1280×800 (and fits 1024×768 at the same size); at 1920×1080 it would
otherwise sit small in the top half. Each widget's and layout's design values are remembered
(dynamic properties) the first time they are seen, so scaling again, up or down, starts from
them; widgets made later are scaled when :func:`apply_scale` next runs.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QFormLayout, QGridLayout, QLayout, QWidget

DESIGN_SIZE: Final = (1024, 768)
MAX_SCALE: Final = 2.0
_UNBOUNDED: Final = 16777215  # QWIDGETSIZE_MAX
_STEP: Final = 0.05


def scale_for(width: int, height: int) -> float:
    """The factor for a kiosk area of ``width``×``height``: never below 1 (the type stays at
    least 24 px, the keys at least 64 px), in steps of 0.05, at most 2."""
    fit = min(width / DESIGN_SIZE[0], height / DESIGN_SIZE[1])
    steps = int(fit / _STEP + 1e-9)
    return max(1.0, min(MAX_SCALE, steps * _STEP))


def _scaled(value: int, factor: float) -> int:
    if value <= 0 or value >= _UNBOUNDED:
        return value
    return round(value * factor)


def _size(value: QSize, factor: float) -> QSize:
    return QSize(_scaled(value.width(), factor), _scaled(value.height(), factor))


def _scale_widget(w: QWidget, factor: float) -> None:
    if w.property("scaled") == factor:
        return
    base_px = w.property("base_px")
    if base_px is None:
        w.ensurePolished()  # the style sheet's min-height is part of the design size
        base_px = w.font().pixelSize()
        w.setProperty("base_px", base_px)
        w.setProperty("base_min", w.minimumSize())
        w.setProperty("base_max", w.maximumSize())
    if int(base_px) > 0:
        f = w.font()
        f.setPixelSize(round(int(base_px) * factor))
        w.setFont(f)
    w.setMinimumSize(_size(w.property("base_min"), factor))
    w.setMaximumSize(_size(w.property("base_max"), factor))
    w.setProperty("scaled", factor)


def _scale_layout(layout: QLayout, factor: float) -> None:
    if layout.property("scaled") == factor or layout.property("own_scale"):
        return
    base = layout.property("base_box")
    if base is None:
        m = layout.contentsMargins()
        if isinstance(layout, QGridLayout | QFormLayout):
            gaps = [layout.horizontalSpacing(), layout.verticalSpacing()]
        else:
            gaps = [layout.spacing(), layout.spacing()]
        base = [m.left(), m.top(), m.right(), m.bottom(), *gaps]
        layout.setProperty("base_box", base)
    left, top, right, bottom, across, down = (int(v) for v in base)
    layout.setContentsMargins(*(round(v * factor) for v in (left, top, right, bottom)))
    if isinstance(layout, QGridLayout | QFormLayout):
        if across >= 0:
            layout.setHorizontalSpacing(round(across * factor))
        if down >= 0:
            layout.setVerticalSpacing(round(down * factor))
    elif across >= 0:
        layout.setSpacing(round(across * factor))
    layout.setProperty("scaled", factor)


def apply_scale(root: QWidget, factor: float) -> None:
    """Scale ``root`` and everything in it to ``factor`` × the design size."""
    for w in [root, *root.findChildren(QWidget)]:
        _scale_widget(w, factor)
    for layout in root.findChildren(QLayout):
        _scale_layout(layout, factor)
