"""``DRPanel``: the panel's form (``ui/panel.ui``) bound to a ``PanelController``.

Widgets read the controller's state and call its commands; they never touch the host, and
they get the studio configuration through the controller. The look (forms, stylesheet, icons)
is in ``look.py``, the dialogs in ``dialogs.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, cast

from qtpy import QtCore, QtGui, QtWidgets

from vrdr_max.checks import CHECKS, CheckResult, Severity
from vrdr_max.discovery import DiscoveryReport
from vrdr_max.errors import one_line
from vrdr_max.models import CacheLimitType
from vrdr_max.panel.controller import Event, FindingRow, InputField, PanelController
from vrdr_max.panel.dialogs import DialogFactory
from vrdr_max.panel.edits import row_runs
from vrdr_max.panel.farm_panel import FarmPanel
from vrdr_max.panel.listing import Show, plural, status_text
from vrdr_max.panel.look import (
    guard_inputs,
    icon,
    load_form,
    mark_invalid,
    plain_label,
    plain_tip,
    set_error,
    stylesheet,
    theme_colours,
    top_level_items,
    wrap_text,
)
from vrdr_max.panel.server_table import ENABLED, HOST, PORT, SOURCE, STATUS, ServerTableModel
from vrdr_max.panel.workers import Poster, Stepper, Task, discovery_job, probe_job, settle_heap
from vrdr_max.ports import READY_BROADCAST_PORT, Mode
from vrdr_max.probe import ProbeResult
from vrdr_max.submit import SubmissionReport

DISCOVERY_SECONDS = 5.0
MAX_SUBJECTS = 20
"""Subjects listed under a finding; the rest are counted (600 offline servers stay readable)."""
Qt = QtCore.Qt
HEADLINE_ROLE = Qt.ItemDataRole.UserRole + 1
"""Where a finding's row keeps its unwrapped headline."""
AGE_TICK_MS = 5000
"""How often "probed 12 s ago" is brought up to date."""
PREFLIGHT_SHARE = 0.3
"""The preflight's share of the splitter when findings first appear (until the artist drags it)."""
WIDE_OPTIONS = ((0, 0, 1), (0, 1, 1), (1, 0, 2), (2, 0, 1), (2, 1, 1), (3, 0, 2))
"""Row, column and span of each option box (``_options`` order) in the two-column layout: the
long "Restart servers on render end" has a row to itself, so two columns fit 400 px."""
SHOW_CHOICES = (Show.ALL, Show.FAILED, Show.ONLINE, Show.REFUSED, Show.SILENT, Show.NOT_PROBED,
                Show.DISABLED, Show.UNSAVED)
SELECT_CHOICES = ((Show.FAILED, "Servers that did not answer"), (Show.ONLINE, "Online servers"),
                  (Show.DISABLED, "Disabled servers"), (Show.NOT_PROBED, "Servers not probed"),
                  (Show.ALL, "All servers shown"))


class StatusLine(QtWidgets.QWidget):
    """Two lines of text at most, wrapped to the width (the whole of it as tooltip).

    Changing its text repaints it and nothing else: a ``QLabel`` asks its window to lay out
    again on every change, about 10 ms on this panel, and the summary changes with every
    probe batch and edit.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.colour: QtGui.QColor | None = None
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                           QtWidgets.QSizePolicy.Policy.Fixed)
        self.setFixedHeight(2 * self.fontMetrics().lineSpacing() + 2)

    def text(self) -> str:
        """The whole text."""
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, for callers
        """Show ``text``."""
        if text != self._text:
            self._text = text
            self.setToolTip(plain_tip(text))
            self.update()

    def paintEvent(self, _event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt API
        """Draw the text wrapped at its separators (" · "); what does not fit is cut."""
        painter = QtGui.QPainter(self)
        if self.colour is not None:
            painter.setPen(self.colour)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                    | Qt.TextFlag.TextWordWrap)
        # Lines break between the parts, never inside one ("probed 5 s ago" stays whole).
        shown = " · ".join(part.replace(" ", "\u00a0") for part in self._text.split(" · "))
        painter.drawText(self.rect(), flags, shown)
        painter.end()


class DRPanel(QtWidgets.QWidget):
    """The DR panel (``ui/panel.ui``) bound to a controller.

    Args:
        controller: the state and commands.
        parent: the dock (in 3ds Max) or a window.
        probe_timeout: seconds per server; the studio default when None.
        probe_on_open: probe the list when the panel is first shown (off for tests whose list
            holds names that must not be looked up).
        offer_left_behind: on first show, offer to release farm reservations a 3ds Max that
            is gone left open (off for screenshots).
    """

    engineLabel: QtWidgets.QLabel  # noqa: N815 - names come from the Designer form
    pathLabel: QtWidgets.QLabel  # noqa: N815
    panelError: QtWidgets.QLabel  # noqa: N815
    drEnabled: QtWidgets.QCheckBox  # noqa: N815
    undoButton: QtWidgets.QToolButton  # noqa: N815
    redoButton: QtWidgets.QToolButton  # noqa: N815
    modeCombo: QtWidgets.QComboBox  # noqa: N815
    modeNote: QtWidgets.QLabel  # noqa: N815
    dispatcherBox: QtWidgets.QGroupBox  # noqa: N815
    dispatcherHost: QtWidgets.QLineEdit  # noqa: N815
    dispatcherPort: QtWidgets.QLineEdit  # noqa: N815
    dispatcherRenders: QtWidgets.QCheckBox  # noqa: N815
    dispatcherWhere: QtWidgets.QLabel  # noqa: N815
    dispatcherError: QtWidgets.QLabel  # noqa: N815
    farmBox: QtWidgets.QWidget  # noqa: N815
    farmToggle: QtWidgets.QToolButton  # noqa: N815
    farmProgress: QtWidgets.QProgressBar  # noqa: N815
    farmCancel: QtWidgets.QPushButton  # noqa: N815
    farmError: QtWidgets.QLabel  # noqa: N815
    farmBody: QtWidgets.QFrame  # noqa: N815
    farmUrl: QtWidgets.QLineEdit  # noqa: N815
    farmUser: QtWidgets.QLineEdit  # noqa: N815
    farmRefresh: QtWidgets.QToolButton  # noqa: N815
    farmPool: QtWidgets.QComboBox  # noqa: N815
    farmGroup: QtWidgets.QComboBox  # noqa: N815
    farmCount: QtWidgets.QSpinBox  # noqa: N815
    farmReserve: QtWidgets.QPushButton  # noqa: N815
    farmRelease: QtWidgets.QPushButton  # noqa: N815
    farmWait: QtWidgets.QLabel  # noqa: N815
    farmStatus: QtWidgets.QLabel  # noqa: N815
    mainSplitter: QtWidgets.QSplitter  # noqa: N815
    listSummaryRow: QtWidgets.QHBoxLayout  # noqa: N815
    serversBox: QtWidgets.QGroupBox  # noqa: N815
    addEdit: QtWidgets.QLineEdit  # noqa: N815
    addButton: QtWidgets.QToolButton  # noqa: N815
    addError: QtWidgets.QLabel  # noqa: N815
    filterEdit: QtWidgets.QLineEdit  # noqa: N815
    showCombo: QtWidgets.QComboBox  # noqa: N815
    selectButton: QtWidgets.QToolButton  # noqa: N815
    serverTable: QtWidgets.QTableView  # noqa: N815
    listSummary: StatusLine  # noqa: N815 - put in place of the form's label
    disableDeadButton: QtWidgets.QToolButton  # noqa: N815
    deadBar: QtWidgets.QWidget  # noqa: N815
    deadLabel: QtWidgets.QLabel  # noqa: N815
    tableError: QtWidgets.QLabel  # noqa: N815
    removeButton: QtWidgets.QToolButton  # noqa: N815
    enableButton: QtWidgets.QToolButton  # noqa: N815
    disableButton: QtWidgets.QToolButton  # noqa: N815
    pasteButton: QtWidgets.QToolButton  # noqa: N815
    numaButton: QtWidgets.QToolButton  # noqa: N815
    poolButton: QtWidgets.QToolButton  # noqa: N815
    listenButton: QtWidgets.QToolButton  # noqa: N815
    probeButton: QtWidgets.QToolButton  # noqa: N815
    optionsBox: QtWidgets.QGroupBox  # noqa: N815
    optionsLayout: QtWidgets.QGridLayout  # noqa: N815
    maxServersLabel: QtWidgets.QLabel  # noqa: N815
    useLocalHost: QtWidgets.QCheckBox  # noqa: N815
    restartServers: QtWidgets.QCheckBox  # noqa: N815
    saveServersInScene: QtWidgets.QCheckBox  # noqa: N815
    checkMissingFiles: QtWidgets.QCheckBox  # noqa: N815
    transferMissing: QtWidgets.QCheckBox  # noqa: N815
    useCached: QtWidgets.QCheckBox  # noqa: N815
    maxServers: QtWidgets.QLineEdit  # noqa: N815
    cacheLimitLabel: QtWidgets.QLabel  # noqa: N815
    cacheLimitBox: QtWidgets.QWidget  # noqa: N815
    cacheLimitType: QtWidgets.QComboBox  # noqa: N815
    cacheLimit: QtWidgets.QLineEdit  # noqa: N815
    optionsError: QtWidgets.QLabel  # noqa: N815
    preflightBox: QtWidgets.QGroupBox  # noqa: N815
    findingsTree: QtWidgets.QTreeWidget  # noqa: N815
    preflightNote: QtWidgets.QLabel  # noqa: N815
    summaryLabel: QtWidgets.QLabel  # noqa: N815
    preflightButton: QtWidgets.QPushButton  # noqa: N815
    progressBar: QtWidgets.QProgressBar  # noqa: N815
    cancelButton: QtWidgets.QPushButton  # noqa: N815
    guardLabel: QtWidgets.QLabel  # noqa: N815
    renderButton: QtWidgets.QPushButton  # noqa: N815

    def __init__(self, controller: PanelController, parent: QtWidgets.QWidget | None = None,
                 *, probe_timeout: float | None = None, probe_on_open: bool = True,
                 offer_left_behind: bool = True) -> None:
        super().__init__(parent)
        load_form("panel.ui", self)
        self.setObjectName("vrdrPanel")
        self._replace_summary_label()
        self.controller = controller
        self.probe_timeout = probe_timeout
        self.probe_on_open = probe_on_open
        self.offer_left_behind = offer_left_behind
        self._probe_again = False
        self.discovery_seconds = DISCOVERY_SECONDS
        self.discovery_port = READY_BROADCAST_PORT
        self.typing_guard: Callable[[QtWidgets.QWidget], None] | None = None
        self.task: Task | None = None
        self.stepper: Stepper | None = None
        self._stepper_keeps_rows = False
        self._opened = False
        self.poster = Poster(self)
        controller.set_poster(self.poster)
        controller.stepped_reruns = True
        self.model = ServerTableModel(controller, self)
        self.serverTable.setModel(self.model)
        self.dialogs = DialogFactory(self)
        self._narrow = False
        self._preflight_height: int | None = None
        self._said_unsaved = False
        self._timers: dict[str, QtCore.QTimer] = {}
        self._rewrap_timer = self._timer("rewrap", self._rewrap)
        self._list_timer = self._timer("list", self._show_list_state)
        self._timer("columns", self._fit_columns)
        self._interval_timer = QtCore.QTimer(self)
        self._interval_timer.timeout.connect(self._interval_probe)
        self._age_timer = QtCore.QTimer(self)
        self._age_timer.setInterval(AGE_TICK_MS)
        self._age_timer.timeout.connect(self._show_list_state)
        self._setup_look()
        self._connect()
        self.farm_panel = FarmPanel(self)
        controller.subscribe(self._on_event)
        self._show_settings()
        self._show_errors()
        self._show_preflight()
        self._show_history()
        self._show_list_state()
        self._set_busy(None)
        self.farm_panel.show()
        self._restore_layout()
        settle_heap()

    def _replace_summary_label(self) -> None:
        """The form's summary label becomes a :class:`StatusLine` (same name, same place)."""
        label = self.findChild(QtWidgets.QLabel, "listSummary")
        line = StatusLine(self)
        line.setObjectName("listSummary")
        if label is not None:
            layout = self.listSummaryRow
            layout.replaceWidget(label, line)
            label.deleteLater()
        self.listSummary = line

    def _timer(self, name: str, slot: Callable[[], None]) -> QtCore.QTimer:
        """A single-shot 0 ms timer: work done once after the events of this turn."""
        timer = QtCore.QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(0)
        timer.timeout.connect(slot)
        self._timers[name] = timer
        return timer

    # -- set-up --------------------------------------------------------------------------------

    def _setup_look(self) -> None:
        palette = self.palette()
        self.setStyleSheet(stylesheet(palette))
        colours = theme_colours(palette)
        self.model.set_colours(QtGui.QColor(colours["ok"]), QtGui.QColor(colours["error"]),
                               QtGui.QColor(colours["muted"]))
        for button, name in ((self.addButton, "add"), (self.disableDeadButton, "disable"),
                             (self.undoButton, "undo"), (self.redoButton, "redo"),
                             (self.selectButton, "select"), *zip(self._tool_buttons(), (
                "remove", "enable", "disable", "probe", "paste", "numa", "pool", "listen"),
                strict=True)):
            button.setIcon(icon(name, palette))
            button.setAutoRaise(True)
            button.setAccessibleName(button.text().rstrip("…"))
        for button in (self.undoButton, self.redoButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.selectButton.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.renderButton.setIcon(icon("render", palette))
        for label in (self.addError, self.tableError, self.optionsError, self.dispatcherError,
                      self.panelError):
            set_error(label, None)
        for label in (self.modeNote, self.preflightNote, self.dispatcherWhere, self.deadLabel):
            label.setProperty("role", "note")
        self.listSummary.colour = QtGui.QColor(colours["muted"])
        self.showCombo.addItems([s.value for s in SHOW_CHOICES])
        menu = QtWidgets.QMenu(self.selectButton)
        for show, text in SELECT_CHOICES:
            menu.addAction(text).triggered.connect(partial(self.select_status, show))
        self.selectButton.setMenu(menu)
        self._setup_table()
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
        self.mainSplitter.setStretchFactor(0, 3)
        self.mainSplitter.setStretchFactor(1, 0)
        self.mainSplitter.setStretchFactor(2, 2)
        # Below the width the labelled layout needs, the tool buttons drop their labels (the
        # tooltips keep them) and the options stack in one column: see _fit_width.
        self.ensurePolished()
        # The narrowest width with labelled tool buttons and two option columns (from the font).
        self.labelled_width = self.minimumSizeHint().width()
        for widget in (*self._tool_buttons(), *(box for box, _ in self._options()),
                       self.drEnabled):
            widget.setMinimumWidth(widget.iconSize().width() + 12)
        for label in (self.maxServersLabel, self.cacheLimitLabel):
            label.setMinimumWidth(24)  # narrow, each goes above its field (see _fit_width)
        self.pathLabel.setMinimumWidth(80)
        # Combo boxes as wide as their longest item would set the panel's narrowest width.
        for combo, chars in ((self.showCombo, 6), (self.cacheLimitType, 5)):
            combo.setSizeAdjustPolicy(
                QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
        # Numbers need little room: the option boxes beside them keep their words.
        number_width = self.fontMetrics().horizontalAdvance("00000000") + 16
        for edit in (self.maxServers, self.cacheLimit):
            edit.setMaximumWidth(number_width)
        self._fit_options_height()

    def _setup_table(self) -> None:
        """Column widths, sorting, header and rows of the server table."""
        # Widths from the font, never from the contents: measuring 1,000 rows on every probe
        # answer would stall 3ds Max for seconds.
        table = self.serverTable
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        metrics = self.fontMetrics()
        for column, samples in ((ENABLED, ("On",)), (PORT, ("65535",)),
                                (STATUS, ("unresolvable", "online < 1 ms", "online 999 ms")),
                                (SOURCE, ("discovered",))):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, max(map(metrics.horizontalAdvance, samples)) + 12)
        header.setSectionResizeMode(HOST, QtWidgets.QHeaderView.ResizeMode.Stretch)
        # The header paints each section as "selected" or not, asking whether its whole column
        # is selected, row by row, on every repaint: with 10,000 rows selected, 50,000 calls
        # into the model (0.3 s). Its own empty selection model answers at once; clicks still
        # sort, and the table's selection is the table's.
        header.setHighlightSections(False)
        self._header_selection = QtCore.QItemSelectionModel(self.model, header)
        header.setSelectionModel(self._header_selection)
        # The list's own order until a column is clicked (sorting is in the model: one pass).
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        if hasattr(header, "setSortIndicatorClearable"):  # Qt 6.1+: a third click unsorts
            header.setSortIndicatorClearable(True)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        rows = table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(metrics.height() + 6)

    def _tool_buttons(self) -> list[QtWidgets.QToolButton]:
        return [self.removeButton, self.enableButton, self.disableButton, self.probeButton,
                self.pasteButton, self.numaButton, self.poolButton, self.listenButton]

    def _options(self) -> list[tuple[QtWidgets.QCheckBox, str]]:
        """The option boxes in layout order, each with its name in ``OPTION_NAMES``."""
        return [(self.useLocalHost, "use_local_host"),
                (self.saveServersInScene, "save_servers_in_scene"),
                (self.restartServers, "restart_servers"),
                (self.transferMissing, "transfer_missing"), (self.useCached, "use_cached"),
                (self.checkMissingFiles, "check_missing_files")]

    def _fit_options_height(self) -> None:
        """The options keep their height in the splitter; the list and preflight share the rest."""
        self.optionsBox.setMaximumHeight(self.optionsBox.sizeHint().height())

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
        grid = self.optionsLayout
        boxes = [box for box, _ in self._options()]
        for i, box in enumerate(boxes):
            grid.removeWidget(box)
            row, column, span = (i, 0, 2) if narrow else WIDE_OPTIONS[i]
            grid.addWidget(box, row, column, 1, span)
        row = len(boxes) if narrow else WIDE_OPTIONS[-1][0] + 1
        for label, field in ((self.maxServersLabel, self.maxServers),
                             (self.cacheLimitLabel, self.cacheLimitBox)):
            grid.removeWidget(label)
            grid.removeWidget(field)
            if narrow:  # the label above its field: side by side they set the width
                grid.addWidget(label, row, 0, 1, 2)
                grid.addWidget(field, row + 1, 0, 1, 2)
                row += 2
            else:
                grid.addWidget(label, row, 0)
                grid.addWidget(field, row, 1)
                row += 1
        grid.removeWidget(self.optionsError)
        grid.addWidget(self.optionsError, row, 0, 1, 2)
        self.optionsBox.setMaximumHeight(16_777_215)
        self.optionsLayout.invalidate()
        self._fit_options_height()
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Host names whole: the From column gives way when the longest host needs its room."""
        table = self.serverTable
        header = table.horizontalHeader()
        metrics = table.fontMetrics()
        hosts = self.controller.longest_hosts()
        need = max((metrics.horizontalAdvance(h) for h in hosts), default=0) + 16
        others = sum(header.sectionSize(c) for c in (ENABLED, PORT, STATUS))
        room = table.viewport().width() - others
        hide = self._narrow or need > room - header.sectionSize(SOURCE)
        if hide != table.isColumnHidden(SOURCE):
            table.setColumnHidden(SOURCE, hide)

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
        self.filterEdit.textChanged.connect(lambda _text: self._filter_changed())
        self.showCombo.activated.connect(lambda _i: self._filter_changed())
        self.undoButton.clicked.connect(self.undo)
        self.redoButton.clicked.connect(self.redo)
        self.disableDeadButton.clicked.connect(self.disable_dead)
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
        self.mainSplitter.splitterMoved.connect(lambda _pos, _index: self._splitter_moved())
        table = self.serverTable
        # qtpy keeps QShortcut in QtWidgets for Qt 6 too (where Qt moved it to QtGui).
        shortcut = QtWidgets.QShortcut  # type: ignore[attr-defined]
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        keys = QtGui.QKeySequence
        for sequence, slot, owner in (
                (keys(keys.StandardKey.Delete), self.remove_selected, table),
                (keys(keys.StandardKey.Paste), self.paste_clipboard, table),
                (keys(Qt.Key.Key_F5), self.probe, self),
                # A text field keeps Ctrl+Z for its own text (it claims the key first).
                (keys("Ctrl+Z"), self.undo, self),
                (keys("Ctrl+Shift+Z"), self.redo, self),
                (keys("Ctrl+Y"), self.redo, self)):
            sc = shortcut(sequence, owner)
            sc.setContext(context)
            sc.activated.connect(slot)

    # -- layout memory -------------------------------------------------------------------------

    def layout_settings(self) -> QtCore.QSettings:
        """The panel's layout memory (``panel-layout.ini`` next to the user's config file)."""
        return QtCore.QSettings(str(self.controller.layout_path()),
                                QtCore.QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        value = self.layout_settings().value("preflight_height")
        try:
            self._preflight_height = int(value) if value is not None else None
        except (TypeError, ValueError):
            self._preflight_height = None
        self._fit_preflight()

    def _splitter_moved(self) -> None:
        """Remember the preflight's height the artist chose (while it shows findings)."""
        if self.findingsTree.isVisible():
            self._preflight_height = self.mainSplitter.sizes()[2]
            settings = self.layout_settings()
            settings.setValue("preflight_height", self._preflight_height)
            settings.sync()

    def _fit_preflight(self) -> None:
        """An empty preflight takes the room of its button; findings get their share back."""
        empty = not self.controller.finding_rows()
        box = self.preflightBox
        self.findingsTree.setVisible(not empty)
        if empty:
            box.setMaximumHeight(box.minimumSizeHint().height())
            return
        box.setMaximumHeight(16_777_215)
        sizes = self.mainSplitter.sizes()
        total = sum(sizes)
        # The height the artist chose last (kept in the layout file), else a share.
        want = self._preflight_height or max(sizes[2], int(total * PREFLIGHT_SHARE))
        if total and sizes[2] != want:
            list_height = max(sizes[0] + sizes[2] - want, self.serverTable.minimumHeight())
            self.mainSplitter.setSizes([list_height, sizes[1], total - list_height - sizes[1]])

    # -- controller events ---------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event in (Event.SETTINGS, Event.SCENE):
            self._show_settings()
        if event is Event.ERRORS:
            self._show_errors()
            self.farm_panel.show_error()
        if event is Event.FARM:
            self.farm_panel.show()
        if event is Event.SHUTDOWN:
            self.farm_panel.ask_before_close(can_cancel=False, wait=True)
        if event is Event.PREFLIGHT:
            self._show_preflight()
        if event is Event.CONFLICT:
            # Out of the current call chain: the dialog opens once the edit that hit it is over.
            QtCore.QTimer.singleShot(0, self.dialogs.conflict)
        if event is Event.GUARD:
            self._show_guard()
        if event in (Event.PROBE, Event.SETTINGS, Event.SCENE):
            self._show_dispatcher_status()
        if event in (Event.PROBE, Event.SERVERS, Event.SCENE) or (
                event is Event.SAVE and (self.controller.unsaved or self._said_unsaved)):
            self._list_timer.start()  # once for a burst of answers or edits
        if event in (Event.SERVERS, Event.SCENE):
            self._timers["columns"].start()
        if event in (Event.HISTORY, Event.SCENE):
            self._show_history()
        if event is Event.RERUN:
            QtCore.QTimer.singleShot(0, self._rerun)

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
        self.dispatcherWhere.setText(c.dispatcher_where())
        for box, name in self._options():
            box.setChecked(c.option(name))
            self._offer(box, c.option_unavailable(name), box.toolTip() or "")
        if InputField.MAX_SERVERS not in c.errors:
            self.maxServers.setText(str(s.max_servers))
        if InputField.CACHE_LIMIT not in c.errors:
            self.cacheLimit.setText(f"{s.assets.cache_limit:g}")
        self.cacheLimitType.setCurrentIndex(int(s.assets.cache_limit_type))
        numbers: tuple[tuple[QtWidgets.QWidget, str], ...] = (
            (self.maxServers, "max_servers"), (self.maxServersLabel, "max_servers"),
            (self.cacheLimitType, "cache_limit"), (self.cacheLimitLabel, "cache_limit"),
            (self.cacheLimit, "cache_limit"))
        for widget, name in numbers:
            self._offer(widget, c.option_unavailable(name), widget.toolTip() or "")
        if c.option_unavailable("cache_limit") is None:
            self.cacheLimit.setEnabled(s.assets.cache_limit_type is not CacheLimitType.NONE)

    @staticmethod
    def _offer(widget: QtWidgets.QWidget, why: str | None, tip: str) -> None:
        """Enable ``widget``, or disable it with ``why`` as its tooltip."""
        original = widget.property("vrdrTip")
        if original is None:
            widget.setProperty("vrdrTip", tip)
            original = tip
        widget.setEnabled(why is None)
        widget.setToolTip(str(original) if why is None else plain_tip(why))

    def _show_path(self) -> None:
        path = str(self.controller.cfg_path)
        self.pathLabel.setText(self.fontMetrics().elidedText(
            path, Qt.TextElideMode.ElideMiddle, max(120, self.width() - 16)))
        self.pathLabel.setToolTip(plain_tip(path))

    def _show_dispatcher_status(self) -> None:
        result = self.controller.dispatcher_probe()
        status = status_text(result)
        self.dispatcherBox.setTitle(f"DR2 dispatcher: {status}" if status else "DR2 dispatcher")
        self.dispatcherBox.setToolTip(plain_tip(result.message) if result else "")

    def _show_errors(self) -> None:
        c = self.controller
        errors = c.errors
        set_error(self.addError, errors.get(InputField.ADD) or errors.get(InputField.PASTE)
                  or errors.get(InputField.NUMA) or errors.get(InputField.POOL))
        mark_invalid(self.addEdit, InputField.ADD in errors)
        set_error(self.tableError, errors.get(InputField.EDIT) or errors.get(InputField.SAVE))
        set_error(self.dispatcherError, errors.get(InputField.DISPATCHER))
        mark_invalid(self.dispatcherHost, InputField.DISPATCHER in errors)
        set_error(self.optionsError, errors.get(InputField.MAX_SERVERS)
                  or errors.get(InputField.CACHE_LIMIT) or errors.get(InputField.OPTION))
        mark_invalid(self.maxServers, InputField.MAX_SERVERS in errors)
        mark_invalid(self.cacheLimit, InputField.CACHE_LIMIT in errors)
        general = [errors[f] for f in (InputField.STUDIO, InputField.EVENT, InputField.PROBE,
                                       InputField.MODE,
                                       InputField.PREFLIGHT, InputField.RENDER, InputField.FIX,
                                       InputField.SELECT) if f in errors]
        set_error(self.panelError, "\n".join(general) or None)
        self._show_note(self.modeNote, c.notes.get(InputField.MODE))
        self._show_note(self.preflightNote, c.notes.get(InputField.FIX)
                        or c.notes.get(InputField.SELECT))

    @staticmethod
    def _show_note(label: QtWidgets.QLabel, text: str | None) -> None:
        label.setText(text or "")
        label.setVisible(bool(text))

    def _show_history(self) -> None:
        c = self.controller
        for button, label, verb, keys in ((self.undoButton, c.undo_label, "Undo", "Ctrl+Z"),
                                          (self.redoButton, c.redo_label, "Redo",
                                           "Ctrl+Shift+Z")):
            button.setEnabled(label is not None)
            button.setToolTip(plain_tip(f"{verb} {label} ({keys})") if label
                              else f"Nothing to {verb.lower()}")

    def _show_list_state(self) -> None:
        """The summary line under the table and the Disable dead button."""
        c = self.controller
        self.listSummary.setText(c.list_summary())
        self._said_unsaved = c.unsaved
        dead = c.unanswered_count() if c.probed_at is not None else 0
        self.deadBar.setVisible(dead > 0)
        text = f"{plural(dead, 'enabled server')} did not answer"
        if self.deadLabel.text() != text:  # a label's new text lays the window out again
            self.deadLabel.setText(text)
            self.disableDeadButton.setToolTip(f"Disable the {text} (Undo takes it back)")
        if c.probed_at is not None and not self._age_timer.isActive():
            self._age_timer.start()

    def _show_preflight(self) -> None:
        tree = self.findingsTree
        tree.clear()
        self.summaryLabel.setText(self.controller.summary())
        rows = self.controller.finding_rows()
        palette = self.palette()
        icons = {s: icon(s.value, palette) for s in Severity}
        muted = QtGui.QColor(theme_colours(palette)["muted"])
        for row in rows:
            finding = row.finding
            # One line per finding (icon, the head of its message, its buttons); the whole
            # message and the subjects below it, wrapped to the width, when expanded.
            item = QtWidgets.QTreeWidgetItem(["", ""])
            # Scene names and paths shown escaped, as `vrdr check` prints them (one_line).
            message = one_line(finding.message)
            head = headline(message)
            item.setData(0, HEADLINE_ROLE, f"Fixed: {head}" if row.fixed else head)
            item.setIcon(0, icons[finding.severity])
            item.setToolTip(0, plain_tip(f"{row.title} ({finding.check_id})" + (
                "; fixed: it runs again with the next preflight" if row.fixed else "")))
            item.setData(0, Qt.ItemDataRole.UserRole, finding.check_id)
            if row.fixed:
                item.setForeground(0, muted)
            tree.addTopLevelItem(item)
            subjects = [f"- {one_line(s)}" for s in finding.subjects[:MAX_SUBJECTS]]
            if len(finding.subjects) > MAX_SUBJECTS:
                subjects.append(f"... and {len(finding.subjects) - MAX_SUBJECTS} more")
            for text in (message, *subjects):
                child = QtWidgets.QTreeWidgetItem(["", ""])
                child.setData(0, Qt.ItemDataRole.UserRole, text)
                child.setToolTip(0, plain_tip(text))
                item.addChild(child)
                child.setFirstColumnSpanned(True)
            tree.setItemWidget(item, 1, self._finding_actions(row))
        # Tab reaches the Fix and Select buttons right after the list, in the list's order
        # (as created they would come last, after Render with DR).
        previous: QtWidgets.QWidget = tree
        buttons: list[QtWidgets.QToolButton] = []
        for item in top_level_items(tree):
            box = tree.itemWidget(item, 1)
            if box is not None:
                buttons += box.findChildren(QtWidgets.QToolButton)
        for button in buttons:
            QtWidgets.QWidget.setTabOrder(previous, button)
            previous = button
        QtWidgets.QWidget.setTabOrder(previous, self.preflightButton)
        self._fit_preflight()
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
        self._timers["columns"].start()  # once the table has its new width
        # Once the resizing settles (dragging a dock edge sends many events in a row).
        self._rewrap_timer.start()

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt API
        """First shown: probe the list; while shown: probe on the studio's interval."""
        super().showEvent(event)
        if not self._opened:
            self._opened = True
            QtCore.QTimer.singleShot(0, self._fit_preflight)  # sizes exist once laid out
            QtCore.QTimer.singleShot(0, self._first_shown)
        interval = self.controller.probe_interval()
        if interval > 0:
            self._interval_timer.start(int(interval * 1000))

    def hideEvent(self, event: QtGui.QHideEvent) -> None:  # noqa: N802 - Qt API
        """Hidden (dock closed or tabbed away): no probing on the interval."""
        super().hideEvent(event)
        self._interval_timer.stop()

    def _first_shown(self) -> None:
        """Offer the farm reservations left behind, then probe the list (as it is then)."""
        if self.offer_left_behind:
            self.farm_panel.offer_left_behind()
        if self.probe_on_open and self.controller.row_count():
            # A release chosen just now brings the artist's list back: probe that one.
            self.farm_panel.when_idle(self.probe_soon)

    def _interval_probe(self) -> None:
        if self.isVisible() and not self.busy:
            self.probe()

    def _finding_actions(self, row: FindingRow) -> QtWidgets.QWidget:
        finding = row.finding
        box = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if row.fixed:
            done = plain_label("fixed", box)
            done.setObjectName(f"fixed:{finding.check_id}")
            done.setProperty("role", "note")
            layout.addWidget(done)
            return box
        if finding.fix:
            fix = QtWidgets.QToolButton(box)
            fix.setIcon(icon("fix", self.palette()))
            fix.setText("Fix")  # icon only, so the check's title keeps the width
            fix.setAccessibleName("Fix")
            fix.setObjectName(f"fix:{finding.fix}")
            fix.setToolTip(f"Fix: {self.controller.fix_description(finding.fix)}")
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
        rows = self.controller.finding_rows()
        if 0 <= index < len(rows) and not rows[index].fixed:
            self.controller.select(rows[index].finding)

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
        """List rows selected in the server table (whatever the sort and filter).

        Read from the selection's ranges: ``selectedRows()`` asks the model about every cell
        of every selected row, half a second for 10,000.
        """
        rows: set[int] = set()
        source = self.model.source_row
        spans = cast(Iterable[Any], self.serverTable.selectionModel().selection())  # a QList
        for span in spans:
            rows.update(source(r) for r in range(span.top(), span.bottom() + 1))
        return sorted(rows)

    def select_status(self, show: Show, *_signal: object) -> None:
        """Select the rows shown whose status is ``show``."""
        table = self.serverTable
        selection = QtCore.QItemSelection()
        last = self.model.columnCount() - 1
        for start, stop in row_runs(self.model.rows_where(show)):
            selection.select(self.model.index(start, 0), self.model.index(stop - 1, last))
        table.selectionModel().select(
            selection, QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _filter_changed(self) -> None:
        self.model.set_filter(self.filterEdit.text(), SHOW_CHOICES[self.showCombo.currentIndex()])

    def filter_now(self) -> None:
        """Apply the filter fields again (a status filter keeps rows in place until asked)."""
        self._filter_changed()

    def _add(self) -> None:
        if self.controller.add_server(self.addEdit.text()) is None:
            self.addEdit.clear()

    def remove_selected(self) -> None:
        """Delete: remove the selected servers."""
        self.controller.remove_rows(self.selected_rows())

    def undo(self) -> None:
        """Ctrl+Z: take back the last edit."""
        self.controller.undo()

    def redo(self) -> None:
        """Ctrl+Shift+Z: do again what Undo took back."""
        self.controller.redo()

    def disable_dead(self) -> None:
        """Disable the servers that did not answer the last probe."""
        self.controller.disable_unanswered()

    def paste_clipboard(self) -> None:
        """Ctrl+V in the table: offer the clipboard's lines in the paste dialog."""
        self.dialogs.paste(QtWidgets.QApplication.clipboard().text())

    def _option_clicked(self, box: QtWidgets.QCheckBox, name: str, *_signal: object) -> None:
        if self.controller.set_option(name, box.isChecked()) is not None:
            box.setChecked(self.controller.option(name))

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
        self.enable_actions()
        if what is None and self._probe_again:
            self._probe_again = False
            QtCore.QTimer.singleShot(0, self.probe)

    def enable_actions(self) -> None:
        """Probe, Listen, Check scene while nothing runs; Render not while the farm reserves."""
        idle = not self.busy
        for widget in (self.probeButton, self.listenButton, self.preflightButton):
            widget.setEnabled(idle)
        farm = getattr(self, "farm_panel", None)
        reserving = farm is not None and farm.reserving
        why = "Wait for the farm reservation to end (or Cancel it)" if reserving else None
        self._offer(self.renderButton, why, self.renderButton.toolTip() or "")
        self.renderButton.setEnabled(idle and not reserving)

    def probe_soon(self) -> None:
        """Probe now, or once the running probe, listen or preflight is over."""
        if self.busy:
            self._probe_again = True
        else:
            self.probe()

    def probe(self) -> Task | None:
        """F5: probe every listed server on a worker thread."""
        if self.busy:
            return None
        targets = self.controller.probe_endpoints()
        if not targets:
            return None
        timeout = self.probe_timeout or self.controller.probe_timeout()
        task = Task(probe_job(targets, timeout))
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
        self.controller.probe_finished()

    def _task_failed(self, message: str) -> None:
        self.task = None
        self._set_busy(None)
        self.controller.probe_failed(message)

    def listen(self) -> Task | None:
        """Listen for servers for a few seconds, then offer the hosts heard."""
        if self.busy:
            return None
        task = Task(discovery_job(self.discovery_seconds, self.discovery_port))
        task.progress.connect(self._listen_progress)  # a method: let go when the panel goes
        task.finished.connect(self._listen_done)
        task.failed.connect(self._task_failed)
        self._set_busy("listening", int(self.discovery_seconds * 1000))
        self.progressBar.setFormat("listening for servers")
        self.task = task
        task.start()
        return task

    def _listen_progress(self, done: int, _total: int, _senders: int) -> None:
        self.progressBar.setValue(done)

    def _listen_done(self, report: DiscoveryReport) -> None:
        self.task = None
        self._set_busy(None)
        self.dialogs.hosts([s.address for s in report.senders])

    def preflight(self, *, keep_rows: bool = False) -> Stepper | None:
        """Run the preflight: the scene read in slices, then one check per event-loop turn."""
        if self.busy:
            return None
        stepper = Stepper(self.controller.preflight_steps(), len(CHECKS), self,
                          keep=lambda item: isinstance(item, CheckResult))
        stepper.progress.connect(self._preflight_progress)
        stepper.reading.connect(self._preflight_reading)
        stepper.finished.connect(self._preflight_done)
        self._set_busy("reading the scene", len(CHECKS))
        self.progressBar.setFormat("reading the scene")
        self.stepper = stepper
        self._stepper_keeps_rows = keep_rows
        stepper.start()
        return stepper

    def _preflight_reading(self, item: Any) -> None:
        self.progressBar.setFormat(f"reading the scene: {getattr(item, 'part', '')}")

    def _preflight_progress(self, done: int, _total: int, _result: object) -> None:
        if done == 1:
            self.progressBar.setFormat("checking %v/%m")
        self.progressBar.setValue(done)

    def _preflight_done(self, results: list[Any]) -> None:
        stepper = self.stepper
        self.stepper = None
        self._set_busy(None)
        if stepper is not None and stepper.error is not None:
            self.controller.preflight_failed(stepper.error)
            return
        if InputField.PREFLIGHT in self.controller.errors:
            return  # the scene could not be read: said in the panel
        self.controller.finish_preflight(results, keep_rows=self._stepper_keeps_rows,
                                         cancelled=bool(stepper and stepper.cancelled))

    def _rerun(self) -> None:
        """A fix changed the scene: read it again in steps, findings keeping their lines."""
        if self.controller.rerun_wanted and self.preflight(keep_rows=True) is None:
            QtCore.QTimer.singleShot(50, self._rerun)  # busy: once the running job is done

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
        first = self.controller.plan()
        if first is None:
            return None  # the controller said why, in the panel
        choice = self.dialogs.plan(first)
        if choice is None:
            return None
        submit_plan, reason = choice
        report = self.controller.render(submit_plan, reason or None)
        self.dialogs.report(report)
        return report

    def status_of(self, row: int) -> str:
        """The status cell of table row ``row`` (for tests and screenshots)."""
        return str(self.model.index(row, STATUS).data() or "")

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Stop workers and remove the 3ds Max callbacks."""
        self.shutdown()
        super().closeEvent(event)

    def ask_before_close(self, *, can_cancel: bool = True, wait: bool = False) -> bool:
        """Closing: ask about an open farm reservation (``FarmPanel.ask_before_close``).

        Returns:
            False when the artist chose to keep the panel open.
        """
        return self.farm_panel.ask_before_close(can_cancel=can_cancel, wait=wait)

    def shutdown(self, *, removing: bool = False) -> None:
        """Cancel running work, finish a save in flight, and detach from 3ds Max's events.

        A farm reservation being made is cancelled (so undone on its worker); a release in
        flight runs to its end on its worker (a Web Service that does not answer must not hold
        3ds Max's UI). A panel only hidden keeps watching 3ds Max's closing while a
        reservation is open, so it still asks then; one being removed (``removing``) does not.
        """
        self.cancel()
        self.farm_panel.cancel()
        if self.task is not None:
            self.task.wait(2.0)
        self._interval_timer.stop()
        self.controller.detach(watch_shutdown=not removing)


def headline(message: str) -> str:
    """The head of a finding's message, up to its first clause break, capitalised."""
    cuts = [i for i in (message.find(mark) for mark in (": ", "; ", " (")) if i >= 12]
    head = message[:min(cuts)] if cuts else message
    return head[:1].upper() + head[1:]


__all__ = ["DRPanel", "headline", "top_level_items"]
