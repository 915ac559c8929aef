"""How the panel looks: Designer forms, the palette-derived stylesheet, SVG icons, text wrap.

Everything here takes its colours from the palette, so the panel follows 3ds Max's dark and
light themes; nothing is hard-coded but the severity icons' own colours.

Text is shown as it is: names of lights, maps and files, cfg paths, the Web Service's answers
and what the artist types reach labels and tooltips, and Qt reads text that "might be rich
text" as HTML (a light named ``<b>Key</b>`` shows a bold "Key"; an ``<img src=...>`` is
loaded, on Windows from a share). Every label of a form, and each made by :func:`plain_label`,
shows plain text; a tooltip goes through :func:`plain_tip`.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from qtpy import QtCore, QtGui, QtSvg, QtWidgets, uic

from vrdr_max.ui_files import ui_file

ERROR_HUE, WARNING_HUE, OK_HUE = 0, 38, 120
"""Hues of error, warning and "online" text; the lightness is found from the palette."""

MIN_CONTRAST = 4.5
"""WCAG 2 AA contrast ratio for normal text, held by every colour the panel derives."""


PLAIN_TEXT = QtCore.Qt.TextFormat.PlainText


def load_form(name: str, base: QtWidgets.QWidget) -> None:
    """Load ``ui/<name>`` into ``base``: its child widgets become attributes of ``base``.

    Its labels show plain text (no form has a label meant to be rich).
    """
    uic.loadUi(str(ui_file(name)), base)  # type: ignore[no-untyped-call]
    labels: list[QtWidgets.QLabel] = [*base.findChildren(QtWidgets.QLabel)]
    for label in labels:
        label.setTextFormat(PLAIN_TEXT)


def plain_label(text: str = "", parent: QtWidgets.QWidget | None = None) -> QtWidgets.QLabel:
    """A label that shows ``text`` as it is, never as HTML."""
    label = QtWidgets.QLabel(parent)
    label.setTextFormat(PLAIN_TEXT)
    label.setText(text)
    return label


def plain_tip(text: str) -> str:
    """``text`` as a tooltip that Qt shows as it is, line breaks kept.

    Qt shows a tooltip as HTML when ``Qt.mightBeRichText`` says it may be; such text is
    escaped and wrapped in a paragraph that keeps its spaces and line breaks and, as a plain
    tooltip, does not wrap. Other text is returned unchanged (Qt shows it plain already).
    """
    if not QtGui.Qt.mightBeRichText(text):
        return text
    return f'<p style="white-space:pre">{html.escape(text)}</p>'


def luminance(colour: QtGui.QColor) -> float:
    """Relative luminance (WCAG 2) of an opaque colour."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))


def contrast(a: QtGui.QColor, b: QtGui.QColor) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def backgrounds(palette: QtGui.QPalette) -> list[QtGui.QColor]:
    """What panel text is drawn on: the window, and the table's plain and alternate rows."""
    roles = QtGui.QPalette.ColorRole
    return [palette.color(r) for r in (roles.Window, roles.Base, roles.AlternateBase)]


def readable(hue: int, palette: QtGui.QPalette) -> QtGui.QColor:
    """The colour of ``hue`` nearest mid-lightness that reads on every background.

    Lighter on a dark theme, deeper on a light one, until the contrast is at least
    :data:`MIN_CONTRAST` against each of :func:`backgrounds`.
    """
    grounds = backgrounds(palette)
    dark = palette.color(QtGui.QPalette.ColorRole.Window).lightness() < 128
    for lightness in (range(128, 256, 4) if dark else range(128, -1, -4)):
        colour = QtGui.QColor.fromHsl(hue, 200, lightness)
        if all(contrast(colour, g) >= MIN_CONTRAST for g in grounds):
            return colour
    return palette.color(QtGui.QPalette.ColorRole.WindowText)


def muted(palette: QtGui.QPalette) -> QtGui.QColor:
    """Secondary text (the path, the summary), readable on the window.

    The text colour moved towards the window's, at most half way, as far as
    :data:`MIN_CONTRAST` allows.
    """
    text = palette.color(QtGui.QPalette.ColorRole.WindowText)
    window = palette.color(QtGui.QPalette.ColorRole.Window)
    for percent in range(50, -1, -5):
        colour = QtGui.QColor.fromRgbF(
            *(a + (b - a) * percent / 100 for a, b in (
                (text.redF(), window.redF()), (text.greenF(), window.greenF()),
                (text.blueF(), window.blueF()))))
        if contrast(colour, window) >= MIN_CONTRAST:
            return colour
    return text


def theme_colours(palette: QtGui.QPalette) -> dict[str, str]:
    """Colours derived from the palette: errors, warnings, "online", muted text."""
    return {"error": readable(ERROR_HUE, palette).name(),
            "warning": readable(WARNING_HUE, palette).name(),
            "ok": readable(OK_HUE, palette).name(),
            "muted": muted(palette).name()}


def stylesheet(palette: QtGui.QPalette) -> str:
    """``ui/panel.qss`` with its ``{placeholders}`` filled from the palette."""
    text = ui_file("panel.qss").read_text(encoding="utf-8")
    for key, value in theme_colours(palette).items():
        text = text.replace("{" + key + "}", value)
    return text


def icon(name: str, palette: QtGui.QPalette, size: int = 16) -> QtGui.QIcon:
    """``ui/icons/<name>.svg`` with ``currentColor`` in the palette's text colour."""
    colour = palette.color(QtGui.QPalette.ColorRole.WindowText).name()
    data = ui_file("icons", f"{name}.svg").read_text(encoding="utf-8")
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
    fields: list[QtWidgets.QWidget] = [*widget.findChildren(QtWidgets.QLineEdit),
                                       *widget.findChildren(QtWidgets.QPlainTextEdit)]
    for field in fields:
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


__all__ = ["MIN_CONTRAST", "backgrounds", "contrast", "guard_inputs", "icon",
           "load_form", "luminance", "mark_invalid", "muted", "plain_label", "plain_tip",
           "readable", "set_error", "stylesheet", "theme_colours", "top_level_items", "wrap_text"]
