"""The server list as the panel reads it: plain entries and a host:port index, kept in step.

``ServerList`` builds objects and re-indexes after any change of an entry, which costs a pass
over 10,000 lines per edit. The panel reads its rows, counts its statuses and checks for
duplicates here instead: every edit goes through the controller, which tells the mirror the
rows it changed (``ListChange``), so the mirror updates just those. No Qt here.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from vrdr_max.models import ServerEntry
from vrdr_max.panel.edits import ChangeKind, ListChange


class Mirror:
    """Entries as ``(host, port, port_end, enabled)`` and which host:port they cover.

    Args:
        entries: the list's entries, in order.
    """

    def __init__(self, entries: Iterable[ServerEntry]) -> None:
        self.entries: list[ServerEntry] = list(entries)
        self._single: Counter[tuple[str, int]] = Counter()
        self._ranges: dict[str, list[tuple[int, int]]] = {}
        for entry in self.entries:
            self._add(entry)

    def _add(self, entry: ServerEntry) -> None:
        host, port, port_end, _enabled = entry
        if port_end is None:
            self._single[(host.lower(), port)] += 1
        else:
            self._ranges.setdefault(host.lower(), []).append((port, port_end))

    def _drop(self, entry: ServerEntry) -> None:
        host, port, port_end, _enabled = entry
        if port_end is None:
            key = (host.lower(), port)
            self._single[key] -= 1
            if self._single[key] <= 0:
                del self._single[key]
        else:
            spans = self._ranges[host.lower()]
            spans.remove((port, port_end))
            if not spans:
                del self._ranges[host.lower()]

    def covers(self, host: str, port: int, skip: int | None = None) -> bool:
        """True when an entry (other than row ``skip``) covers ``port`` on ``host``."""
        low = host.lower()
        hits = self._single.get((low, port), 0) + sum(
            1 for first, last in self._ranges.get(low, ()) if first <= port <= last)
        if skip is not None and hits:
            s_host, s_port, s_end, _on = self.entries[skip]
            if s_host.lower() == low and s_port <= port <= (s_end or s_port):
                hits -= 1
        return hits > 0

    def apply(self, change: ListChange, read: Callable[[int], ServerEntry]) -> None:
        """Follow one change of the list; ``read(row)`` gives the list's entry at ``row`` now."""
        rows = change.rows
        if change.kind is ChangeKind.INSERTED:
            for row in rows:
                entry = read(row)
                self.entries.insert(row, entry)
                self._add(entry)
        elif change.kind is ChangeKind.REMOVED:
            for row in reversed(rows):
                self._drop(self.entries.pop(row))
        elif change.kind is ChangeKind.CHANGED:
            entries = self.entries
            for row in rows:
                before, entry = entries[row], read(row)
                entries[row] = entry
                if before[:3] != entry[:3]:  # not just the flag: the index follows the key
                    self._drop(before)
                    self._add(entry)

    def rows_matching(self, test: Callable[[ServerEntry], bool]) -> list[int]:
        """Rows whose entry passes ``test``."""
        return [i for i, entry in enumerate(self.entries) if test(entry)]

    def longest_hosts(self, count: int = 20) -> Sequence[str]:
        """The ``count`` longest host names (for the host column's width)."""
        return heapq.nlargest(count, {e[0] for e in self.entries}, key=len)


__all__ = ["Mirror"]
