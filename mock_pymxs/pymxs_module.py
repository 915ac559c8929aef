"""The ``pymxs`` module object the mock puts into ``sys.modules``.

Its members follow the 3ds Max 2021 ``pymxs`` module (per a stub generated from a running Max):
``runtime``, ``MXSWrapperBase``, ``byref``, ``mxsreference``, ``mxstoken``, ``print_``, and the
context managers ``animate``, ``attime``, ``atlevel``, ``quiet``, ``redraw``, ``undo``. There is
no exception class in real pymxs (errors are ``RuntimeError``); the mock therefore does not add
one to the module: catch ``RuntimeError`` (``mock_pymxs.MAXScriptException`` is a subclass).
"""

from __future__ import annotations

import contextlib
import threading
import types
from collections.abc import Iterator

from mock_pymxs.runtime import RUNTIME, Globals
from mock_pymxs.session import Session, gap
from mock_pymxs.values import ByRef, MXSWrapperBase


def _session() -> Session:
    g: Globals = RUNTIME._globals()
    return g.s


def byref(value: object) -> ByRef:
    """Mark a by-reference argument."""
    return ByRef(value)


@contextlib.contextmanager
def undo(onoff: bool, label: str = "MAXScript") -> Iterator[None]:
    """``with pymxs.undo(True, "label")``: the label is recorded when undo is on."""
    if onoff:
        _session().undo_records.append(label)
    yield


@contextlib.contextmanager
def _noop_context(_value: object) -> Iterator[None]:
    yield


def animate(onoff: bool) -> contextlib.AbstractContextManager[None]:
    """``with pymxs.animate(...)`` (no effect in the mock)."""
    return _noop_context(onoff)


def attime(time: object) -> contextlib.AbstractContextManager[None]:
    """``with pymxs.attime(...)`` (no effect in the mock)."""
    return _noop_context(time)


def atlevel(node_name: object) -> contextlib.AbstractContextManager[None]:
    """``with pymxs.atlevel(...)`` (no effect in the mock)."""
    return _noop_context(node_name)


def quiet(onoff: bool) -> contextlib.AbstractContextManager[None]:
    """``with pymxs.quiet(...)`` (no effect in the mock)."""
    return _noop_context(onoff)


def redraw(onoff: bool) -> contextlib.AbstractContextManager[None]:
    """``with pymxs.redraw(...)`` (no effect in the mock)."""
    return _noop_context(onoff)


@contextlib.contextmanager
def mxstoken() -> Iterator[None]:
    """``with pymxs.mxstoken()``: this thread may use the runtime while the block runs."""
    session = _session()
    ident = threading.get_ident()
    session.allow_thread(ident)
    try:
        yield
    finally:
        session.release_thread(ident)


def mxsreference(value: object) -> ByRef:
    """Older spelling of ``byref`` (3ds Max 2018.4+)."""
    return ByRef(value)


def print_(*args: object) -> None:
    """``pymxs.print_``: writes to the (recorded) MAXScript Listener."""
    _session().listener.append(" ".join(str(a) for a in args))


def run_undo() -> None:
    """Real pymxs undoes the last undo record; the mock does not model the undo stack."""
    raise gap("pymxs.run_undo")


def run_redo() -> None:
    """Real pymxs redoes the last undone record; the mock does not model the undo stack."""
    raise gap("pymxs.run_redo")


def _build() -> types.ModuleType:
    mod = types.ModuleType("pymxs", "mock_pymxs stand-in for 3ds Max's pymxs")
    for name, value in {
        "runtime": RUNTIME,
        "MXSWrapperBase": MXSWrapperBase,
        "byref": byref,
        "mxsreference": mxsreference,
        "mxstoken": mxstoken,
        "print_": print_,
        "undo": undo,
        "animate": animate,
        "attime": attime,
        "atlevel": atlevel,
        "quiet": quiet,
        "redraw": redraw,
        "run_undo": run_undo,
        "run_redo": run_redo,
    }.items():
        setattr(mod, name, value)
    return mod


PYMXS = _build()
