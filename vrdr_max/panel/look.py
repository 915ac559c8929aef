"""How the panel looks: Designer forms, the palette-derived stylesheet, SVG icons, text wrap.

Everything here takes its colours from the palette, so the panel follows 3ds Max's dark and
light themes; nothing is hard-coded but the severity icons' own colours.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qtpy import QtCore, QtGui, QtSvg, QtWidgets, uic

UI_DIR = Path(__file__).resolve().parents[2] / "ui"
"""The forms, icons and stylesheet (``ui/`` next to the ``vrdr_max`` package)."""

ERROR_HUE, WARNING_HUE = 0, 38
"""Hues of error and warning text; lightness and saturation follow the palette."""


def load_form(name: str, base: QtWidgets.QWidget) -> None:
    """Load ``ui/<name>`` into ``base``: its child widgets become attributes of ``base``."""
    uic.loadUi(str(UI_DIR / name), base)  # type: ignore[no-untyped-call]


def theme_colours(palette: QtGui.QPalette) -> dict[str, str]:
    """Colours derived from the palette: text of errors and warnings, muted text."""
    text = palette.color(QtGui.QPalette.ColorRole.WindowText)
    window = palette.color(QtGui.QPalette.ColorRole.Window)
    dark = window.lightness() < 128
    # Bright on a dark window, deep on a light one: readable in both of 3ds Max's themes.
    lightness = 170 if dark else 110
    muted = QtGui.QColor(text)
    muted.setAlpha(170)
    return {"error": QtGui.QColor.fromHsl(ERROR_HUE, 200, lightness).name(),
            "warning": QtGui.QColor.fromHsl(WARNING_HUE, 200, lightness).name(),
            "muted": muted.name(QtGui.QColor.NameFormat.HexArgb)}


def stylesheet(palette: QtGui.QPalette) -> str:
    """``ui/panel.qss`` with its ``{placeholders}`` filled from the palette."""
    text = (UI_DIR / "panel.qss").read_text(encoding="utf-8")
    for key, value in theme_colours(palette).items():
        text = text.replace("{" + key + "}", value)
    return text


def icon(name: str, palette: QtGui.QPalette, size: int = 16) -> QtGui.QIcon:
    """``ui/icons/<name>.svg`` with ``currentColor`` in the palette's text colour."""
    colour = palette.color(QtGui.QPalette.ColorRole.WindowText).name()
    data = (UI_DIR / "icons" / f"{name}.svg").read_text(encoding="utf-8")
    renderer = QtSvg.QSvgRenderer(QtCore.QByteArray(data.replace("currentColor", colour)
                                                    .encode()))
    result = QtGui.QIcon()
    for scale in (1, 2):
        pixmap = QtGui.QPixmap(size * scale, size * scale)
        pixmap.fill(QtGui.QColor(0, 0, 0, 0))
        painter = QtGui.QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        result.addPixmap(pixmap)
    return result


def set_error(label: QtWidgets.QLabel, message: str | None) -> None:
    """Show ``message`` in red under its field, or hide the label when None."""
    label.setProperty("role", "error")
    label.setText(message or "")
    label.setVisible(bool(message))
    label.style().unpolish(label)
    label.style().polish(label)


def mark_invalid(edit: QtWidgets.QWidget, invalid: bool) -> None:
    """Outline a field whose value was refused (``QLineEdit[invalid="true"]`` in the qss)."""
    edit.setProperty("invalid", invalid)
    edit.style().unpolish(edit)
    edit.style().polish(edit)


def guard_inputs(widget: QtWidgets.QWidget, guard: Callable[[QtWidgets.QWidget], None]) -> None:
    """Apply ``guard`` to ``widget`` and to each text field in it."""
    guard(widget)
    for field in (*widget.findChildren(QtWidgets.QLineEdit),
                  *widget.findChildren(QtWidgets.QPlainTextEdit)):
        guard(field)


def top_level_items(tree: QtWidgets.QTreeWidget) -> list[QtWidgets.QTreeWidgetItem]:
    """The tree's top-level items, in order."""
    items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
    return [item for item in items if item is not None]


def wrap_text(metrics: QtGui.QFontMetrics, text: str, width: int) -> str:
    """Greedy word wrap of ``text`` to ``width`` pixels."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and metrics.horizontalAdvance(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return "\n".join([*lines, line])




__all__ = ["UI_DIR", "guard_inputs", "icon", "load_form", "mark_invalid", "set_error",
           "stylesheet", "theme_colours", "top_level_items", "wrap_text"]
