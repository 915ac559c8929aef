"""Text from outside vrdr is shown as it is, never read as HTML.

Names of lights, maps and files in a scene, the reason the artist types, cfg paths and the
Deadline Web Service's answers reach labels and tooltips. A ``QLabel`` (and every tooltip)
renders its text as HTML when ``Qt.mightBeRichText`` says it may be: a light named
``<b>Key</b>`` would show as a bold "Key", and ``<img src="\\\\server\\x.png">`` makes Qt load
the picture (on Windows, an SMB connection leaving the machine). ``shown`` reads a widget's
text the way Qt draws it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from qtpy import QtCore, QtGui, QtWidgets

from mock_pymxs import MockMax
from vrdr_max.demo import ARTIST_CFG
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.look import plain_tip
from vrdr_max.panel.server_table import STATUS
from vrdr_max.panel.widgets import DRPanel, top_level_items
from vrdr_max.probe import ProbeResult, ProbeState

from .conftest import Dialogs
from .test_dialogs import open_dialog

Qt = QtCore.Qt
LIGHT = "<b>Key</b>"
MAP = '<img src="x.png">'
REASON = '<img src="x.png"> client <b>asked</b>'


def as_qt_shows(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """``text`` as a QLabel or a tooltip with ``text_format`` draws it (HTML read as HTML)."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text))
    if not rich:
        return text
    document = QtGui.QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def shown(label: QtWidgets.QLabel) -> str:
    """What the artist reads in ``label``."""
    return as_qt_shows(label.text(), label.textFormat())


def rename(mock_max: MockMax) -> None:
    """A light and a map whose names are HTML, as a shared scene may hold."""
    mock_max.runtime.getNodeByName("Spot_Photometric").name = LIGHT
    bitmap = next(m for m in mock_max.runtime.getClassInstances(mock_max.runtime.BitmapTexture)
                  if m.name == "Wood_Floor_Diffuse")
    bitmap.name = MAP


def all_labels(widget: QtWidgets.QWidget) -> list[QtWidgets.QLabel]:
    return [label for label in widget.findChildren(QtWidgets.QLabel)
            if label.metaObject().className() == "QLabel"]


def test_scene_names_in_the_findings_tooltips_are_shown_as_they_are(
        panel: DRPanel, mock_max: MockMax) -> None:
    rename(mock_max)
    panel.controller.preflight()
    tips = []
    for item in top_level_items(panel.findingsTree):
        tips += [(str(item.child(i).data(0, Qt.ItemDataRole.UserRole)),
                  as_qt_shows(item.child(i).toolTip(0))) for i in range(item.childCount())]
    assert (f"- {LIGHT} (off)", f"- {LIGHT} (off)") in tips
    assert any(text.startswith(f"- {MAP} (BitmapTexture)") for text, _ in tips)
    assert [text for text, _ in tips] == [tip for _, tip in tips]


def test_the_checklists_show_the_scene_and_the_typed_reason_as_they_are(
        panel: DRPanel, dialogs: Dialogs, mock_max: MockMax) -> None:
    """Render with DR on the renamed scene: the plan, then the report that quotes the reason.

    Today the reason is the outside text that reaches a checklist line (the scene's names are
    in the findings' subjects); every line and label of both dialogs is read as Qt draws it.
    """
    rename(mock_max)
    seen: dict[str, list[tuple[str, str]]] = {}

    def read(name: str, dialog: QtWidgets.QDialog) -> None:
        seen[name] = [(label.text(), shown(label)) for label in all_labels(dialog)]

    def plan(dialog: QtWidgets.QDialog) -> bool:
        read("plan", dialog)
        dialog.reasonEdit.setText(REASON)  # type: ignore[attr-defined]
        return True

    def report(dialog: QtWidgets.QDialog) -> bool:
        read("report", dialog)
        return True

    dialogs.answers += [plan, report]
    assert panel.render_with_dr() is not None
    assert any(REASON in text for text, _ in seen["report"])
    for name in ("plan", "report"):
        assert [text for text, _ in seen[name]] == [drawn for _, drawn in seen[name]], name


def test_the_fix_dialog_shows_a_light_named_in_html_as_it_is(
        panel: DRPanel, mock_max: MockMax) -> None:
    rename(mock_max)
    dialog = open_dialog(panel, "fix")
    subjects = [dialog.subjectList.item(i).text()  # type: ignore[attr-defined]
                for i in range(dialog.subjectList.count())]  # type: ignore[attr-defined]
    assert f"{LIGHT} (off)" in subjects
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in all_labels(dialog))


@pytest.mark.parametrize("which", ["plan", "report", "paste", "numa", "conflict", "fix"])
def test_every_label_of_a_dialog_shows_plain_text(panel: DRPanel, which: str) -> None:
    dialog = open_dialog(panel, which)
    labels = all_labels(dialog)
    assert labels
    assert [(label.objectName(), label.textFormat()) for label in labels
            if label.textFormat() != Qt.TextFormat.PlainText] == []


def test_every_label_of_the_panel_shows_plain_text(panel: DRPanel) -> None:
    panel.controller.preflight()  # the findings' Fixed labels
    labels = all_labels(panel)
    assert len(labels) > 10
    assert [label.objectName() for label in labels
            if label.textFormat() != Qt.TextFormat.PlainText] == []


def test_farm_status_from_the_web_service_is_shown_as_it_is(panel: DRPanel) -> None:
    panel.farm_panel.section.lines = [f"Deadline answered: {MAP} <b>busy</b>"]
    panel.farm_panel.show()
    assert shown(panel.farmStatus) == f"Deadline answered: {MAP} <b>busy</b>"


def test_a_cfg_folder_named_in_html_is_shown_as_it_is(qtbot, mock_max: MockMax,
                                                      tmp_path: Path) -> None:
    from vrdr_max.max_host import PymxsHost

    folder = tmp_path / MAP  # "<b>Key</b>" holds a "/"
    folder.mkdir()
    (folder / "vray_dr.cfg").write_bytes(ARTIST_CFG)
    mock_max.scene.plugcfg_dir = str(folder)
    controller = PanelController(PymxsHost())
    controller.attach()
    try:
        panel = DRPanel(controller, probe_timeout=1.0, probe_on_open=False)
        qtbot.addWidget(panel)
        panel.resize(1600, 400)
        panel.show()
        path = str(folder / "vray_dr.cfg")
        assert as_qt_shows(panel.pathLabel.toolTip()) == path
        assert shown(panel.pathLabel) == path
    finally:
        controller.detach()


@pytest.mark.parametrize("text", [
    LIGHT, MAP, "plain words", "two\nlines <b>x</b>", "&lt;b&gt; as typed", "a < b > c",
    "line one\n<i>second</i>", "  indented  <u>u</u>", "", "<!DOCTYPE html><p>x</p>"])
def test_a_tooltip_is_shown_as_the_text_it_was_given(qtbot, text: str) -> None:
    tip = plain_tip(text)
    assert as_qt_shows(tip) == text
    if not QtGui.Qt.mightBeRichText(text):
        assert tip == text  # ordinary text stays as it is


def test_the_tooltip_qt_shows_draws_the_text_as_it_is(qtbot) -> None:
    """The tooltip window Qt opens (``QTipLabel``) gets the escaped text and draws it literally."""
    owner = QtWidgets.QWidget()
    qtbot.addWidget(owner)
    owner.show()
    QtWidgets.QToolTip.showText(owner.mapToGlobal(QtCore.QPoint(5, 5)), plain_tip(LIGHT), owner)
    try:
        tips = [w for w in QtWidgets.QApplication.topLevelWidgets()
                if w.metaObject().className() == "QTipLabel" and w.isVisible()]
        assert len(tips) == 1
        assert isinstance(tips[0], QtWidgets.QLabel)
        assert as_qt_shows(tips[0].text(), tips[0].textFormat()) == LIGHT
    finally:
        QtWidgets.QToolTip.hideText()


def test_the_unavailable_dock_shows_its_reason_as_it_is(qtbot, mock_max: MockMax) -> None:
    from vrdr_max.panel.unavailable import show_unavailable

    reason = f"pydantic in {MAP} is 1.10: the panel needs 2"
    dock = show_unavailable(reason)
    try:
        label = dock.widget()
        assert isinstance(label, QtWidgets.QLabel)
        assert shown(label) == reason
    finally:
        dock.deleteLater()


def test_a_probe_answer_in_html_is_shown_as_it_is_in_the_status_tooltip(panel: DRPanel) -> None:
    c = panel.controller
    assert c.remove_rows(list(range(len(c.entries())))) is None
    assert c.add_server("10.0.0.1") is None
    message = f"10.0.0.1:20204 refused: {MAP}"
    c.apply_probe_results([ProbeResult(host="10.0.0.1", port=20204, state=ProbeState.REFUSED,
                                       address="10.0.0.1", latency_ms=None, message=message)])
    c.probe_finished()
    tip = panel.model.index(0, STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert as_qt_shows(tip) == message


def test_a_pasted_line_in_html_is_shown_as_it_is_in_its_tooltip(panel: DRPanel) -> None:
    dialog = panel.dialogs.paste_dialog(f"{LIGHT}\n")
    model = dialog.previewTable.model()  # type: ignore[attr-defined]
    why = model.index(0, 2).data(Qt.ItemDataRole.DisplayRole)
    assert LIGHT in why  # the line is quoted in the reason it is refused
    assert as_qt_shows(model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)) == why
