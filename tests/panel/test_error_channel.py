"""One error channel, no silent failure (issue 16, item 10).

Every command returns or records its error, which the panel shows; the bugs found by mutation
are each pinned here by a test that fails when the bug comes back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from qtpy import QtWidgets

from mock_pymxs import MockMax
from vrdr_max.errors import HostError
from vrdr_max.panel import widgets
from vrdr_max.panel.controller import Event, InputField, Origin, PanelController
from vrdr_max.panel.widgets import DRPanel
from vrdr_max.ports import Mode
from vrdr_max.probe import ProbeResult, ProbeState

from .conftest import Dialogs, click_button


@pytest.fixture
def broken_studio(tmp_path: Path, monkeypatch) -> Path:
    studio = tmp_path / "studio.json"
    studio.write_text('{"version": 1, "defaults": {"probe_timeout": "soon"')  # cut short
    monkeypatch.setenv("VRDR_STUDIO_CONFIG", str(studio))
    return studio


def run_preflight(qtbot, panel: DRPanel) -> None:
    stepper = panel.preflight()
    assert stepper is not None
    with qtbot.waitSignal(stepper.finished, timeout=10_000):
        pass


def test_a_broken_studio_file_is_said_once_and_nothing_goes_dead(
        qtbot, broken_studio: Path, mock_max: MockMax, cfg: Path, dialogs: Dialogs) -> None:
    from vrdr_max.max_host import PymxsHost

    panel = DRPanel(PanelController(PymxsHost()), probe_timeout=0.5, probe_on_open=False)
    qtbot.addWidget(panel)
    panel.dialogs.run = dialogs  # type: ignore[method-assign]
    panel.show()
    assert panel.panelError.isVisible()
    assert "studio settings not used" in panel.panelError.text()
    assert str(broken_studio) in panel.panelError.text()
    run_preflight(qtbot, panel)  # with the built-in defaults
    assert panel.controller.finding_rows()
    assert panel.controller.pool_names() == []
    dialogs.answers.append(lambda dialog: False)
    panel.renderButton.click()  # the plan is shown (then cancelled)
    assert len(dialogs.shown) == 1
    assert panel.controller.add_server("127.0.0.1:9") is None
    assert panel.controller.remove_rows([0]) is None
    task = panel.probe()  # the built-in probe timeout
    assert task is not None
    with qtbot.waitSignal(task.finished, timeout=5_000):
        pass


def test_widgets_get_the_studio_config_through_the_controller() -> None:
    assert not hasattr(widgets, "load_effective")


def test_a_scene_that_cannot_be_read_is_said_in_the_panel(qtbot, panel: DRPanel,
                                                         monkeypatch) -> None:
    def broken() -> None:
        raise RuntimeError("-- Runtime error: scene is busy")

    monkeypatch.setattr(panel.controller.host, "read_scene_steps", broken)
    stepper = panel.preflight()
    assert stepper is not None
    with qtbot.waitSignal(stepper.finished, timeout=5_000):
        pass
    assert not panel.busy
    assert "the scene could not be read" in panel.panelError.text()
    assert panel.controller.report is None


def test_a_plan_that_fails_is_said_and_render_stays_usable(panel: DRPanel, monkeypatch,
                                                           dialogs: Dialogs) -> None:
    def refuse() -> None:
        raise HostError("3ds Max is busy")

    monkeypatch.setattr(panel.controller.host, "read_scene", refuse)
    assert panel.render_with_dr() is None
    assert "cannot plan the render" in panel.panelError.text()
    assert panel.renderButton.isEnabled()
    assert not dialogs.shown


def test_an_exception_in_a_scene_callback_is_shown(panel: DRPanel, mock_max: MockMax,
                                                   monkeypatch) -> None:
    def broken() -> None:
        raise HostError("renderer unreadable")

    monkeypatch.setattr(panel.controller.host, "read_renderer", broken)
    mock_max.open_scene("clean")  # #filePostOpen: the panel's refresh fails
    assert panel.controller.callback_errors
    assert "#filePostOpen" in panel.panelError.text()
    assert not mock_max.callback_errors  # 3ds Max's event itself went on


def test_a_cancelled_preflight_keeps_the_report_from_before(qtbot, panel: DRPanel) -> None:
    run_preflight(qtbot, panel)
    before = panel.summaryLabel.text()
    rows = panel.findingsTree.topLevelItemCount()
    assert "errors" in before
    stepper = panel.preflight()
    assert stepper is not None
    panel.cancelButton.click()
    with qtbot.waitSignal(stepper.finished, timeout=5_000):
        pass
    assert panel.summaryLabel.text() == f"preflight cancelled: the report from before: {before}"
    assert panel.findingsTree.topLevelItemCount() == rows


def test_a_cancelled_first_preflight_says_so(qtbot, panel: DRPanel) -> None:
    stepper = panel.preflight()
    assert stepper is not None
    panel.cancelButton.click()
    with qtbot.waitSignal(stepper.finished, timeout=5_000):
        pass
    assert panel.summaryLabel.text() == "preflight cancelled"


# -- the bugs found by mutation ----------------------------------------------------------------

def test_the_render_guard_speaks_after_a_render_with_dr(panel: DRPanel, mock_max: MockMax,
                                                       dialogs: Dialogs) -> None:
    """Mutation: ``_rendering`` not reset after Render with DR silences the guard for good."""
    panel.drEnabled.click()
    dialogs.answers += [lambda d: (d.findChild(QtWidgets.QLineEdit, "reasonEdit")
                                   .setText("test"), True)[1], lambda d: True]
    assert panel.render_with_dr() is not None
    prompts = len(mock_max.prompts)
    mock_max.runtime.execute("max quick render")  # 3ds Max's own Render button
    assert len(mock_max.prompts) == prompts + 1


def test_reload_clears_the_conflict(qtbot, panel: DRPanel, cfg: Path,
                                    dialogs: Dialogs) -> None:
    """Mutation: Reload left the conflict flag set, so nothing was saved after it."""
    cfg.write_bytes(b"their-server 1 20204\r\n")
    dialogs.answers.append(lambda box: click_button(box, "Reload"))
    panel.controller.add_server("render02")
    qtbot.waitUntil(lambda: len(dialogs.shown) == 1)
    assert panel.controller.conflict is False
    assert panel.controller.add_server("render03") is None
    assert b"render03 1 20204" in cfg.read_bytes()


def test_paste_pool_merge_and_discovery_leave_the_origin_of_listed_rows(
        panel: DRPanel, tmp_path: Path, monkeypatch) -> None:
    """Mutation: adding a batch relabelled rows already listed (file became added/pool)."""
    c = panel.controller
    studio = tmp_path / "studio.json"
    studio.write_text('{"version": 1, "pools": {"night": {"servers": ["artist-ws-07", "n1"]}}}')
    monkeypatch.setenv("VRDR_STUDIO_CONFIG", str(studio))
    assert c.paste("artist-ws-07\nrender10") is None
    assert c.apply_pool("night", merge=True) is None
    assert c.add_discovered(["render10", "10.0.0.9"]) is None
    origins = {e[0]: c.origin(e) for e in c.entries()}
    assert origins == {"artist-ws-07": (Origin.FILE, None), "render10": (Origin.ADDED, None),
                       "n1": (Origin.POOL, "night"), "10.0.0.9": (Origin.DISCOVERED, None)}
    assert panel.model.index(2, 4).data() == "night"  # the pool's name in the From column


def test_a_cell_edit_cannot_write_a_duplicate_line(panel: DRPanel, cfg: Path) -> None:
    """Mutation: the duplicate check of an edit compared the row with itself or not at all."""
    c = panel.controller
    assert c.add_server("render02") is None
    saved = cfg.read_bytes()
    model = panel.model
    assert not model.setData(model.index(1, 1), "ARTIST-WS-07")  # names compare case-blind
    assert "listed already" in panel.tableError.text()
    assert cfg.read_bytes() == saved
    assert model.setData(model.index(1, 1), "render02")  # itself: no change, no error
    assert c.edit_server(1, port="20205") is None
    assert b"render02 1 20205" in cfg.read_bytes()


def test_an_edit_within_its_own_port_range_is_no_duplicate(qtbot, mock_max: MockMax,
                                                          cfg: Path) -> None:
    """Mutation: the duplicate check counted the edited row itself."""
    from vrdr_max.max_host import PymxsHost

    cfg.write_bytes(b"render09 1 20204-20206\r\n")
    c = PanelController(PymxsHost())
    assert c.edit_server(0, port="20205") is None  # the range now starts one port later
    assert cfg.read_bytes().startswith(b"render09 1 20205-20206\r\n")


def test_a_partial_probe_is_not_judged_as_the_whole(panel: DRPanel, mock_max: MockMax) -> None:
    """Mutation: the answers that came were taken for every server's (a farm called down)."""
    c = panel.controller
    assert c.add_server("render02") is None
    c.apply_probe_results([ProbeResult(host="render02", port=20204, state=ProbeState.REFUSED,
                                       address="10.0.0.2", latency_ms=1.0, message="refused")])
    panel.drEnabled.click()
    findings = c.render_guard()
    assert all(f.check_id != "servers-offline" for f in findings)
    assert "nothing will render remotely" not in mock_max.prompts[-1]


def test_attach_twice_registers_the_callbacks_once(controller: PanelController,
                                                   mock_max: MockMax) -> None:
    """Mutation: a second attach() ran every scene callback twice."""
    controller.attach()  # the fixture attached already
    events: list[Event] = []
    controller.subscribe(events.append)
    mock_max.reset_scene()
    assert events.count(Event.SCENE) == 1


def test_every_controller_error_reaches_a_field_or_the_panel(panel: DRPanel) -> None:
    """Each input field's error has a place on screen."""
    shown_somewhere = {InputField.ADD, InputField.PASTE, InputField.NUMA, InputField.POOL,
                       InputField.EDIT, InputField.SAVE, InputField.DISPATCHER,
                       InputField.MAX_SERVERS, InputField.CACHE_LIMIT, InputField.OPTION,
                       InputField.STUDIO, InputField.EVENT, InputField.PROBE,
                       InputField.PREFLIGHT, InputField.RENDER, InputField.FIX,
                       InputField.SELECT, InputField.MODE, InputField.FARM}
    assert shown_somewhere == set(InputField)
    panel.controller.set_mode(Mode.DR2)  # the dispatcher's fields show in DR2
    for field in shown_somewhere:
        panel.controller.errors.clear()
        panel.controller._fail(field, f"boom {field.value}")
        labels = [w for w in panel.findChildren(QtWidgets.QLabel) if w.isVisible()
                  and f"boom {field.value}" in w.text()]
        assert labels, field
