"""``MaxHost``: the few things the backend needs from 3ds Max, as a typed Protocol.

``max_host.PymxsHost`` implements it with pymxs; tests run that real implementation against
``mock_pymxs``. Everything else in the backend takes a ``MaxHost`` argument and never imports
pymxs, so it runs unchanged on CI.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Protocol, runtime_checkable

from vrdr_max.digits import plain_int
from vrdr_max.facts import PropValue, RendererInfo, SceneFacts
from vrdr_max.renderers import RendererProp


class LightKind(str, Enum):
    """Lights the default-lights fix can add."""

    VRAY_DOME = "vray-dome"


class RenderOutcome(str, Enum):
    """How a render started through the host ended, as far as the host can tell."""

    COMPLETED = "completed"
    """Every frame Render Setup asks for finished."""
    CANCELLED = "cancelled"
    """Fewer frames finished than Render Setup asks for: stopped early (cancelled)."""
    UNKNOWN = "unknown"
    """The host cannot tell whether every frame finished (never reported as completed)."""


CANCEL_SKIPS_FRAME_EVENT = True
"""[unverified] A cancelled frame sends no ``#postRenderFrame``. No public source says either way;
the field check asks for one manual cancel to settle it. When False, a render whose every frame
sent the event may still have been cancelled in its last frame, so it is reported as unknown."""


def pickup_frame_count(text: str) -> int | None:
    """Frames in a Render Setup pickup string such as ``1,3,5-12``; None if it is not one."""
    count = 0
    for part in text.replace(" ", "").split(","):
        first_text, sep, last_text = part.partition("-")
        first = plain_int(first_text)
        last = plain_int(last_text) if sep else first
        if first is None or last is None or last < first:
            return None
        count += last - first + 1
    return count


def judge_render(finished: int, asked: int | None) -> RenderOutcome:
    """The outcome of a render that sent ``finished`` ``#postRenderFrame`` notifications.

    Args:
        finished: frames that sent ``#postRenderFrame``.
        asked: frames Render Setup's Time Output asks for, or None when unknown.
    """
    if finished == 0 or (asked is not None and finished < asked):
        return RenderOutcome.CANCELLED  # stopped early, whatever a cancelled frame sends
    if asked is None or finished != asked or not CANCEL_SKIPS_FRAME_EVENT:
        return RenderOutcome.UNKNOWN
    return RenderOutcome.COMPLETED


@runtime_checkable
class MaxHost(Protocol):
    """The operations vrdr needs from 3ds Max. All of them run on 3ds Max's main thread."""

    def read_scene(self) -> SceneFacts:
        """One snapshot of the scene for the checks; costs grow with assets, not geometry."""
        ...

    def read_scene_steps(self) -> Generator[str, None, SceneFacts]:
        """The same snapshot in slices: yields the part being read, returns the facts.

        The panel drives it from its event loop (one slice per turn); every runtime call stays
        on the calling, main thread.
        """
        ...

    def read_renderer(self) -> RendererInfo:
        """The current renderer alone (a few runtime calls), e.g. to pick the cfg file."""
        ...

    def read_renderer_props(self) -> dict[RendererProp, PropValue]:
        """The current renderer's DR-related settings that it has (absent ones are left out)."""
        ...

    def write_renderer_props(self, values: Mapping[RendererProp, PropValue], label: str) -> None:
        """Set renderer settings in one undo step named ``label``.

        Raises:
            HostError: when the renderer lacks a property or refuses a value.
        """
        ...

    def create_light(self, kind: LightKind, name: str) -> str:
        """Create a light in one undo step and return its node name."""
        ...

    def switch_on_lights(self, names: Sequence[str]) -> list[str]:
        """Switch on and show the lights called ``names``, in one undo step.

        Returns:
            One line per light changed: its name and what was done (``Key (on, shown)``).

        Raises:
            HostError: when 3ds Max refuses a change (the undo step then holds what was done).
        """
        ...

    def plugcfg_dir(self) -> Path:
        """The folder V-Ray reads ``vray_dr.cfg`` from (``getDir #plugcfg``)."""
        ...

    def max_version(self) -> int:
        """The 3ds Max release year, e.g. 2026."""
        ...

    def read_scene_data(self, key: str) -> str | None:
        """Text vrdr stored in the scene under ``key``, or None."""
        ...

    def write_scene_data(self, key: str, value: str | None) -> None:
        """Store text in the scene (saved with the .max file); None deletes it."""
        ...

    def render(self) -> RenderOutcome:
        """Render as the Render button does, with Render Setup's settings; blocks until done.

        Returns:
            ``COMPLETED`` only when the host saw every frame the settings ask for finish.

        Raises:
            HostError: when the render fails.
        """
        ...

    def add_callback(self, event: str, callback: Callable[[], None]) -> None:
        """Call ``callback`` on a 3ds Max general event (``filePostOpen``, ``postRender``...)."""
        ...

    def remove_callbacks(self) -> None:
        """Remove every callback vrdr registered."""
        ...

    # -- for the panel: prompt line, render guard, selection --------------------------------

    def show_prompt(self, text: str) -> None:
        """Show ``text`` on 3ds Max's prompt line for a few seconds."""
        ...

    def is_network_render(self) -> bool:
        """Inside a ``#preRender`` callback: True when this render is a network render."""
        ...

    def select_nodes(self, names: Sequence[str]) -> int:
        """Select the nodes called ``names`` (others are ignored); return how many were found."""
        ...

    def select_subjects(self, names: Sequence[str]) -> int:
        """Select the nodes, the nodes using the maps, the missing plugins' nodes ``names`` name.

        Returns how many nodes were selected; with none, the selection is left as it was.
        """
        ...


class StageCase(str, Enum):
    """A case the field check puts into the open scene for a moment, then takes out again."""

    ENVIRONMENT_MAP = "environment-map"
    """A Bitmap of the given (missing) file as the environment map."""
    RENDER_ELEMENT_MAP = "render-element-map"
    """A V-Ray render element (VRayExtraTex) whose texture is a Bitmap of the given file."""
    RENDER_OUTPUT = "render-output"
    """Render Setup's output set to the given (not yet written) file, Save File on."""
    NESTED_HIDDEN_LAYER = "nested-hidden-layer"
    """A V-Ray light of the given name on a visible layer nested in a hidden one."""


@runtime_checkable
class FieldHost(MaxHost, Protocol):
    """A ``MaxHost`` plus the raw look-ups the field check and the scene exporter need.

    They name MAXScript things directly (class names, property names, events), so the facts
    the project assumes can be compared with what this 3ds Max really has.
    """

    def globals_defined(self, names: Sequence[str]) -> dict[str, bool]:
        """Which of ``names`` are MAXScript globals here (classes, functions, interfaces)."""
        ...

    def renderer_classes(self) -> list[str]:
        """Every renderer class installed (``RendererClass.classes``), as printed."""
        ...

    def renderer_properties(self, class_name: str,
                            names: Sequence[tuple[str | None, str]]) -> dict[str, bool]:
        """Which ``(sub-object or None, property)`` a new instance of a renderer class has.

        Keys are ``"property"`` or ``"sub.property"``. A new instance is not assigned, so the
        scene's renderer is left alone.
        """
        ...

    def instance_properties(self, class_name: str, names: Sequence[str]) -> dict[str, bool] | None:
        """Which of ``names`` the first scene instance of ``class_name`` has; None without one."""
        ...

    def vray_version(self) -> list[str] | None:
        """What ``vrayVersion()`` returns, or None when the function is not defined."""
        ...

    def class_superclass(self, class_name: str) -> str | None:
        """How ``classOf <class>`` prints (its superclass, e.g. ``modifier``); None if undefined."""
        ...

    def layer_properties(self, names: Sequence[str]) -> dict[str, bool]:
        """Which of ``names`` the scene's first layer (``LayerManager.getLayer 0``) has."""
        ...

    def file_property_items(self, header: str) -> list[str] | None:
        """``fileProperties.getItems header`` (e.g. "Used Plug-Ins"); None when undefined."""
        ...

    def accepts_python_callback(self) -> bool:
        """Whether ``callbacks.addScript`` takes a Python callable (registered, then removed)."""
        ...

    def render_events(self, events: Sequence[str]) -> list[str]:
        """Render once (the Render button) and return the ``events`` notified, in order."""
        ...

    def stage(self, case: StageCase, value: str) -> Callable[[], None]:
        """Put ``case`` into the open scene (no undo record); return what takes it out again.

        Raises:
            HostError: when this 3ds Max cannot build the case (e.g. V-Ray is not installed).
        """
        ...

    def asset_tracking_files(self) -> list[str]:
        """What ``ATSOps.GetFiles`` lists, as it lists it (outputs included or not)."""
        ...

    def scene_branches(self) -> dict[str, str]:
        """The sub-anim names of ``rootScene``, each with how its ``.object`` prints."""
        ...

    def renderer_property_names(self) -> list[str]:
        """``getPropNames`` of the current renderer (and of its V_Ray_settings, dotted)."""
        ...
