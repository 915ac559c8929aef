"""Load and save the complete DR settings: V-Ray's cfg, vrdr's sidecar, the renderer switches."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vrdr_max.atomic import check_writable, restore_snapshot
from vrdr_max.cfgfile import CfgFile, SaveResult, cfg_name
from vrdr_max.errors import VrdrError
from vrdr_max.host import MaxHost
from vrdr_max.models import DRSettings
from vrdr_max.ports import Engine, Mode
from vrdr_max.renderers import RendererProp, build_mode
from vrdr_max.sidecar import SCENE_DATA_KEY, load_sidecar, parse_sidecar, remember_in_sidecar


@dataclass
class StoredSettings:
    """The DR settings of one engine and where each part is kept.

    Attributes:
        cfg: V-Ray's cfg file (servers and dialog options); ``cfg.settings`` is the working copy.
            The DR generation and dispatcher also go to vrdr's sidecar file next to it.
    """

    cfg: CfgFile

    @property
    def settings(self) -> DRSettings:
        """The working copy: edit it, then :meth:`save`."""
        return self.cfg.settings

    @settings.setter
    def settings(self, value: DRSettings) -> None:
        self.cfg.settings = value

    def save(self) -> SaveResult:
        """Write the sidecar and the cfg (atomically, with a backup): both or neither.

        The cfg is checked for writability first, the sidecar written next (it has no backup to
        disturb), then the cfg; should the cfg's save fail, the sidecar is put back.

        Raises:
            InputError: either file cannot be written; neither was changed.
            CfgConflictError: either file changed on disk since it was read; neither was changed.
        """
        check_writable(self.cfg.path)
        before, written = remember_in_sidecar(self.cfg.path.parent, self.cfg.settings)
        try:
            return self.cfg.save()
        except BaseException as exc:
            try:
                restore_snapshot(before, written)
            except VrdrError as undo:
                raise VrdrError(f"{exc}; the sidecar could not be put back: {undo}") from exc
            raise


def dispatcher_in_cfg_setting() -> bool:
    """The studio/user setting ``dispatcher_in_vray_cfg``: off unless a file switches it on.

    Off, the DR2 dispatcher lives only in vrdr's sidecar and the scene (``cfgfile.DISPATCHER_KEY``
    says why).
    """
    from vrdr_max.studio import load_effective  # noqa: PLC0415 - studio loads the probe

    return load_effective().defaults.dispatcher_in_vray_cfg


def load_settings(cfg_dir: Path, engine: Engine = Engine.CPU, *,
                  cfg_path: Path | None = None, host: MaxHost | None = None,
                  dispatcher_in_cfg: bool | None = None) -> StoredSettings:
    """Read the settings for ``engine``.

    Args:
        cfg_dir: the plugcfg folder (``MaxHost.plugcfg_dir()`` inside 3ds Max).
        engine: CPU reads ``vray_dr.cfg``, GPU ``vrayrt_dr.cfg``.
        cfg_path: a cfg file elsewhere (its folder then holds the sidecar).
        host: when given, DR on/off and Check for missing files come from the renderer, and
            the DR generation and dispatcher from the scene's record when it has one; a
            DR2-only V-Ray build (``renderers.build_mode``) sets DR2 whatever was stored.
        dispatcher_in_cfg: read and write the dispatcher line in V-Ray's cfg; the studio/user
            setting (:func:`dispatcher_in_cfg_setting`) when None.
    """
    path = cfg_path or cfg_dir / cfg_name(engine)
    base = load_sidecar(path.parent).apply_to(DRSettings(engine=engine))
    if host is not None:
        # The scene's own record (written at submission) wins: a reopened scene keeps its DR2
        # dispatcher even on a workstation whose sidecar says otherwise.
        stored = host.read_scene_data(SCENE_DATA_KEY)
        if stored:
            base = parse_sidecar(stored, "the scene's DR record").apply_to(base)
        if build_mode(host.read_renderer().class_name) is Mode.DR2:
            base = base.model_copy(update={"mode": Mode.DR2})
        props = host.read_renderer_props()
        base = base.model_copy(update={
            "enabled": bool(props.get(RendererProp.DR_ENABLED, False)),
            "check_missing_files": bool(props.get(RendererProp.CHECK_MISSING_FILES, False))})
    if dispatcher_in_cfg is None:
        dispatcher_in_cfg = dispatcher_in_cfg_setting()
    return StoredSettings(cfg=CfgFile.load(path, engine, base=base,
                                           dispatcher_in_cfg=dispatcher_in_cfg))
