"""The MaxHost contract on mock_pymxs, and what breaks it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from contract import CONTRACT, reads_every_renderer_property
from host_scenes import host_for

from vrdr_max import renderers
from vrdr_max.errors import HostError
from vrdr_max.host import MaxHost
from vrdr_max.ports import Engine
from vrdr_max.renderers import RendererProp


@pytest.mark.parametrize("scene", ["demo", "clean", "gpu"])
@pytest.mark.parametrize("clause", CONTRACT, ids=lambda f: f.__name__)
def test_contract(tmp_path: Path, scene: str, clause: Callable[[MaxHost], None]) -> None:
    with host_for(scene, tmp_path / "plugcfg") as (host, _mock):
        clause(host)


@pytest.mark.parametrize(("scene", "engine"), [("clean", Engine.CPU), ("gpu", Engine.GPU)])
def test_a_misspelt_property_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scene: str,
                                   engine: Engine) -> None:
    table = {e: dict(v) for e, v in renderers.PROPERTY_NAMES.items()}
    sub, _name = table[engine][RendererProp.DR_ENABLED]
    table[engine][RendererProp.DR_ENABLED] = (sub, "system_distributedRendering")
    with host_for(scene, tmp_path / "plugcfg") as (host, mock):
        monkeypatch.setattr("vrdr_max.max_host.PROPERTY_NAMES", table)
        with pytest.raises(AssertionError, match="dr_enabled"):
            reads_every_renderer_property(host)
        with pytest.raises(HostError, match="no property system_distributedRendering"):
            host.write_renderer_props({RendererProp.DR_ENABLED: True}, "typo")
        # and the runtime itself refuses the name, as 3ds Max does
        with pytest.raises(AttributeError):
            _ = mock.runtime.renderers.current.system_distributedRendering
        assert mock.writes == []


def test_writes_are_one_undo_step_with_render_setup_closed(tmp_path: Path) -> None:
    with host_for("clean", tmp_path / "plugcfg") as (host, mock):
        mock.runtime.renderSceneDialog.open()
        host.write_renderer_props({RendererProp.DR_ENABLED: False,
                                   RendererProp.CHECK_MISSING_FILES: True}, "vrdr: test")
        assert not mock.runtime.renderSceneDialog.isOpen()
        assert mock.undo_records == ["vrdr: test"]
        assert [(w.prop, w.new) for w in mock.writes] == [
            ("system_distributedRender", False), ("system_checkForMissingFiles", True)]
