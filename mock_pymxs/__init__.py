"""mock_pymxs: an in-memory stand-in for 3ds Max's ``pymxs`` and ``qtmax``, driven by JSON scenes.

``install(scene)`` puts the mock into ``sys.modules`` and returns a ``MockMax`` controller with
call counters and records of writes, renders and undo blocks. See ``scenes/README.md``.
"""

from __future__ import annotations

from mock_pymxs.errors import (
    MAXScriptException,
    MockGapError,
    SceneFileError,
    UndefinedGlobalError,
    UnknownPropertyError,
)
from mock_pymxs.install import MockMax, install, installed, uninstall
from mock_pymxs.records import CallCounter, CreateRecord, RenderRecord, WriteRecord
from mock_pymxs.scene import SCENES_DIR, Scene, bundled_scene, load_scene, parse_scene

__all__ = [
    "SCENES_DIR",
    "CallCounter",
    "CreateRecord",
    "MAXScriptException",
    "MockGapError",
    "MockMax",
    "RenderRecord",
    "Scene",
    "SceneFileError",
    "UndefinedGlobalError",
    "UnknownPropertyError",
    "WriteRecord",
    "bundled_scene",
    "install",
    "installed",
    "load_scene",
    "parse_scene",
    "uninstall",
]
