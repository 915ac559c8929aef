"""A scene file's maps read by column give what pydantic and a map-by-map build give.

``MapColumns.from_json`` takes a map list without pydantic only when ``MapSpec`` would take
every map unchanged, and the live state builds the maps by column (issue 18, item 7). Whatever
the list, the verdict, the columns, the maps built and a bad file's message must be those of
the plain way: pydantic's ``MapSpec`` models, built one map at a time.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

import mock_pymxs
from mock_pymxs import SceneFileError
from mock_pymxs.maprecords import MapColumns
from mock_pymxs.scene import MapSpec, Scene, available_classes, check_scene, parse_scene_state
from mock_pymxs.state import ObjState, SceneState, build_state, coerce_json

MAP_LIST = TypeAdapter(list[MapSpec])

SHAPES: list[dict[str, Any]] = [
    {"name": "M", "class": "Bitmaptexture", "filename": "D:\\tex\\a.jpg"},
    {"class": "Bitmaptexture", "name": "M", "filename": "b.png"},  # another order
    {"name": "M", "class": "bitmapTexture", "filename": None},
    {"name": "M", "class": "Bitmaptexture"},
    {"name": "M", "class": "Bitmaptexture", "filename": "c.jpg", "props": {}},
    {"name": "M", "class": "Bitmaptexture", "props": {"filename": "d.jpg"}},
    {"name": "M", "class": "VRayBitmap", "HDRIMapName": "\\\\srv\\hdri\\e.hdr"},
    {"name": "M", "class": "VRayHDRI", "HDRIMapName": None, "filename": None},
    {"name": "M", "class": "VRaySky"},
    {"name": "M", "class": "VRaySky", "props": {}},
]
# Values MapSpec would convert or refuse (pydantic decides): each makes the list not taken.
BAD: list[tuple[str, Any]] = [
    ("name", 5), ("name", None), ("name", ["M"]), ("class", None), ("class", 1.5),
    ("filename", 3), ("filename", True), ("filename", ["a.jpg"]), ("HDRIMapName", 0),
    ("props", None), ("props", []), ("props", "x"), ("props", {"a": [1]}),
    ("props", {"a": {"b": 1}}), ("class_", "Bitmaptexture"), ("colour", "red"),
]
# Values MapSpec keeps as they are: a list holding them is taken.
PROPS: list[dict[str, Any]] = [
    {"a": True}, {"a": 0}, {"a": 2**70}, {"a": -1.5}, {"a": float("inf")}, {"a": None},
    {"a": ""}, {"a": "x", "b": 1, "c": False},
]

def plain(maps: Any) -> MapColumns | None:
    """The columns of pydantic's models of the list, None where pydantic refuses it."""
    try:
        return MapColumns.of_specs(MAP_LIST.validate_python(copy.deepcopy(maps)))
    except ValidationError:
        return None


def typed(values: list[Any]) -> list[Any]:
    return [(type(v), repr(v)) for v in values]


def assert_same(maps: Any) -> bool:
    """The list is taken only as pydantic takes it, with the same columns; True when taken."""
    columns = MapColumns.from_json(maps)
    expected = plain(maps)
    if columns is None:
        return False
    assert expected is not None, maps
    assert columns.names == expected.names
    assert typed(columns.names) == typed(expected.names)
    assert typed(columns.class_names) == typed(expected.class_names)
    assert typed(columns.filenames) == typed(expected.filenames)
    assert typed(columns.hdri) == typed(expected.hdri)
    assert [typed(list(p.items())) for p in columns.props] == \
        [typed(list(p.items())) for p in expected.props]
    assert columns.lowered() == [n.lower() for n in expected.names]
    return True


def map_list(rng: random.Random) -> tuple[list[Any], bool]:
    """A random map list and whether a defect was planted in it."""
    count = rng.choice([1, 2, 3, 10, 64, 200])
    weights = [rng.random() ** 3 for _ in SHAPES]
    maps: list[Any] = [dict(rng.choices(SHAPES, weights)[0], name=f"m{i}") for i in range(count)]
    for i in rng.sample(range(count), min(count, rng.choice([0, 1, 3]))):
        maps[i] = {**maps[i], "props": rng.choice(PROPS)}
    defects = rng.choice([0, 0, 0, 1, 2])
    for _ in range(defects):
        i = rng.randrange(count)
        kind = rng.randrange(6) if type(maps[i]) is dict else 5
        if kind < 4:
            key, value = rng.choice(BAD)
            maps[i] = {**maps[i], key: value}
        elif kind == 4:
            left_out = rng.choice(["name", "class"])
            maps[i] = {k: v for k, v in maps[i].items() if k != left_out}
        else:
            maps[i] = rng.choice([["name", "M"], "M", None, 3])
    return maps, defects > 0


@pytest.mark.parametrize("seed", range(6))
def test_random_map_lists_are_taken_only_as_pydantic_takes_them(seed: int) -> None:
    rng = random.Random(seed)
    taken = 0
    for _ in range(300):
        maps, defective = map_list(rng)
        if assert_same(maps):
            taken += 1
        elif not defective:
            raise AssertionError(f"a list of clean maps not taken: {maps}")
    assert taken > 150


@pytest.mark.parametrize("maps", [
    [], None, {}, "maps", [None], [[]], [{}], [{"name": "A"}], [{"class": "Bitmaptexture"}],
    [{"name": "A", "class": "Bitmaptexture", 1: 2}],
    [{"name": "A", "class": "Bitmaptexture", "props": {1: True}}],
    # True == 1 == 1.0: the types of every value count, not of the distinct ones.
    [{"name": "A", "class": "Bitmaptexture", "props": {"a": True}},
     {"name": "B", "class": "Bitmaptexture", "props": {"a": 1}}],
    [{"name": "A", "class": "Bitmaptexture", "filename": "a.jpg"}] * 3,
])
def test_map_lists_at_the_edges_are_taken_only_as_pydantic_takes_them(maps: Any) -> None:
    assert_same(maps)


# -- the maps built by column, and the load's outcome -------------------------------------------


def _maps(st: SceneState) -> list[Any]:
    """The maps as the state holds them: file order, class, name, props with types."""
    def obj(o: ObjState | None) -> Any:
        return None if o is None else (st.maps.index(o), o.cls.name, o.name,
                                       typed(list(o.props.items())), id(o) in st.from_file)

    return [[obj(o) for o in st.maps],
            [[obj(m) for m in mat.maps] for mat in st.materials],
            obj(st.environment_map), [obj(m) for m in st.medit if m in st.maps],
            [[obj(m) for m in e.maps] for e in st.render_elements]]


def _outcome(data: object) -> Any:
    """The error message, or the scene model and the maps as the state the load built holds."""
    try:
        model, state = parse_scene_state(copy.deepcopy(data))
    except SceneFileError as exc:
        return str(exc)
    return model().model_dump(), _maps(state)


def scene_data(name: str = "demo") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (mock_pymxs.SCENES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


HDRI = 5  # demo.json's maps[5], a VRayBitmap
MAP_EDITS: list[tuple[int, dict[str, Any]]] = [
    (0, {}), (0, {"filename": None}), (0, {"filename": 3}), (0, {"filename": True}),
    (0, {"props": None}), (0, {"props": {}}), (0, {"props": {"filename": "x.jpg"}}),
    (0, {"props": {"FILENAME": "x.jpg"}}), (0, {"props": {"filename": 5}}),
    (0, {"props": {"nope": 1}}), (0, {"props": {"filename": [1]}}),
    (0, {"HDRIMapName": "a.hdr"}), (0, {"HDRIMapName": None}), (0, {"name": 5}),
    (0, {"name": "Concrete_Wall"}), (0, {"name": "CONCRETE_WALL"}), (0, {"class": None}),
    (0, {"class": "Box"}), (0, {"class": "No_Such_Map"}), (0, {"class": "bitmapTEXTURE"}),
    (0, {"class": "VRaySky"}), (0, {"class": "VRaySky", "filename": None}),
    (0, {"class": "Missing_TextureMap", "filename": None}), (0, {"colour": "red"}),
    (HDRI, {"HDRIMapName": 2}), (HDRI, {"HDRIMapName": None}), (HDRI, {"filename": "a.jpg"}),
    (HDRI, {"props": {"HDRIMapName": "b.hdr"}}), (HDRI, {"class": "Bitmaptexture"}),
]


@pytest.mark.parametrize(("index", "edit"), MAP_EDITS,
                         ids=[f"maps[{i}] {e}" for i, e in MAP_EDITS])
def test_a_map_gets_the_outcome_it_got_from_pydantic(
        monkeypatch: pytest.MonkeyPatch, index: int, edit: dict[str, Any]) -> None:
    data = scene_data("demo")
    data["maps"][index].update(edit)
    fast = _outcome(data)
    monkeypatch.setattr(MapColumns, "from_json", classmethod(lambda *_a: None))
    assert _outcome(data) == fast


@pytest.mark.parametrize("maps", [None, {}, "maps", [None], [[]], [{}], [{"name": "A"}],
                                  [{"class": "Bitmaptexture"}]])
def test_a_map_list_that_is_not_one_gets_the_message_it_got(
        monkeypatch: pytest.MonkeyPatch, maps: object) -> None:
    data = scene_data("demo")
    data["maps"] = maps
    fast = _outcome(data)
    assert isinstance(fast, str)
    monkeypatch.setattr(MapColumns, "from_json", classmethod(lambda *_a: None))
    assert _outcome(data) == fast


@pytest.mark.parametrize("last", [{"filename": 2}, {"colour": 1}, {"class": "Box"},
                                  {"props": {"nope": "x"}}])
def test_two_bad_maps_get_the_first_message_and_the_count(
        monkeypatch: pytest.MonkeyPatch, last: dict[str, Any]) -> None:
    data = scene_data("demo")
    data["maps"][1].update({"props": {"nope": 1}})
    data["maps"][-1].update(last)
    fast = _outcome(data)
    assert isinstance(fast, str)
    monkeypatch.setattr(MapColumns, "from_json", classmethod(lambda *_a: None))
    assert _outcome(data) == fast


def _scene_map(rng: random.Random, i: int) -> dict[str, Any]:
    """A map as a scene file may give it: each class with the fields it takes, spelled freely."""
    # Names unique whatever the case, a few differing from another only in case.
    name = f"{'M' if i % 2 else 'm'}{i // 2 if rng.random() < 0.2 else i}"
    kind = rng.choices(["Bitmaptexture", "bitmaptexture", "VRayBitmap", "VRayHDRI", "VRaySky"],
                       [8, 1, 2, 1, 1])[0]
    out: dict[str, Any] = {"name": name, "class": kind}
    field, prop = (("filename", "FileName") if kind.lower() == "bitmaptexture"
                   else ("HDRIMapName", "hdriMapName") if kind != "VRaySky" else (None, None))
    if field is not None:
        roll = rng.random()
        if roll < 0.7:
            out[field] = f"D:\\tex\\{name}.jpg"
        elif roll < 0.8:
            out[field] = None
        elif roll < 0.9:
            out["props"] = {prop: f"{name}.exr"}
    if rng.random() < 0.1:
        out["props"] = {}
    return out


# Defects the load finds (pydantic, the class table or the property check) and a few it takes.
SCENE_DEFECTS: list[dict[str, Any]] = [
    {"filename": 3}, {"props": {"filename": 3}}, {"props": {"nope": 1}}, {"HDRIMapName": "x"},
    {"class": "VRaySky", "filename": "a.jpg"}, {"class": "Box"}, {"class": "No_Such_Map"},
    {"props": None}, {"name": None}, {"colour": 1}, {"class": "Missing_TextureMap"},
    {"props": {"filename": None}}, {"props": {"filename": "a.jpg", "FILENAME": "b.jpg"}},
]


def _random_scene(rng: random.Random) -> dict[str, Any]:
    """The clean scene with random maps, some bad, used by materials and the environment."""
    data = scene_data("clean")
    data["plugin_dlls"].append({"name": "vray_maps.dlt", "path": "C:\\vray_maps.dlt",
                                "classes": ["VRayBitmap", "VRayHDRI", "VRaySky"]})
    maps = [_scene_map(rng, i) for i in range(rng.choice([1, 5, 30, 100]))]
    if rng.random() < 0.4:
        i = rng.randrange(len(maps))
        maps[i] = {**maps[i], **rng.choice(SCENE_DEFECTS)}
    data["maps"] = [*data["maps"], *maps]  # the clean scene's own, which its materials use
    names = [m["name"] for m in maps if type(m.get("name")) is str]
    if names:
        data["materials"].append({"name": "Mixed", "class": "VRayMtl",
                                  "maps": rng.sample(names, min(3, len(names)))})
        data["environment"] = {"map": rng.choice(names)}
    return data


@pytest.mark.parametrize("seed", range(4))
def test_random_scenes_load_the_same_maps_with_or_without_columns(
        monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    scenes = [_random_scene(rng) for _ in range(60)]
    fast = [_outcome(data) for data in scenes]
    monkeypatch.setattr(MapColumns, "from_json", classmethod(lambda *_a: None))
    assert [_outcome(data) for data in scenes] == fast
    assert sum(not isinstance(f, str) for f in fast) > 20


def _map_by_map(data: dict[str, Any]) -> Any:
    """The plain build of a valid scene's maps, one at a time, every property checked.

    None where pydantic or the scene checks refuse the file (the build is not reached).
    """
    try:
        scene = Scene.model_validate(copy.deepcopy(data))
    except ValidationError:
        return None
    if check_scene(scene):
        return None
    st = SceneState()
    st.classes = available_classes(scene)
    built = []
    try:
        for i, m in enumerate(scene.maps):
            info = st.class_info(m.class_)
            obj = ObjState(info, m.name)
            props: dict[str, object] = dict(m.props)
            if m.filename is not None:
                props["filename"] = m.filename
            if m.HDRIMapName is not None:
                props["HDRIMapName"] = m.HDRIMapName
            if props:
                obj.props.update(coerce_json(info, props, f"maps[{i}]"))
            built.append((i, obj.cls.name, obj.name, typed(list(obj.props.items())), True))
    except SceneFileError as exc:
        return f"scene: {exc}"
    return built


@pytest.mark.parametrize("seed", range(4))
def test_random_scenes_build_their_maps_as_map_by_map(seed: int) -> None:
    rng = random.Random(100 + seed)
    compared = 0
    for _ in range(60):
        data = _random_scene(rng)
        expected = _map_by_map(data)
        if expected is None:
            continue
        outcome = _outcome(data)
        assert (outcome if isinstance(outcome, str) else outcome[1][0]) == expected
        compared += 1
    assert compared > 40


@pytest.mark.parametrize(("maps", "message"), [
    # A bad property before a map of a class no table knows: the property's message ...
    ([{"name": "A", "class": "Bitmaptexture", "props": {"nope": 1}},
      {"name": "B", "class": "No_Such_Map"}],
     "maps[0].nope: Bitmaptexture has no property 'nope'"),
    # ... and after it, the class's: the first problem in file order, as map by map.
    ([{"name": "A", "class": "No_Such_Map"},
      {"name": "B", "class": "Bitmaptexture", "props": {"nope": 1}}],
     "unknown class 'No_Such_Map'"),
    ([{"name": "A", "class": "Bitmaptexture"},
      {"name": "B", "class": "Bitmaptexture", "filename": "b.jpg", "props": {"nope": 1}},
      {"name": "C", "class": "Bitmaptexture", "props": {"filename": 3}}],
     "maps[1].nope: Bitmaptexture has no property 'nope'"),
])
def test_a_scene_built_unchecked_raises_at_its_first_bad_map(
        maps: list[dict[str, Any]], message: str) -> None:
    data = scene_data("clean")
    data["maps"] = maps
    scene = Scene.model_validate(data)
    with pytest.raises(SceneFileError) as raised:
        build_state(scene)
    assert str(raised.value) == message
