"""Node records read by their usual shape give what reading them record by record gives.

``NodeRecords.from_json`` guesses the usual shape of a node list from a sample, proves it per
record at C speed (sizes, one column per field) and groups only the other records one by one
(issue 18, item 7). Whatever the guess, the verdict (taken as is, or left to pydantic) and every
column must be those of the plain per-record reading below.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from mock_pymxs.noderecords import DEFAULTS, KEYS, NodeRecords

# What NodeSpec keeps unchanged, field by field (the JSON types it takes as they are).
KEPT: dict[str, tuple[type, ...]] = {
    "superclass": (str, type(None)), "hidden": (bool,), "frozen": (bool,),
    "on": (bool, type(None)), "target": (str, type(None)), "material": (str, type(None)),
    "layer": (str,), "modifiers": (list,), "props": (dict,),
}
PROP_VALUES = (bool, int, float, str, type(None))
TEXT_FIELDS = ("superclass", "target", "material", "layer")


def plain(nodes: Any) -> dict[str, tuple[list[int], list[Any]]] | None:
    """Record by record: None unless every node surely validates as is; else every field."""
    if type(nodes) is not list or any(type(n) is not dict for n in nodes):
        return None
    for node in nodes:
        if not set(node) <= KEYS or type(node.get("name")) is not str \
                or type(node.get("class")) is not str:
            return None
        for key, value in node.items():
            if key in ("name", "class"):
                continue
            if type(value) not in KEPT[key]:
                return None
            if key == "modifiers" and any(type(m) is not str for m in value):
                return None
            if key == "props" and (any(type(k) is not str for k in value)
                                   or any(type(v) not in PROP_VALUES for v in value.values())):
                return None
    return {key: ([i for i, n in enumerate(nodes) if key in n],
                  [n[key] for n in nodes if key in n]) for key in KEYS}


def assert_same(nodes: Any, distinct_first: bool) -> None:
    expected = plain(nodes)
    records = NodeRecords.from_json(nodes)
    assert (records is None) == (expected is None), nodes
    if records is None or expected is None:
        return
    assert records.keys == {k for k, (where, _v) in expected.items() if where}
    if distinct_first:  # the columns are cached: ask in either order
        for key in TEXT_FIELDS:
            where, values = expected[key]
            extra = {DEFAULTS[key]} if len(where) < len(nodes) else set()
            assert records.distinct(key) == set(values) | extra, key
    for key in sorted(KEYS):
        where, values = expected[key]
        assert list(records.field(key)[0]) == where, key
        assert records.field(key)[1] == values, key
    assert records.names == expected["name"][1]
    assert records.class_names == expected["class"][1]
    for key in TEXT_FIELDS:
        where, values = expected[key]
        extra = {DEFAULTS[key]} if len(where) < len(nodes) else set()
        assert records.distinct(key) == set(values) | extra, key


SHAPES: list[dict[str, Any]] = [
    {"name": "G", "class": "Box", "material": "M1"},
    {"name": "G", "class": "Box", "layer": "geo"},  # the same size, other keys
    {"class": "Box", "name": "G", "material": "M2"},  # the same keys, another order
    {"name": "G", "class": "Box", "material": None},  # null where the usual shape has text
    {"name": "G", "class": "Box", "material": "M1", "hidden": True},
    {"name": "L", "class": "VRayLight", "on": False, "layer": "lights"},
    {"name": "T", "class": "Target_Light", "on": True, "target": "G", "layer": "lights",
     "props": {"multiplier": 2.0, "webFile": "a.ies"}, "modifiers": ["Bend"]},
    {"name": "S", "class": "Sphere", "superclass": "GeometryClass", "frozen": False},
    {"name": "N", "class": "Box"},
]
# Values NodeSpec would convert or refuse (pydantic decides): each makes the list not taken.
BAD: list[tuple[str, Any]] = [
    ("hidden", 1), ("hidden", 0.0), ("hidden", "yes"), ("hidden", None), ("on", 1),
    ("material", True), ("material", 1), ("material", ["M1"]), ("material", {"a": 1}),
    ("layer", None), ("layer", 0), ("target", ["G"]), ("superclass", 2.5),
    ("modifiers", None), ("modifiers", [1]), ("modifiers", "Bend"), ("props", None),
    ("props", {"a": [1]}), ("props", {"a": {}}), ("name", 5), ("name", None),
    ("class", ["Box"]), ("foo", 1),
]


def node_list(rng: random.Random) -> list[Any]:
    count = rng.choice([1, 2, 3, 5, 63, 64, 65, 130, 300])
    weights = [rng.random() ** 3 for _ in SHAPES]
    nodes: list[Any] = [dict(rng.choices(SHAPES, weights)[0], name=f"n{i}")
                        for i in range(count)]
    for _ in range(rng.choice([0, 0, 0, 1, 2])):  # a few defects, anywhere
        i = rng.randrange(count)
        defect = rng.randrange(10) if type(nodes[i]) is dict else 8
        if defect < 6:
            key, value = rng.choice(BAD)
            nodes[i] = {**nodes[i], key: value}
        elif defect == 6:
            nodes[i] = {k: v for k, v in nodes[i].items() if k != rng.choice(["name", "class"])}
        elif defect == 7:  # the usual size, without name, with a key NodeSpec lacks
            nodes[i] = {"class": "Box", "material": "M1", "foo": 1}
        elif defect == 8:
            nodes[i] = rng.choice([["name", "G"], "G", None, 3])
        else:
            nodes[i] = {**nodes[i], **{f"k{j}": j for j in range(300)}}
    return nodes


@pytest.mark.parametrize("seed", range(8))
def test_random_node_lists_read_by_shape_as_record_by_record(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(250):
        nodes = node_list(rng)
        assert_same(nodes, distinct_first=rng.random() < 0.5)


@pytest.mark.parametrize("nodes", [
    [],
    # The sample (every 10th record of 640) sees only the rare shape: the guess is wrong.
    [SHAPES[5] if i % 10 == 0 else SHAPES[0] for i in range(640)],
    # Every record of one size, in two shapes: not one column pass, grouped.
    [SHAPES[0], SHAPES[1]] * 40,
    # The usual size and the usual shape's other field, but no name and a key NodeSpec lacks.
    [*[SHAPES[0]] * 70, {"class": "Box", "material": "M1", "foo": 1}],
    # True == 1 in a set: a bool field's types are read from every value, not the distinct.
    [{**SHAPES[4], "hidden": True}, {**SHAPES[4], "hidden": 1}],
    [{**SHAPES[5], "on": True}, {**SHAPES[5], "on": 1.0}],
    # Every field spelled out, one shape, and the same with one record of another order.
    [{**dict.fromkeys(KEYS, None), **DEFAULTS, "name": f"n{i}", "class": "Box",
      "modifiers": [], "layer": "0"} for i in range(70)],
])
def test_node_lists_at_the_edges_read_by_shape_as_record_by_record(nodes: list[Any]) -> None:
    assert_same(nodes, distinct_first=False)
    assert_same(nodes, distinct_first=True)


@pytest.mark.parametrize("seed", range(4))
def test_the_first_node_of_a_name_is_found_as_by_a_plain_scan(seed: int) -> None:
    # first_named answers from the names looked up before (find_targets at load) or looks
    # the name up; either way the first record whose name is it in any case, or None.
    rng = random.Random(seed)
    spellings = ["Key", "KEY", "key", "Fill", "fill", "\u0130x", "i\u0307x", "Rim", ""]
    for _ in range(100):
        nodes = [{"name": rng.choice(spellings), "class": "Box"}
                 for _ in range(rng.randrange(1, 12))]
        records = NodeRecords.from_json(nodes)
        assert records is not None
        asked = rng.sample(spellings, 4)
        if rng.random() < 0.5:
            records.find_targets(rng.sample(spellings, 3))
        for name in [*asked, *asked]:
            plain = next((i for i, n in enumerate(nodes)
                          if n["name"].lower() == name.lower()), None)
            assert records.first_named(name) == plain, (nodes, name)
