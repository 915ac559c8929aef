"""The panel's dialogs, each a form in ``ui/``.

Paste, NUMA machine, pool, hosts heard, plan, report, conflict, fix choice, and the farm's
password and its question (release a reservation on closing, or one left behind).
``DialogFactory.run`` shows one modally; tests replace it. The logic behind them is Qt-free,
beside the controller: ``render_checklist`` (plan and report in the artist's words),
``paste_preview`` (pasted lines judged one by one), ``numa_form`` (fields over the spawner's
flags), ``conflict`` (diff and re-apply) and ``farm_section`` (the farm). Every dialog can be
resized (a size grip).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qtpy import QtCore, QtGui, QtWidgets

from vrdr_max import reporting
from vrdr_max.checks import CHECKS, Finding
from vrdr_max.errors import VrdrError, one_line
from vrdr_max.fixes import choices
from vrdr_max.panel import numa_form
from vrdr_max.panel.controller import InputField, PanelController
from vrdr_max.panel.look import (
    guard_inputs,
    icon,
    load_form,
    plain_label,
    plain_tip,
    set_error,
    stylesheet,
)
from vrdr_max.panel.paste_preview import PasteLine, PasteStatus, addable
from vrdr_max.panel.render_checklist import (
    Line,
    Mark,
    online_choice,
    plan_checklist,
    plan_details,
    report_headline,
    report_lines,
    report_text,
)
from vrdr_max.ports import READY_BROADCAST_PORT
from vrdr_max.submit import SubmissionReport, SubmitPlan

if TYPE_CHECKING:
    from vrdr_max.panel.widgets import DRPanel

Qt = QtCore.Qt
StandardButton = QtWidgets.QDialogButtonBox.StandardButton
ButtonRole = QtWidgets.QDialogButtonBox.ButtonRole

MARK_ICONS = {Mark.OK: "ok", Mark.ERROR: "error", Mark.WARNING: "warning", Mark.NOTE: "info"}
PASTE_REFRESH_MS = 150
"""Typing in the paste box re-reads the lines once it pauses this long."""
WRAP_ROWS = 500
"""Up to this many pasted lines the status column wraps (rows grow); longer pastes keep one line
a row, the reason in the tooltip, so a 10,000-line paste does not measure every row's text."""


class Dialog(QtWidgets.QDialog):
    """A dialog loaded from a form in ``ui/``; resizable from its corner."""

    buttons: QtWidgets.QDialogButtonBox

    def __init__(self, form: str, parent: DRPanel) -> None:
        super().__init__(parent)
        load_form(form, self)
        self.setStyleSheet(stylesheet(self.palette()))
        self.setSizeGripEnabled(True)
        self.typing_guard = parent.typing_guard
        if self.typing_guard is not None:
            guard_inputs(self, self.typing_guard)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def child(self, name: str) -> Any:
        """A widget of the form by object name."""
        return getattr(self, name)

    def ok_button(self) -> QtWidgets.QPushButton:
        """The button box's OK button."""
        return self.buttons.button(StandardButton.Ok)


class ChecklistDialog(Dialog):
    """``plan.ui``: lines with a tick, a cross, a warning or a note; details behind a toggle."""

    headLabel: QtWidgets.QLabel  # noqa: N815 - names come from the Designer form
    checklistArea: QtWidgets.QScrollArea  # noqa: N815
    onlineBox: QtWidgets.QCheckBox  # noqa: N815
    errorLabel: QtWidgets.QLabel  # noqa: N815
    detailsButton: QtWidgets.QToolButton  # noqa: N815
    textView: QtWidgets.QPlainTextEdit  # noqa: N815
    reasonLabel: QtWidgets.QLabel  # noqa: N815
    reasonEdit: QtWidgets.QLineEdit  # noqa: N815

    def __init__(self, parent: DRPanel) -> None:
        super().__init__("plan.ui", parent)
        set_error(self.errorLabel, None)
        self.detailsButton.toggled.connect(self._show_details)
        self._show_details(False)
        self.lines: list[Line] = []

    def _show_details(self, shown: bool) -> None:
        self.textView.setVisible(shown)
        self.detailsButton.setArrowType(Qt.ArrowType.DownArrow if shown
                                        else Qt.ArrowType.RightArrow)

    def show_lines(self, lines: list[Line], on_fix: Callable[[Line], None] | None = None
                   ) -> None:
        """Replace the checklist with ``lines``; a line with a fix gets a Fix button.

        One grid: the mark's icon, the words (wrapping to the width), the Fix button.
        """
        self.lines = lines
        sheet = QtWidgets.QWidget()
        sheet.setObjectName("checklist")
        grid = QtWidgets.QGridLayout(sheet)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        palette = self.palette()
        top = Qt.AlignmentFlag.AlignTop
        for row, line in enumerate(lines):
            mark = plain_label(parent=sheet)
            mark.setPixmap(icon(MARK_ICONS[line.mark], palette).pixmap(16, 16))
            mark.setAccessibleName(line.mark.word)
            mark.setToolTip(line.mark.word)
            grid.addWidget(mark, row, 0, top)
            text = plain_label(line.text, sheet)  # a scene's names, the artist's reason
            text.setObjectName(f"line:{line.mark.word}")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setAccessibleName(f"{line.mark.word}: {line.text}")
            grid.addWidget(text, row, 1, top)
            if line.fix and on_fix is not None:
                button = QtWidgets.QToolButton(sheet)
                button.setIcon(icon("fix", palette))
                button.setText("Fix")
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                button.setObjectName(f"fix:{line.fix}")
                button.setToolTip(f"Fix: {PanelController.fix_description(line.fix)}")
                button.clicked.connect(lambda _c=False, chosen=line: on_fix(chosen))
                grid.addWidget(button, row, 2, top)
        grid.setRowStretch(len(lines), 1)
        self.checklistArea.setWidget(sheet)  # the previous sheet is deleted with it

    def line_texts(self) -> list[str]:
        """The checklist as text, one ``✓ words`` line each (tests, Copy)."""
        return [line.plain() for line in self.lines]


class PlanDialog(ChecklistDialog):
    """Render with DR: the plan as a checklist, the "only servers that answered" choice."""

    def __init__(self, factory: DialogFactory, submit_plan: SubmitPlan) -> None:
        super().__init__(factory.panel)
        self.factory = factory
        controller = factory.controller
        self.headLabel.setText("Render with DR will do this (nothing has changed yet):")
        # A plan that left servers out was made with "only servers that answered" on; one that
        # left none out reads the same as with it off.
        self.plans: dict[bool, SubmitPlan] = {bool(submit_plan.skipped_servers): submit_plan}
        probed = controller.probed_all()
        self.onlineBox.setEnabled(probed)
        self.onlineBox.setChecked(probed)
        if not probed:
            self.onlineBox.setText("Only servers that answered the probe (probe first: F5)")
        self.ok_button().setText("Render")
        self.reasonEdit.textChanged.connect(lambda _t: self._enable_render())
        self.onlineBox.toggled.connect(lambda _on: self.refresh())
        self.refresh()

    @property
    def chosen(self) -> SubmitPlan:
        """The plan Render carries out (the box's choice; Render is enabled only with one)."""
        return self.plans[self.onlineBox.isChecked()]

    def _plan(self, only_online: bool) -> SubmitPlan | None:
        """The plan with the box on or off (worked out once per state); None: it failed."""
        if only_online not in self.plans:
            plan = self.factory.controller.plan(only_online=only_online)
            if plan is None:
                return None
            self.plans[only_online] = plan
        return self.plans[only_online]

    def refresh(self) -> None:
        """Show the plan for the box's state."""
        controller = self.factory.controller
        plan = self._plan(self.onlineBox.isChecked())
        online = self._plan(True) if plan is not None and self.onlineBox.isEnabled() else None
        if plan is None or (self.onlineBox.isEnabled() and online is None):
            set_error(self.errorLabel, controller.errors.get(InputField.RENDER,
                                                             "cannot plan the render"))
            self.ok_button().setEnabled(False)
            return
        if online is not None:
            self.onlineBox.setText(online_choice(online, controller.settings))
        set_error(self.errorLabel, None)
        farm = controller.farm
        self.show_lines(plan_checklist(plan, controller.settings,
                                       farm_job=farm.reserved_job if farm.holds_cfg else None),
                        self._fix)
        self.textView.setPlainText("\n".join(plan_details(plan)))
        for widget in (self.reasonLabel, self.reasonEdit):
            widget.setVisible(plan.blocked)
        self._enable_render()

    def _enable_render(self) -> None:
        plan = self.plans.get(self.onlineBox.isChecked())
        self.ok_button().setEnabled(plan is not None and (
            not plan.blocked or bool(self.reasonEdit.text().strip())))

    def _fix(self, line: Line) -> None:
        if line.finding is None or not self.factory.fix(line.finding):
            return
        self.plans = {}  # the scene or the list changed: work the plan out again
        self.refresh()

    def reason(self) -> str:
        """The override reason ("" when nothing blocks the chosen plan)."""
        return self.reasonEdit.text().strip() if self.chosen.blocked else ""


class _GuardedEditors(QtWidgets.QStyledItemDelegate):
    """Applies the panel's typing guard to in-place editors (3ds Max shortcuts stay quiet)."""

    def __init__(self, guard: Callable[[QtWidgets.QWidget], None], parent: QtCore.QObject
                 ) -> None:
        super().__init__(parent)
        self.guard = guard

    def createEditor(self, parent: QtWidgets.QWidget,  # noqa: N802 - Qt API
                     option: QtWidgets.QStyleOptionViewItem,
                     index: QtCore.QModelIndex | QtCore.QPersistentModelIndex
                     ) -> QtWidgets.QWidget:
        """The default editor, guarded."""
        editor = super().createEditor(parent, option, index)
        self.guard(editor)
        return editor


def _checked(value: Any) -> bool:
    """A check state from a view (an int in some bindings, an enum in others) is "checked"."""
    raw = getattr(value, "value", value)
    try:
        return int(raw) == 2  # Qt::Checked
    except (TypeError, ValueError):
        return False


class PasteTable(QtCore.QAbstractTableModel):
    """The paste preview's rows: each pasted line, what it reads as, its status.

    A model rather than table items: a 10,000-line paste costs one reset, not a call per cell.
    The line is edited in place (``setData``); a line to check carries a box the artist ticks
    to keep it as it reads.
    """

    LINE, READS, STATUS = range(3)
    HEADERS = ("Line (edit in place)", "Reads as", "Status")

    def __init__(self, dialog: PasteDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        palette = dialog.palette()
        self.icons = {PasteStatus.NEW: icon("ok", palette),
                      PasteStatus.INVALID: icon("error", palette),
                      PasteStatus.CHECK: icon("warning", palette),
                      PasteStatus.LISTED: icon("info", palette),
                      PasteStatus.REPEATED: icon("info", palette)}

    def rowCount(self, parent: Any = None) -> int:  # noqa: N802 - Qt API
        """One row per pasted line (none under a cell: this is a table)."""
        return 0 if parent is not None and parent.isValid() else len(self.dialog.lines)

    def columnCount(self, parent: Any = None) -> int:  # noqa: N802 - Qt API
        """Line, reads as, status."""
        return 0 if parent is not None and parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """What a cell shows."""
        line = self.dialog.lines[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (line.text, line.endpoint + ("" if line.enabled else " (off)"),
                    line.status_text)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(line, column)
        if column == self.LINE and role == Qt.ItemDataRole.DecorationRole:
            return self.icons[line.status]
        if (column == self.LINE and role == Qt.ItemDataRole.CheckStateRole
                and line.status is PasteStatus.CHECK):
            return (Qt.CheckState.Checked if (line.number, line.text) in self.dialog.kept
                    else Qt.CheckState.Unchecked)
        return None

    def _tooltip(self, line: PasteLine, column: int) -> str | None:
        if column == self.LINE and line.status is PasteStatus.CHECK:
            return f"Tick to add it as {line.endpoint}, or edit the line"
        return plain_tip(line.status_text) if column == self.STATUS else None  # quotes the line

    def flags(self, index: Any) -> Qt.ItemFlag:
        """The line is editable; a line to check is checkable too."""
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.LINE:
            flags |= Qt.ItemFlag.ItemIsEditable
            if self.dialog.lines[index.row()].status is PasteStatus.CHECK:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Any, value: Any,  # noqa: N802 - Qt API
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Tick a line to check, or edit a line (the text box follows)."""
        if index.column() != self.LINE:
            return False
        line = self.dialog.lines[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole:
            self.dialog.keep(line, _checked(value))
            self.dataChanged.emit(index, index)
            return True
        if role == Qt.ItemDataRole.EditRole:
            self.dialog.edit_line(line.number, str(value))
            return True
        return False

    def reset(self) -> None:
        """The lines were read again."""
        self.beginResetModel()
        self.endResetModel()


class PasteDialog(Dialog):
    """Paste with a preview: each line new, listed, repeated, to check or invalid; Add N."""

    textEdit: QtWidgets.QPlainTextEdit  # noqa: N815 - names come from the Designer form
    previewTable: QtWidgets.QTableView  # noqa: N815
    summaryLabel: QtWidgets.QLabel  # noqa: N815
    errorLabel: QtWidgets.QLabel  # noqa: N815

    LINE, READS, STATUS = PasteTable.LINE, PasteTable.READS, PasteTable.STATUS

    def __init__(self, factory: DialogFactory, text: str) -> None:
        super().__init__("paste.ui", factory.panel)
        self.controller = factory.controller
        self.lines: list[PasteLine] = []
        self.kept: set[tuple[int, str]] = set()
        """Lines to check that the artist ticked, by number and text."""
        set_error(self.errorLabel, None)
        self.model = PasteTable(self)
        table = self.previewTable
        table.setModel(self.model)
        header = table.horizontalHeader()
        metrics = self.fontMetrics()
        width = metrics.horizontalAdvance("render-node-042:20204")
        table.setColumnWidth(self.LINE, width + 40)
        table.setColumnWidth(self.READS, width + 12)
        header.setStretchLastSection(True)
        table.verticalHeader().setVisible(False)
        # Wrapped rows are measured at the column's width: again once it settles.
        self._rows_timer = QtCore.QTimer(self)
        self._rows_timer.setSingleShot(True)
        self._rows_timer.setInterval(0)
        self._rows_timer.timeout.connect(self._fit_rows)
        header.sectionResized.connect(lambda *_a: self._rows_timer.start())
        if self.typing_guard is not None:
            table.setItemDelegate(_GuardedEditors(self.typing_guard, table))
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PASTE_REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.textEdit.setPlainText(text)
        self.textEdit.textChanged.connect(self._timer.start)
        self.refresh()

    def refresh(self) -> None:
        """Read the text again and show each line's status."""
        self._timer.stop()
        self.lines = self.controller.paste_preview(self.textEdit.toPlainText())
        self.model.reset()
        self._fit_rows()
        self._count()

    def _fit_rows(self) -> None:
        if len(self.lines) <= WRAP_ROWS:
            self.previewTable.resizeRowsToContents()  # the reasons wrap: read why, not "..."

    def keep(self, line: PasteLine, kept: bool) -> None:
        """Tick (or untick) a line to check: keep it as it reads."""
        key = (line.number, line.text)
        if kept:
            self.kept.add(key)
        else:
            self.kept.discard(key)
        self._count()

    def edit_line(self, number: int, text: str) -> None:
        """Line ``number`` edited in place: the text box follows, the lines are read again."""
        rows = self.textEdit.toPlainText().split("\n")
        if 0 < number <= len(rows) and rows[number - 1] != text:
            rows[number - 1] = text
            self.textEdit.blockSignals(True)
            self.textEdit.setPlainText("\n".join(rows))
            self.textEdit.blockSignals(False)
            QtCore.QTimer.singleShot(0, self.refresh)  # not while the view is still editing

    def status_of(self, row: int) -> str:
        """The status cell of ``row`` (tests, screenshots)."""
        return str(self.model.index(row, self.STATUS).data())

    def to_add(self) -> list[PasteLine]:
        """What Add adds: the new lines and the ticked ones to check."""
        return addable(self.lines, (n for n, t in self.kept
                                    if any(x.number == n and x.text == t for x in self.lines)))

    def _count(self) -> None:
        counts = {s: sum(1 for x in self.lines if x.status is s) for s in PasteStatus}
        words = [f"{counts[s]} {s.value}" for s in PasteStatus if counts[s]]
        self.summaryLabel.setText(" · ".join(words) if words else "Nothing pasted yet.")
        count = len(self.to_add())
        ok = self.ok_button()
        ok.setText(f"Add {count}")
        ok.setEnabled(count > 0)

    def accept(self) -> None:
        """Add the lines; an error keeps the dialog open."""
        if self._timer.isActive():
            self.refresh()
        message = self.controller.add_pasted(self.to_add())
        set_error(self.errorLabel, message)
        if message is None:
            super().accept()


class NumaDialog(Dialog):
    """A NUMA machine: plain fields over the spawner's flags, its processes under the host."""

    hostEdit: QtWidgets.QLineEdit  # noqa: N815 - names come from the Designer form
    nodesSpin: QtWidgets.QSpinBox  # noqa: N815
    processesSpin: QtWidgets.QSpinBox  # noqa: N815
    portSpin: QtWidgets.QSpinBox  # noqa: N815
    argsEdit: QtWidgets.QLineEdit  # noqa: N815
    previewTree: QtWidgets.QTreeWidget  # noqa: N815
    warningLabel: QtWidgets.QLabel  # noqa: N815
    errorLabel: QtWidgets.QLabel  # noqa: N815
    commandEdit: QtWidgets.QLineEdit  # noqa: N815
    copyCommandButton: QtWidgets.QPushButton  # noqa: N815

    def __init__(self, factory: DialogFactory) -> None:
        super().__init__("numa.ui", factory.panel)
        self.controller = factory.controller
        self.warningLabel.setProperty("role", "warning")
        self.preview = numa_form.NumaPreview()
        self._syncing = False
        self.hostEdit.textChanged.connect(self.update_preview)
        self.nodesSpin.valueChanged.connect(self.update_preview)
        self.argsEdit.textChanged.connect(self._flags_edited)
        self.processesSpin.valueChanged.connect(
            lambda n: self._field_edited(numa_form.with_processes, n))
        self.portSpin.valueChanged.connect(
            lambda p: self._field_edited(numa_form.with_first_port, p))
        self.copyCommandButton.clicked.connect(self.copy_command)
        self.update_preview()

    def machine_nodes(self) -> int | None:
        """The machine's NUMA node count, or None when unknown (0 in the field)."""
        return self.nodesSpin.value() or None

    def _field_edited(self, rewrite: Callable[[str, int], str], value: int) -> None:
        if self._syncing:
            return
        try:
            flags = rewrite(self.argsEdit.text(), value)
        except VrdrError as exc:
            set_error(self.errorLabel, str(exc))
            return
        self._syncing = True
        self.argsEdit.setText(flags)
        self._syncing = False
        self.update_preview()

    def _flags_edited(self) -> None:
        if not self._syncing:
            fields = numa_form.fields_of(self.argsEdit.text())
            if fields is not None:
                self._syncing = True
                self.processesSpin.setValue(fields.processes)
                self.portSpin.setValue(fields.first_port)
                self._syncing = False
        self.update_preview()

    def update_preview(self) -> None:
        """The processes grouped under the host, the warnings, the spawner command."""
        host = self.hostEdit.text().strip()
        preview = self.controller.numa_form(host, self.argsEdit.text(), self.machine_nodes())
        self.preview = preview
        tree = self.previewTree
        tree.clear()
        set_error(self.errorLabel, preview.error)
        warnings = preview.all_warnings
        self.warningLabel.setText("\n".join(f"Warning: {w}" for w in warnings))
        self.warningLabel.setVisible(bool(warnings))
        self.commandEdit.setText(preview.command or "")
        self.commandEdit.setCursorPosition(0)  # the start shows: the spawner's path
        self.copyCommandButton.setEnabled(bool(preview.command))
        new = len(preview.entries) - len(preview.listed)
        ok = self.ok_button()
        ok.setText(f"Add {new}" if host and preview.error is None else "Add")
        ok.setEnabled(bool(host) and preview.error is None and new > 0)
        if preview.error is not None:
            return
        top = QtWidgets.QTreeWidgetItem([
            f"{host or '(host)'}: {len(preview.processes)} render "
            f"process{'' if len(preview.processes) == 1 else 'es'}"])
        tree.addTopLevelItem(top)
        listed = {e.key for e in preview.listed}
        for number, process in enumerate(preview.processes, start=1):
            text = numa_form.process_text(number, process)
            if host and (host.lower(), process.port) in listed:
                text += " (listed already)"
            top.addChild(QtWidgets.QTreeWidgetItem([text]))
        top.setExpanded(True)

    def copy_command(self) -> None:
        """Put the spawner command line on the clipboard."""
        if self.preview.command:
            QtWidgets.QApplication.clipboard().setText(self.preview.command)

    def preview_lines(self) -> list[str]:
        """The tree's lines, host first, processes indented (tests)."""
        lines = []
        for i in range(self.previewTree.topLevelItemCount()):
            top = self.previewTree.topLevelItem(i)
            if top is None:
                continue
            lines.append(top.text(0))
            children = (top.child(j) for j in range(top.childCount()))
            lines += [f"  {child.text(0)}" for child in children if child is not None]
        return lines


class ConflictDialog(Dialog):
    """The cfg changed on disk: reload, apply my change to the new file, show what changed, keep."""

    messageLabel: QtWidgets.QLabel  # noqa: N815 - names come from the Designer form
    diffButton: QtWidgets.QPushButton  # noqa: N815
    diffView: QtWidgets.QPlainTextEdit  # noqa: N815
    errorLabel: QtWidgets.QLabel  # noqa: N815

    RELOAD, APPLY, KEEP = "reload", "apply", "keep"

    def __init__(self, factory: DialogFactory) -> None:
        super().__init__("conflict.ui", factory.panel)
        self.controller = factory.controller
        self.choice = self.KEEP
        self.applied: list[str] = []
        name = self.controller.cfg_path.name
        self.messageLabel.setText(f"{name} was changed by another program since the panel "
                                  "read it. Your last edit was not saved.")
        set_error(self.errorLabel, None)
        self.diffView.setVisible(False)
        self.diffView.setFont(QtGui.QFontDatabase.systemFont(
            QtGui.QFontDatabase.SystemFont.FixedFont))
        box = self.buttons
        self.reload_button = box.addButton("Reload", ButtonRole.AcceptRole)
        self.apply_button = box.addButton("Apply my change to the new file", ButtonRole.ApplyRole)
        self.keep_button = box.addButton("Keep", ButtonRole.RejectRole)
        self.reload_button.setDefault(True)
        box.clicked.connect(self._clicked)
        self.diffButton.clicked.connect(self.show_changes)

    def accept(self) -> None:
        """Only the buttons close the dialog (see ``_clicked``)."""

    def _clicked(self, button: QtWidgets.QAbstractButton) -> None:
        if button is self.reload_button:
            self.choice = self.RELOAD
            self.done(QtWidgets.QDialog.DialogCode.Accepted)
        elif button is self.apply_button:
            result = self.controller.reapply_on_disk()
            if isinstance(result, str):
                set_error(self.errorLabel, result)
                return
            self.choice, self.applied = self.APPLY, result
            self.done(QtWidgets.QDialog.DialogCode.Accepted)

    def show_changes(self) -> None:
        """Show the diff of the file on disk against what the panel read."""
        lines = self.controller.conflict_diff()
        self.diffView.setPlainText("\n".join(lines) if lines else
                                   "The file's bytes are the same as the panel read them "
                                   "(only its date changed).")
        self.diffView.setVisible(True)
        self.diffButton.setEnabled(False)
        self.resize(max(self.width(), 640), max(self.height(), 460))


class FixDialog(Dialog):
    """Pick one of a finding's fixes: its own first (the scene's lights), the others after."""

    headLabel: QtWidgets.QLabel  # noqa: N815 - names come from the Designer form
    choiceLayout: QtWidgets.QVBoxLayout  # noqa: N815
    subjectRow: QtWidgets.QHBoxLayout  # noqa: N815
    subjectList: QtWidgets.QListWidget  # noqa: N815

    def __init__(self, factory: DialogFactory, finding: Finding) -> None:
        super().__init__("fix.ui", factory.panel)
        title = next((c.title for c in CHECKS if c.id == finding.check_id), "Fix")
        self.setWindowTitle(f"Fix: {title}")
        message = one_line(finding.message)  # scene names escaped, as `vrdr check` prints
        self.headLabel.setText(message[:1].upper() + message[1:])
        self.radios: dict[str, QtWidgets.QRadioButton] = {}
        for fix in choices(finding.fix or ""):
            radio = QtWidgets.QRadioButton(fix.description[:1].upper() + fix.description[1:],
                                           self)
            radio.setObjectName(f"choice:{fix.id}")
            # What the first choice changes sits right under it (the form's subjectRow): the
            # lights the finding names, all but those it cannot switch on (hidden by their
            # layer, switch unreadable). The row is in the form, not built here: PySide wraps
            # every item of a layout passed to addLayout and keeps those wrappers past the
            # dialog's C++ deletion, and a later object at a freed item's address came back
            # as that item (a QHeaderView read as a QSpacerItem, then crashes).
            if self.radios:
                self.choiceLayout.addWidget(radio)
            else:
                self.choiceLayout.insertWidget(0, radio)
            self.radios[fix.id] = radio
        self.subjectRow.setContentsMargins(self.style().pixelMetric(
            QtWidgets.QStyle.PixelMetric.PM_ExclusiveIndicatorWidth) + 8, 0, 0, 0)
        next(iter(self.radios.values())).setChecked(True)
        for subject in finding.subjects:
            if not subject.endswith(("(hidden by its layer)", "(switch unreadable)")):
                self.subjectList.addItem(one_line(subject))
        self.subjectList.setVisible(self.subjectList.count() > 0)
        self.ok_button().setText("Fix")

    def chosen(self) -> str:
        """The id of the fix picked."""
        return next(fix_id for fix_id, radio in self.radios.items() if radio.isChecked())


class FarmAskDialog(Dialog):
    """A question about farm reservations: Release, keep them (and Cancel where it can)."""

    headLabel: QtWidgets.QLabel  # noqa: N815 - names come from the Designer form
    reservationList: QtWidgets.QListWidget  # noqa: N815

    RELEASE, KEEP, CANCEL = "release", "keep", "cancel"

    def __init__(self, factory: DialogFactory, *, title: str, head: str, items: list[str],
                 keep_text: str, can_cancel: bool) -> None:
        super().__init__("farm_ask.ui", factory.panel)
        self.setWindowTitle(title)
        self.headLabel.setText(head)
        for item in items:
            self.reservationList.addItem(item)
        self.reservationList.setVisible(bool(items))
        self.can_cancel = can_cancel
        self.choice = self.CANCEL if can_cancel else self.KEEP
        box = self.buttons
        # Action roles: the buttons say what they do; Escape is "cancel" (or "keep").
        self.release_button = box.addButton("Release", ButtonRole.ActionRole)
        self.keep_button = box.addButton(keep_text, ButtonRole.ActionRole)
        self.cancel_button = (box.addButton("Cancel", ButtonRole.ActionRole) if can_cancel
                              else None)
        self.release_button.setDefault(True)
        box.clicked.connect(self._clicked)

    def _clicked(self, button: QtWidgets.QAbstractButton) -> None:
        self.choice = (self.RELEASE if button is self.release_button
                       else self.KEEP if button is self.keep_button else self.CANCEL)
        self.done(QtWidgets.QDialog.DialogCode.Accepted)


class DialogFactory:
    """The panel's dialogs. Tests replace ``run`` to answer a dialog without a user."""

    def __init__(self, panel: DRPanel) -> None:
        self.panel = panel
        self.controller = panel.controller
        self.last: QtWidgets.QDialog | None = None

    def run(self, dialog: QtWidgets.QDialog) -> bool:
        """Show ``dialog`` modally; True when accepted."""
        self.last = dialog
        return bool(dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted)

    def paste_dialog(self, text: str) -> PasteDialog:
        """The paste dialog with ``text`` read line by line (not shown)."""
        return PasteDialog(self, text)

    def paste(self, text: str) -> bool:
        """Paste servers with a preview of each line; Add adds the new and the ticked ones."""
        return self.run(self.paste_dialog(text))

    def numa(self) -> bool:
        """Add a NUMA machine, previewing the processes and entries the spawner's rules give."""
        dialog = NumaDialog(self)
        if not self.run(dialog):
            return False
        return self.controller.add_numa(dialog.hostEdit.text(), dialog.argsEdit.text(),
                                        dialog.machine_nodes()) is None

    def pool(self) -> bool:
        """Pick a pool; replace the list with it or merge it in."""
        dialog = Dialog("pool.ui", self.panel)
        combo = dialog.child("poolCombo")
        names = self.controller.pool_names()
        combo.addItems(names)
        description = dialog.child("descriptionLabel")
        pools = self.controller.pools()

        def describe() -> None:
            name = combo.currentText()
            pool = pools.get(name)
            description.setText("" if pool is None else
                                f"{pool.description} ({len(pool.entries())} entries, "
                                f"{pool.mode.value.upper()})".strip())

        combo.currentIndexChanged.connect(lambda _i: describe())
        describe()
        if not names:
            description.setText("No pools for this engine in the studio or user files.")
            dialog.ok_button().setEnabled(False)
        if not self.run(dialog):
            return False
        merge = dialog.child("mergeRadio").isChecked()
        return self.controller.apply_pool(combo.currentText(), merge=merge) is None

    def hosts(self, addresses: list[str]) -> bool:
        """Offer the hosts discovery heard (all ticked); add the ticked ones."""
        dialog = Dialog("hosts.ui", self.panel)
        listed = {s.host.lower() for s in self.controller.settings.servers}
        fresh = [a for a in addresses if a.lower() not in listed]
        dialog.child("hintLabel").setText(
            f"{len(addresses)} server(s) announced themselves; {len(fresh)} not listed yet."
            if addresses else "No server announced itself. Servers announce on UDP "
            f"{READY_BROADCAST_PORT} while a DR render is running.")
        host_list = dialog.child("hostList")
        for address in fresh:
            item = QtWidgets.QListWidgetItem(address)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            host_list.addItem(item)
        if not self.run(dialog):
            return False
        chosen = [host_list.item(i).text() for i in range(host_list.count())
                  if host_list.item(i).checkState() == Qt.CheckState.Checked]
        return self.controller.add_discovered(chosen) is None

    def plan_dialog(self, submit_plan: SubmitPlan) -> PlanDialog:
        """The plan dialog for ``submit_plan`` (not shown)."""
        return PlanDialog(self, submit_plan)

    def plan(self, submit_plan: SubmitPlan) -> tuple[SubmitPlan, str] | None:
        """Show the plan and let the artist choose.

        Returns:
            None (cancelled), or the plan chosen and the override reason ("" when nothing
            blocks it).
        """
        dialog = self.plan_dialog(submit_plan)
        if not self.run(dialog):
            return None
        return dialog.chosen, dialog.reason()

    def report_dialog(self, report: SubmissionReport) -> ChecklistDialog:
        """The report dialog (not shown): one line per step, details, Copy."""
        dialog = ChecklistDialog(self.panel)
        dialog.setWindowTitle("DR render report")
        dialog.headLabel.setText(report_headline(report))
        dialog.show_lines(report_lines(report))
        dialog.textView.setPlainText("\n".join(reporting.submission_lines(report)))
        dialog.detailsButton.setText("Details: steps, timings, backup")
        for widget in (dialog.onlineBox, dialog.reasonLabel, dialog.reasonEdit):
            widget.setVisible(False)
        dialog.buttons.setStandardButtons(StandardButton.Close)
        copy = dialog.buttons.addButton("Copy", ButtonRole.ActionRole)
        copy.setObjectName("copyButton")
        copy.setToolTip("Copy the report (with its details) to the clipboard")
        copy.clicked.connect(
            lambda: QtWidgets.QApplication.clipboard().setText(report_text(report)))
        return dialog

    def report(self, report: SubmissionReport) -> None:
        """What the submission did: a line per step, then the details behind a toggle."""
        self.run(self.report_dialog(report))

    def conflict(self) -> bool:
        """The cfg changed on disk: reload, apply my change to the new file, or keep.

        The other writer's file is never overwritten with the panel's old copy: "apply" writes
        the artist's edit on top of the file as it is now.

        Returns:
            True when the panel now shows the file (reloaded, or with the edit re-applied).
        """
        if not self.controller.conflict:
            return False
        dialog = ConflictDialog(self)
        self.run(dialog)
        if dialog.choice == ConflictDialog.RELOAD:
            self.controller.refresh()  # drops the unsaved edit
            return True
        return dialog.choice == ConflictDialog.APPLY

    def farm_login(self, url: str, user: str) -> tuple[str, str] | None:
        """Ask the Deadline login: user (``user`` filled in) and password; None: cancelled.

        Both are kept in memory for this session only; an empty user means the Web Service
        has no login.
        """
        dialog = Dialog("farm_login.ui", self.panel)
        dialog.child("headLabel").setText(f"Log in to Deadline's Web Service {url}")
        dialog.child("userEdit").setText(user)
        (dialog.child("passwordEdit") if user else dialog.child("userEdit")).setFocus()
        if not self.run(dialog):
            return None
        return str(dialog.child("userEdit").text()), str(dialog.child("passwordEdit").text())

    def farm_ask(self, *, title: str, head: str, items: list[str], keep_text: str,
                 can_cancel: bool) -> str:
        """Release, keep, or (where ``can_cancel``) cancel: ``FarmAskDialog``'s choice."""
        dialog = FarmAskDialog(self, title=title, head=head, items=items, keep_text=keep_text,
                               can_cancel=can_cancel)
        self.run(dialog)
        return dialog.choice

    def fix(self, finding: Finding) -> bool:
        """Fix a finding: with more than one fix the artist picks (the first is pre-selected).

        Returns:
            True when a fix ran without error.
        """
        if not finding.fix:
            return False
        fix_id = finding.fix
        if len(choices(fix_id)) > 1:
            dialog = FixDialog(self, finding)
            if not self.run(dialog):
                return False
            fix_id = dialog.chosen()
        return self.controller.fix(fix_id) is None


__all__ = ["ChecklistDialog", "ConflictDialog", "Dialog", "DialogFactory", "FarmAskDialog",
           "FixDialog", "NumaDialog", "PasteDialog", "PlanDialog"]
