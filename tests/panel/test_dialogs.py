"""The panel's dialogs as the artist sees them (offscreen): plan, report, paste, conflict,
NUMA, fix choice; every one resizable."""

from __future__ import annotations

from pathlib import Path

import pytest
from qtpy import QtCore, QtWidgets

from mock_pymxs import MockMax
from vrdr_max.demo import ARTIST_CFG
from vrdr_max.panel import dialogs as dlg
from vrdr_max.panel.widgets import DRPanel
from vrdr_max.probe import ProbeResult, ProbeState

from .conftest import Dialogs, click_button

Qt = QtCore.Qt
UNKNOWN = b"some_future_key 1\r\n"


def server_lines(cfg: Path) -> list[bytes]:
    return [line for line in cfg.read_bytes().split(b"\r\n")
            if line.endswith((b" 20204", b" 20205", b" 30000", b" 30001"))]


def answer(host: str, port: int, state: ProbeState) -> ProbeResult:
    return ProbeResult(host=host, port=port, state=state, address="127.0.0.1",
                       latency_ms=1.0 if state is ProbeState.ONLINE else None, message=state.value)


def fix_buttons(dialog: QtWidgets.QDialog) -> list[str]:
    return [b.objectName() for b in dialog.findChildren(QtWidgets.QToolButton)
            if b.objectName().startswith("fix:")]


def test_the_plan_opens_with_errors_first_each_with_its_fix_and_details_behind_a_toggle(
        panel: DRPanel, dialogs: Dialogs, mock_max: MockMax) -> None:
    seen: dict[str, object] = {}

    def choose_lights(dialog: QtWidgets.QDialog) -> bool:
        assert isinstance(dialog, dlg.FixDialog)
        seen["choices"] = [r.objectName() for r in dialog.radios.values()]
        return True  # the first choice is picked already

    def look(dialog: QtWidgets.QDialog) -> bool:
        assert isinstance(dialog, dlg.PlanDialog)
        lines = dialog.line_texts()
        seen["before"] = lines
        errors = [line for line in lines if line.startswith("✗")]
        assert errors and lines[:len(errors)] == errors
        assert "fix:turn-on-lights" in fix_buttons(dialog)
        assert not dialog.textView.isVisibleTo(dialog)  # cfg lines behind Details
        dialog.detailsButton.click()
        assert dialog.textView.isVisibleTo(dialog)
        assert "artist-ws-07 1 20204" in dialog.textView.toPlainText()
        assert all("artist-ws-07 1 20204" not in line for line in lines)
        dialogs.answers.append(choose_lights)
        dialog.findChild(QtWidgets.QToolButton, "fix:turn-on-lights").click()
        seen["after"] = dialog.line_texts()
        return False  # cancel: nothing renders

    dialogs.answers.append(look)
    assert panel.render_with_dr() is None
    assert seen["choices"] == ["choice:turn-on-lights", "choice:add-dome-light"]
    assert mock_max.undo_records == ["vrdr: turn on 3 light(s)"]
    assert any("default lights" in line for line in seen["before"])  # type: ignore[union-attr]
    assert not any("default lights" in line for line in seen["after"])  # type: ignore[union-attr]
    assert "✓ Your settings come back afterwards: the server list file and Render Setup's DR " \
        "switch are put back as they are now" in seen["after"]  # type: ignore[operator]
    assert not mock_max.renders


def test_only_servers_that_answered_is_on_after_a_probe_and_renders_without_the_dead(
        panel: DRPanel, dialogs: Dialogs, mock_max: MockMax) -> None:
    c = panel.controller
    for host in ("render02", "render03"):
        assert c.add_server(host) is None
    c.apply_probe_results([answer("artist-ws-07", 20204, ProbeState.ONLINE),
                           answer("render02", 20204, ProbeState.ONLINE),
                           answer("render03", 20204, ProbeState.TIMEOUT)])
    seen: dict[str, object] = {}

    def plan(dialog: QtWidgets.QDialog) -> bool:
        assert isinstance(dialog, dlg.PlanDialog)
        box = dialog.onlineBox
        assert box.isEnabled() and box.isChecked()
        assert box.text() == "Only servers that answered the probe: 2 of 3 switched on"
        seen["on"] = dialog.line_texts()
        box.setChecked(False)
        seen["off"] = dialog.line_texts()
        box.setChecked(True)
        dialog.reasonEdit.setText("lookdev")  # the demo scene keeps errors
        return True

    dialogs.answers += [plan, lambda _report: True]
    assert panel.render_with_dr() is not None
    assert ("i 1 server left out because it did not answer the probe: render03:20204"
            in seen["on"])  # type: ignore[operator]
    assert "✓ 3 servers and this machine will render" in seen["off"]  # type: ignore[operator]
    written = mock_max.renders[-1].cfg_files["vray_dr.cfg"].splitlines()
    assert "render02 1 20204" in written and "render03 0 20204" in written


def test_without_a_whole_probe_the_box_is_off_and_says_probe_first(
        panel: DRPanel, dialogs: Dialogs) -> None:
    seen: list[tuple[bool, bool, str]] = []

    def plan(dialog: QtWidgets.QDialog) -> bool:
        box = dialog.onlineBox  # type: ignore[attr-defined]
        seen.append((box.isEnabled(), box.isChecked(), box.text()))
        return False

    dialogs.answers.append(plan)
    panel.render_with_dr()
    assert seen == [(False, False, "Only servers that answered the probe (probe first: F5)")]


def test_the_report_is_one_line_a_step_in_words_with_copy(
        panel: DRPanel, dialogs: Dialogs) -> None:
    seen: list[str] = []

    def report(dialog: QtWidgets.QDialog) -> bool:
        seen.extend(dialog.line_texts())  # type: ignore[attr-defined]
        assert not dialog.textView.isVisibleTo(dialog)  # type: ignore[attr-defined]
        click_button(dialog, "Copy")
        return True

    def plan(dialog: QtWidgets.QDialog) -> bool:
        dialog.reasonEdit.setText("client review")  # type: ignore[attr-defined]
        return True

    dialogs.answers += [plan, report]
    panel.render_with_dr()
    assert seen[0].startswith("! Went ahead despite")
    assert seen[1:6] == ["✓ Read vray_dr.cfg as it is now",
                         "✓ Wrote the server list to vray_dr.cfg",
                         "✓ Switched distributed rendering on in Render Setup",
                         "✓ Noted the DR settings in the scene",
                         "✓ Rendered: every frame finished"]
    assert seen[-1] == "✓ Your settings are back as they were"
    copied = QtWidgets.QApplication.clipboard().text()
    assert copied.startswith("Rendered with DR\n! Went ahead despite")
    assert "status: rendered" in copied


def test_paste_shows_each_line_and_adds_what_the_artist_keeps(
        panel: DRPanel, cfg: Path, dialogs: Dialogs) -> None:
    seen: dict[str, object] = {}

    def preview(dialog: QtWidgets.QDialog) -> bool:
        assert isinstance(dialog, dlg.PasteDialog)
        model = dialog.previewTable.model()
        seen["status"] = [dialog.status_of(r).split(":")[0] for r in range(model.rowCount())]
        ok = dialog.ok_button()
        seen["ok"] = [ok.text()]
        typo = model.index(1, dlg.PasteDialog.LINE)
        checkable = model.flags(typo) & Qt.ItemFlag.ItemIsUserCheckable
        assert checkable and typo.data(Qt.ItemDataRole.CheckStateRole) is not None
        model.setData(typo, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)  # keep it ...
        seen["ok"].append(ok.text())  # type: ignore[attr-defined]
        model.setData(typo, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
        model.setData(typo, "node05", Qt.ItemDataRole.EditRole)  # ... no: edit it in place
        QtWidgets.QApplication.processEvents()
        seen["edited"] = dialog.status_of(1)
        seen["text"] = dialog.textEdit.toPlainText()
        seen["ok"].append(ok.text())  # type: ignore[attr-defined]
        dialog.accept()
        return dialog.result() == QtWidgets.QDialog.DialogCode.Accepted

    dialogs.answers.append(preview)
    panel.dialogs.paste("render10\t20204\nnode 05\nnot a host!\nartist-ws-07\n")
    assert seen["status"] == ["new", "to check", "invalid", "already listed"]
    assert seen["ok"] == ["Add 1", "Add 2", "Add 2"]
    assert seen["edited"] == "new"
    assert seen["text"] == "render10\t20204\nnode05\nnot a host!\nartist-ws-07\n"
    assert server_lines(cfg)[1:] == [b"render10 1 20204", b"node05 1 20204"]


def test_conflict_shows_what_changed_and_applies_my_change_to_the_new_file(
        qtbot, panel: DRPanel, cfg: Path, dialogs: Dialogs) -> None:
    theirs = b"their-server 1 20204\r\nsome_future_key 2\r\n"
    cfg.write_bytes(theirs)  # V-Ray's own dialog saved meanwhile
    seen: dict[str, str] = {}

    def decide(dialog: QtWidgets.QDialog) -> bool:
        assert isinstance(dialog, dlg.ConflictDialog)
        assert not dialog.diffView.isVisibleTo(dialog)
        click_button(dialog, "Show what changed")
        assert dialog.diffView.isVisibleTo(dialog)
        seen["diff"] = dialog.diffView.toPlainText()
        assert cfg.read_bytes() == theirs  # looking changes nothing
        return click_button(dialog, "Apply my change to the new file")

    dialogs.answers.append(decide)
    panel.addEdit.setText("render02")
    panel.addButton.click()
    qtbot.waitUntil(lambda: len(dialogs.shown) == 1)
    assert "-artist-ws-07 1 20204" in seen["diff"]
    assert "+their-server 1 20204" in seen["diff"]
    assert "+some_future_key 2" in seen["diff"]
    assert cfg.read_bytes().startswith(
        b"their-server 1 20204\r\nrender02 1 20204\r\nsome_future_key 2\r\n")
    assert not panel.controller.conflict
    assert [s.endpoint for s in panel.controller.settings.servers] == [
        "their-server:20204", "render02:20204"]


def test_numa_fields_write_the_flags_warn_live_copy_the_command_and_group_by_host(
        panel: DRPanel, cfg: Path, dialogs: Dialogs) -> None:
    assert panel.controller.add_server("numa01:30001") is None
    seen: dict[str, object] = {}

    def fill(dialog: QtWidgets.QDialog) -> bool:
        assert isinstance(dialog, dlg.NumaDialog)
        dialog.hostEdit.setText("numa01")
        dialog.nodesSpin.setValue(4)
        dialog.processesSpin.setValue(0)  # one per NUMA node
        seen["flags"] = [dialog.argsEdit.text()]
        seen["warning"] = dialog.warningLabel.text()  # 20205-20207: other DR servers' ports
        dialog.argsEdit.setText("-numa=2 -port=30000")
        seen["fields"] = (dialog.processesSpin.value(), dialog.portSpin.value())
        dialog.portSpin.setValue(30000)
        seen["tree"] = dialog.preview_lines()
        seen["listed"] = dialog.warningLabel.text()
        seen["ok"] = dialog.ok_button().text()
        dialog.copyCommandButton.click()
        return dialog.ok_button().isEnabled()

    dialogs.answers.append(fill)
    panel.numaButton.click()
    assert seen["flags"] == ["-numa"]
    assert "process 2 listens on port 20205" in seen["warning"]  # type: ignore[operator]
    assert seen["fields"] == (2, 30000)
    assert seen["tree"] == ["numa01: 2 render processes",
                            "  process 1: NUMA nodes 0,1, port 30000",
                            "  process 2: NUMA nodes 2,3, port 30001 (listed already)"]
    assert seen["listed"] == "Warning: numa01:30001 is listed already"
    assert seen["ok"] == "Add 1"
    assert QtWidgets.QApplication.clipboard().text() == (
        r"C:\ProgramData\Autodesk\ApplicationPlugins\VRay3dsMax2025\bin\vrayspawner2025.exe"
        " -numa=2 -port=30000")
    assert server_lines(cfg)[1:] == [b"numa01 1 30001", b"numa01 1 30000"]


def test_the_default_lights_fix_offers_the_scenes_lights_then_a_dome(
        qtbot, panel: DRPanel, dialogs: Dialogs, mock_max: MockMax) -> None:
    panel.controller.preflight()
    seen: list[list[str]] = []

    def pick_dome(dialog: QtWidgets.QDialog) -> bool:
        assert isinstance(dialog, dlg.FixDialog)
        seen.append([r.text() for r in dialog.radios.values()])
        seen.append([dialog.subjectList.item(i).text()
                     for i in range(dialog.subjectList.count())])
        dialog.radios["add-dome-light"].setChecked(True)
        return True

    dialogs.answers.append(pick_dome)
    panel.findingsTree.findChild(QtWidgets.QToolButton, "fix:turn-on-lights").click()
    assert seen == [["Switch on and show the scene's lights that are off or hidden",
                     "Add a V-Ray dome light so DR has a light to render"],
                    ["Ceiling_Light_Panel (hidden)", "Spot_Photometric (off)",
                     "IES_Downlight (off)"]]
    assert [c.class_name for c in mock_max.created] == ["VRayLight"]


def open_dialog(panel: DRPanel, which: str) -> QtWidgets.QDialog:
    """Build and show one of the panel's dialogs by name."""
    factory = panel.dialogs
    c = panel.controller
    if which == "plan":
        dialog: QtWidgets.QDialog = factory.plan_dialog(c.plan())
    elif which == "report":
        dialog = factory.report_dialog(c.render(c.plan(), "test"))
    elif which == "paste":
        dialog = factory.paste_dialog("render10\nnode 05\n")
    elif which == "numa":
        dialog = dlg.NumaDialog(factory)
    elif which == "conflict":
        dialog = dlg.ConflictDialog(factory)
    else:
        finding = next(f for f in c.preflight().findings if f.check_id == "default-lights")
        dialog = dlg.FixDialog(factory, finding)
    dialog.show()
    return dialog


@pytest.mark.parametrize("which", ["plan", "report", "paste", "numa", "conflict", "fix"])
def test_every_dialog_can_be_resized(panel: DRPanel, cfg: Path, which: str) -> None:
    dialog = open_dialog(panel, which)
    assert dialog.isSizeGripEnabled()
    dialog.resize(900, 700)
    QtWidgets.QApplication.processEvents()
    assert (dialog.width(), dialog.height()) == (900, 700)
    dialog.resize(200, 150)  # and back down, as far as its contents allow
    QtWidgets.QApplication.processEvents()
    assert dialog.width() < 900 and dialog.height() < 700
    assert dialog.width() <= max(dialog.minimumSizeHint().width(), 200)
    dialog.close()
    assert cfg.read_bytes() == ARTIST_CFG or which == "report"


def layout_item_wrappers() -> int:
    """Python wrappers alive of layout items that are no QObject (spacers, widget items):
    PySide never learns of their C++ deletion, so a later object at a freed item's address
    would come back to Python as that item."""
    import gc
    return sum(1 for o in gc.get_objects() if isinstance(o, QtWidgets.QLayoutItem)
               and not isinstance(o, QtCore.QObject))


@pytest.mark.parametrize("which", ["plan", "report", "paste", "numa", "conflict", "fix"])
def test_a_deleted_dialog_leaves_no_wrapper_of_its_layout_items(
        panel: DRPanel, which: str) -> None:
    before = layout_item_wrappers()
    dialog = open_dialog(panel, which)
    QtWidgets.QApplication.processEvents()
    dialog.deleteLater()
    QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    assert layout_item_wrappers() == before


def test_the_fix_choice_shows_what_it_changes_under_its_first_choice(
        panel: DRPanel) -> None:
    finding = next(f for f in panel.controller.preflight().findings
                   if f.check_id == "default-lights")
    dialog = dlg.FixDialog(panel.dialogs, finding)
    dialog.show()
    QtWidgets.QApplication.processEvents()
    first, second = dialog.radios.values()
    listing = dialog.subjectList
    assert first.y() < listing.y() < second.y()
    assert listing.x() > first.x()  # indented under the choice it belongs to
    dialog.close()
