"""Putting the mock into ``sys.modules`` as ``pymxs``/``qtmax`` and taking it out again."""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Iterator
from pathlib import Path

from mock_pymxs.errors import SceneFileError
from mock_pymxs.pymxs_module import PYMXS
from mock_pymxs.qtmax import QTMAX, discard_window
from mock_pymxs.records import CallCounter, CreateRecord, RenderRecord, WriteRecord
from mock_pymxs.runtime import RUNTIME, Globals, Runtime
from mock_pymxs.scene import SCENES_DIR, Scene, SceneModel, check_scene, load_scene_state
from mock_pymxs.session import RENDER_OUTCOMES, Session
from mock_pymxs.state import SceneState, build_state
from mock_pymxs.vfs import VirtualFiles

_MISSING = object()
_MODULES = ("pymxs", "qtmax")


class MockMax:
    """The controller of one installed mock: scene state, counters and records for tests."""

    def __init__(self, session: Session, model: SceneModel, saved: dict[str, object]) -> None:
        self._session = session
        self._saved = saved
        self._model = model

    @property
    def scene_model(self) -> Scene:
        """The validated Scene model of the open scene (a file's is made on first use)."""
        return self._model()

    @scene_model.setter
    def scene_model(self, model: Scene) -> None:
        self._model = lambda: model

    @property
    def scene(self) -> SceneState:
        """The live scene state (changes as the runtime changes it)."""
        return self._session.state

    @property
    def runtime(self) -> Runtime:
        """``pymxs.runtime`` (the same object ``import pymxs`` gives)."""
        return RUNTIME

    @property
    def calls(self) -> CallCounter:
        """Runtime crossings: ``.total``, ``["name"]``, ``.reset()``."""
        return self._session.calls

    @property
    def renders(self) -> list[RenderRecord]:
        """Renders started with ``execute("max quick render")``."""
        return self._session.renders

    @property
    def writes(self) -> list[WriteRecord]:
        """Property writes in order."""
        return self._session.writes

    @property
    def executed(self) -> list[str]:
        """Every string passed to ``rt.execute`` (accepted or not)."""
        return self._session.executed

    @property
    def undo_records(self) -> list[str]:
        """Labels of ``pymxs.undo(True, label)`` blocks entered."""
        return self._session.undo_records

    @property
    def created(self) -> list[CreateRecord]:
        """Objects created by calling a class."""
        return self._session.created

    @property
    def listener(self) -> list[str]:
        """Lines written with ``pymxs.print_``."""
        return self._session.listener

    @property
    def qt_calls(self) -> list[tuple[str, object, object]]:
        """Calls of the qtmax functions."""
        return self._session.qt_calls

    @property
    def callback_errors(self) -> list[BaseException]:
        """Exceptions raised by registered callbacks."""
        return self._session.callback_errors

    @property
    def files(self) -> VirtualFiles:
        """The client's virtual file system (``add``/``remove`` paths)."""
        return self._session.state.files

    @property
    def next_render_outcome(self) -> str:
        """What the next ``max quick render`` does: "ok", "cancelled" or "error" (then "ok")."""
        return self._session.next_render_outcome

    @next_render_outcome.setter
    def next_render_outcome(self, value: str) -> None:
        if value not in RENDER_OUTCOMES:
            raise ValueError(f"next_render_outcome must be one of {RENDER_OUTCOMES}, not {value!r}")
        self._session.next_render_outcome = value

    @property
    def cancel_at_frame(self) -> int:
        """A "cancelled" render stops while this frame (1-based, of those asked for) renders."""
        return self._session.cancel_at_frame

    @cancel_at_frame.setter
    def cancel_at_frame(self, value: int) -> None:
        if value < 1:
            raise ValueError(f"cancel_at_frame counts from 1, not {value}")
        self._session.cancel_at_frame = value

    @property
    def cancel_fires_post_frame(self) -> bool:
        """Whether the frame a cancel stops still sends ``#postRenderFrame`` ([unverified])."""
        return self._session.cancel_fires_post_frame

    @cancel_fires_post_frame.setter
    def cancel_fires_post_frame(self, value: bool) -> None:
        self._session.cancel_fires_post_frame = value

    @property
    def strict_callbacks(self) -> bool:
        """Re-raise callback exceptions (default) instead of only recording them, as Max does."""
        return self._session.strict_callbacks

    @strict_callbacks.setter
    def strict_callbacks(self, value: bool) -> None:
        self._session.strict_callbacks = value

    # -- for the panel: prompt line, selection, net renders, scene events ----------------------
    @property
    def prompts(self) -> list[str]:
        """Texts shown with ``displayTempPrompt``, in order."""
        return self._session.prompts

    @property
    def selection(self) -> list[str]:
        """Names of the nodes selected with ``select``."""
        return self._session.selection

    @property
    def net_render(self) -> bool:
        """Whether renders report ``isNetRender`` in ``#preRender`` (a render server's 3ds Max)."""
        return self._session.net_render

    @net_render.setter
    def net_render(self, value: bool) -> None:
        self._session.net_render = bool(value)

    def open_scene(self, scene: Scene | Path | str) -> None:
        """File > Open: ``#filePreOpen``, the new scene replaces the old, ``#filePostOpen``.

        The plugcfg folder stays (it belongs to the machine, not the scene).
        """
        session = self._session
        model, state = _scene_and_state(scene, session.state.plugcfg_dir, check=False)
        session.fire("filePreOpen")
        session.state = state
        self._model = model
        # The global table closes over the scene state: rebuild this session's table.
        stack = RUNTIME._stack
        for i, table in enumerate(stack):
            if table.s is session:
                stack[i] = Globals(session)
        session.fire("filePostOpen")

    def reset_scene(self) -> None:
        """File > Reset, as far as callbacks go: ``#systemPreReset``, ``#systemPostReset``."""
        self._session.fire("systemPreReset")
        self._session.fire("systemPostReset")

    def new_scene(self) -> None:
        """File > New, as far as callbacks go: ``#systemPreNew``, ``#systemPostNew``.

        Both are General Event Callbacks of the MAXScript reference ("callbacks.addScript"
        notification codes); the scene's contents stay as they are here.
        """
        self._session.fire("systemPreNew")
        self._session.fire("systemPostNew")

    def merge_scene(self) -> None:
        """File > Merge, as far as callbacks go: ``#filePreMerge``, ``#filePostMerge``."""
        self._session.fire("filePreMerge")
        self._session.fire("filePostMerge")

    def shut_down(self) -> None:
        """3ds Max closing, as far as callbacks go: ``#preSystemShutdown``, ``#postSystemShutdown``.

        The MAXScript reference ("System Notifications"): ``#preSystemShutdown`` is sent just
        before the software enters its shutdown, while its UI still runs (a tool may still ask
        the artist something then); ``#postSystemShutdown`` just before the shutdown ends, when
        the Listener and the UI are gone and only work such as writing files may be done.
        ``#systemShutdownCheck`` (sent while the shutdown may still be cancelled) is not
        fired: the mock's shutdown is never cancelled. Nothing is torn down here.
        """
        self._session.fire("preSystemShutdown")
        self._session.fire("postSystemShutdown")

    @property
    def installed(self) -> bool:
        """True until ``uninstall()``."""
        return self._session.active

    def uninstall(self) -> None:
        """Restore ``sys.modules`` to what it was before this install (most recent first)."""
        if not self._session.active:
            return
        if not _STACK or _STACK[-1] is not self:
            raise RuntimeError("uninstall mock_pymxs installs in reverse order")
        _STACK.pop()
        RUNTIME._stack.pop()
        self._session.active = False
        if not _STACK:
            discard_window()
        for name, value in self._saved.items():
            if value is _MISSING:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value  # type: ignore[assignment]


_STACK: list[MockMax] = []


def _scene_and_state(scene: Scene | Path | str | None, plugcfg_dir: str | None = None, *,
                     check: bool = True) -> tuple[SceneModel, SceneState]:
    """The scene model and its live state; a file is read, validated and built once."""
    if scene is None:
        return load_scene_state(SCENES_DIR / "demo.json", plugcfg_dir)
    if isinstance(scene, Scene):
        source = "scene"
        if check:
            problems = check_scene(scene)
            if problems:
                raise SceneFileError(f"{source}: {problems[0]}")
        try:
            state = build_state(scene, plugcfg_dir)
        except SceneFileError as exc:
            raise SceneFileError(f"{source}: {exc}") from None
        model = scene
        return (lambda: model), state
    if (
        isinstance(scene, str)
        and (SCENES_DIR / f"{scene}.json").is_file()
        and not Path(scene).suffix
    ):
        return load_scene_state(SCENES_DIR / f"{scene}.json", plugcfg_dir)
    return load_scene_state(scene, plugcfg_dir)


def install(
    scene: Scene | Path | str | None = None,
    *,
    plugcfg_dir: str | Path | None = None,
    check: bool = True,
) -> MockMax:
    """Install the mock as ``pymxs`` and ``qtmax``; returns the controller.

    Args:
        scene: a Scene, a scene file path, the name of a bundled scene ("demo", "clean",
            "gpu", "scanline"), or None for the demo scene.
        plugcfg_dir: the folder ``getDir #plugcfg`` returns (overrides the scene's).
        check: run the cross-field scene checks (skip for generated benchmark scenes).
    """
    model, state = _scene_and_state(scene, None if plugcfg_dir is None else str(plugcfg_dir),
                                    check=check)
    session = Session(state)
    saved = {name: sys.modules.get(name, _MISSING) for name in _MODULES}
    RUNTIME._stack.append(Globals(session))
    mock = MockMax(session, model, saved)
    _STACK.append(mock)
    modules: dict[str, types.ModuleType] = {"pymxs": PYMXS, "qtmax": QTMAX}
    sys.modules.update(modules)
    return mock


def uninstall() -> None:
    """Uninstall the most recent install (no-op when none is active)."""
    if _STACK:
        _STACK[-1].uninstall()


@contextlib.contextmanager
def installed(
    scene: Scene | Path | str | None = None, *, plugcfg_dir: str | Path | None = None
) -> Iterator[MockMax]:
    """Install the mock for the duration of a ``with`` block, then uninstall it."""
    mock = install(scene, plugcfg_dir=plugcfg_dir)
    try:
        yield mock
    finally:
        mock.uninstall()
