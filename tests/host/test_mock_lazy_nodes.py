"""A scene file's nodes kept as records and built on first use (issue 18, item 7).

Loading builds no node the adapter never reads; whatever is asked, in whatever order, the mock
answers as it does when every node is built at load (``NodeStore.prepare`` forced to decline);
a node list is taken by column only when pydantic would take it unchanged, so a bad one gets
pydantic's or the checks' message as before.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import mock_pymxs
from mock_pymxs import SceneFileError
from mock_pymxs.generator import synthetic_scene
from mock_pymxs.noderecords import NodeRecords
from mock_pymxs.scene import parse_scene_state
from mock_pymxs.state import NodeState, NodeStore, SceneState
from vrdr_max.cli.main import main

BUNDLED = ("demo", "clean", "gpu", "scanline")
GEOMETRY = ("Box", "Sphere", "Plane", "Editable_Poly")  # the generator's geometry classes


def scene_data(name: str = "demo") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (mock_pymxs.SCENES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def write(folder: Path, data: object, name: str = "scene.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def synthetic_file(folder: Path, name: str = "synthetic.json", **size: Any) -> Path:
    """A generated scene as an exporter writes it (fields at their default left out)."""
    with warnings.catch_warnings():  # model_construct'ed specs: serializer warnings only
        warnings.simplefilter("ignore")
        data = synthetic_scene(**size).model_dump(mode="json", by_alias=True,
                                                   exclude_defaults=True)
    return write(folder, data, name)


def rich_scene() -> dict[str, Any]:
    """The demo scene plus what the node store must get right: targets before and after their
    nodes, a chain of targets, a node targeting itself, names differing only in case, modifiers,
    a plugin class only the nodes declare, nested and hidden layers, frozen and hidden nodes."""
    data = scene_data("demo")
    data["plugin_dlls"].append({
        "name": "ornatrix.dlo", "path": "C:\\Program Files\\Ornatrix\\ornatrix.dlo",
        "classes": ["Ox_Hair_From_Guides", "Ox_Guides_from_Surface", "Foo_Scatter"]})
    data["layers"] = [{"name": "Lighting", "hidden": True},
                      {"name": "Lights", "parent": "Lighting"}, {"name": "Props"}]
    data["slate_editor"] = ["Glass", "Rug"]
    data["nodes"] += [
        {"name": "Hair_Base", "class": "Editable_Poly", "material": "Sofa_Fabric",
         "modifiers": ["Ox_Guides_from_Surface", "Ox_Hair_From_Guides"], "layer": "Props"},
        {"name": "Scatter_A", "class": "Foo_Scatter", "props": {"density": 3, "seed": 1.5}},
        {"name": "Scatter_B", "class": "foo_scatter", "props": {"label": "b"}, "frozen": True},
        {"name": "Key_Light", "class": "Target_Light", "on": True, "target": "key_light.target",
         "layer": "Lights", "props": {"webFile": "\\\\fileserver\\assets\\ies\\key.ies"}},
        {"name": "Key_Light.Target", "class": "Targetobject", "layer": "Lights"},
        {"name": "key_light.TARGET", "class": "Targetobject", "layer": "Lights"},
        {"name": "Fill", "class": "VRayLight", "on": False, "target": "Chain_1",
         "layer": "Lights"},
        {"name": "Chain_1", "class": "Dummy", "target": "Chain_2"},
        {"name": "Chain_2", "class": "Dummy", "target": "Chain_1", "hidden": True},
        {"name": "Loop", "class": "Dummy", "target": "loop"},
        {"name": "Rim", "class": "VRayLight", "on": True, "layer": "lights", "hidden": True,
         "modifiers": ["Ox_Hair_From_Guides"]},
        {"name": "Crate", "class": "Box", "material": "Glass", "layer": "Props",
         "props": {"height": 12}},
    ]
    return data


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make every later load build all nodes at once (the store declines), as before."""
    def force() -> None:
        monkeypatch.setattr(NodeStore, "prepare", classmethod(lambda *_a, **_k: None))
    return force


# -- what loading builds ------------------------------------------------------------------------


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the nodes built from now on (NodeState made), in order."""
    names: list[str] = []
    original = NodeState.__init__

    def counting(self: NodeState, name: str, *args: Any, **kwargs: Any) -> None:
        names.append(name)
        original(self, name, *args, **kwargs)

    monkeypatch.setattr(NodeState, "__init__", counting)
    return names


@pytest.mark.parametrize("geometry", [2_000, 6_000])
def test_a_check_builds_no_geometry_node(tmp_path: Path, built: list[str],
                                         geometry: int) -> None:
    # Before: every node of the file got its live state at load (6,000 geometry nodes built
    # for a read that looks at 30 lights and 40 file objects).
    path = synthetic_file(tmp_path, nodes=geometry, maps=200, lights=30, file_objects=40)
    nodes = json.loads(path.read_text(encoding="utf-8"))["nodes"]
    with mock_pymxs.installed(path) as mock:
        from vrdr_max.max_host import PymxsHost

        assert built == []
        PymxsHost().read_scene()
        read = {n["name"] for n in nodes if n["class"] not in GEOMETRY}
        assert set(built) == read  # lights, their targets, the file objects: once each
        assert len(built) == len(read) == 30 + 15 + 40
        store = mock.scene.node_store
        assert store is not None
        assert store.built == len(read)
        assert len(store) == len(nodes)


def test_asking_for_every_node_builds_the_rest_once(tmp_path: Path, built: list[str]) -> None:
    path = synthetic_file(tmp_path, nodes=300, maps=20, lights=6)
    with mock_pymxs.installed(path) as mock:
        rt = mock.runtime
        lights = [str(n) for n in rt.lights]
        assert len(built) == 6 + 3
        objects = [str(n) for n in rt.objects]
        assert len(built) == len(objects) == 300 + 6 + 3  # each node built once
        assert [o for o in objects if o in lights] == lights
        assert mock.scene.node_store is None  # all built: the list is the scene's now


# -- the same answers, lazily or not -------------------------------------------------------------


def _print(value: Any) -> Any:
    if isinstance(value, (list, tuple)) or type(value).__name__ == "Array":
        return [_print(v) for v in value]
    return str(value)


def _probes(rt: Any) -> dict[str, Callable[[], Any]]:
    """Runtime questions whose answers depend on the nodes."""
    import pymxs

    def instances(target: Any = None) -> list[Any]:
        out = []
        # Maps and materials first: what the node tree holds is asked before any node is built.
        for cls in ("Bitmaptexture", "VRayBitmap", "VRayMtl", "Ox_Hair_From_Guides",
                    "Ox_Guides_from_Surface", "Box", "Editable_Poly", "Plane", "VRayLight",
                    "Target_Light", "VRayIES", "Targetobject", "Targetcamera", "Dummy",
                    "VRayProxy", "FireSmokeSim", "Foo_Scatter", "Missing_GeomObject"):
            if hasattr(rt, cls):
                kwargs = {} if target is None else {"target": target}
                out.append(_print(rt.getClassInstances(getattr(rt, cls), **kwargs)))
        return out

    def branches() -> list[Any]:
        scene = rt.rootScene
        names = list(rt.getSubAnimNames(scene))
        return [instances(rt.getSubAnim(scene, i).object) for i in range(1, len(names) + 1)]

    def held() -> list[Any]:
        """Maps and materials under each branch, asked without building a node."""
        scene = rt.rootScene
        count = len(list(rt.getSubAnimNames(scene)))
        return [_print(rt.getClassInstances(cls, target=rt.getSubAnim(scene, i).object))
                for i in range(1, count + 1) for cls in (rt.Bitmaptexture, rt.VRayMtl)]

    def dependents() -> list[Any]:
        found = []
        for cls in ("Bitmaptexture", "VRayBitmap", "VRayMtl", "VRayProxy", "VRayLight"):
            for obj in (rt.getClassInstances(getattr(rt, cls)) if hasattr(rt, cls) else []):
                found.append(_print(rt.refs.dependentNodes(obj)))
                found.append(_print(rt.refs.dependentNodes(obj, firstOnly=True)))
        return found

    def node_fields() -> list[Any]:
        return [(str(n), str(n.target), str(n.material), str(n.layer.name), n.isHidden,
                 n.isFrozen) for n in rt.lights]

    def ats() -> Any:
        return _print(rt.ATSOps.GetFiles(pymxs.byref(None))[1])

    return {
        "lights": lambda: _print(rt.lights), "cameras": lambda: _print(rt.cameras),
        "helpers": lambda: _print(rt.helpers), "instances": instances,
        "world": lambda: instances(rt.rootNode), "branches": branches, "held": held,
        "dependents": dependents, "light fields": node_fields, "ats": ats,
        "by name": lambda: [str(rt.getNodeByName(n)) for n in ("key_light.target", "LOOP")],
        "geometry": lambda: _print(rt.geometry), "objects": lambda: _print(rt.objects),
    }


def _answers(path: Path, order: list[str], mutate: bool) -> dict[str, Any]:
    with mock_pymxs.installed(path) as mock:
        rt = mock.runtime
        probes = _probes(rt)
        out: dict[str, Any] = {}
        for i, name in enumerate(order):
            out[f"{i} {name}"] = probes[name]()
            if mutate and i == 1:
                # Built nodes change: the floor (only it uses Floor_Wood, which a Material
                # Editor slot holds too) gets another material, a light another layer flag.
                materials = {m.name: m for m in rt.getClassInstances(rt.VRayMtl)}
                floor = next(iter(rt.refs.dependentNodes(materials["Floor_Wood"])))
                floor.material = materials["Glass"]
                light = next(iter(rt.lights))
                light.material = materials["Rug"]
                light.isHidden = not light.isHidden
        out["calls"] = mock.calls.snapshot()
        return out


ORDERS = {
    "collections first": ["lights", "instances", "world", "branches", "dependents", "ats",
                          "light fields", "cameras", "helpers", "by name", "geometry",
                          "objects"],
    "references first": ["dependents", "world", "ats", "branches", "instances", "lights",
                         "objects", "by name"],
    "assets first": ["ats", "light fields", "dependents", "world", "branches", "geometry",
                     "helpers"],
    "the node tree first": ["held", "world", "held", "branches", "world", "dependents",
                            "held", "branches", "ats", "instances", "world"],
}


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
@pytest.mark.parametrize("mutate", [False, True], ids=["as loaded", "after an edit"])
def test_the_mock_answers_the_same_built_on_first_use_or_at_load(
        tmp_path: Path, eager: Callable[[], None], order: list[str], mutate: bool) -> None:
    path = write(tmp_path, rich_scene())
    lazy = _answers(path, order, mutate)
    eager()
    assert _answers(path, order, mutate) == lazy


def _summary(st: SceneState) -> list[str]:
    """Every node as the state holds it (building all of them), values with their types."""
    return [repr((n.name, n.base.cls.name, sorted(n.base.props.items()), n.hidden, n.frozen,
                  n.renderable, n.layer.name, None if n.material is None else n.material.name,
                  None if n.target is None else st.nodes.index(n.target),
                  [m.cls.name for m in n.modifiers])) for n in st.nodes]


@pytest.mark.parametrize("scene", [*BUNDLED, "rich"])
def test_the_state_is_the_same_built_on_first_use_or_at_load(
        tmp_path: Path, eager: Callable[[], None], scene: str) -> None:
    path = write(tmp_path, rich_scene() if scene == "rich" else scene_data(scene))
    with mock_pymxs.installed(path) as mock:
        assert mock.scene.node_store is not None
        lazy = _summary(mock.scene)
    eager()
    with mock_pymxs.installed(path) as mock:
        assert mock.scene.node_store is None
        assert _summary(mock.scene) == lazy


def _without_durations(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_durations(v) for k, v in value.items() if k != "duration_ms"}
    if isinstance(value, list):
        return [_without_durations(v) for v in value]
    return value


def _check_json(capsys: pytest.CaptureFixture[str], path: Path) -> Any:
    code = main(["check", "--scene", str(path), "--json"])
    out = capsys.readouterr().out
    return code, _without_durations(json.loads(out))


def _check_files(folder: Path) -> Iterator[Path]:
    for name in BUNDLED:
        yield mock_pymxs.SCENES_DIR / f"{name}.json"
    yield write(folder, rich_scene(), "rich.json")
    yield synthetic_file(folder, nodes=3_000, maps=300, lights=40, file_objects=20,
                         branches=True, render_elements=3, editor_maps=12, caches=3)


def test_vrdr_check_reports_the_same(tmp_path: Path, eager: Callable[[], None],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    files = list(_check_files(tmp_path))
    lazy = [_check_json(capsys, path) for path in files]
    eager()
    assert [_check_json(capsys, path) for path in files] == lazy
    findings = [sum(len(r["findings"]) for r in report["results"]) for _code, report in lazy]
    assert findings[0] and findings[-2] and findings[-1]  # demo, rich, synthetic: plenty


# -- the node list is taken by column only when pydantic takes it unchanged ----------------------


def _outcome(data: object) -> Any:
    """The error message, or the scene and its nodes as the state the load built holds them."""
    try:
        model, state = parse_scene_state(copy.deepcopy(data))
    except SceneFileError as exc:
        return str(exc)
    return model().model_dump(), _summary(state)


LIGHT = 31  # demo.json's nodes[31], a VRayLight
NODE_EDITS: list[tuple[int, dict[str, Any]]] = [
    (0, {"hidden": 1}), (0, {"hidden": "yes"}), (0, {"hidden": None}), (0, {"frozen": 0.0}),
    (LIGHT, {"on": 0}), (LIGHT, {"on": "off"}), (0, {"layer": None}), (0, {"layer": 5}),
    (0, {"name": 3}), (0, {"name": None}), (0, {"class": None}), (0, {"material": ["Glass"]}),
    (0, {"target": {"a": 1}}), (0, {"modifiers": "Ox_Hair_From_Guides"}),
    (0, {"modifiers": [1]}), (0, {"modifiers": None}), (0, {"props": None}),
    (0, {"props": {"length": [1]}}), (0, {"props": {"length": "long"}}),
    (0, {"props": {"nope": 1}}), (0, {"props": {"length": 3}}), (0, {"colour": "red"}),
    (0, {"superclass": "bogus"}), (0, {"superclass": 3}), (0, {"superclass": "light"}),
    (0, {"on": True}), (0, {"target": "nobody"}), (0, {"material": "no such material"}),
    (0, {"layer": "no such layer"}), (0, {"class": "No_Such_Class"}),
    (0, {"class": "Ox_Hair_From_Guides"}), (0, {"modifiers": ["Box"]}),
    (LIGHT, {"on": True, "hidden": 1}), (LIGHT, {"props": {"multiplier": True}}),
    (0, {"hidden": True, "frozen": True, "renderable": False}),
    (0, {"target": "floor"}), (0, {"material": "floor_wood", "layer": "0"}),
    (0, {"props": {1: 2.0}}),  # parsed data handed over, not read from a file
]


@pytest.mark.parametrize(("index", "edit"), NODE_EDITS,
                         ids=[f"nodes[{i}] {e}" for i, e in NODE_EDITS])
def test_a_node_gets_the_outcome_it_got_from_pydantic(
        monkeypatch: pytest.MonkeyPatch, index: int, edit: dict[str, Any]) -> None:
    data = scene_data("demo")
    data["nodes"][index].update(edit)
    fast = _outcome(data)
    monkeypatch.setattr(NodeRecords, "from_json", classmethod(lambda *_a: None))
    assert _outcome(data) == fast


def _plugin_light(data: dict[str, Any]) -> None:
    """A plugin light class the scene declares, with no on/enabled switch."""
    data["plugin_dlls"].append({"name": "foo.dlo", "path": "C:\\foo.dlo",
                                "classes": ["Foo_Light"]})
    data["nodes"].append({"name": "Foo", "class": "Foo_Light", "superclass": "light",
                          "props": {"intensity": 2.0}})


def _switched(data: dict[str, Any]) -> None:
    _plugin_light(data)
    data["nodes"][-1]["on"] = True


@pytest.mark.parametrize("edit", [_plugin_light, _switched])
def test_a_scene_gets_the_outcome_it_got_from_pydantic(
        monkeypatch: pytest.MonkeyPatch, edit: Callable[[dict[str, Any]], None]) -> None:
    data = scene_data("demo")
    edit(data)
    fast = _outcome(data)
    monkeypatch.setattr(NodeRecords, "from_json", classmethod(lambda *_a: None))
    assert _outcome(data) == fast


@pytest.mark.parametrize("last", [{"hidden": 2}, {"colour": 1}, {"material": "none such"},
                                  {"props": {"length": "x"}}])
def test_two_bad_nodes_get_the_first_message_and_the_count(
        monkeypatch: pytest.MonkeyPatch, last: dict[str, Any]) -> None:
    data = scene_data("demo")
    data["nodes"][1].update({"layer": "none such"})
    data["nodes"][-1].update(last)
    fast = _outcome(data)
    assert isinstance(fast, str)
    monkeypatch.setattr(NodeRecords, "from_json", classmethod(lambda *_a: None))
    assert _outcome(data) == fast


@pytest.mark.parametrize("edit", [
    {"class_": "Box"}, {"name": "Floor", "class": "Plane"}, {},
], ids=["class given by field name", "as in the file", "nothing changed"])
def test_a_valid_node_list_gets_the_same_scene(monkeypatch: pytest.MonkeyPatch,
                                               edit: dict[str, Any]) -> None:
    data = scene_data("demo")
    if "class_" in edit:
        del data["nodes"][0]["class"]
    data["nodes"][0].update(edit)
    fast = _outcome(data)
    assert not isinstance(fast, str)
    monkeypatch.setattr(NodeRecords, "from_json", classmethod(lambda *_a: None))
    assert _outcome(data) == fast


@pytest.mark.parametrize("nodes", [None, {}, "nodes", [None], [[]], ["Box"], [{}], [{"name": "A"}],
                                   [{"class": "Box"}], [{"name": "A", "class": "Box", 1: 2}]])
def test_a_node_list_that_is_not_one_gets_the_message_it_got(
        monkeypatch: pytest.MonkeyPatch, nodes: object) -> None:
    data = scene_data("clean")
    data["nodes"] = nodes
    fast = _outcome(data)
    monkeypatch.setattr(NodeRecords, "from_json", classmethod(lambda *_a: None))
    assert _outcome(data) == fast


def test_a_scene_read_crosses_the_same_calls_from_a_file_or_a_model(
        tmp_path: Path, eager: Callable[[], None]) -> None:
    # benchmarks/preflight.py installs the Scene model (built whole); vrdr check loads the file.
    size = {"nodes": 3_000, "maps": 300, "lights": 40, "file_objects": 20, "branches": True,
            "render_elements": 3, "editor_maps": 12, "caches": 3}
    path = synthetic_file(tmp_path, **size)

    def calls(scene: Any) -> dict[str, int]:
        with mock_pymxs.installed(scene) as mock:
            from vrdr_max.max_host import PymxsHost

            mock.calls.reset()
            PymxsHost().read_scene()
            return mock.calls.snapshot()

    lazy = calls(path)
    with warnings.catch_warnings():  # model_construct'ed specs: serializer warnings only
        warnings.simplefilter("ignore")
        assert calls(synthetic_scene(**size)) == lazy
    eager()
    assert calls(path) == lazy


def test_columns_read_by_shape_are_the_columns_read_record_by_record() -> None:
    """Records grouped by the keys they set (in any order) give each field in file order."""
    nodes: list[dict[str, Any]] = [
        {"name": "A", "class": "Box", "material": "M1"},
        {"name": "L", "class": "VRayLight", "on": False, "layer": "lights"},
        {"class": "Box", "name": "B", "material": "M2"},  # the same keys, another order
        {"name": "C", "class": "Box", "material": None, "hidden": True},
        {"name": "D", "class": "Box"},
        {"name": "E", "class": "Box", "material": "M1"},
        {"name": "T", "class": "VRayLight", "on": True, "target": "A", "layer": "lights",
         "props": {"multiplier": 2.0}, "modifiers": ["Bend"]},
    ]
    records = NodeRecords.from_json(nodes)
    assert records is not None
    for key in sorted(records.keys | {"frozen"}):
        where = [i for i, node in enumerate(nodes) if key in node]
        assert list(records.field(key)[0]) == where, key
        assert records.field(key)[1] == [nodes[i][key] for i in where], key
    assert records.names == ["A", "L", "B", "C", "D", "E", "T"]
    assert records.of_class("box") == [0, 2, 3, 4, 5]
    assert records.using_material("m1") == [0, 5]
    assert records.indices_where("props") == [6]
