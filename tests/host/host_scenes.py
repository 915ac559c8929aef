"""Scene variants for host tests: a bundled scene with a few fields changed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mock_pymxs
from vrdr_max.facts import SceneFacts

Edit = Callable[[dict[str, Any]], None]


def variant(base: str, *edits: Edit) -> mock_pymxs.Scene:
    """The bundled scene ``base`` with ``edits`` applied to its JSON data."""
    data = json.loads((mock_pymxs.SCENES_DIR / f"{base}.json").read_text(encoding="utf-8"))
    for edit in edits:
        edit(data)
    return mock_pymxs.parse_scene(data, f"{base} variant")


def edited_file(tmp_path: Path, edit: Edit, base: str = "clean") -> Path:
    """The bundled scene ``base`` with ``edit`` applied, written as ``scene.json`` in ASCII
    (a lone surrogate stays a ``\\ud800`` escape, as a file would hold it)."""
    data = json.loads((mock_pymxs.SCENES_DIR / f"{base}.json").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(data), encoding="ascii")
    return path


def props(**values: Any) -> Edit:
    """Set renderer properties."""
    return lambda data: data["renderer"]["props"].update(values)


@contextmanager
def host_for(scene: str | mock_pymxs.Scene, plugcfg: Path) -> Iterator[Any]:
    """Install ``scene`` and yield (PymxsHost, MockMax)."""
    plugcfg.mkdir(parents=True, exist_ok=True)
    with mock_pymxs.installed(scene, plugcfg_dir=plugcfg) as mock:
        from vrdr_max.max_host import PymxsHost

        yield PymxsHost(), mock


def read(tmp_path: Path, scene: mock_pymxs.Scene) -> SceneFacts:
    """The adapter's ``read_scene()`` of ``scene``, its plugcfg folder under ``tmp_path``."""
    with host_for(scene, tmp_path / "plugcfg") as (host, _mock):
        facts: SceneFacts = host.read_scene()
        return facts
