"""The field check on mock_pymxs: all confirmed on a complete scene, and each kind of miss."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for, variant

from vrdr_max import fieldcheck, renderers
from vrdr_max import host as host_module
from vrdr_max.atomic import MAX_CFG_BYTES
from vrdr_max.fieldcheck import FactStatus, FieldReport
from vrdr_max.host import FieldHost
from vrdr_max.plugin_classes import KNOWN_PLUGIN_CLASSES
from vrdr_max.ports import Engine
from vrdr_max.renderers import RendererProp

DR2_CLASS = "V_Ray_7__update_3_DR2"
CONFIRMED, DIFFERENT, ABSENT = FactStatus.CONFIRMED, FactStatus.DIFFERENT, FactStatus.ABSENT


@pytest.fixture(autouse=True)
def _started(monkeypatch: pytest.MonkeyPatch) -> None:
    """vrdr-max's start-up ran in this (mock) 3ds Max 2025: the record it leaves (the real
    script writes it in tests/startup/test_fieldcheck_startup.py)."""
    probes = dict.fromkeys(fieldcheck.STARTUP_PROBES, "false")
    monkeypatch.setenv(fieldcheck.STARTUP_RECORD_ENV, json.dumps({
        "pid": os.getpid(), "name": "__main__", "file_set": False, "probes": probes,
        "macros_new": "returned int", "menu": "built in #cuiRegisterMenus",
        "menu_manager": "<Interface:CuiMenuMgr>", "result": "registered: 3ds Max 2025"}))


def _complete(data: dict[str, Any]) -> None:
    """Everything the field check looks at is there: a DR2 build, every plugin, every class."""
    data["renderer"]["class"] = DR2_CLASS
    vrender = next(d for d in data["plugin_dlls"] if d["name"].startswith("vrender"))
    vrender["classes"] += [DR2_CLASS, "VRayHDRI", "VRayAmbientLight"]
    data["used_plugins"] = ["ForestPackPro.dlo"]  # a saved scene records its DLLs
    data["plugin_dlls"].append({"name": "thirdparty.dlo", "path": "C:\\plugins\\thirdparty.dlo",
                                "classes": [p.class_name for p in KNOWN_PLUGIN_CLASSES]})
    data["nodes"] += [
        {"name": "Sun", "class": "VRaySun", "on": True},
        {"name": "IES_Spot", "class": "VRayIES", "on": True,
         "props": {"ies_file": "\\\\fileserver\\assets\\ies\\spot.ies"}},
        {"name": "Ambient", "class": "VRayAmbientLight", "on": True},
    ]


def _run(tmp_path: Path, *edits: Any, cfg: bool = True, **kwargs: Any) -> tuple[FieldReport, Any]:
    plugcfg = tmp_path / "plugcfg"
    plugcfg.mkdir(exist_ok=True)
    if cfg:
        (plugcfg / "vray_dr.cfg").write_bytes(b"10.0.0.5 1 20208\nrestart_servers 0\n")
        (plugcfg / "vrayrt_dr.cfg").write_bytes(b"gpu01 1 20209\nautostart_local_slave 0\n")
    with host_for(variant("clean", *edits), plugcfg) as (host, mock):
        assert isinstance(host, FieldHost)
        before = _scene_state(mock)
        report = fieldcheck.run(host, **kwargs)
        assert _scene_state(mock) == before, "the field check left the scene changed"
        if not kwargs.get("staged", True):
            assert mock.writes == [], "the field check changed the scene"
        assert mock.undo_records == []  # staged cases leave no undo record
        return report, mock


def _scene_state(mock: Any) -> tuple[Any, ...]:
    """What the staged cases touch: nodes, layers, environment, elements, outputs, renderer."""
    st = mock.scene
    return ([n.name for n in st.nodes], [(ly.name, ly.hidden, ly.parent) for ly in st.layers],
            st.environment_map, list(st.render_elements), st.render_output,
            st.render_save_file, dict(st.current.props), len(st.detached) >= 0)


def _status(report: FieldReport) -> dict[str, FactStatus]:
    return {f.id: f.status for f in report.facts}


def test_everything_is_confirmed_on_a_complete_scene(tmp_path: Path) -> None:
    report, _mock = _run(tmp_path, _complete)
    assert [f for f in report.facts if f.status is not CONFIRMED] == []
    ids = set(_status(report))
    # every property name of both engines, every plugin class, every Missing_* class
    for engine, table in renderers.PROPERTY_NAMES.items():
        for sub, name in table.values():
            assert f"renderer.{engine.value}.{sub + '.' if sub else ''}{name}" in ids
    assert {f"class.{p.class_name}" for p in KNOWN_PLUGIN_CLASSES} <= ids
    assert {"class.Missing_GeomObject", "function.vrayVersion", "renderer.dr2_suffix",
            "render_type", "callbacks.python_callable", "plugcfg.folder",
            "plugcfg.vray_dr.cfg", "plugcfg.vrayrt_dr.cfg",
            "property.VRayIES.ies_file", "property.vraysun.enabled",
            "property.vrayambientlight.enabled", "property.layer.ishidden",
            "fileProperties.Used Plug-Ins", "global.ATSOps", "scene.branches",
            "renderer.dispatcher_properties", "scene.environment_map",
            "scene.render_element_map", "scene.render_output",
            "scene.child_of_hidden_layer"} <= ids
    assert report.cfg_files["vray_dr.cfg"].startswith("10.0.0.5 1 20208")
    assert report.renderer_class == DR2_CLASS


def test_a_misspelt_property_name_is_different(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    table = {e: dict(v) for e, v in renderers.PROPERTY_NAMES.items()}
    table[Engine.GPU][RendererProp.GI_ON] = ("V_Ray_settings", "gi_onn")
    monkeypatch.setattr(fieldcheck, "PROPERTY_NAMES", table)
    report, _mock = _run(tmp_path, _complete)
    assert _status(report)["renderer.gpu.V_Ray_settings.gi_onn"] is DIFFERENT
    assert [f.id for f in report.facts if f.status is not CONFIRMED] == [
        "renderer.gpu.V_Ray_settings.gi_onn"]
    assert "renderers.PROPERTY_NAMES" in report.summary()


def test_an_ordinary_scene_says_what_it_lacks(tmp_path: Path) -> None:
    report, _mock = _run(tmp_path, cfg=False)
    status = _status(report)
    assert status["renderer.dr2_suffix"] is ABSENT  # an official build
    assert status["property.VRayIES.ies_file"] is ABSENT  # no instance to look at
    assert {status[f"class.{p.class_name}"] for p in KNOWN_PLUGIN_CLASSES} == {ABSENT}
    assert status["plugcfg.vray_dr.cfg"] is ABSENT
    assert status["class.Missing_Light"] is CONFIRMED
    assert DIFFERENT not in status.values()


def test_a_wrong_class_name_or_renderer_is_reported(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from vrdr_max import max_names

    monkeypatch.setattr(max_names, "MISSING_CLASSES", (*max_names.MISSING_CLASSES, "Missing_Gizmo"))
    scanline = lambda data: data["renderer"].update(class_="Default_Scanline_Renderer",  # noqa: E731
                                                    props={})
    report, _mock = _run(tmp_path, lambda d: d["renderer"].pop("class"), scanline)
    status = _status(report)
    assert status["class.Missing_Gizmo"] is DIFFERENT
    assert status["renderer.current"] is ABSENT
    assert status["renderer.cpu"] is CONFIRMED  # still installed, looked at on a new instance


def test_the_plugcfg_folder_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vrdr_max import max_host

    monkeypatch.setattr(max_host.PymxsHost, "plugcfg_dir", lambda self: tmp_path / "nowhere")
    report, _mock = _run(tmp_path)
    assert _status(report)["plugcfg.folder"] is DIFFERENT


@pytest.mark.parametrize(("mock_sends_post", "assumes_skip", "status"), [
    (False, True, CONFIRMED), (True, True, DIFFERENT), (True, False, CONFIRMED),
    (False, False, DIFFERENT)])
def test_the_manual_cancel_settles_the_cancel_constant(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mock_sends_post: bool,
        assumes_skip: bool, status: FactStatus) -> None:
    monkeypatch.setattr(host_module, "CANCEL_SKIPS_FRAME_EVENT", assumes_skip)
    with host_for("clean", tmp_path) as (host, mock):
        mock.next_render_outcome = "cancelled"  # the TD presses Cancel
        mock.cancel_fires_post_frame = mock_sends_post
        fact = fieldcheck.cancel_fact(host)
        assert [r.outcome for r in mock.renders] == ["cancelled"]
        assert not mock._session.callbacks
    assert fact.status is status
    assert fact.source == "host.CANCEL_SKIPS_FRAME_EVENT"


def test_main_writes_the_report_and_the_summary(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with host_for(variant("clean", _complete), tmp_path / "plugcfg"):
        path = fieldcheck.main(str(tmp_path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == fieldcheck.REPORT_VERSION
    absent = [f["id"] for f in data["facts"] if f["status"] != "confirmed"]
    assert absent == ["plugcfg.vray_dr.cfg", "plugcfg.vrayrt_dr.cfg"]  # no cfg written yet
    summary = (tmp_path / fieldcheck.SUMMARY_NAME).read_text(encoding="utf-8")
    assert summary.startswith("vrdr field check: 3ds Max 2025")
    assert "0 different, 2 absent" in summary.splitlines()[0]
    assert "absent    plugcfg.vray_dr.cfg: found no such file" in summary
    assert str(path) in capsys.readouterr().out


def test_a_look_up_that_raises_is_a_fact_and_the_rest_still_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vrdr_max import max_host

    def boom(self: object) -> list[str]:
        raise RuntimeError("-- Unknown property: \"classes\" in RendererClass")

    monkeypatch.setattr(max_host.PymxsHost, "renderer_classes", boom)
    report, _mock = _run(tmp_path, _complete)
    status = _status(report)
    assert status["renderer.error"] is DIFFERENT
    assert "RuntimeError: -- Unknown property" in report.summary()
    assert status["plugcfg.folder"] is CONFIRMED  # later groups still ran


def test_a_cfg_vrdr_reads_is_readable_and_one_it_refuses_is_different(tmp_path: Path) -> None:
    plugcfg = tmp_path / "plugcfg"
    plugcfg.mkdir()
    # 2 MiB of servers: large, yet within what vrdr reads (atomic.MAX_CFG_BYTES).
    (plugcfg / "vray_dr.cfg").write_bytes(b"".join(
        b"render%06d 1 20204\n" % i for i in range(110_000)))
    (plugcfg / "vrayrt_dr.cfg").write_bytes(b"x" * (MAX_CFG_BYTES + 1))
    report, _mock = _run(tmp_path, cfg=False)
    status = _status(report)
    assert status["plugcfg.vray_dr.cfg"] is CONFIRMED
    assert status["plugcfg.vrayrt_dr.cfg"] is DIFFERENT


# -- the scene beyond the node tree (issue 15 item 16) ----------------------------------------

def _only_the_node_tree(self: Any, cls: Any) -> tuple[list[Any], list[Any]]:
    """The adapter as it was: the node tree is the scene, anything else only the editor's."""
    import pymxs

    rt = pymxs.runtime
    everything = list(rt.getClassInstances(cls))
    tree = list(rt.getClassInstances(cls, target=rt.rootNode))
    return everything, [i for i in everything if not any(i == t for t in tree)]


@pytest.mark.parametrize(("patch", "fact_id"), [
    (("_Branches", "split", _only_the_node_tree), "scene.environment_map"),
    (("_Branches", "split", _only_the_node_tree), "scene.render_element_map"),
    (("_Outputs", "__contains__", lambda self, path: False), "scene.render_output"),
    (("LAYER_PARENT", None, "getParentt"), "scene.child_of_hidden_layer"),
])
def test_a_scene_read_that_gets_a_staged_case_wrong_is_different(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, patch: tuple[str, Any, Any],
        fact_id: str) -> None:
    from vrdr_max import max_host

    name, attr, value = patch
    if attr is None:
        monkeypatch.setattr(max_host, name, value)
    else:
        monkeypatch.setattr(getattr(max_host, name), attr, value)
    report, _mock = _run(tmp_path, _complete)
    assert _status(report)[fact_id] is DIFFERENT
    if fact_id == "scene.render_output":
        found = next(f.found for f in report.facts if f.id == fact_id)
        assert found == "Asset Tracking lists it; the scene read reads it as an input"


def test_the_renderer_names_a_dr2_build_may_add_are_sent_back(tmp_path: Path) -> None:
    def dr2_build(data: dict[str, Any]) -> None:
        data["renderer"] = {"class": "V_Ray_9__DR2", "props": {
            **data["renderer"]["props"], "system_distributedRender": True,
            "dr2_dispatcherIP": "10.0.0.5", "system_dr2_dispatcherPort": 20208}}
        next(d for d in data["plugin_dlls"] if d["name"].startswith("vrender"))[
            "classes"].append("V_Ray_9__DR2")

    report, _mock = _run(tmp_path, dr2_build)
    assert report.renderer_dr_properties == ["dr2_dispatcherIP", "system_dr2_dispatcherPort"]
    assert _status(report)["renderer.dispatcher_properties"] is DIFFERENT


def test_without_staging_the_field_check_writes_nothing(tmp_path: Path) -> None:
    report, _mock = _run(tmp_path, _complete, staged=False)  # _run: writes == []
    assert not any(f.id.startswith("scene.") and f.id != "scene.branches" for f in report.facts)


@pytest.mark.parametrize(("text", "status", "found"), [
    (b"gpu01 1 20209\nautostart_local_slave 0\n", CONFIRMED, "autostart_local_slave"),
    (b"gpu01 1 20209\nautostart_local_slave 1\nrestart_slaves 0\ntransfer_missing_assets 1\n",
     DIFFERENT, "autostart_local_slave, restart_slaves, transfer_missing_assets"),
    (b"gpu01 1 20209\nsome_future_key 7\n", DIFFERENT, "no option line and 1 line(s)"),
    (b"gpu01 1 20209\n", ABSENT, "no option line"),
])
def test_the_keys_v_ray_gpu_wrote_settle_what_the_panel_offers_with_gpu(
        tmp_path: Path, text: bytes, status: FactStatus, found: str) -> None:
    plugcfg = tmp_path / "plugcfg"
    plugcfg.mkdir()
    (plugcfg / "vrayrt_dr.cfg").write_bytes(text)
    report, _mock = _run(tmp_path, cfg=False)
    fact = next(f for f in report.facts if f.id == "plugcfg.vrayrt_dr.cfg.keys")
    assert fact.status is status
    assert fact.found.startswith(found)
    assert fact.source == "cfgfile.GPU_FILE_KEYS"
    assert "plugcfg.vray_dr.cfg.keys" not in _status(report)  # the CPU file holds every option
