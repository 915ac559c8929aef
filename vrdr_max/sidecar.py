"""vrdr's own settings file next to the cfg: the DR generation and the DR2 dispatcher per engine.

V-Ray's DR2 builds are not public, so where V-Ray itself keeps the Dispatcher IP is unknown
(vray-dr.md §15.1). vrdr keeps it here (and in the scene, see ``submit``), and writes it into
V-Ray's cfg under ``cfgfile.DISPATCHER_KEY``, which is [unverified].
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from vrdr_max.atomic import FileSnapshot, atomic_write, read_bytes_snapshot
from vrdr_max.jsonfiles import parse_json_model
from vrdr_max.models import Dispatcher, DRSettings
from vrdr_max.ports import Engine, Mode

SIDECAR_NAME = "vrdr_settings.json"
SCENE_DATA_KEY = "dr_settings"
"""Key of the sidecar copy kept in the scene, so a reopened scene keeps its DR2 dispatcher."""


class EngineChoice(BaseModel):
    """What vrdr remembers for one engine."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = Mode.DR
    dispatcher: Dispatcher | None = None


class Sidecar(BaseModel):
    """The whole sidecar file."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    engines: dict[Engine, EngineChoice] = Field(default_factory=dict)

    def apply_to(self, settings: DRSettings) -> DRSettings:
        """``settings`` with the mode and dispatcher remembered for their engine, if any."""
        choice = self.engines.get(settings.engine)
        if choice is None:
            return settings
        return settings.model_copy(update={"mode": choice.mode, "dispatcher": choice.dispatcher})

    def remember(self, settings: DRSettings) -> None:
        """Take the mode and dispatcher of ``settings`` for their engine."""
        self.engines[settings.engine] = EngineChoice(mode=settings.mode,
                                                     dispatcher=settings.dispatcher)


def sidecar_path(cfg_dir: Path) -> Path:
    """Where the sidecar lives: the plugcfg folder, next to V-Ray's cfg files."""
    return cfg_dir / SIDECAR_NAME


def parse_sidecar(text: str, source: str) -> Sidecar:
    """Parse sidecar JSON (also used for the copy stored in the scene).

    Raises:
        InputError: naming the file and the field when it is not a valid sidecar.
    """
    return parse_json_model(Sidecar, text, source)


def load_sidecar(cfg_dir: Path) -> Sidecar:
    """Read the sidecar; an absent file gives the defaults."""
    snapshot = read_bytes_snapshot(sidecar_path(cfg_dir))
    if snapshot.data is None:
        return Sidecar()
    return parse_sidecar(snapshot.data.decode("utf-8", errors="replace"), str(snapshot.path))


def dump_sidecar(sidecar: Sidecar) -> str:
    """The JSON text of a sidecar."""
    return sidecar.model_dump_json(indent=2) + "\n"


def remember_in_sidecar(cfg_dir: Path, settings: DRSettings
                        ) -> tuple[FileSnapshot, FileSnapshot | None]:
    """Store the mode and dispatcher of ``settings`` for their engine; keep the other engine's.

    The file is re-read and written atomically against what was read, so two sessions saving
    at once cannot lose each other's engine (the loser gets ``CfgConflictError``).

    Returns:
        The file before, and after the write (None when it already held this; nothing was
        written): what ``atomic.restore_snapshot`` needs to undo it.
    """
    path = sidecar_path(cfg_dir)
    snapshot = read_bytes_snapshot(path)
    sidecar = (Sidecar() if snapshot.data is None else
               parse_sidecar(snapshot.data.decode("utf-8", errors="replace"), str(path)))
    sidecar.remember(settings)
    data = dump_sidecar(sidecar).encode("utf-8")
    if data == snapshot.data:
        return snapshot, None
    result = atomic_write(path, data, expected=snapshot, backup_suffix=None)
    return snapshot, result.snapshot
