"""``DRPanel``: the panel's form (``ui/panel.ui``) bound to a ``PanelController``.

Widgets read the controller's state and call its commands; they never touch the host. The look
(forms, stylesheet, icons) is in ``look.py``, the dialogs in ``dialogs.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from qtpy import QtCore, QtGui, QtWidgets

from vrdr_max.checks import CHECKS, Finding, Severity
from vrdr_max.discovery import DiscoveryReport
from vrdr_max.models import CacheLimitType
from vrdr_max.panel.controller import Event, InputField, PanelController, status_text
from vrdr_max.panel.dialogs import DialogFactory, fix_description
from vrdr_max.panel.look import (
    guard_inputs,
    icon,
    load_form,
    mark_invalid,
    set_error,
    stylesheet,
    theme_colours,
    top_level_items,
    wrap_text,
)
from vrdr_max.panel.server_table import ENABLED, HOST, PORT, SOURCE, STATUS, ServerTableModel
from vrdr_max.panel.workers import Stepper, Task, discovery_job, probe_job, settle_heap
from vrdr_max.ports import READY_BROADCAST_PORT, Mode
from vrdr_max.probe import ProbeResult
from vrdr_max.studio import load_effective
from vrdr_max.submit import SubmissionReport

DISCOVERY_SECONDS = 5.0
MAX_SUBJECTS = 20
"""Subjects listed under a finding; the rest are counted (600 offline servers stay readable)."""
Qt = QtCore.Qt
HEADLINE_ROLE = Qt.ItemDataRole.UserRole + 1
"""Where a finding's row keeps its unwrapped headline."""


class DRPanel(QtWidgets.QWidget):
    """The DR panel (``ui/panel.ui``) bound to a controller."""

    engineLabel: QtWidgets.QLabel  # noqa: N815 - names come from the Designer form
    pathLabel: QtWidgets.QLabel  # noqa: N815
    drEnabled: QtWidgets.QCheckBox  # noqa: N815
    modeCombo: QtWidgets.QComboBox  # noqa: N815
    dispatcherBox: QtWidgets.QGroupBox  # noqa: N815
    dispatcherHost: QtWidgets.QLineEdit  # noqa: N815
    dispatcherPort: QtWidgets.QLineEdit  # noqa: N815
    dispatcherRenders: QtWidgets.QCheckBox  # noqa: N815
    dispatcherError: QtWidgets.QLabel  # noqa: N815
    addEdit: QtWidgets.QLineEdit  # noqa: N815
    addButton: QtWidgets.QToolButton  # noqa: N815
    addError: QtWidgets.QLabel  # noqa: N815
    serverTable: QtWidgets.QTableView  # noqa: N815
    tableError: QtWidgets.QLabel  # noqa: N815
    removeButton: QtWidgets.QToolButton  # noqa: N815
    enableButton: QtWidgets.QToolButton  # noqa: N815
    disableButton: QtWidgets.QToolButton  # noqa: N815
    pasteButton: QtWidgets.QToolButton  # noqa: N815
    numaButton: QtWidgets.QToolButton  # noqa: N815
    poolButton: QtWidgets.QToolButton  # noqa: N815
    listenButton: QtWidgets.QToolButton  # noqa: N815
    probeButton: QtWidgets.QToolButton  # noqa: N815
    optionsLayout: QtWidgets.QGridLayout  # noqa: N815
    maxServersLabel: QtWidgets.QLabel  # noqa: N815
    useLocalHost: QtWidgets.QCheckBox  # noqa: N815
    restartServers: QtWidgets.QCheckBox  # noqa: N815
    saveServersInScene: QtWidgets.QCheckBox  # noqa: N815
    checkMissingFiles: QtWidgets.QCheckBox  # noqa: N815
    transferMissing: QtWidgets.QCheckBox  # noqa: N815
    useCached: QtWidgets.QCheckBox  # noqa: N815
    maxServers: QtWidgets.QLineEdit  # noqa: N815
    cacheLimitType: QtWidgets.QComboBox  # noqa: N815
    cacheLimit: QtWidgets.QLineEdit  # noqa: N815
    optionsError: QtWidgets.QLabel  # noqa: N815
    findingsTree: QtWidgets.QTreeWidget  # noqa: N815
    summaryLabel: QtWidgets.QLabel  # noqa: N815
    preflightButton: QtWidgets.QPushButton  # noqa: N815
    progressBar: QtWidgets.QProgressBar  # noqa: N815
    cancelButton: QtWidgets.QPushButton  # noqa: N815
    guardLabel: QtWidgets.QLabel  # noqa: N815
    renderButton: QtWidgets.QPushButton  # noqa: N815

    def __init__(self, controller: PanelController, parent: QtWidgets.QWidget | None = None,
                 *, probe_timeout: float | None = None) -> None:
        super().__init__(parent)
        load_form("panel.ui", self)
        self.setObjectName("vrdrPanel")
        self.controller = controller
        self.probe_timeout = probe_timeout
        self.discovery_seconds = DISCOVERY_SECONDS
        self.discovery_port = READY_BROADCAST_PORT
        self.typing_guard: Callable[[QtWidgets.QWidget], None] | None = None
        self.task: Task | None = None
        self.stepper: Stepper | None = None
        self.model = ServerTableModel(controller, self)
        self.serverTable.setModel(self.model)
        self.dialogs = DialogFactory(self)
        self._narrow = False
        self._rewrap_timer = QtCore.QTimer(self)
        self._rewrap_timer.setSingleShot(True)
        self._rewrap_timer.setInterval(0)
        self._rewrap_timer.timeout.connect(self._rewrap)
        self._setup_look()
        self._connect()
        controller.subscribe(self._on_event)
        self._show_settings()
        self._show_errors()
        self._show_preflight()
        self._set_busy(None)
        settle_heap()

    # -- set-up --------------------------------------------------------------------------------

    def _setup_look(self) -> None:
        palette = self.palette()
        self.setStyleSheet(stylesheet(palette))
        colours = theme_colours(palette)
        self.model.set_status_colours(QtGui.QColor(colours["ok"]), QtGui.QColor(colours["error"]))
        for button, name in ((self.addButton, "add"), *zip(self._tool_buttons(), (
                "remove", "enable", "disable", "probe", "paste", "numa", "pool", "listen"),
                strict=True)):
            button.setIcon(icon(name, palette))
            button.setAutoRaise(True)
            button.setAccessibleName(button.text().rstrip("…"))
        self.renderButton.setIcon(icon("render", palette))
        for label in (self.addError, self.tableError, self.optionsError, self.dispatcherError):
            set_error(label, None)
        # Widths from the font, never from the contents: measuring 1,000 rows on every probe
        # answer would stall 3ds Max for seconds.
        header = self.serverTable.horizontalHeader()
        header.setStretchLastSection(False)
        metrics = self.fontMetrics()
        for column, sample in ((ENABLED, "On"), (PORT, "65535"), (STATUS, "unresolvable"),
                               (SOURCE, "discovered")):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 12)
        header.setSectionResizeMode(HOST, QtWidgets.QHeaderView.ResizeMode.Stretch)
        rows = self.serverTable.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(metrics.height() + 6)
        self.findingsTree.header().setStretchLastSection(False)
        self.findingsTree.header().setSectionResizeMode(
            0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.findingsTree.header().setSectionResizeMode(
            1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.findingsTree.setIconSize(QtCore.QSize(16, 16))
        # Messages are wrapped here (see _rewrap): item views do not grow rows for wrapped text.
        self.findingsTree.setUniformRowHeights(False)
        self.findingsTree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.guardLabel.setVisible(False)
        # Below the width the labelled layout needs, the tool buttons drop their labels (the
        # tooltips keep them) and the options stack in one column: see _fit_width.
        self.ensurePolished()
        # The narrowest width with labelled tool buttons and two option columns (from the font).
        self.labelled_width = self.minimumSizeHint().width()
        for widget in (*self._tool_buttons(), *(box for box, _ in self._options())):
            widget.setMinimumWidth(widget.iconSize().width() + 12)
        self.pathLabel.setMinimumWidth(80)

    def _tool_buttons(self) -> list[QtWidgets.QToolButton]:
        return [self.removeButton, self.enableButton, self.disableButton, self.probeButton,
                self.pasteButton, self.numaButton, self.poolButton, self.listenButton]

    def _options(self) -> list[tuple[QtWidgets.QCheckBox, str]]:
        """The option boxes in layout order, each with its name in ``OPTION_NAMES``."""
        return [(self.useLocalHost, "use_local_host"), (self.restartServers, "restart_servers"),
                (self.saveServersInScene, "save_servers_in_scene"),
                (self.checkMissingFiles, "check_missing_files"),
                (self.transferMissing, "transfer_missing"), (self.useCached, "use_cached")]

    def _fit_width(self) -> None:
        """Labelled tool buttons and two option columns where they fit; else icons, one column."""
        narrow = self.width() < self.labelled_width
        if narrow == self._narrow:
            return
        self._narrow = narrow
        style = (Qt.ToolButtonStyle.ToolButtonIconOnly if narrow
                 else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for button in self._tool_buttons():
            button.setToolButtonStyle(style)
        self.serverTable.setColumnHidden(SOURCE, narrow)  # the host keeps the room
        grid = self.optionsLayout
        boxes = [box for box, _ in self._options()]
        for i, box in enumerate(boxes):
            grid.removeWidget(box)
            if narrow:
                grid.addWidget(box, i, 0, 1, 2)
            else:
                grid.addWidget(box, i // 2, i % 2)
        first = len(boxes) if narrow else (len(boxes) + 1) // 2
        for row, pair in enumerate(((self.maxServersLabel, self.maxServers),
                                    (self.cacheLimitType, self.cacheLimit))):
            for column, widget in enumerate(pair):
                grid.removeWidget(widget)
                grid.addWidget(widget, first + row, column)
        grid.removeWidget(self.optionsError)
        grid.addWidget(self.optionsError, first + 2, 0, 1, 2)

    def _connect(self) -> None:
        c = self.controller
        self.drEnabled.clicked.connect(lambda on: c.set_dr_enabled(bool(on)))
        self.modeCombo.activated.connect(
            lambda i: c.set_mode(Mode.DR2 if i == 1 else Mode.DR))
        for edit in (self.dispatcherHost, self.dispatcherPort):
            edit.editingFinished.connect(self._dispatcher_edited)
        self.dispatcherRenders.clicked.connect(self._dispatcher_edited)
        self.addEdit.returnPressed.connect(self._add)
        self.addButton.clicked.connect(self._add)
        self.removeButton.clicked.connect(self.remove_selected)
        self.enableButton.clicked.connect(lambda: c.set_rows_enabled(self.selected_rows(), True))
        self.disableButton.clicked.connect(
            lambda: c.set_rows_enabled(self.selected_rows(), False))
        self.pasteButton.clicked.connect(lambda: self.dialogs.paste(""))
        self.numaButton.clicked.connect(self.dialogs.numa)
        self.poolButton.clicked.connect(self.dialogs.pool)
        self.listenButton.clicked.connect(self.listen)
        self.probeButton.clicked.connect(self.probe)
        for box, name in self._options():
            # partial, not a lambda with a default: PySide2 would pass the checked flag wrongly.
            box.clicked.connect(partial(self._option_clicked, box, name))
        self.maxServers.editingFinished.connect(lambda: c.set_max_servers(self.maxServers.text()))
        self.cacheLimit.editingFinished.connect(self._cache_edited)
        self.cacheLimitType.activated.connect(lambda _i: self._cache_edited())
        self.preflightButton.clicked.connect(self.preflight)
        self.cancelButton.clicked.connect(self.cancel)
        self.renderButton.clicked.connect(self.render_with_dr)
        self.findingsTree.itemDoubleClicked.connect(self._finding_activated)
        self.findingsTree.itemExpanded.connect(self._rewrap)
        table = self.serverTable
        # qtpy keeps QShortcut in QtWidgets for Qt 6 too (where Qt moved it to QtGui).
        shortcut = QtWidgets.QShortcut  # type: ignore[attr-defined]
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot, owner in ((QtGui.QKeySequence.StandardKey.Delete, self.remove_selected,
                                   table),
                                  (QtGui.QKeySequence.StandardKey.Paste, self.paste_clipboard,
                                   table),
                                  (QtGui.QKeySequence(Qt.Key.Key_F5), self.probe, self)):
            sc = shortcut(QtGui.QKeySequence(keys), owner)
            sc.setContext(context)
            sc.activated.connect(slot)

    # -- controller events ---------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event in (Event.SETTINGS, Event.SCENE):
            self._show_settings()
        if event is Event.ERRORS:
            self._show_errors()
        if event is Event.PREFLIGHT:
            self._show_preflight()
        if event is Event.CONFLICT:
            # Out of the current call chain: the dialog opens once the edit that hit it is over.
            QtCore.QTimer.singleShot(0, self.dialogs.conflict)
        if event is Event.GUARD:
            self._show_guard()
        if event in (Event.PROBE, Event.SETTINGS, Event.SCENE):
            self._show_dispatcher_status()

    def _show_settings(self) -> None:
        c = self.controller
        s = c.settings
        self.engineLabel.setText(c.engine_label)
        self._show_path()
        self.drEnabled.setChecked(s.enabled)
        self.modeCombo.setCurrentIndex(1 if s.mode is Mode.DR2 else 0)
        self.dispatcherBox.setVisible(s.mode is Mode.DR2)
        d = s.dispatcher
        if not self.dispatcherHost.hasFocus():
            self.dispatcherHost.setText(d.host if d else "")
        if not self.dispatcherPort.hasFocus():
            self.dispatcherPort.setText(str(d.port if d else s.default_port))
        self.dispatcherRenders.setChecked(bool(d and d.also_renders))
        for box, name in self._options():
            box.setChecked(c.option(name))
        if InputField.MAX_SERVERS not in c.errors:
            self.maxServers.setText(str(s.max_servers))
        if InputField.CACHE_LIMIT not in c.errors:
            self.cacheLimit.setText(f"{s.assets.cache_limit:g}")
        self.cacheLimitType.setCurrentIndex(int(s.assets.cache_limit_type))
        self.cacheLimit.setEnabled(s.assets.cache_limit_type is not CacheLimitType.NONE)

    def _show_path(self) -> None:
        path = str(self.controller.cfg_path)
        self.pathLabel.setText(self.fontMetrics().elidedText(
            path, Qt.TextElideMode.ElideMiddle, max(120, self.width() - 16)))
        self.pathLabel.setToolTip(path)

    def _show_dispatcher_status(self) -> None:
        result = self.controller.dispatcher_probe()
        status = status_text(result)
        self.dispatcherBox.setTitle(f"DR2 dispatcher: {status}" if status else "DR2 dispatcher")
        self.dispatcherBox.setToolTip(result.message if result else "")

    def _show_errors(self) -> None:
        errors = self.controller.errors
        set_error(self.addError, errors.get(InputField.ADD) or errors.get(InputField.PASTE)
                   or errors.get(InputField.NUMA) or errors.get(InputField.POOL))
        mark_invalid(self.addEdit, InputField.ADD in errors)
        set_error(self.tableError, errors.get(InputField.EDIT) or errors.get(InputField.SAVE)
                   or errors.get(InputField.FIX))
        set_error(self.dispatcherError, errors.get(InputField.DISPATCHER))
        mark_invalid(self.dispatcherHost, InputField.DISPATCHER in errors)
        set_error(self.optionsError, errors.get(InputField.MAX_SERVERS)
                   or errors.get(InputField.CACHE_LIMIT))
        mark_invalid(self.maxServers, InputField.MAX_SERVERS in errors)
        mark_invalid(self.cacheLimit, InputField.CACHE_LIMIT in errors)

    def _show_preflight(self) -> None:
        tree = self.findingsTree
        tree.clear()
        report = self.controller.report
        self.summaryLabel.setText(self.controller.summary())
        if report is None:
            return
        palette = self.palette()
        icons = {s: icon(s.value, palette) for s in Severity}
        for result in report.results:
            for finding in result.findings:
                # One line per finding (icon, the head of its message, its buttons); the whole
                # message and the subjects below it, wrapped to the width, when expanded.
                item = QtWidgets.QTreeWidgetItem(["", ""])
                item.setData(0, HEADLINE_ROLE, headline(finding.message))
                item.setIcon(0, icons[finding.severity])
                item.setToolTip(0, f"{result.title} ({finding.check_id})")
                item.setData(0, Qt.ItemDataRole.UserRole, finding.check_id)
                tree.addTopLevelItem(item)
                subjects = [f"- {s}" for s in finding.subjects[:MAX_SUBJECTS]]
                if len(finding.subjects) > MAX_SUBJECTS:
                    subjects.append(f"... and {len(finding.subjects) - MAX_SUBJECTS} more")
                for text in (finding.message, *subjects):
                    child = QtWidgets.QTreeWidgetItem(["", ""])
                    child.setData(0, Qt.ItemDataRole.UserRole, text)
                    child.setToolTip(0, text)
                    item.addChild(child)
                    child.setFirstColumnSpanned(True)
                tree.setItemWidget(item, 1, self._finding_actions(finding))
        # Tab reaches the Fix and Select buttons right after the list, in the list's order
        # (as created they would come last, after Render with DR).
        previous: QtWidgets.QWidget = tree
        for button in (b for item in top_level_items(tree) if (box := tree.itemWidget(item, 1))
                       for b in box.findChildren(QtWidgets.QToolButton)):
            QtWidgets.QWidget.setTabOrder(previous, button)
            previous = button
        QtWidgets.QWidget.setTabOrder(previous, self.preflightButton)
        self._rewrap()

    def _rewrap(self, only: QtWidgets.QTreeWidgetItem | None = None) -> None:
        """Break the messages and subjects of expanded findings into lines that fit."""
        tree = self.findingsTree
        metrics = tree.fontMetrics()
        scrollbar = tree.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_ScrollBarExtent)
        width = max(tree.viewport().width() - scrollbar - 2 * tree.indentation() - 8, 80)
        items = [only] if only is not None else top_level_items(tree)
        # From the viewport, not the stretched column: the header resizes that one later.
        head_width = max(width + tree.indentation() - tree.header().sectionSize(1)
                         - tree.iconSize().width() - 4, 80)
        for item in items:
            item.setText(0, wrap_text(metrics, str(item.data(0, HEADLINE_ROLE)), head_width))
            if not item.isExpanded():
                continue  # wrapped when opened: a long list stays cheap to show
            for j in range(item.childCount()):
                child = item.child(j)
                if child is not None:
                    child.setText(0, wrap_text(
                        metrics, str(child.data(0, Qt.ItemDataRole.UserRole)), width))

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Re-elide the path and re-wrap the findings for the new width."""
        super().resizeEvent(event)
        self._fit_width()
        self._show_path()
        # Once the resizing settles (dragging a dock edge sends many events in a row).
        self._rewrap_timer.start()

    def _finding_actions(self, finding: Finding) -> QtWidgets.QWidget:
        box = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if finding.fix:
            fix = QtWidgets.QToolButton(box)
            fix.setIcon(icon("fix", self.palette()))
            fix.setText("Fix")  # icon only, so the check's title keeps the width
            fix.setAccessibleName("Fix")
            fix.setObjectName(f"fix:{finding.fix}")
            fix.setToolTip(f"Fix: {fix_description(finding.fix)}")
            fix.clicked.connect(lambda: self.dialogs.fix(finding))  # a choice of fixes: asks
            layout.addWidget(fix)
        if self.controller.node_names(finding):
            select = QtWidgets.QToolButton(box)
            select.setIcon(icon("select", self.palette()))
            select.setText("Select")  # icon only on the button; the text is for accessibility
            select.setObjectName(f"select:{finding.check_id}")
            select.setToolTip("Select these in the scene")
            select.setAccessibleName("Select")
            select.clicked.connect(lambda: self.controller.select(finding))
            layout.addWidget(select)
        return box

    def _finding_activated(self, item: QtWidgets.QTreeWidgetItem, _column: int) -> None:
        top = item.parent() or item
        index = self.findingsTree.indexOfTopLevelItem(top)
        report = self.controller.report
        if report is not None and 0 <= index < len(report.findings):
            self.controller.select(report.findings[index])

    def _show_guard(self) -> None:
        findings = self.controller.guard_findings
        self.guardLabel.setVisible(bool(findings))
        self.guardLabel.setText("Render started with DR: " + "; ".join(
            f.message for f in findings[:3]))

    # -- commands ------------------------------------------------------------------------------

    def set_typing_guard(self, guard: Callable[[QtWidgets.QWidget], None]) -> None:
        """Call ``guard`` on the panel, its text fields and those of every dialog it opens.

        In 3ds Max the guard is ``DisableMaxAcceleratorsOnFocus``: typing fires no Max shortcut.
        """
        self.typing_guard = guard
        guard_inputs(self, guard)

    def selected_rows(self) -> list[int]:
        """Rows selected in the server table."""
        return sorted({i.row() for i in self.serverTable.selectionModel().selectedRows()})

    def _add(self) -> None:
        if self.controller.add_server(self.addEdit.text()) is None:
            self.addEdit.clear()

    def remove_selected(self) -> None:
        """Delete: remove the selected servers."""
        self.controller.remove_rows(self.selected_rows())

    def paste_clipboard(self) -> None:
        """Ctrl+V in the table: offer the clipboard's lines in the paste dialog."""
        self.dialogs.paste(QtWidgets.QApplication.clipboard().text())

    def _option_clicked(self, box: QtWidgets.QCheckBox, name: str, *_signal: object) -> None:
        self.controller.set_option(name, box.isChecked())

    def _dispatcher_edited(self) -> None:
        self.controller.set_dispatcher(self.dispatcherHost.text(), self.dispatcherPort.text(),
                                       self.dispatcherRenders.isChecked())

    def _cache_edited(self) -> None:
        self.controller.set_cache_limit(CacheLimitType(self.cacheLimitType.currentIndex()),
                                        self.cacheLimit.text())

    def _set_busy(self, what: str | None, total: int = 0) -> None:
        if what is not None:
            # Set up while hidden: a visible QProgressBar repaints at once on every change.
            self.progressBar.setRange(0, max(total, 1))
            self.progressBar.setValue(0)
            self.progressBar.setFormat(f"{what} %v/%m")
        self.progressBar.setVisible(what is not None)
        self.cancelButton.setVisible(what is not None)
        for widget in (self.probeButton, self.listenButton, self.preflightButton,
                       self.renderButton):
            widget.setEnabled(what is None)

    def probe(self) -> Task | None:
        """F5: probe every listed server on a worker thread."""
        if self.busy:
            return None
        targets = self.controller.probe_endpoints()
        if not targets:
            return None
        timeout = self.probe_timeout or load_effective().defaults.probe_timeout
        task = Task(probe_job(targets, timeout), self)
        task.progress.connect(self._probe_progress)
        task.finished.connect(self._probe_done)
        task.failed.connect(self._task_failed)
        self._set_busy("probing", len(targets))
        self.task = task
        task.start()
        return task

    def _probe_progress(self, done: int, _total: int, results: list[ProbeResult]) -> None:
        self.progressBar.setValue(done)
        self.controller.apply_probe_results(results)

    def _probe_done(self, _results: list[ProbeResult]) -> None:
        # Every answer (a cancelled run's too) came through _probe_progress already.
        self.task = None
        self._set_busy(None)

    def _task_failed(self, message: str) -> None:
        self.task = None
        self._set_busy(None)
        set_error(self.tableError, message)

    def listen(self) -> Task | None:
        """Listen for servers for a few seconds, then offer the hosts heard."""
        if self.busy:
            return None
        task = Task(discovery_job(self.discovery_seconds, self.discovery_port), self)
        task.progress.connect(lambda done, _t, _n: self.progressBar.setValue(done))
        task.finished.connect(self._listen_done)
        task.failed.connect(self._task_failed)
        self._set_busy("listening", int(self.discovery_seconds * 1000))
        self.progressBar.setFormat("listening for servers")
        self.task = task
        task.start()
        return task

    def _listen_done(self, report: DiscoveryReport) -> None:
        self.task = None
        self._set_busy(None)
        self.dialogs.hosts([s.address for s in report.senders])

    def preflight(self) -> Stepper | None:
        """Run the preflight, one check per event-loop turn (the scene is read first)."""
        if self.busy:
            return None
        stepper = Stepper(self.controller.preflight_steps(), len(CHECKS), self)
        stepper.progress.connect(lambda done, _t, _r: self.progressBar.setValue(done))
        stepper.finished.connect(self._preflight_done)
        self._set_busy("checking", len(CHECKS))
        self.stepper = stepper
        stepper.start()
        return stepper

    def _preflight_done(self, results: list[Any]) -> None:
        self.stepper = None
        self._set_busy(None)
        self.controller.finish_preflight(results)

    @property
    def busy(self) -> bool:
        """True while a probe, a listen or a preflight runs."""
        return self.task is not None or self.stepper is not None

    def cancel(self) -> None:
        """Cancel the running probe, listen or preflight."""
        if self.task is not None:
            self.task.cancel()
        if self.stepper is not None:
            self.stepper.cancel()

    def render_with_dr(self) -> SubmissionReport | None:
        """Show the plan; on OK (with a reason when errors remain) render, then the report."""
        choice = self.dialogs.plan(self.controller.plan())
        if choice is None:
            return None
        submit_plan, reason = choice
        report = self.controller.render(submit_plan, reason or None)
        self.dialogs.report(report)
        return report

    def status_of(self, row: int) -> str:
        """The status cell of ``row`` (for tests and screenshots)."""
        return str(self.model.index(row, STATUS).data() or "")

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Stop workers and remove the 3ds Max callbacks."""
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Cancel running work and detach from 3ds Max's events."""
        self.cancel()
        if self.task is not None:
            self.task.wait(2.0)
        self.controller.detach()


def headline(message: str) -> str:
    """The head of a finding's message, up to its first clause break, capitalised."""
    cuts = [i for i in (message.find(mark) for mark in (": ", "; ", " (")) if i >= 12]
    head = message[:min(cuts)] if cuts else message
    return head[:1].upper() + head[1:]


__all__ = ["DRPanel", "headline", "top_level_items"]
