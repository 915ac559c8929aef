"""The panel outside 3ds Max: ``vrdr panel --demo`` and ``vrdr panel --scene FILE --cfg PATH``.

The scene is a ``mock_pymxs`` scene behind the real adapter (``max_host.PymxsHost``); the demo
adds loopback stand-ins for render servers (``vrdr_max.demo``), so the probe shows a real mix,
and with ``--farm`` a stand-in Deadline Web Service on loopback (``vrdr_max.farm.stand_in``)
for the Farm section.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from qtpy import QtCore, QtGui, QtWidgets

from vrdr_max.atomic import atomic_write
from vrdr_max.demo import stand_in_cfg, stand_in_servers
from vrdr_max.errors import InputError, VrdrError, one_line, quote
from vrdr_max.host import MaxHost
from vrdr_max.mock_session import mock_scene_host
from vrdr_max.models import Dispatcher
from vrdr_max.panel.controller import InputField, PanelController
from vrdr_max.panel.farm_section import FarmSection
from vrdr_max.panel.listing import Show
from vrdr_max.panel.widgets import SHOW_CHOICES, DRPanel, top_level_items
from vrdr_max.ports import Mode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from vrdr_max.farm.stand_in import FakeWorker

DEMO_PROBE_TIMEOUT = 1.0
WINDOW_SIZE = (400, 1040)
"""About a 3ds Max dock's default width; tall enough for every group."""
SCREENSHOT_WAIT_MS = 15_000
SCREENSHOT_DIALOGS = ("render", "paste")
"""Dialogs ``--screenshot-dialog`` can picture: Render with DR's plan, the paste preview."""
DIALOG_SIZES = {"render": (600, 600), "paste": (600, 460)}
PASTE_SAMPLE = ("render10", "render11:20204", "node 05", "10.0.0.300", "render12\t20207")
"""Pasted lines for the paste preview's picture: new, to check, invalid (and one listed)."""
QT_WARNINGS_KEPT = 2
"""Qt warnings quoted with a fatal message (the ones just before it say why)."""


FARM_MIX = ("online", "online", "online", "online", "online", "online", "online", "online",
            "refused", "silent")
"""A demo farm of ``--servers N``: 8 in 10 answer, 1 refuses, 1 never answers."""
MAX_DEMO_SERVERS = 2000
"""Each stand-in is a socket (a silent one two): more would run into open-file limits."""
FARM_WINDOW_SIZE = (400, 1240)
"""The window for a picture of the Farm section unfolded above the list."""
DEMO_FARM_RESERVE = 4
"""Machines the ``--farm --screenshot`` picture reserves from the stand-in farm."""


def demo_farm_workers() -> list[FakeWorker]:
    """The stand-in farm of ``--farm``: 6 machines in pool ``dr`` on 127.0.0.2-7.

    Four take a job and answer (one a little late), one takes it and its spawner never
    listens, one is offline. Loopback addresses other than 127.0.0.1 need a system that routes
    all of 127.0.0.0/8 to loopback (Linux, Windows).
    """
    from vrdr_max.farm.stand_in import OFFLINE, FakeWorker  # noqa: PLC0415 - demo only

    return [FakeWorker("render01", "127.0.0.2"), FakeWorker("render02", "127.0.0.3"),
            FakeWorker("render03", "127.0.0.4", spawner_after=0.5),
            FakeWorker("render04", "127.0.0.5", pickup_after=0.2),
            FakeWorker("render05", "127.0.0.6", spawner_after=None),
            FakeWorker("render06", "127.0.0.7", state=OFFLINE)]


def demo_farm(controller: PanelController, stack: ExitStack, folder: Path) -> None:
    """Point the controller's Farm section at a stand-in Deadline farm on loopback.

    Its records go to ``folder`` (not the user's), its settings are the demo's (a short wait).
    """
    from vrdr_max.farm.records import RecordStore  # noqa: PLC0415 - demo only
    from vrdr_max.farm.stand_in import fake_farm  # noqa: PLC0415
    from vrdr_max.studio import FarmSettings  # noqa: PLC0415

    try:
        farm = stack.enter_context(fake_farm(demo_farm_workers()))
    except OSError as exc:
        raise InputError(f"--farm: the stand-in farm cannot start on loopback "
                         f"(127.0.0.2-7): {exc.strerror or exc}") from None
    try:
        year = controller.host.max_version()
    except VrdrError:
        year = None
    settings = FarmSettings(deadline_url=farm.url, pool="dr", wait=4.0, poll_interval=0.25,
                            http_timeout=2.0, spawner_port=farm.spawner_port,
                            max_version=year or 2026)
    controller.farm = FarmSection(controller, store=RecordStore(folder / "farm-reservations"),
                                  settings=settings)


def loopback_farm(count: int, stack: ExitStack) -> list[int]:
    """``count`` loopback ports in the :data:`FARM_MIX`; closed when ``stack`` closes."""
    _allow_files(4 * count + 256)
    ports = []
    for i in range(count):
        kind = FARM_MIX[i % len(FARM_MIX)]
        sock = stack.enter_context(socket.socket())
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
        if kind == "online":
            sock.listen(16)
        elif kind == "silent":
            sock.listen(0)  # never accepted: once its queue is full, further connects time out
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        ports.append(port)  # "refused": bound, not listening
    return ports


def _allow_files(needed: int) -> None:
    """Raise this process's open-file limit towards ``needed`` where the system has one."""
    try:
        import resource  # noqa: PLC0415 - POSIX only
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def application(theme: str = "dark") -> QtWidgets.QApplication:
    """The running QApplication, or a new one with 3ds Max-like colours."""
    app = QtWidgets.QApplication.instance()
    if isinstance(app, QtWidgets.QApplication):
        return app
    app = QtWidgets.QApplication(["vrdr panel"])
    app.setStyle("Fusion")
    app.setPalette(max_palette(dark=theme == "dark"))
    return app


def max_palette(*, dark: bool) -> QtGui.QPalette:
    """A palette like 3ds Max's dark (default) or light theme, for the standalone window."""
    if not dark:
        return QtWidgets.QApplication.style().standardPalette()
    roles = QtGui.QPalette.ColorRole
    palette = QtGui.QPalette()
    for role, rgb in ((roles.Window, (68, 68, 68)), (roles.WindowText, (220, 220, 220)),
                      (roles.Base, (43, 43, 43)), (roles.AlternateBase, (56, 56, 56)),
                      (roles.Text, (220, 220, 220)), (roles.Button, (84, 84, 84)),
                      (roles.ButtonText, (220, 220, 220)), (roles.Highlight, (86, 128, 176)),
                      (roles.HighlightedText, (255, 255, 255)), (roles.ToolTipBase, (43, 43, 43)),
                      (roles.ToolTipText, (220, 220, 220)), (roles.Mid, (100, 100, 100)),
                      (roles.Light, (110, 110, 110)), (roles.Dark, (40, 40, 40)),
                      (roles.PlaceholderText, (140, 140, 140))):
        palette.setColor(role, QtGui.QColor(*rgb))
    return palette


@contextmanager
def demo_session(dr2: bool = False, servers: int | None = None, deadline: bool = False
                 ) -> Iterator[PanelController]:
    """The demo scene, a temporary plugcfg folder, the stand-in servers, and a controller.

    Args:
        dr2: the DR2 view, a stand-in as its dispatcher.
        servers: that many stand-ins (``FARM_MIX``) instead of the five of ``vrdr demo``.
        deadline: a stand-in Deadline farm for the Farm section (:func:`demo_farm`).
    """
    if servers is not None and not 1 <= servers <= MAX_DEMO_SERVERS:
        raise InputError(f"--servers takes 1 to {MAX_DEMO_SERVERS}, not {servers}")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vrdr-panel-")))
        plugcfg = tmp / "plugcfg"
        plugcfg.mkdir()
        farm = stack.enter_context(stand_in_servers())
        ports = [s.port for s in farm] if servers is None else loopback_farm(servers, stack)
        # The artist's cfg with the stand-ins as its servers: no name lookup leaves this machine.
        (plugcfg / "vray_dr.cfg").write_bytes(stand_in_cfg(ports))
        host, _mock = stack.enter_context(mock_scene_host("demo", plugcfg_dir=plugcfg))
        controller = PanelController(host)
        if deadline:
            demo_farm(controller, stack, tmp)
        if dr2:
            settings = controller.settings.model_copy(deep=True)
            settings.mode = Mode.DR2
            settings.dispatcher = Dispatcher(host="127.0.0.1", port=farm[0].port,
                                             also_renders=True)
            controller.stored.settings = settings
            controller.save()
            # The stand-ins are loopback sockets on this workstation: DR2's rule for addresses
            # (list machines by network address) is the demo's doing, not a finding about it.
            controller.expected["dr2-localhost"] = (
                "the demo's stand-in servers run on this workstation; a real DR2 farm lists "
                "them by network address")
        yield controller


@contextmanager
def scene_session(scene: Path, cfg: Path) -> Iterator[PanelController]:
    """A scene file behind the adapter, editing the cfg at ``cfg``."""
    if cfg.is_dir():
        raise InputError(f"--cfg {cfg} is a folder; give the cfg file")
    host: MaxHost
    with mock_scene_host(scene, plugcfg_dir=cfg.parent) as (host, _mock):
        yield PanelController(host, cfg_path=cfg)


def one_line_qt_messages() -> None:
    """Qt's own messages as a command line tool shows errors: one line on stderr, or none.

    The offscreen platform writes "This plugin does not support propagateSizeHints()" for every
    window it shows, and a failed start (no display, a missing xcb library) writes several
    lines and aborts (exit 134). For ``vrdr panel``, warnings and notes are dropped, a critical
    message is one line, and a fatal one is the one line ``vrdr: error: ...`` with the warning
    that explains it, then exit 2.
    """
    warnings: list[str] = []

    def handler(kind: QtCore.QtMsgType, _context: object, message: str) -> None:
        if kind == QtCore.QtMsgType.QtFatalMsg:
            why = f" ({'; '.join(warnings[-QT_WARNINGS_KEPT:])})" if warnings else ""
            hint = ("; without a display, --screenshot FILE.png renders offscreen"
                    if "platform plugin" in message else "")
            first = message.partition("\n")[0]
            sys.stdout.flush()
            sys.stderr.write(f"vrdr: error: Qt cannot go on: {one_line(first)}{why}{hint}\n")
            sys.stderr.flush()
            os._exit(2)  # instead of Qt's abort(): the environment is wrong, not vrdr
        if kind == QtCore.QtMsgType.QtCriticalMsg:
            sys.stderr.write(f"vrdr: Qt: {one_line(message)}\n")
        elif kind == QtCore.QtMsgType.QtWarningMsg and one_line(message) not in warnings:
            warnings.append(one_line(message))

    QtCore.qInstallMessageHandler(handler)


class PanelWindow(QtWidgets.QMainWindow):
    """The standalone window: closing it asks about an open farm reservation, as the dock does.

    The process ends after it closes, so a release chosen then runs to its end first.
    """

    def __init__(self, panel: DRPanel) -> None:
        super().__init__()
        self.panel = panel
        self.setWindowTitle("vrdr panel (standalone)")
        self.setCentralWidget(panel)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Ask first (Cancel keeps the window)."""
        if not self.panel.ask_before_close(can_cancel=True, wait=True):
            event.ignore()
            return
        super().closeEvent(event)


def run_standalone(*, demo: bool, scene: Path | None, cfg: Path | None, dr2: bool,
                   screenshot: Path | None, theme: str, screenshot_dialog: str | None = None,
                   servers: int | None = None, show: str = Show.ALL.value,
                   filter_text: str = "", farm: bool = False) -> int:
    """Show the panel in its own window; with ``screenshot``, save a picture and return.

    ``screenshot_dialog`` (one of :data:`SCREENSHOT_DIALOGS`) pictures that dialog instead,
    opened over the panel after the probe and the preflight. ``servers`` sizes the demo's
    farm; ``show`` and ``filter_text`` set the table's status filter and text filter once the
    probe is done (for pictures of a farm's failures). ``farm`` adds a stand-in Deadline farm
    on loopback to the demo; its picture shows the Farm section after reserving
    :data:`DEMO_FARM_RESERVE` machines.
    """
    if screenshot is not None:
        # A picture needs no screen: render offscreen unless the caller chose a platform.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    one_line_qt_messages()
    app = application(theme)
    with (demo_session(dr2, servers, farm) if demo
          else scene_session(scene or Path(), cfg or Path())) as controller:
        controller.attach()
        panel = DRPanel(controller, probe_timeout=DEMO_PROBE_TIMEOUT if demo else None,
                        offer_left_behind=screenshot is None)
        panel.farm_panel.ask_on_close = screenshot is None
        window = PanelWindow(panel)
        window.show()
        app.processEvents()  # shown, the panel's layout settles its (narrow) minimum width
        window.resize(*(FARM_WINDOW_SIZE if farm and screenshot_dialog is None
                        else WINDOW_SIZE))
        panel.filterEdit.setText(filter_text)
        panel.showCombo.setCurrentIndex([s.value for s in SHOW_CHOICES].index(show))
        try:
            if screenshot is not None:
                return _screenshot(app, panel, window, screenshot, screenshot_dialog,
                                   farm=farm)
            return int(app.exec())
        finally:
            panel.shutdown()
            window.close()


def _screenshot(app: QtWidgets.QApplication, panel: DRPanel, window: QtWidgets.QWidget,
                path: Path, dialog_name: str | None = None, *, farm: bool = False) -> int:
    """Probe, wait, preflight, wait, then grab the window (or the dialog named).

    With ``farm``, reserve from the stand-in farm after the probe, then probe its machines.
    """
    loop = QtCore.QEventLoop()
    _wait_for_probe(panel, loop)
    if farm:
        _demo_reservation(panel, loop)
    stepper = panel.preflight()
    if stepper is not None:
        stepper.finished.connect(loop.quit)
        QtCore.QTimer.singleShot(SCREENSHOT_WAIT_MS, loop.quit)
        loop.exec()
    for item in top_level_items(panel.findingsTree):  # show how a finding opens
        if item.data(0, QtCore.Qt.ItemDataRole.UserRole) == "default-lights":
            item.setExpanded(True)
    panel.filter_now()  # the statuses are in: --show and --filter see them
    app.processEvents()
    target = window
    if dialog_name is not None:
        target = _open_dialog(panel, dialog_name)
        target.resize(*DIALOG_SIZES[dialog_name])
        target.show()
        for _turn in range(3):  # shown, then its rows measured at their final width
            app.processEvents()
    try:
        png = QtCore.QBuffer()
        png.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
        if not target.grab().save(png, "PNG"):
            raise InputError(f"could not write {path}")
    finally:
        if target is not window:
            target.close()
    # Written like every file vrdr writes: whole or not at all, and never into a FIFO or device.
    atomic_write(path, bytes(png.data().data()), expected=None, backup_suffix=None)
    return 0


def _wait_for_probe(panel: DRPanel, loop: QtCore.QEventLoop) -> None:
    """Until the probe running (or started now) ends; the panel probes as it opens."""
    app = QtWidgets.QApplication.instance()
    if app is not None:
        app.processEvents()  # the probe on open starts on the first turn
    task = panel.task or panel.probe()
    if task is not None:
        task.finished.connect(loop.quit)
        task.failed.connect(loop.quit)
        QtCore.QTimer.singleShot(SCREENSHOT_WAIT_MS, loop.quit)
        loop.exec()


def _demo_reservation(panel: DRPanel, loop: QtCore.QEventLoop) -> None:
    """Reserve from the demo's stand-in farm as the artist would, then probe its machines."""
    farm = panel.farm_panel
    farm.section.log_in("", "")  # the stand-in farm has no login
    farm.set_open(True)
    panel.farmCount.setValue(DEMO_FARM_RESERVE)
    task = farm.reserve()
    if task is None:
        raise InputError(panel.controller.errors.get(InputField.FARM,
                                                     "the demo farm could not reserve"))
    task.finished.connect(loop.quit)
    task.failed.connect(loop.quit)
    QtCore.QTimer.singleShot(SCREENSHOT_WAIT_MS, loop.quit)
    loop.exec()
    _wait_for_probe(panel, loop)


def _open_dialog(panel: DRPanel, name: str) -> QtWidgets.QDialog:
    """The dialog ``--screenshot-dialog`` names, filled as the artist would see it."""
    if name == "render":
        plan = panel.controller.plan()
        if plan is None:
            raise InputError(panel.controller.errors.get(InputField.RENDER,
                                                         "cannot plan the render"))
        return panel.dialogs.plan_dialog(plan)
    if name == "paste":
        listed = [s.endpoint for s in panel.controller.settings.servers[:1]]
        return panel.dialogs.paste_dialog("\n".join([*PASTE_SAMPLE[:2], *listed,
                                                      *PASTE_SAMPLE[2:]]))
    raise InputError(f"--screenshot-dialog: no dialog {quote(name)} "
                     f"(one of {', '.join(SCREENSHOT_DIALOGS)})")
