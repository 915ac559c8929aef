"""``SceneFacts``: one read-only snapshot of what the DR checks need to know about a scene.

The host adapter (``max_host.py``) builds it from a few batched runtime calls; the checks and the
submission planner only ever see this data, so they run the same on CI as inside 3ds Max.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, with_config

from vrdr_max.ports import Engine

PropValue = bool | int | float | str | None


class _Facts(BaseModel):
    # Validators are built on first use: `vrdr check` validates a few of these (the lights, the
    # renderer) and the adapter constructs SceneFacts from values it has typed, so the schema of
    # the whole snapshot is not built on that path (issue 18, item 7).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class RendererFamily(str, Enum):
    """What kind of renderer is current."""

    VRAY = "vray"
    OTHER = "other"
    MISSING = "missing"


class RendererInfo(_Facts):
    """The current renderer, identified from its class name."""

    class_name: str
    family: RendererFamily
    engine: Engine | None = None
    version: str | None = None


class DefaultLightInputs(_Facts):
    """The switches V-Ray's default-light rule reads (Global switches rollout)."""

    lights: bool = True
    default_lights: int = Field(default=1, ge=0, le=2)
    hidden_lights: bool = True
    gi_on: bool = False


class HiddenBy(str, Enum):
    """Why a light is hidden: V-Ray leaves out lights hidden for any reason (Global switches)."""

    NODE = "node"
    LAYER = "layer"
    CATEGORY = "category"


class LightFact(_Facts):
    """One light node (target helpers of target lights are not lights).

    ``on`` is None when the light's on/off switch could not be read (a plugin light without
    the switch the adapter knows, a ``Missing_Light``): whether it lights the scene is unknown.
    ``hidden_by`` says why a hidden light is hidden (its own flag, its layer, Hide by Category).
    """

    name: str
    class_name: str
    on: bool | None = True
    hidden_by: HiddenBy | None = None

    @property
    def hidden(self) -> bool:
        """True when the light is hidden for any reason."""
        return self.hidden_by is not None


class AssetKind(str, Enum):
    """What an asset is, for messages and for what V-Ray transfers."""

    BITMAP = "bitmap"
    HDRI = "hdri"
    PROXY = "proxy"
    IES = "ies"
    VRAYSCENE = "vrscene"
    VOLUME = "volume cache"
    XREF = "xref scene"
    ALEMBIC = "alembic cache"
    OTHER = "file"


MAP_KINDS = frozenset({AssetKind.BITMAP, AssetKind.HDRI})
"""Kinds whose files texture maps hold: a map has its own name, and (as maps and materials
alone can) may sit in a Material Editor slot the scene does not use."""


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True, slots=True, kw_only=True)
class AssetFact:
    """A file the scene references, and whether 3ds Max finds it on this machine.

    ``owner`` (the map's or node's name) is read only for assets that may be a problem —
    missing, or outside a UNC path — to keep the scene read cheap on large scenes. Files known
    only from the Asset Tracking System have no owner class (ATS does not say who uses them).

    A frame or tile pattern its loader documents (``Fire_####.aur``, ``skin.<UDIM>.exr``) names
    many files: ``matches`` counts the client's files that match it (None for a plain path),
    and ``resolved_path`` is then the pattern in the folder where they were found.

    A frozen dataclass rather than a model: a large scene's read makes 10,000s of them, and
    the adapter gives each field its type already. ``SceneFacts`` still validates assets given
    as data (``SceneFacts.model_validate``) and writes them as a model would.
    """

    path: str
    kind: AssetKind
    owner_class: str = ""
    owner: str | None = None
    resolved_path: str | None = None
    matches: Annotated[int | None, Field(ge=0)] = None

    def __post_init__(self) -> None:
        if self.matches is not None and self.matches < 0:  # what Field(ge=0) says for data
            raise ValueError(f"matches: {self.matches} files (a count is 0 or more)")

    @classmethod
    def made(cls, path: str, kind: AssetKind, owner_class: str, owner: str | None, *,
             resolved_path: str | None, matches: int | None) -> AssetFact:
        """The fact the constructor makes, for a caller that gives every field its type.

        The adapter makes one per file of the scene (10,000s in a large one): this sets the
        slots directly (0.4 us a fact instead of 1.0: a frozen dataclass's ``__init__`` sets
        each field through ``object.__setattr__``), with the constructor's check.
        """
        if matches is not None and matches < 0:
            raise ValueError(f"matches: {matches} files (a count is 0 or more)")
        fact = _new(cls)
        _SET_PATH(fact, path)
        _SET_KIND(fact, kind)
        _SET_OWNER_CLASS(fact, owner_class)
        _SET_OWNER(fact, owner)
        _SET_RESOLVED_PATH(fact, resolved_path)
        _SET_MATCHES(fact, matches)
        return fact

    @property
    def label(self) -> str:
        """``owner (class): path`` for messages, or ``kind file: path`` without an owner class.

        A pattern says how many files matched it (``(12 files)``, ``(no file matches)``).
        """
        text = (f"{self.kind.value}: {self.path}" if not self.owner_class
                else f"{self.owner or 'unnamed'} ({self.owner_class}): {self.path}")
        if self.matches is None:
            return text
        return f"{text} ({self.matches} files)" if self.matches else f"{text} (no file matches)"

    @property
    def missing(self) -> bool:
        """True when 3ds Max cannot find the file (for a pattern: any file) on this machine."""
        if self.matches is not None:
            return self.matches == 0
        return self.resolved_path is None


_new = object.__new__
# The slots' own setters (a frozen dataclass refuses plain assignment): AssetFact.made.
_SET_PATH, _SET_KIND, _SET_OWNER_CLASS, _SET_OWNER, _SET_RESOLVED_PATH, _SET_MATCHES = (
    AssetFact.__dict__[name].__set__
    for name in ("path", "kind", "owner_class", "owner", "resolved_path", "matches"))


class PluginUse(_Facts):
    """A third-party plugin class the scene uses, and the DLL that provides it."""

    class_name: str
    dll: str
    product: str
    count: int = Field(ge=1)


class MissingPlugin(_Facts):
    """A plugin the scene needs that this machine no longer has (``SceneMissingPlugIns``)."""

    class_name: str
    dll: str
    description: str = ""


class SceneFacts(_Facts):
    """Everything the DR preflight reads from a scene, as plain data.

    ``scene_dlls``: the third-party plugin DLLs the scene file records it uses ("Used
    Plug-Ins", as of its last save; 3ds Max's own and V-Ray's left out); None when the scene
    was never saved (or its file records no list), so the list is unknown.
    ``missing_instances`` counts the ``Missing_*`` objects the render uses;
    ``missing_editor_only`` those only Material Editor slots (or Slate views) hold.
    ``workstation`` is this machine's network name (UNC paths on that host point at it).
    """

    max_version: int | None = None
    scene_path: str = ""
    renderer: RendererInfo
    dr_enabled: bool | None = None
    check_missing_files: bool | None = None
    default_lights: DefaultLightInputs | None = None
    lights: list[LightFact] = Field(default_factory=list)
    assets: list[AssetFact] = Field(default_factory=list)
    plugins: list[PluginUse] = Field(default_factory=list)
    missing_plugins: list[MissingPlugin] = Field(default_factory=list)
    missing_instances: dict[str, int] = Field(default_factory=dict)
    missing_editor_only: dict[str, int] = Field(default_factory=dict)
    scene_dlls: list[str] | None = Field(default_factory=list)
    render_type: str | None = None
    vray_version: str | None = None
    """``vrayVersion()``'s version (e.g. "6.20.01"), None where the function is not defined;
    the ``farm-vray-version`` check compares it with the farm manifest's."""
    workstation: str = ""

    @property
    def is_vray(self) -> bool:
        """True when the current renderer is V-Ray (CPU or GPU)."""
        return self.renderer.family is RendererFamily.VRAY
