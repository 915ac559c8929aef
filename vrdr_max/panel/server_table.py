"""``ServerTableModel``: the server table as a ``QAbstractTableModel`` over the controller.

The model holds no copy of the list: every read asks the controller's rows (refreshed once per
change), and every edit goes through the controller, which validates and saves it.
"""

from __future__ import annotations

from typing import Any

from qtpy import QtCore

from vrdr_max.panel.controller import Event, Key, Origin, PanelController, Row, status_text

ENABLED, HOST, PORT, STATUS, SOURCE = range(5)
HEADERS = ("On", "Host", "Port", "Status", "From")
SOURCE_TIPS = {
    Origin.FILE: "read from the cfg file", Origin.ADDED: "added in the panel",
    Origin.POOL: "from a server pool", Origin.NUMA: "a spawner process of a NUMA machine",
    Origin.DISCOVERED: "heard announcing itself on the network"}

Qt = QtCore.Qt
# Scoped enum names: the spelling PySide6 requires and PySide2 5.15 also accepts.
Role = Qt.ItemDataRole
Check = Qt.CheckState
Flag = Qt.ItemFlag
Index = QtCore.QModelIndex | QtCore.QPersistentModelIndex


class ServerTableModel(QtCore.QAbstractTableModel):
    """Rows: the controller's servers. Columns: enabled, host, port, status, source."""

    def __init__(self, controller: PanelController, parent: QtCore.QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._rows: list[Row] = []
        self._row_of: dict[Key, int] = {}
        self._set_rows(controller.rows())
        self._status_colours: dict[bool, Any] = {}
        controller.subscribe(self._on_event)

    def set_status_colours(self, online: Any, failed: Any) -> None:
        """Text colours (``QColor``) of an online status and of any other answer."""
        self._status_colours = {True: online, False: failed}

    def _set_rows(self, rows: list[Row]) -> None:
        self._rows = rows
        # Every port of an entry maps to its row: a range's answers repaint the range's row.
        self._row_of = {(row.server.host.lower(), port): i
                        for i, row in enumerate(rows) for port in row.server.ports}

    def _on_event(self, event: Event) -> None:
        if event is Event.PROBE:
            # Answers are looked up when a cell is painted: repaint the status cells of the
            # rows this batch answered (one signal per batch; the view repaints what it shows).
            changed = [self._row_of[k] for k in self._controller.probe_changed
                       if k in self._row_of]
            if changed:
                self.dataChanged.emit(self.index(min(changed), STATUS),
                                      self.index(max(changed), STATUS))
            return
        if event not in (Event.SERVERS, Event.SCENE):
            return
        rows = self._controller.rows()
        if len(rows) != len(self._rows):
            self.beginResetModel()
            self._set_rows(rows)
            self.endResetModel()
            return
        # Same shape (an edit): repaint in place, keeping the selection.
        self._set_rows(rows)
        if rows:
            self.dataChanged.emit(self.index(0, ENABLED), self.index(len(rows) - 1, SOURCE))

    def rowCount(self, parent: Index | None = None) -> int:  # noqa: N802 - Qt API
        """Number of servers (a table has no children)."""
        return 0 if parent is not None and parent.isValid() else len(self._rows)

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
        base = Flag.ItemIsEnabled | Flag.ItemIsSelectable
        if index.column() == ENABLED:
            return base | Flag.ItemIsUserCheckable
        if index.column() in (HOST, PORT):
            return base | Flag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:  # noqa: PLR0911
        """Text, check state and tooltips of one cell."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        server = row.server
        if column == STATUS and role in (Role.DisplayRole, Role.ToolTipRole):
            result = self._controller.probe_for(server)
            if role == Role.DisplayRole:
                return status_text(result)
            return None if result is None else result.message
        if column == STATUS and role == Role.ForegroundRole:
            result = self._controller.probe_for(server)
            return None if result is None else self._status_colours.get(result.ok)
        if role == Role.CheckStateRole and column == ENABLED:
            return Check.Checked if server.enabled else Check.Unchecked
        if role in (Role.DisplayRole, Role.EditRole):
            return {HOST: server.host, PORT: str(server.port),
                    SOURCE: row.source.value}.get(column)
        if role == Role.ToolTipRole and column == ENABLED:
            return "takes part in DR" if server.enabled else "listed, but left out"
        if role == Role.ToolTipRole and column == SOURCE:
            return SOURCE_TIPS[row.source]
        if role == Role.ToolTipRole and column == HOST:  # the source column hides when narrow
            return f"{server.endpoint}: {SOURCE_TIPS[row.source]}"
        return None

    def setData(self, index: Index, value: Any,  # noqa: N802 - Qt API
                role: int = Role.EditRole) -> bool:
        """Edit through the controller; a refused value leaves the cell (and file) as it was."""
        if not index.isValid():
            return False
        row, column = index.row(), index.column()
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


def _check_state(value: Any) -> int:
    """PySide6 hands check states as an enum or an int, PySide2 as an int: compare as ints."""
    return int(getattr(value, "value", value))
