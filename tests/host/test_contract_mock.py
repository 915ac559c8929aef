"""The MaxHost contract on mock_pymxs, and what breaks it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from contract import (
    CONTRACT,
    STAGED_CONTRACT,
    Stage,
    finds_a_missing_environment_map,
    finds_a_missing_map_in_a_render_element,
    names_its_folders,
    never_calls_a_cancelled_render_completed,
    never_reads_a_render_output_as_an_input,
    reads_every_renderer_property,
)
from host_scenes import host_for

from mock_pymxs.state import LayerState, ObjState
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


class MockStage:
    """Stages the contract's cases in the installed mock's scene state."""

    def __init__(self, mock: Any) -> None:
        self._mock = mock

    def bitmap_only_in_editor_slot(self, path: str) -> None:
        # What setMeditMaterial leaves behind: a map in the scene's map list held by a slot.
        st = self._mock.scene
        bitmap = ObjState(st.class_info("Bitmaptexture"), "vrdr_contract_editor_only")
        bitmap.props["filename"] = path
        st.maps.append(bitmap)
        st.medit.append(bitmap)

    def light_on_hidden_layer(self, name: str) -> None:
        rt = self._mock.runtime
        rt.VRayLight(name=name)
        st = self._mock.scene
        layer = LayerState("vrdr_contract_hidden", hidden=True)
        st.layers.append(layer)
        next(n for n in st.nodes if n.name == name).layer = layer

    def cancel_next_render(self) -> None:
        self._mock.next_render_outcome = "cancelled"

    # Through the runtime, as a script in 3ds Max would (the MAXScript names the mock models).
    def environment_map(self, path: str) -> None:
        rt = self._mock.runtime
        rt.environmentMap = rt.Bitmaptexture(filename=path, name="vrdr_contract_environment")

    def map_in_render_element(self, path: str) -> None:
        rt = self._mock.runtime
        element = rt.VRayExtraTex(elementname="vrdr_contract",
                                  texture=rt.Bitmaptexture(filename=path))
        rt.maxOps.GetCurRenderElementMgr().AddRenderElement(element)

    def render_output(self, path: str) -> None:
        rt = self._mock.runtime
        rt.rendOutputFilename = path
        rt.rendSaveFile = True

    def light_in_child_of_hidden_layer(self, name: str) -> None:
        rt = self._mock.runtime
        parent = rt.LayerManager.newLayerFromName("vrdr_contract_parent")
        child = rt.LayerManager.newLayerFromName("vrdr_contract_child")
        child.setParent(parent)
        parent.ishidden = True
        child.addNode(rt.VRayLight(name=name))

    def missing_plugin_only_in_editor_slot(self) -> str:
        # No script can make a Missing_* object: what a scene saved with one in a slot loads.
        st = self._mock.scene
        st.editor_missing.append(ObjState(st.class_info("Missing_Mtl")))
        return "Missing_Mtl"


@pytest.mark.parametrize("scene", ["demo", "clean", "gpu"])
@pytest.mark.parametrize("clause", STAGED_CONTRACT, ids=lambda f: f.__name__)
def test_staged_contract(tmp_path: Path, scene: str,
                         clause: Callable[[MaxHost, Stage], None]) -> None:
    with host_for(scene, tmp_path / "plugcfg") as (host, mock):
        clause(host, MockStage(mock))


class _PlugcfgElsewhere:
    """The real host, except that plugcfg_dir() answers ``folder``."""

    def __init__(self, inner: MaxHost, folder: Path) -> None:
        self._inner, self._folder = inner, folder

    def plugcfg_dir(self) -> Path:
        return self._folder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.mark.parametrize("answer", ["relative/plugcfg", "missing", "a_file"])
def test_the_plugcfg_clause_catches_a_wrong_folder(tmp_path: Path, answer: str) -> None:
    folder = {"relative/plugcfg": Path("relative/plugcfg"), "missing": tmp_path / "missing",
              "a_file": tmp_path / "a_file"}[answer]
    if answer == "a_file":
        folder.write_bytes(b"")
    with (host_for("clean", tmp_path / "plugcfg") as (host, _mock),
          pytest.raises(AssertionError, match="plugcfg")):
        names_its_folders(_PlugcfgElsewhere(host, folder))


def test_the_plugcfg_clause_reads_the_cfg_there(tmp_path: Path) -> None:
    plugcfg = tmp_path / "plugcfg"
    plugcfg.mkdir()
    (plugcfg / "vray_dr.cfg").write_bytes(b"render01 1 20204\n")
    with host_for("clean", plugcfg) as (host, _mock):
        names_its_folders(host)
    assert sorted(p.name for p in plugcfg.iterdir()) == ["vray_dr.cfg"]  # the probe is gone


@pytest.mark.parametrize("mock_sends_post", [False, True])
def test_the_cancel_clause_fails_when_the_cancel_constant_is_wrong(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mock_sends_post: bool) -> None:
    # Assumed by the adapter: a cancelled frame sends no #postRenderFrame. Where 3ds Max does
    # send it (mock_sends_post), a single-frame cancel reads as completed and the clause must
    # say so; with the constant flipped, it holds again.
    with host_for("clean", tmp_path / "plugcfg") as (host, mock):
        mock.cancel_fires_post_frame = mock_sends_post
        if mock_sends_post:
            with pytest.raises(AssertionError, match="CANCEL_SKIPS_FRAME_EVENT is wrong"):
                never_calls_a_cancelled_render_completed(host, MockStage(mock))
            monkeypatch.setattr("vrdr_max.host.CANCEL_SKIPS_FRAME_EVENT", False)
        never_calls_a_cancelled_render_completed(host, MockStage(mock))



def _the_node_tree_only(self: Any, cls: Any) -> tuple[list[Any], list[Any]]:
    """The adapter before issue 15: the node tree is the scene, anything else the editor's."""
    import pymxs

    rt = pymxs.runtime
    everything = list(rt.getClassInstances(cls))
    tree = list(rt.getClassInstances(cls, target=rt.rootNode))
    return everything, [i for i in everything if not any(i == t for t in tree)]


@pytest.mark.parametrize("clause", [finds_a_missing_environment_map,
                                    finds_a_missing_map_in_a_render_element],
                         ids=lambda f: f.__name__)
def test_the_branch_clauses_catch_a_read_of_the_node_tree_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        clause: Callable[[MaxHost, Stage], None]) -> None:
    with host_for("clean", tmp_path / "plugcfg") as (host, mock):
        monkeypatch.setattr("vrdr_max.max_host._Branches.split", _the_node_tree_only)
        with pytest.raises(AssertionError, match="was not read"):
            clause(host, MockStage(mock))


def test_the_output_clause_catches_outputs_read_as_inputs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with host_for("clean", tmp_path / "plugcfg") as (host, mock):
        monkeypatch.setattr("vrdr_max.max_host._Outputs.__contains__", lambda self, path: False)
        with pytest.raises(AssertionError, match="render output was read as an input"):
            never_reads_a_render_output_as_an_input(host, MockStage(mock))
