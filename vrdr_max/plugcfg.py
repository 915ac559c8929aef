"""Finding ``vray_dr.cfg`` / ``vrayrt_dr.cfg`` outside 3ds Max (inside it, ``GetDir #plugcfg``).

Precedence: an explicit path, then the ``VRDR_PLUGCFG`` folder, then the per-user plugcfg
folder of a 3ds Max version on Windows (``plugcfg_windows``, loaded only for ``--max-version``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from vrdr_max.cfgread import cfg_name
from vrdr_max.errors import InputError, quote
from vrdr_max.ports import Engine

PLUGCFG_ENV = "VRDR_PLUGCFG"
"""Environment variable naming the folder that holds the cfg files."""

MAX_YEARS = range(2009, 2100)
"""3ds Max release years vrdr accepts (the first one named by its year was 3ds Max 2009)."""

NO_CFG_MESSAGE = "no cfg file given: use --cfg PATH, set VRDR_PLUGCFG, or --max-version YEAR"


def expand_home(path: Path) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded.

    Raises:
        InputError: the home folder is unknown (``~nouser/...``, no ``HOME``).
    """
    try:
        return path.expanduser()
    except RuntimeError:  # pathlib's "Could not determine home directory"
        raise InputError(f"{quote(str(path))}: no home folder for "
                         f"{quote(path.parts[0])}") from None


def find_cfg(engine: Engine, *, cfg: Path | None, max_version: int | None,
             env: Mapping[str, str] = os.environ, lang: str | None = None,
             platform: str = sys.platform) -> Path:
    """Decide which cfg file a command works on.

    Args:
        engine: CPU (``vray_dr.cfg``) or GPU (``vrayrt_dr.cfg``).
        cfg: ``--cfg``: the file itself (a folder gets the file name appended).
        max_version: ``--max-version``: use that 3ds Max's per-user plugcfg folder (Windows).
        env: where ``VRDR_PLUGCFG`` and ``LOCALAPPDATA`` are looked up.
        lang: the 3ds Max language for ``max_version``; ENU (en-US) when None.
        platform: ``sys.platform`` of the machine; ``win32`` enables ``max_version``.

    Returns:
        The path (the file need not exist yet).

    Raises:
        InputError: nothing says where the file is, ``max_version`` cannot be used here, a
            ``~user`` that does not exist, or a path the system refuses (a name too long).
    """
    name = cfg_name(engine)
    if cfg is not None:
        path = expand_home(Path(cfg))
        return path / name if _is_folder(path) else path
    folder = env.get(PLUGCFG_ENV, "").strip()
    if folder:
        return expand_home(Path(folder)) / name
    if max_version is None:
        raise InputError(NO_CFG_MESSAGE)
    if platform != "win32":
        raise InputError(f"--max-version finds the plugcfg folder on Windows only; on this "
                         f"system use --cfg PATH or set {PLUGCFG_ENV}")
    local_appdata = env.get("LOCALAPPDATA", "").strip()
    if not local_appdata:
        raise InputError(f"LOCALAPPDATA is not set, so the plugcfg folder of 3ds Max "
                         f"{max_version} is unknown; use --cfg PATH or set {PLUGCFG_ENV}")
    from vrdr_max.plugcfg_windows import windows_plugcfg_dir  # noqa: PLC0415 - --max-version only

    return Path(str(windows_plugcfg_dir(max_version, local_appdata, lang) / name))


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError as exc:  # a name too long; is_dir() swallows only "not found"-like errors
        raise InputError(f"cannot use {path}: {exc.strerror or exc}") from None
