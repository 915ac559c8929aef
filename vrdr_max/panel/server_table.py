"""``ServerTableModel``: the server table as a ``QAbstractTableModel`` over the controller.

The model holds no copy of the list: a cell asks the controller for its entry (plain data,
no object built). An edit arrives as the rows it changed (``controller.changes``) and becomes
row signals (inserted, removed, data changed), never a reset, so the view keeps its selection
and repaints only what it shows. Sorting and the filter are a list of the rows shown, in
order (the ``view``), made with one pass of Python; without either the rows are the list's.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from qtpy import QtCore, QtGui

from vrdr_max.models import ServerEntry
from vrdr_max.panel.controller import Event, Key, Origin, PanelController
from vrdr_max.panel.edits import ChangeKind, ListChange, row_runs
from vrdr_max.panel.listing import Show, matches, status_of, status_sort_key, status_text
from vrdr_max.panel.listing import text_filter as make_text_filter
from vrdr_max.panel.look import plain_tip

ENABLED, HOST, PORT, STATUS, SOURCE = range(5)
HEADERS = ("On", "Host", "Port", "Status", "From")
SOURCE_TIPS = {
    Origin.FILE: "read from the cfg file", Origin.ADDED: "added in the panel",
    Origin.POOL: "from a server pool", Origin.NUMA: "a spawner process of a NUMA machine",
    Origin.DISCOVERED: "heard announcing itself on the network"}
UNSAVED_TIP = "not in the cfg file on disk: this edit is not saved"

Qt = QtCore.Qt
# Scoped enum names: the spelling PySide6 requires and PySide2 5.15 also accepts.
Role = Qt.ItemDataRole
Check = Qt.CheckState
Flag = Qt.ItemFlag
Index = QtCore.QModelIndex | QtCore.QPersistentModelIndex


class ServerTableModel(QtCore.QAbstractTableModel):
    """Rows: the controller's servers (sorted and filtered). Columns: on, host, port, status, from.

    ``view`` is None when the rows are the list's own, in its order; else the list rows shown,
    in the order shown.
    """

    def __init__(self, controller: PanelController, parent: QtCore.QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self._controller = controller
        self.view: list[int] | None = None
        self._count = controller.row_count()
        self._row_of: dict[Key, int] | None = None
        self._position: dict[int, int] | None = None
        self.sort_column: int | None = None
        self.sort_order = Qt.SortOrder.AscendingOrder
        self.filter_text = ""
        self.show = Show.ALL
        self._status_colours: dict[bool, Any] = {}
        self._off_colour: Any = None
        self._marked = False
        self._italic = QtGui.QFont()
        self._italic.setItalic(True)
        controller.subscribe(self._on_event)

    def set_colours(self, online: Any, failed: Any, off: Any) -> None:
        """Text colours (``QColor``): an online status, any other answer, a switched-off row.

        A switched-off row's host, port and origin are muted: its unchecked box alone is hard
        to see on a dark theme.
        """
        self._status_colours = {True: online, False: failed}
        self._off_colour = off

    # -- rows ----------------------------------------------------------------------------------

    def source_row(self, row: int) -> int:
        """The list row shown at table row ``row``."""
        return row if self.view is None else self.view[row]

    def table_row(self, source: int) -> int | None:
        """The table row showing list row ``source`` (None when filtered out)."""
        if self.view is None:
            return source if 0 <= source < self._count else None
        if self._position is None:
            self._position = {s: i for i, s in enumerate(self.view)}
        return self._position.get(source)

    def _entry(self, row: int) -> ServerEntry:
        return self._controller.entry(self.source_row(row))

    @property
    def filtered(self) -> bool:
        """True when the filter hides rows or a column sorts them."""
        return self.view is not None

    # -- controller events ---------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event is Event.PROBE:
            self._repaint_answers()
        elif event is Event.SERVERS:
            for change in self._controller.changes:
                self._apply(change)
            self._row_of = None
        elif event is Event.SCENE:
            self._reset()
        elif event is Event.SAVE and self._count:
            # Rows not on disk are marked: repaint the host cells when that may have changed
            # (the view paints only what shows).
            unsaved = self._controller.unsaved
            if unsaved or self._marked:
                self.dataChanged.emit(self.index(0, HOST), self.index(self.rowCount() - 1, HOST))
            self._marked = unsaved

    def _repaint_answers(self) -> None:
        """Repaint the status cells of the rows the last probe batch answered."""
        if self._row_of is None:
            # Every port of an entry maps to its row: a range's answers repaint the range's row.
            self._row_of = {(host.lower(), port): i for i, (host, first, last, _on)
                            in enumerate(self._controller.entries())
                            for port in range(first, (last or first) + 1)}
        rows = [r for r in (self.table_row(self._row_of[k])
                            for k in self._controller.probe_changed if k in self._row_of)
                if r is not None]
        if rows:
            self.dataChanged.emit(self.index(min(rows), STATUS), self.index(max(rows), STATUS))

    def _apply(self, change: ListChange) -> None:
        if change.kind is ChangeKind.RESET:
            self._reset()
            return
        rows = change.rows
        if change.kind is ChangeKind.CHANGED:
            shown = ([r for r in rows if 0 <= r < self._count] if self.view is None
                     else [r for r in (self.table_row(s) for s in rows) if r is not None])
            if shown:
                self.dataChanged.emit(self.index(min(shown), ENABLED),
                                      self.index(max(shown), SOURCE))
            return
        if change.kind is ChangeKind.INSERTED:
            self._inserted(rows)
        else:
            self._removed(rows)

    def _inserted(self, rows: tuple[int, ...]) -> None:
        if self.view is None:
            for start, stop in row_runs(rows):
                self.beginInsertRows(QtCore.QModelIndex(), start, stop - 1)
                self._count += stop - start
                self.endInsertRows()
            return
        # Rows already shown move down past the new ones; the new ones are shown last, so an
        # added server is seen whatever the filter or sort.
        self.view = _shifted_up(self.view, rows)
        first = len(self.view)
        self.beginInsertRows(QtCore.QModelIndex(), first, first + len(rows) - 1)
        self.view.extend(rows)
        self._count += len(rows)
        self._position = None
        self.endInsertRows()

    def _removed(self, rows: tuple[int, ...]) -> None:
        if self.view is None:
            for start, stop in reversed(row_runs(rows)):
                self.beginRemoveRows(QtCore.QModelIndex(), start, stop - 1)
                self._count -= stop - start
                self.endRemoveRows()
            return
        gone = set(rows)
        shown = sorted(i for i, s in enumerate(self.view) if s in gone)
        for start, stop in reversed(row_runs(shown)):
            self.beginRemoveRows(QtCore.QModelIndex(), start, stop - 1)
            del self.view[start:stop]
            self._position = None
            self.endRemoveRows()
        self._count -= len(rows)
        self.view = [s - bisect.bisect_left(rows, s) for s in self.view]
        self._position = None

    def _reset(self) -> None:
        self.beginResetModel()
        self._count = self._controller.row_count()
        self._row_of = None
        self.view = self._make_view()
        self._position = None
        self.endResetModel()

    # -- filter and sort -----------------------------------------------------------------------

    def set_filter(self, text: str, show: Show = Show.ALL) -> None:
        """Show the rows whose ``host:port`` holds every word of ``text`` and pass ``show``."""
        self.filter_text, self.show = text, show
        self._reset()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (the header's click); ``-1`` restores the list's own order."""
        self.sort_column = None if column < 0 else column
        self.sort_order = order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self.source_row(i.row()) if i.isValid() else -1 for i in persistent]
        self.view = self._make_view()
        self._position = None
        self.changePersistentIndexList(persistent, [
            self.index(row, i.column()) if s >= 0 and (row := self.table_row(s)) is not None
            else QtCore.QModelIndex() for i, s in zip(persistent, sources, strict=True)])
        self.layoutChanged.emit()

    def _make_view(self) -> list[int] | None:
        """The rows shown, in order, from one pass over the list (None: all, in list order)."""
        if not self.filter_text.split() and self.show is Show.ALL and self.sort_column is None:
            return None
        c = self._controller
        entries = c.entries()
        accept = make_text_filter(self.filter_text)
        rows = [i for i, e in enumerate(entries) if accept(e) and (
            self.show is Show.ALL or matches(self.show, status_of(c.probe_for_entry(e)), e[3],
                                             c.is_unsaved(e)))]
        if self.sort_column is not None:
            key = self._sort_key(self.sort_column)
            rows.sort(key=lambda i: key(entries[i]),
                      reverse=self.sort_order == Qt.SortOrder.DescendingOrder)
        return rows

    def _sort_key(self, column: int) -> Callable[[ServerEntry], Any]:
        c = self._controller
        if column == ENABLED:
            return lambda e: (not e[3],)
        if column == PORT:
            return lambda e: (e[1], e[2] or e[1])
        if column == STATUS:
            return lambda e: status_sort_key(c.probe_for_entry(e))
        if column == SOURCE:
            return self._source_text
        return lambda e: (e[0].lower(), e[1])

    def rows_where(self, show: Show) -> list[int]:
        """Table rows whose entry passes ``show`` (for "select by status")."""
        c = self._controller
        out = []
        for row in range(self.rowCount()):
            entry = self._entry(row)
            if matches(show, status_of(c.probe_for_entry(entry)), entry[3], c.is_unsaved(entry)):
                out.append(row)
        return out

    # -- Qt's model interface ------------------------------------------------------------------

    def rowCount(self, parent: Index | None = None) -> int:  # noqa: N802 - Qt API
        """Rows shown (a table has no children)."""
        if parent is not None and parent.isValid():
            return 0
        return self._count if self.view is None else len(self.view)

    def columnCount(self, parent: Index | None = None) -> int:  # noqa: N802 - Qt API
        """Five columns."""
        return 0 if parent is not None and parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Any,  # noqa: N802 - Qt API
                   role: int = Role.DisplayRole) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Role.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Any:
        """Host and port are editable in place; the first column is a check box."""
        # Made once: Qt asks for every cell of a selection, 50,000 times for 10,000 rows.
        return _FLAGS[index.column()]

    def _source_text(self, entry: ServerEntry) -> str:
        origin, pool = self._controller.origin(entry)
        return pool if origin is Origin.POOL and pool else origin.value

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:  # noqa: PLR0911
        """Text, check state, tooltips and marks of one cell."""
        if not index.isValid() or index.row() >= self.rowCount():
            return None
        c = self._controller
        entry = self._entry(index.row())
        host, port, port_end, enabled = entry
        column = index.column()
        if column == STATUS and role in (Role.DisplayRole, Role.ToolTipRole,
                                         Role.ForegroundRole):
            result = c.probe_for_entry(entry)
            if role == Role.DisplayRole:
                return status_text(result)
            if role == Role.ToolTipRole:
                return None if result is None else plain_tip(result.message)
            return None if result is None else self._status_colours.get(result.ok)
        if role == Role.CheckStateRole and column == ENABLED:
            return Check.Checked if enabled else Check.Unchecked
        if role == Role.DisplayRole:
            return {HOST: host, PORT: str(port) if port_end is None else f"{port}-{port_end}",
                    SOURCE: self._source_text(entry)}.get(column)
        if role == Role.EditRole:
            return {HOST: host, PORT: str(port)}.get(column)
        if role == Role.ForegroundRole:
            return None if enabled else self._off_colour
        if role == Role.FontRole and column == HOST and c.is_unsaved(entry):
            return self._italic
        if role == Role.ToolTipRole:
            tip = self._tooltip(entry, column)  # a studio pool's name
            return None if tip is None else plain_tip(tip)
        return None

    def _tooltip(self, entry: ServerEntry, column: int) -> str | None:
        origin, pool = self._controller.origin(entry)
        where = SOURCE_TIPS[origin] + (f" {pool}" if origin is Origin.POOL and pool else "")
        if column == ENABLED:
            return "takes part in DR" if entry[3] else "listed, but left out"
        if column == SOURCE:
            return where
        if column == HOST:  # the source column hides when narrow
            endpoint = entry[0] + ":" + (str(entry[1]) if entry[2] is None
                                         else f"{entry[1]}-{entry[2]}")
            unsaved = f"; {UNSAVED_TIP}" if self._controller.is_unsaved(entry) else ""
            return f"{endpoint}: {where}{unsaved}"
        return None

    def setData(self, index: Index, value: Any,  # noqa: N802 - Qt API
                role: int = Role.EditRole) -> bool:
        """Edit through the controller; a refused value leaves the cell (and file) as it was."""
        if not index.isValid():
            return False
        row, column = self.source_row(index.row()), index.column()
        if column == ENABLED and role == Role.CheckStateRole:
            checked = _check_state(value) == _check_state(Check.Checked)
            return self._controller.edit_server(row, enabled=checked) is None
        if role != Role.EditRole:
            return False
        if column == HOST:
            return self._controller.edit_server(row, host=str(value)) is None
        if column == PORT:
            return self._controller.edit_server(row, port=str(value)) is None
        return False


_BASE = Flag.ItemIsEnabled | Flag.ItemIsSelectable
_FLAGS = (_BASE | Flag.ItemIsUserCheckable, _BASE | Flag.ItemIsEditable,
          _BASE | Flag.ItemIsEditable, _BASE, _BASE)
"""The flags of each column, in column order."""


def _shifted_up(view: list[int], inserted: tuple[int, ...]) -> list[int]:
    """Old list rows in ``view`` renumbered after ``inserted`` (new positions, ascending)."""
    if not inserted:
        return view
    # Old row s lands at s + k, k the number of new rows before it in the new list.
    old_to_new: list[int] = []
    k = 0
    total = max(view, default=-1) + 1
    for s in range(total):
        while k < len(inserted) and inserted[k] <= s + k:
            k += 1
        old_to_new.append(s + k)
    return [old_to_new[s] for s in view]


def _check_state(value: Any) -> int:
    """PySide6 hands check states as an enum or an int, PySide2 as an int: compare as ints."""
    return int(getattr(value, "value", value))
