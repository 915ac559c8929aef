"""Panel edits as data: every command is a step of small operations on the working settings.

An operation changes only what it names (rows of the server list, one settings field, one
renderer switch) and returns the operation that takes it back, so an undo runs the same code
backwards and nothing copies the whole list. Each list operation also reports the rows it
touched (:class:`ListChange`), which the table model turns into row signals. No Qt here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from vrdr_max.host import MaxHost
from vrdr_max.models import DRSettings, RenderServer
from vrdr_max.renderers import RendererProp

Key = tuple[str, int]
Origin = str
"""Where an entry came from (``controller.Origin`` values; kept as text here)."""
Label = tuple[Origin, str | None]
"""An entry's origin and, for a pool, the pool's name."""

HISTORY_LIMIT = 100
"""Undo steps kept; a step of a 10,000-server pool holds that many entries."""


class ChangeKind(str, Enum):
    """How the server list changed."""

    INSERTED = "inserted"
    """``rows`` are positions in the list after the change, ascending."""
    REMOVED = "removed"
    """``rows`` are positions in the list before the change, ascending."""
    CHANGED = "changed"
    """``rows`` kept their place; their content changed."""
    RESET = "reset"
    """The whole list was replaced."""


@dataclass(frozen=True)
class ListChange:
    """One change of the server list, for the views that show it."""

    kind: ChangeKind
    rows: tuple[int, ...] = ()


class Target(Protocol):
    """What operations act on (the controller)."""

    host: MaxHost

    @property
    def settings(self) -> DRSettings:
        """The working copy."""
        ...

    def labels(self) -> dict[Key, Label]:
        """Where each listed entry came from, by key."""
        ...

    def note(self, change: ListChange) -> None:
        """Record a change of the server list."""
        ...


class Op(Protocol):
    """One operation; ``apply`` returns the operation that undoes it."""

    @property
    def touches_file(self) -> bool:
        """True when the cfg file must be saved afterwards."""
        ...

    def apply(self, target: Target) -> Op:
        """Do it; raise before changing anything when it cannot be done."""
        ...


def row_runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Ascending rows as ``[start, stop)`` runs of consecutive positions."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row:
            runs[-1] = (runs[-1][0], row + 1)
        else:
            runs.append((row, row + 1))
    return runs


@dataclass(frozen=True)
class Insert:
    """Put ``servers`` at ``rows`` (ascending positions in the list afterwards)."""

    rows: tuple[int, ...]
    servers: tuple[RenderServer, ...]
    origins: tuple[Label, ...]
    touches_file: bool = field(default=True, init=False)

    def apply(self, target: Target) -> Op:
        """Insert; the undo removes the same rows."""
        servers = target.settings.server_list
        labels = target.labels()
        for row, server, label in zip(self.rows, self.servers, self.origins, strict=True):
            # Plain data (a save reads it without an object per row); at the end an append,
            # which saves fastest.
            servers.insert_entry(row, server.entry)
            labels[server.key] = label
        target.note(ListChange(ChangeKind.INSERTED, self.rows))
        return Remove(self.rows)


@dataclass(frozen=True)
class Remove:
    """Take out the entries at ``rows`` (ascending positions)."""

    rows: tuple[int, ...]
    touches_file: bool = field(default=True, init=False)

    def apply(self, target: Target) -> Op:
        """Remove; the undo inserts the same entries, with their origins, where they were."""
        servers = target.settings.server_list
        labels = target.labels()
        gone = tuple(servers[row] for row in self.rows)
        origins = tuple(labels.get(s.key, ("file", None)) for s in gone)
        for start, stop in reversed(row_runs(self.rows)):
            del servers[start:stop]
        target.note(ListChange(ChangeKind.REMOVED, self.rows))
        return Insert(self.rows, gone, origins)


@dataclass(frozen=True)
class Replace:
    """Put ``servers`` in place of the entries at ``rows``; a changed key keeps its origin."""

    rows: tuple[int, ...]
    servers: tuple[RenderServer, ...]
    touches_file: bool = field(default=True, init=False)

    def apply(self, target: Target) -> Op:
        """Replace; the undo puts the old entries back."""
        servers = target.settings.server_list
        labels = target.labels()
        old = tuple(servers[row] for row in self.rows)
        for row, before, after in zip(self.rows, old, self.servers, strict=True):
            servers.replace_entry(row, after.entry)
            if after.key != before.key:
                labels[after.key] = labels.get(before.key, ("added", None))
        target.note(ListChange(ChangeKind.CHANGED, self.rows))
        return Replace(self.rows, old)


@dataclass(frozen=True)
class SetEnabled:
    """Switch the entries at ``rows`` on or off (one flag per row); builds no other object."""

    rows: tuple[int, ...]
    flags: tuple[bool, ...]
    touches_file: bool = field(default=True, init=False)

    def apply(self, target: Target) -> Op:
        """Switch; the undo sets the old flags."""
        # Plain entries, no model per row: only the flag changes, and the list records the
        # edits of the file's lines, so the save rewrites just those (not a diff of the list).
        old = target.settings.server_list.set_enabled_at(self.rows, self.flags)
        target.note(ListChange(ChangeKind.CHANGED, self.rows))
        return SetEnabled(self.rows, tuple(old))


@dataclass(frozen=True)
class ResetList:
    """Replace the whole list (a pool replacing it, a fix rewriting it)."""

    servers: tuple[RenderServer, ...]
    origins: tuple[Label, ...]
    touches_file: bool = field(default=True, init=False)

    def apply(self, target: Target) -> Op:
        """Replace the list; the undo puts the old list back."""
        labels = target.labels()
        old = tuple(target.settings.servers)
        old_origins = tuple(labels.get(s.key, ("file", None)) for s in old)
        target.settings.servers = list(self.servers)
        for server, label in zip(self.servers, self.origins, strict=True):
            labels[server.key] = label
        target.note(ListChange(ChangeKind.RESET))
        return ResetList(old, old_origins)


@dataclass(frozen=True)
class SetField:
    """Set one settings field; ``path`` names it (``("assets", "cache_limit")``)."""

    path: tuple[str, ...]
    value: object
    touches_file: bool = field(default=True, init=False)

    def apply(self, target: Target) -> Op:
        """Set; the undo sets the old value."""
        owner: object = target.settings
        for name in self.path[:-1]:
            owner = getattr(owner, name)
        old = getattr(owner, self.path[-1])
        setattr(owner, self.path[-1], self.value)  # validated by the model
        return SetField(self.path, old)


@dataclass(frozen=True)
class SetRenderer:
    """Set a renderer switch in 3ds Max (its own undo step there) and the settings field."""

    prop: RendererProp
    name: str
    value: bool
    label: str
    touches_file: bool = field(default=False, init=False)

    def apply(self, target: Target) -> Op:
        """Set in 3ds Max (raises ``HostError`` when refused); the undo sets the old value."""
        old = bool(getattr(target.settings, self.name))
        target.host.write_renderer_props({self.prop: self.value}, self.label)
        setattr(target.settings, self.name, self.value)
        return SetRenderer(self.prop, self.name, old, self.label)


@dataclass(frozen=True)
class Step:
    """One undo step: what the artist did (``label``) and the operations that take it back."""

    label: str
    ops: tuple[Op, ...]

    @property
    def touches_file(self) -> bool:
        """True when undoing (or redoing) this step changes the cfg file."""
        return any(op.touches_file for op in self.ops)


def run_ops(target: Target, ops: Iterable[Op]) -> tuple[Op, ...]:
    """Apply ``ops`` in order; return the operations that undo them (in undo order).

    When one raises, the ones already applied are taken back first, so a failed step changes
    nothing.
    """
    undo: list[Op] = []
    try:
        for op in ops:
            undo.append(op.apply(target))
    except BaseException:
        for op in reversed(undo):
            op.apply(target)
        raise
    return tuple(reversed(undo))


class History:
    """Undo and redo stacks of :class:`Step`."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.limit = limit
        self.undo: list[Step] = []
        self.redo: list[Step] = []

    def record(self, step: Step) -> None:
        """A new step: it can be undone; what was undone can no longer be redone."""
        self.undo.append(step)
        del self.undo[:-self.limit]
        self.redo.clear()

    def clear(self) -> None:
        """Forget every step (another file or scene was loaded)."""
        self.undo.clear()
        self.redo.clear()


__all__ = ["ChangeKind", "History", "Insert", "ListChange", "Op", "Remove", "Replace",
           "ResetList", "SetEnabled", "SetField", "SetRenderer", "Step", "Target", "run_ops"]
