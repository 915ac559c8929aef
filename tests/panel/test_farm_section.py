"""The panel's Farm section (issue 17 item 4) with pytest-qt, against the fake Web Service.

Reserve from the panel, the machines in the table with source farm, Release, a refused login,
the Web Service down or misnamed, a reservation left behind offered on open, and closing the
dock or 3ds Max with a reservation open. Loopback only: the fake farm of tests/farm.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from farm.conftest import farm  # noqa: F401 - the fake farm fixture of tests/farm
from farm.fake_deadline import JOB_COMPLETED, FakeDeadline
from farm.helpers import (
    PASSWORD,
    USER,
    assert_no_secret,
    assert_no_secret_in_files,
    write_user_config,
)
from qtpy import QtCore, QtWidgets

from mock_pymxs import MockMax
from vrdr_max.demo import ARTIST_CFG
from vrdr_max.farm.credentials import Credentials
from vrdr_max.farm.deadline import DeadlineClient
from vrdr_max.farm.http import WebService
from vrdr_max.farm.records import RecordStore
from vrdr_max.farm.reservation import ReserveOptions, reserve
from vrdr_max.farm.urls import parse_service_url
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.dock import PanelDock
from vrdr_max.panel.server_table import HOST, SOURCE
from vrdr_max.panel.widgets import DRPanel
from vrdr_max.ports import Engine

from .conftest import Dialogs, click_button

Answer = Callable[[QtWidgets.QDialog], bool]
ANSWERING = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
"""The fake farm's machines that take a job in pool dr and whose spawners answer."""


def log_in(user: str, password: str) -> Answer:
    """Answer the login dialog with ``user`` and ``password``."""
    def answer(dialog: QtWidgets.QDialog) -> bool:
        dialog.findChild(QtWidgets.QLineEdit, "userEdit").setText(user)
        dialog.findChild(QtWidgets.QLineEdit, "passwordEdit").setText(password)
        return True
    return answer


def press(text: str) -> Answer:
    return lambda dialog: click_button(dialog, text)


@pytest.fixture
def farm_config(farm: FakeDeadline) -> Path:  # noqa: F811 - the fixture above
    """The user config (``VRDR_USER_CONFIG``) pointing vrdr at the fake farm."""
    path = Path(os.environ["VRDR_USER_CONFIG"])
    write_user_config(path, farm)
    return path


def make_panel(qtbot, dialogs: Dialogs) -> DRPanel:
    from vrdr_max.max_host import PymxsHost

    controller = PanelController(PymxsHost())
    controller.attach()
    # No probe on open: the artist's cfg lists a host name, which must not be looked up.
    widget = DRPanel(controller, probe_timeout=1.0, probe_on_open=False)
    widget.dialogs.run = dialogs  # type: ignore[method-assign]
    qtbot.addWidget(widget)
    widget.resize(400, 1000)
    widget.show()
    return widget


@pytest.fixture
def fpanel(qtbot, mock_max: MockMax, cfg: Path, farm_config: Path,
           dialogs: Dialogs) -> Iterator[DRPanel]:
    widget = make_panel(qtbot, dialogs)
    yield widget
    widget.controller.detach()


def finish(qtbot, panel: DRPanel) -> None:
    """Wait for the farm's job, then for the probe it may start."""
    task = panel.farm_panel.task
    if task is not None:
        with qtbot.waitSignal(task.finished, timeout=15_000):
            pass
    qtbot.waitUntil(lambda: not panel.busy and panel.farm_panel.task is None, timeout=10_000)


def unfold(panel: DRPanel) -> None:
    """Open the section by its head (it opens by itself when the studio names a farm)."""
    if not panel.farmToggle.isChecked():
        panel.farmToggle.click()
    assert not panel.farmBody.isHidden()


def reserve_from_panel(qtbot, panel: DRPanel, dialogs: Dialogs, count: int = 4) -> None:
    unfold(panel)
    panel.farmUser.setText(USER)
    panel.farmCount.setValue(count)
    assert panel.farmReserve.text() == f"Reserve {count}"
    dialogs.answers.append(log_in(USER, PASSWORD))
    panel.farmReserve.click()
    assert panel.farm_panel.task is not None, "Reserve starts a job on a worker"
    assert panel.farmProgress.isVisible() and panel.farmCancel.isVisible()
    finish(qtbot, panel)


def column(panel: DRPanel, col: int) -> list[str]:
    return [str(panel.model.index(r, col).data()) for r in range(panel.model.rowCount())]


def visible_texts(panel: DRPanel) -> list[str]:
    """Every label's text and every widget's tooltip in the panel (what could show a secret)."""
    texts = [w.text() for w in panel.findChildren(QtWidgets.QLabel)]
    texts += [w.toolTip() for w in panel.findChildren(QtWidgets.QWidget)]
    texts += [panel.farmProgress.format(), panel.farmToggle.text()]
    return texts


def cfg_hosts(path: Path) -> list[str]:
    return [line.split()[0] for line in path.read_text().splitlines()
            if line.split() and line.split()[0][0].isdigit()]


# -- reserve and release ------------------------------------------------------------------------

def test_reserve_writes_only_the_machines_that_answered_and_shows_them_with_source_farm(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        farm_config: Path, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    request = WebService.request

    def watched(self: WebService, *args: object, **kwargs: object) -> bytes:
        threads.append(threading.current_thread().name)
        return request(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(WebService, "request", watched)
    reserve_from_panel(qtbot, fpanel, dialogs)
    assert [d.windowTitle() for d in dialogs.shown] == ["Deadline login"]
    # The farm handed out render01-04; render04's spawner never listens: it is not written.
    assert sorted(cfg_hosts(cfg)) == ANSWERING
    assert sorted(column(fpanel, HOST)) == ANSWERING
    assert column(fpanel, SOURCE) == ["farm"] * 3
    assert [fpanel.status_of(r).split()[0] for r in range(3)] == ["online"] * 3  # probed
    status = fpanel.farmStatus.text()
    assert "3 of 4 machines answered" in status
    assert "Took the job and did not answer: render04 (127.0.0.5)" in status
    job = fpanel.controller.farm.reserved_job
    assert fpanel.farmToggle.text() == f"Farm: job {job}, 3 machines reserved"
    assert fpanel.farmRelease.isEnabled() and not fpanel.farmReserve.isEnabled()
    # Every request to the Web Service ran on a worker thread, none on the UI thread.
    assert threads and "MainThread" not in threads
    assert set(threads) == {"vrdr-panel-task"}
    assert_no_secret(*visible_texts(fpanel))
    assert_no_secret_in_files(farm_config.parent)


def test_release_restores_the_cfg_byte_for_byte_and_shows_the_artists_list(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        farm_config: Path, dialogs: Dialogs) -> None:
    reserve_from_panel(qtbot, fpanel, dialogs)
    assert cfg.read_bytes() != ARTIST_CFG
    fpanel.farmRelease.click()
    finish(qtbot, fpanel)
    assert cfg.read_bytes() == ARTIST_CFG
    assert farm.only_job().stat == JOB_COMPLETED
    assert column(fpanel, HOST) == ["artist-ws-07"]
    assert column(fpanel, SOURCE) == ["file"]
    assert "your server list is back" in fpanel.farmStatus.text()
    assert fpanel.farmReserve.isEnabled() and not fpanel.farmRelease.isEnabled()
    assert list((farm_config.parent / "farm-reservations").glob("*.json")) == []
    assert len(dialogs.shown) == 1  # the login of the reservation served the release too


def test_edits_that_would_write_the_cfg_wait_for_the_release(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        dialogs: Dialogs) -> None:
    reserve_from_panel(qtbot, fpanel, dialogs)
    written = cfg.read_bytes()
    fpanel.addEdit.setText("render77")
    fpanel.addButton.click()
    assert "farm reservation's" in fpanel.addError.text()
    fpanel.useLocalHost.click()
    assert cfg.read_bytes() == written


def test_cancel_undoes_the_reservation(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        farm_config: Path, dialogs: Dialogs) -> None:
    write_user_config(farm_config, farm, wait=30.0)  # render04 never answers: a long wait
    fpanel.farmUser.setText(USER)
    dialogs.answers.append(log_in(USER, PASSWORD))
    fpanel.farmReserve.click()
    task = fpanel.farm_panel.task
    assert task is not None and not fpanel.renderButton.isEnabled()
    qtbot.waitUntil(lambda: farm.jobs != {} and "answered" in fpanel.farmProgress.format(),
                    timeout=10_000)
    fpanel.farmCancel.click()
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert farm.only_job().stat == JOB_COMPLETED
    assert cfg.read_bytes() == ARTIST_CFG
    assert "Reservation cancelled" in fpanel.farmStatus.text()
    assert fpanel.renderButton.isEnabled() and fpanel.farmReserve.isEnabled()


# -- what goes wrong: one line, the URL and the status, never the password ----------------------

def test_a_refused_login_is_one_line_without_the_password_and_is_asked_again(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        dialogs: Dialogs) -> None:
    fpanel.farmUser.setText(USER)
    dialogs.answers.append(log_in(USER, "Wrong-pass-77"))
    fpanel.farmReserve.click()
    finish(qtbot, fpanel)
    error = fpanel.farmError.text()
    assert fpanel.farmError.isVisible()  # the section is folded: the error shows anyway
    assert "\n" not in error and "Traceback" not in error
    assert f"POST {farm.url}/api/jobs: HTTP 401" in error and f"user {USER}" in error
    assert all("Wrong-pass-77" not in text for text in visible_texts(fpanel))
    assert cfg.read_bytes() == ARTIST_CFG and farm.jobs == {}
    dialogs.answers.append(log_in(USER, PASSWORD))  # asked again, not kept
    fpanel.farmReserve.click()
    finish(qtbot, fpanel)
    assert len(dialogs.shown) == 2
    assert fpanel.farmError.text() == "" and len(farm.jobs) == 1


def test_the_web_service_down_is_one_line_naming_the_url(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        dialogs: Dialogs) -> None:
    farm.stop_http()
    dialogs.answers.append(log_in(USER, PASSWORD))
    fpanel.farm_panel.read_lists()
    finish(qtbot, fpanel)
    error = fpanel.farmError.text()
    assert error.startswith(f"GET {farm.url}/api/pools: connection refused")
    assert "\n" not in error and PASSWORD not in error


def test_a_bad_url_is_one_line_and_nothing_is_asked_of_the_network(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        dialogs: Dialogs) -> None:
    unfold(fpanel)
    fpanel.farmUrl.setText("ftp://deadline01:8082")
    dialogs.answers.append(log_in(USER, PASSWORD))
    assert fpanel.farm_panel.reserve() is None
    error = fpanel.farmError.text()
    assert '"ftp://deadline01:8082" must start with http:// or https://' in error
    assert "\n" not in error and farm.requests == []


def test_the_pools_and_groups_are_read_from_the_farm(
        qtbot, fpanel: DRPanel, farm: FakeDeadline, dialogs: Dialogs) -> None:  # noqa: F811
    unfold(fpanel)
    assert [fpanel.farmPool.itemText(i) for i in range(fpanel.farmPool.count())] == [
        "(none)", "dr"]  # the studio's pool before the farm is asked
    dialogs.answers.append(log_in("", ""))  # an empty user: "the Web Service has no login"
    fpanel.farmRefresh.click()
    finish(qtbot, fpanel)
    # This one wants a login: one line that says how to give it; the lists stay as they were.
    assert "no user given: type your Deadline user name" in fpanel.farmError.text()
    assert fpanel.farmPool.count() == 2
    dialogs.answers.append(log_in(USER, PASSWORD))  # asked again after the refusal
    fpanel.farmRefresh.click()
    finish(qtbot, fpanel)
    assert [fpanel.farmPool.itemText(i) for i in range(fpanel.farmPool.count())] == [
        "(none)", "dr", "sim"]
    assert fpanel.farmPool.currentText() == "dr"
    assert fpanel.farmError.text() == "" and not fpanel.farmError.isVisible()


# -- Render with DR ----------------------------------------------------------------------------

def test_the_plan_says_the_servers_come_from_the_farm_reservation(
        qtbot, fpanel: DRPanel, farm: FakeDeadline, dialogs: Dialogs) -> None:  # noqa: F811
    reserve_from_panel(qtbot, fpanel, dialogs)
    plan = fpanel.controller.plan()
    assert plan is not None and plan.restore
    job = fpanel.controller.farm.reserved_job
    lines = fpanel.dialogs.plan_dialog(plan).line_texts()
    assert (f"✓ 3 servers from the farm reservation (Deadline job {job}) and this machine will "
            "render") in lines
    assert any("Release in the Farm section gives them back" in line for line in lines)


# -- reservations left behind; closing -----------------------------------------------------------

def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(10)
    return proc.pid


def test_a_reservation_left_behind_is_offered_on_open_and_released(
        qtbot, mock_max: MockMax, cfg: Path, farm: FakeDeadline,  # noqa: F811
        farm_config: Path, dialogs: Dialogs) -> None:
    # A 3ds Max that reserved and was killed: its record names a process that is gone.
    store = RecordStore(farm_config.parent / "farm-reservations")
    client = DeadlineClient(WebService(parse_service_url(farm.url), Credentials(USER, PASSWORD),
                                       timeout=2.0))
    made = reserve(client, ReserveOptions(servers=2, engine=Engine.CPU, max_year=2026,
                                          port=farm.spawner_port, pool="dr", wait=2.0,
                                          poll_interval=0.05, probe_timeout=0.3),
                   cfg, store=store, session=True, local_names=frozenset())
    assert made.ok and cfg.read_bytes() != ARTIST_CFG
    record = store.load(str(made.job_id))
    assert record is not None
    record.pid = dead_pid()
    store.save(record)
    assert record.stale()
    dialogs.answers += [press("Release"), log_in(USER, PASSWORD)]
    panel = make_panel(qtbot, dialogs)
    qtbot.waitUntil(lambda: len(dialogs.shown) == 2, timeout=5_000)
    offer = dialogs.shown[0]
    assert offer.windowTitle() == "Farm reservations left behind"
    assert "left behind by a 3ds Max that closed" in offer.headLabel.text()
    assert str(made.job_id) in offer.reservationList.item(0).text()
    finish(qtbot, panel)
    assert cfg.read_bytes() == ARTIST_CFG
    assert farm.only_job().stat == JOB_COMPLETED
    assert store.all() == ([], [])
    assert column(panel, HOST) == ["artist-ws-07"]
    panel.controller.detach()


def test_closing_the_dock_with_a_reservation_open_asks(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        dialogs: Dialogs) -> None:
    reserve_from_panel(qtbot, fpanel, dialogs)
    main = QtWidgets.QMainWindow()
    dock = PanelDock(fpanel, main)
    main.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
    main.show()
    qtbot.waitUntil(dock.isVisible)
    dialogs.answers.append(press("Cancel"))
    dock.close()
    assert dock.isVisible() and fpanel.controller.attached  # Cancel keeps the panel open
    asked = dialogs.shown[-1]
    assert asked.windowTitle() == "Farm reservation open"
    assert "3 farm machines reserved in job" in asked.headLabel.text()
    dialogs.answers.append(press("Release"))
    dock.close()
    assert not dock.isVisible()
    finish(qtbot, fpanel)
    assert cfg.read_bytes() == ARTIST_CFG
    assert farm.only_job().stat == JOB_COMPLETED
    fpanel.setParent(None)  # the panel fixture closes it; the window goes without it
    main.deleteLater()


def test_closing_3ds_max_with_a_reservation_open_asks_and_releases(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        mock_max: MockMax, dialogs: Dialogs) -> None:
    reserve_from_panel(qtbot, fpanel, dialogs)
    dialogs.answers.append(press("Release"))
    mock_max.shut_down()  # #preSystemShutdown: the release ends before 3ds Max goes on
    asked = dialogs.shown[-1]
    assert asked.windowTitle() == "Farm reservation open"
    buttons = [b.text() for b in asked.findChildren(QtWidgets.QAbstractButton)]
    assert "Cancel" not in buttons  # 3ds Max's closing cannot be stopped from here
    assert cfg.read_bytes() == ARTIST_CFG
    assert farm.only_job().stat == JOB_COMPLETED
    assert mock_max.callback_errors == []


def test_3ds_max_closing_still_asks_after_the_dock_was_closed_keeping_it(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        mock_max: MockMax, dialogs: Dialogs) -> None:
    reserve_from_panel(qtbot, fpanel, dialogs)
    written = cfg.read_bytes()
    dialogs.answers.append(press("Keep reserved"))
    assert fpanel.ask_before_close(can_cancel=True) is True
    fpanel.shutdown()  # the dock's close after "Keep reserved"
    assert not fpanel.controller.attached and cfg.read_bytes() == written
    dialogs.answers.append(press("Release"))
    mock_max.shut_down()
    assert cfg.read_bytes() == ARTIST_CFG
    assert farm.only_job().stat == JOB_COMPLETED


def test_the_section_opens_when_the_studio_names_a_farm(qtbot, fpanel: DRPanel) -> None:
    assert fpanel.farmBody.isVisible()
    assert fpanel.farmToggle.text() == "Farm: nothing reserved"
    assert fpanel.farmWait.text() == ("Waits up to 1 s for the machines to answer (farm.wait in "
                                      "the studio config)")


def test_without_a_farm_the_section_is_one_folded_line(qtbot, panel: DRPanel) -> None:
    assert not panel.farmBody.isVisible() and panel.farmToggle.isVisible()
    assert panel.farmToggle.text() == "Farm: no Deadline Web Service set"
    panel.farmToggle.click()
    assert panel.farmBody.isVisible()


def test_removing_the_dock_with_a_reservation_open_asks_and_waits_for_the_release(
        qtbot, mock_max: MockMax, cfg: Path, farm: FakeDeadline,  # noqa: F811
        farm_config: Path, dialogs: Dialogs) -> None:
    from vrdr_max.panel import show_panel
    from vrdr_max.panel.dock import close_panel

    dock = show_panel()
    dock.parent().show()  # 3ds Max's main window
    panel = dock.widget()
    assert isinstance(panel, DRPanel)
    panel.dialogs.run = dialogs  # type: ignore[method-assign]
    reserve_from_panel(qtbot, panel, dialogs)
    dialogs.answers.append(press("Release"))
    assert close_panel()
    assert dialogs.shown[-1].windowTitle() == "Farm reservation open"
    assert cfg.read_bytes() == ARTIST_CFG  # released before the panel went
    assert farm.only_job().stat == JOB_COMPLETED
    mock_max.shut_down()  # nothing left to ask about, nothing listening
    assert mock_max.callback_errors == []


def test_closing_while_the_release_runs_asks_nothing_more(
        qtbot, fpanel: DRPanel, cfg: Path, farm: FakeDeadline,  # noqa: F811
        dialogs: Dialogs) -> None:
    reserve_from_panel(qtbot, fpanel, dialogs)
    fpanel.farmRelease.click()
    assert fpanel.farm_panel.task is not None
    assert fpanel.ask_before_close(can_cancel=True) is True  # no dialog: it is being released
    finish(qtbot, fpanel)
    assert cfg.read_bytes() == ARTIST_CFG and len(dialogs.shown) == 1


def test_opening_probes_the_list_the_release_of_a_left_behind_reservation_brings_back(
        qtbot, mock_max: MockMax, cfg: Path, farm: FakeDeadline,  # noqa: F811
        farm_config: Path, dialogs: Dialogs) -> None:
    from vrdr_max.demo import stand_in_cfg, stand_in_servers
    from vrdr_max.max_host import PymxsHost

    with stand_in_servers() as own:
        cfg.write_bytes(stand_in_cfg([s.port for s in own]))  # the artist's list: loopback
        artist = cfg.read_bytes()
        store = RecordStore(farm_config.parent / "farm-reservations")
        client = DeadlineClient(WebService(parse_service_url(farm.url),
                                           Credentials(USER, PASSWORD), timeout=2.0))
        made = reserve(client, ReserveOptions(servers=2, engine=Engine.CPU, max_year=2026,
                                              port=farm.spawner_port, pool="dr", wait=2.0,
                                              poll_interval=0.05, probe_timeout=0.3),
                       cfg, store=store, session=True, local_names=frozenset())
        record = store.load(str(made.job_id))
        assert record is not None
        record.pid = dead_pid()
        store.save(record)
        dialogs.answers += [press("Release"), log_in(USER, PASSWORD)]
        controller = PanelController(PymxsHost())
        panel = DRPanel(controller, probe_timeout=1.0)  # probes on open, as in 3ds Max
        panel.dialogs.run = dialogs  # type: ignore[method-assign]
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: len(dialogs.shown) == 2, timeout=5_000)
        finish(qtbot, panel)
        qtbot.waitUntil(lambda: panel.controller.probed_at is not None and not panel.busy,
                        timeout=10_000)
        assert cfg.read_bytes() == artist
        statuses = [panel.status_of(r).split()[0] for r in range(panel.model.rowCount())]
    assert statuses == ["online", "online", "online", "refused", "no"]  # no answer
