"""One installed mock 3ds Max: scene state, counters, records, callbacks, renders."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from threading import get_ident
from typing import Any

from mock_pymxs import classes
from mock_pymxs.classes import ClassInfo
from mock_pymxs.errors import MAXScriptException, MockGapError, UnknownPropertyError
from mock_pymxs.records import CallCounter, CreateRecord, RenderRecord, WriteRecord
from mock_pymxs.state import NodeState, ObjState, SceneState, make_renderer, renderer_snapshot
from mock_pymxs.timevalues import frame_count
from mock_pymxs.values import Array, MaxObject, Name, Node

RENDER_OUTCOMES = ("ok", "cancelled", "error")
_FRAME_EVENTS = ("prerenderframe", "postrenderframe")  # in the order each frame sends them
RENDER_STATEMENT = "max quick render"
RENDER_FAILED_MESSAGE = "-- Runtime error: Render failed"  # wording [unverified]
THREAD_MESSAGE = "pymxs: the MAXScript runtime was used from a thread other than the main thread"
# Classes whose constructor also makes a Targetobject node "<name>.Target" [unverified].
_AUTO_TARGET = frozenset({"targetspot", "target_light", "targetcamera"})

# General Event Callback types the mock accepts (MAXScript help); it fires the render ones,
# #postRendererChange, the file/reset/new/merge pairs (MockMax.open_scene...) and 3ds Max's
# closing (MockMax.shut_down). The shutdown names and what each means are the MAXScript
# reference's "System Notifications" page (General Event Callback Mechanism).
CALLBACK_TYPES = frozenset(
    n.lower()
    for n in (
        "preRender",
        "postRender",
        "preRenderFrame",
        "postRenderFrame",
        "preRenderEval",
        "preRendererChange",
        "postRendererChange",
        "renderParamsChanged",
        "filePreOpen",
        "filePostOpen",
        "filePreSave",
        "filePostSave",
        "systemPreReset",
        "systemPostReset",
        "systemPreNew",
        "systemPostNew",
        "systemShutdownCheck",
        "preSystemShutdown",
        "postSystemShutdown",
        "postSystemStartup",
        "nodeCreated",
        "selectionSetChanged",
        "cuiRegisterMenus",
        "cuiRegisterQuadMenus",
        "postLoadingMenus",
        "filePreMerge",
        "filePostMerge",
    )
)


class Callback:
    """One registered callback script (a Python callable)."""

    __slots__ = ("event", "fn", "id")

    def __init__(self, event: str, fn: Callable[[], object], cb_id: Name | None) -> None:
        self.event = event
        self.fn = fn
        self.id = cb_id


class _ThreadGate(dict[int, "Counter[str]"]):
    """The call counter by the id of each thread allowed to cross; other threads are refused.

    The allowed ones are the main thread and those holding ``mxstoken()``, as in pymxs.

    ``gate[get_ident()][name] += 1`` counts one crossing or raises, in one C-level step for
    the allowed threads (a large scene's read crosses 30,000 times; the hot wrappers in
    ``values`` and ``runtime`` use it inline, everything else through :meth:`Session.hit`).
    """

    def __missing__(self, ident: int) -> Counter[str]:
        raise RuntimeError(THREAD_MESSAGE)


class Session:
    """State and records of one install; wrappers count their accesses here."""

    def __init__(self, state: SceneState) -> None:
        self.state = state
        self.calls = CallCounter()
        # values.layer_interface: each layer's tables, built once (by id, with the layer).
        self.layer_tables: dict[int, Any] = {}
        self.writes: list[WriteRecord] = []
        self.renders: list[RenderRecord] = []
        self.executed: list[str] = []
        self.undo_records: list[str] = []
        self.created: list[CreateRecord] = []
        self.listener: list[str] = []
        self.qt_calls: list[tuple[str, object, object]] = []
        self.callbacks: list[Callback] = []
        self.callback_errors: list[BaseException] = []
        self.strict_callbacks = True
        self.next_render_outcome = "ok"
        # How a cancel looks to callbacks; real 3ds Max is [unverified] on both (vray-dr.md §16).
        self.cancel_at_frame = 1  # the cancel comes while this frame (1-based) renders
        self.cancel_fires_post_frame = False  # the cancelled frame still sends #postRenderFrame
        self.notification_param: object = None
        self.main_thread = threading.get_ident()
        # The main thread and those inside mxstoken() -> calls.by_name (allow/release_thread).
        self.gate = _ThreadGate({self.main_thread: self.calls.by_name})
        self.active = True
        # For the panel: the prompt line, the selection, and whether renders are network renders.
        self.prompts: list[str] = []
        self.selection: list[str] = []
        self.net_render = False

    # -- counting -------------------------------------------------------------------------
    def hit(self, name: str) -> None:
        """Count one crossing; like pymxs, refuse other threads unless they hold mxstoken()."""
        self.gate[get_ident()][name] += 1  # the total is the sum of these

    def allow_thread(self, ident: int) -> None:
        """``mxstoken()`` entered: thread ``ident`` may cross until :meth:`release_thread`."""
        self.gate[ident] = self.calls.by_name

    def release_thread(self, ident: int) -> None:
        """``mxstoken()`` left: thread ``ident`` is refused again (the main thread never is)."""
        if ident != self.main_thread:
            self.gate.pop(ident, None)

    def record_write(
        self, owner: str, owner_class: str, prop: str, old: object, new: object
    ) -> None:
        """Remember one property write."""
        self.writes.append(WriteRecord(owner, owner_class, prop, _plain(old), _plain(new)))

    # -- object creation ------------------------------------------------------------------
    def create(self, info: ClassInfo, args: tuple[object, ...], kwargs: dict[str, object]) -> Any:
        """What calling a class does: a node, a map/material, or a renderer instance."""
        if not info.creatable:
            raise MAXScriptException(f"-- Runtime error: Cannot create instance of {info.name}")
        if args:
            raise MAXScriptException(
                f"-- Argument count error: {info.name} wanted 0, got {len(args)}"
            )
        st = self.state
        name = kwargs.get("name")
        if info.superclass == classes.RENDERER:
            result: Any = MaxObject(self, make_renderer(info))
        elif info.superclass in (classes.MODIFIER, *classes.SCENE_HOLDERS):
            # held once added to a node's stack, to the environment or to Render Setup
            obj = ObjState(info)
            st.detached.append(obj)
            result = MaxObject(self, obj)
        elif info.superclass in (classes.TEXTUREMAP, classes.MATERIAL):
            prefix = "Map #" if info.superclass == classes.TEXTUREMAP else "Material #"
            obj = ObjState(info, f"{prefix}{len(st.detached) + 1}")
            st.detached.append(obj)
            result = MaxObject(self, obj)
        else:
            # New nodes go on layer "0" (the mock has no current-layer switch).
            layer = st.layers[0]
            node = NodeState(
                str(name) if isinstance(name, str) else st.next_name(info.name),
                ObjState(info),
                layer,
            )
            st.nodes.append(node)
            if info.name.lower() in _AUTO_TARGET:
                target = NodeState(
                    f"{node.name}.Target", ObjState(classes.CLASSES["targetobject"]), layer
                )
                st.nodes.append(target)
                node.target = target
            result = Node(self, node)
        for key, value in kwargs.items():
            try:
                result._set(key, value)
            except UnknownPropertyError as exc:
                raise MAXScriptException(f"{exc} (constructor keyword of {info.name})") from None
        self.created.append(
            CreateRecord(
                info.name,
                name if isinstance(name, str) else None,
                {k: _plain(v) for k, v in kwargs.items()},
            )
        )
        return result

    # -- callbacks and rendering -----------------------------------------------------------
    def fire(self, event: str, param: object = None) -> None:
        """Send one General Event notification to the registered Python callables."""
        saved = self.notification_param
        self.notification_param = param
        try:
            for cb in [c for c in self.callbacks if c.event == event.lower()]:
                try:
                    cb.fn()
                except Exception as exc:  # Max reports callback errors and goes on
                    self.callback_errors.append(exc)
                    if self.strict_callbacks:
                        raise
        finally:
            self.notification_param = saved

    def quick_render(self, statement: str) -> None:
        """``max quick render``: record the render, send notifications, apply the set outcome."""
        outcome = self.next_render_outcome
        if outcome not in RENDER_OUTCOMES:
            raise ValueError(
                f"next_render_outcome must be one of {RENDER_OUTCOMES}, not {outcome!r}"
            )
        self.next_render_outcome = "ok"
        st = self.state
        renderer = st.current
        self.renders.append(
            RenderRecord(
                statement=statement,
                renderer_class=renderer.cls.name if renderer is not None else "",
                props=renderer_snapshot(renderer),
                outcome=outcome,
                time=time.time(),
                render_type=st.render_type,
                width=st.render_width,
                height=st.render_height,
                cfg_files=_cfg_files(st.plugcfg_dir),
            )
        )
        self.fire("preRender", self._pre_render_param())
        frames = frame_count(self.state)
        stop_at = {"ok": None, "cancelled": self.cancel_at_frame, "error": 1}[outcome]
        if stop_at is not None and stop_at <= frames:
            self._fire_frames(stop_at - 1)
            self.fire("preRenderFrame")
            if outcome == "cancelled" and self.cancel_fires_post_frame:
                self.fire("postRenderFrame")
        else:
            self._fire_frames(frames)
        self.fire("postRender")
        if outcome == "error":
            raise MAXScriptException(RENDER_FAILED_MESSAGE)

    def _fire_frames(self, frames: int) -> None:
        """``#preRenderFrame`` then ``#postRenderFrame`` for ``frames`` whole frames.

        The same as :meth:`fire` per frame, without its scan of every callback per call: a
        render may ask for 50,000,000 frames, so the frame loop only calls the callbacks of
        these two events, and runs not at all when there are none. Scripts added or removed by
        a callback are seen from the next event on, as with :meth:`fire`.
        """
        if frames <= 0 or not any(c.event in _FRAME_EVENTS for c in self.callbacks):
            return
        registered = self.callbacks
        count = len(registered)
        pre, post = _frame_functions(registered)
        saved = self.notification_param
        self.notification_param = None
        try:
            for _ in range(frames):
                for fn in pre:
                    try:
                        fn()
                    except Exception as exc:  # noqa: BLE001 - as fire(): Max goes on
                        self._callback_failed(exc)
                # A callback may add scripts (the list grows) or remove them (a new list).
                if self.callbacks is not registered or len(registered) != count:
                    registered = self.callbacks
                    count = len(registered)
                    pre, post = _frame_functions(registered)
                for fn in post:
                    try:
                        fn()
                    except Exception as exc:  # noqa: BLE001 - as fire(): Max goes on
                        self._callback_failed(exc)
                if self.callbacks is not registered or len(registered) != count:
                    registered = self.callbacks
                    count = len(registered)
                    pre, post = _frame_functions(registered)
        finally:
            self.notification_param = saved

    def _callback_failed(self, exc: Exception) -> None:
        self.callback_errors.append(exc)
        if self.strict_callbacks:
            raise exc

    def _pre_render_param(self) -> Array:
        """The 28-item #preRender array: rendType first, isNetRender second, size at 26."""
        items: list[object] = [None] * 28
        items[0] = Name(self.state.render_type)
        items[1] = self.net_render
        items[25] = Array(self, [self.state.render_width, self.state.render_height])
        return Array(self, items)

    def set_renderer(self, slot: str, value: object) -> None:
        """Assign ``renderers.current`` / ``.production`` (a renderer instance only)."""
        if not isinstance(value, MaxObject) or value._o.cls.superclass != classes.RENDERER:
            raise MAXScriptException(f"-- Unable to convert: {value!r} to type: Renderer")
        st = self.state
        old = st.current if slot == "current" or st.production is None else st.production
        self.fire("preRendererChange")
        if slot == "current" or st.production is None:
            st.current = value._o
        else:
            st.production = value._o
        self.record_write("renderers", "renderers", slot, _plain(old), _plain(value._o))
        self.fire("postRendererChange")


def _frame_functions(registered: list[Callback]
                     ) -> tuple[list[Callable[[], object]], list[Callable[[], object]]]:
    """The functions registered for ``#preRenderFrame`` and for ``#postRenderFrame``."""
    pre, post = _FRAME_EVENTS
    return ([c.fn for c in registered if c.event == pre],
            [c.fn for c in registered if c.event == post])


def _plain(value: object) -> object:
    """What a write record keeps: primitives as they are, objects as their print form."""
    if isinstance(value, NodeState):
        return f"${value.base.cls.name}:{value.name}"
    if isinstance(value, ObjState):
        return f"{value.cls.name}:{value.name or value.cls.display_name or value.cls.name}"
    if isinstance(value, (Node, MaxObject, Name, Array)):
        return str(value)
    return value


def _cfg_files(folder: str | None) -> dict[str, str]:
    """Text of the ``*.cfg`` files in the plugcfg folder at render time (DR server lists)."""
    if not folder:
        return {}
    out: dict[str, str] = {}
    try:
        for p in sorted(Path(folder).glob("*.cfg")):
            out[p.name] = p.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    return out


def gap(what: str) -> MockGapError:
    """The error for something real 3ds Max has and the mock does not model."""
    return MockGapError(f"{what} exists in 3ds Max but mock_pymxs does not model it")
