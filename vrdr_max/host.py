"""``MaxHost``: the few things the backend needs from 3ds Max, as a typed Protocol.

``max_host.PymxsHost`` implements it with pymxs; tests run that real implementation against
``mock_pymxs``. Everything else in the backend takes a ``MaxHost`` argument and never imports
pymxs, so it runs unchanged on CI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Protocol, runtime_checkable

from vrdr_max.facts import PropValue, RendererInfo, SceneFacts
from vrdr_max.renderers import RendererProp


class LightKind(str, Enum):
    """Lights the default-lights fix can add."""

    VRAY_DOME = "vray-dome"


class RenderOutcome(str, Enum):
    """How a render started through the host ended."""

    COMPLETED = "completed"
    CANCELLED = "cancelled"


@runtime_checkable
class MaxHost(Protocol):
    """The operations vrdr needs from 3ds Max. All of them run on 3ds Max's main thread."""

    def read_scene(self) -> SceneFacts:
        """One snapshot of the scene for the checks; costs grow with assets, not geometry."""
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
