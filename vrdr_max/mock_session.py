"""Open a ``mock_pymxs`` scene file as a ``MaxHost``: ``vrdr check/submit --scene`` and the demo.

The only backend module that imports ``mock_pymxs``: CI pipelines check exported scene
descriptions with the same adapter (``max_host.py``) that runs inside 3ds Max.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import mock_pymxs
from vrdr_max.atomic import check_regular_file
from vrdr_max.errors import InputError, one_line
from vrdr_max.host import MaxHost


def scene_file(scene: str | Path) -> Path:
    """The file of a scene: ``scene`` itself, or one of the bundled scenes by name.

    Raises:
        InputError: the file is missing, or not a regular file.
    """
    path = Path(scene)
    # lexists: a dangling link is a file the user meant, and a name the system refuses
    # (too long) is not a crash but a scene name that is not bundled.
    if path.suffix.lower() == ".json" or os.path.lexists(path):
        # Checked without opening it: a FIFO or device would block or never end.
        if check_regular_file(path) is None:
            raise InputError(f"scene file {path} does not exist")
        return path
    # Looked up among the bundled names, not on disk: a name the system refuses (too long)
    # is one more name that is not bundled, and the message names what the user gave.
    names = sorted(p.stem for p in mock_pymxs.SCENES_DIR.glob("*.json"))
    if str(scene) not in names:
        raise InputError(f"no scene file {one_line(str(scene))}{_why_absent(path)} and no "
                         f"bundled scene of that name ({', '.join(names)})")
    return mock_pymxs.SCENES_DIR / f"{scene}.json"


def _why_absent(path: Path) -> str:
    """Why the system found no file at ``path`` when it is not simply absent (name too long)."""
    try:
        path.lstat()
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            return f" ({exc.strerror or exc})"
    return ""


def load_scene_file(scene: str | Path) -> mock_pymxs.Scene:
    """A scene file, or one of the bundled scenes by name (``demo``, ``clean``, ...).

    Raises:
        InputError: the file is missing or invalid (the message names the field).
    """
    path = scene_file(scene)
    try:
        return mock_pymxs.load_scene(path)
    except mock_pymxs.SceneFileError as exc:
        raise InputError(str(exc)) from None


@contextmanager
def mock_scene_host(scene: str | Path, plugcfg_dir: Path | None = None
                    ) -> Iterator[tuple[MaxHost, mock_pymxs.MockMax]]:
    """Install the mock with ``scene`` and yield the real adapter over it, then uninstall.

    The file is read, validated and built into the mock's scene once (a 100,000-node scene
    description costs seconds per pass).
    """
    path = scene_file(scene)
    try:
        # Wrong property types and unknown properties are found here, not by the schema.
        mock = mock_pymxs.install(path, plugcfg_dir=plugcfg_dir)
    except mock_pymxs.SceneFileError as exc:
        raise InputError(str(exc)) from None
    try:
        # max_host imports pymxs, which exists only once the mock is installed.
        from vrdr_max.max_host import PymxsHost  # noqa: PLC0415

        yield PymxsHost(), mock
    finally:
        mock.uninstall()
