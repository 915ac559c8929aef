"""The shortcuts a large scene's check takes give the answers the plain ways give (issue 18.7).

``vrdr check`` on a 100,000-node scene skips work where its answer is known: ``classify``
tries a rule only where its first characters can match, asset facts are dataclasses, the
mock checks a map class once per class, finds a listed file by its own spelling, indexes the
lights' classes in one pass and builds a map that has only a filename without the general
path. Each test holds a shortcut to what the plain way answers, including the cases the
shortcut hands back to it.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import mock_pymxs
from mock_pymxs import SceneFileError, load_scene
from mock_pymxs.generator import synthetic_scene
from mock_pymxs.noderecords import NodeRecords, merge
from mock_pymxs.vfs import VirtualFiles
from vrdr_max.assetpaths import PathReach, classify, folder_classifier, same_path
from vrdr_max.checks import CheckContext, run
from vrdr_max.facts import AssetFact, AssetKind, SceneFacts
from vrdr_max.models import DRSettings

# -- classify: the rules in their documented order, one pattern each, tried on every path -----

_DRIVE = re.compile(r"^([A-Za-z]):(?:[\\/]|$)")
_PROFILE = re.compile(r"^[A-Za-z]:[\\/](users|documents and settings)[\\/]", re.IGNORECASE)
_ENV = re.compile(r"%(USERPROFILE|APPDATA|LOCALAPPDATA|TEMP|TMP|HOMEPATH)%", re.IGNORECASE)
_DEVICE = re.compile(r"^[\\/]{2}[?.][\\/](.*)$", re.DOTALL)


def plain_classify(path: str, drives: frozenset[str], workstation: str) -> PathReach:
    """``classify`` as the rules read (docs/checks.md), every pattern tried on every path."""
    text = path.strip()
    device = _DEVICE.match(text)
    if device:
        rest = device.group(1)
        if re.match(r"^Volume\{", rest, re.IGNORECASE):
            return PathReach.LOCAL_DRIVE
        text = "\\\\" + rest[4:] if re.match(r"^UNC[\\/]", rest, re.IGNORECASE) else rest
    if re.match(r"^[\\/]{2}", text):  # either separator, mixed too
        host = re.split(r"[\\/]", text[2:], maxsplit=1)[0].split("@", 1)[0]
        return classify("\\\\" + host + "\\s\\f", workstation=workstation)  # hosts: unchanged
    if _ENV.search(text) or _PROFILE.match(text):
        return PathReach.USER_PROFILE
    drive = _DRIVE.match(text)
    if drive:
        return (PathReach.SHARED if drive.group(1).upper() + ":" in drives
                else PathReach.LOCAL_DRIVE)
    return PathReach.RELATIVE


HEADS = ["", " ", "\\\\", "//", "\\/", "/\\", "\\", "/", "\\\\?\\", "//./", "\\\\?\\UNC\\",
         "\\\\.\\Volume{x}\\", "C:", "c:\\", "P:/", "p:", "1:\\", "%TEMP%\\", "\\\\?\\D:\\"]
BODIES = ["", "fs\\share", "localhost\\c$", "127.1\\x", "[::1]\\x", "WS-042\\tex",
          "fs@SSL\\s", "Users\\a", "documents and settings\\b", "tex", "a%appdata%b", "%TMP%"]
TAILS = ["", "\\a.jpg", "/b.exr ", "\\%HOMEPATH%.png", "\\", "\t"]


@pytest.mark.parametrize("drives", [frozenset(), frozenset({"P:", "C:"})])
@pytest.mark.parametrize("workstation", ["", "ws-042"])
def test_classify_answers_as_every_rule_tried_in_order(drives: frozenset[str],
                                                       workstation: str) -> None:
    for head, body, tail in itertools.product(HEADS, BODIES, TAILS):
        path = head + body + tail
        assert classify(path, drives, workstation) is plain_classify(path, drives, workstation), \
            path


@pytest.mark.parametrize("drives", [frozenset(), frozenset({"P:", "C:"})])
@pytest.mark.parametrize("workstation", ["", "ws-042"])
def test_classify_by_folder_answers_as_classify_on_each_path(drives: frozenset[str],
                                                             workstation: str) -> None:
    """``folder_classifier`` gives each path ``classify``'s answer, whatever paths came before."""
    paths = [head + body + tail for head, body, tail in itertools.product(HEADS, BODIES, TAILS)]
    pieces = ["\\", "/", "\\\\", "?", ".", ":", "C", "p", "%", "TEMP", "%TMP%", " ", "\t",
              "@SSL", "UNC", "Volume{x}", "users", "Documents and Settings", "localhost",
              "127.0.0.1", "ws-042", "fs", "a.jpg", "x", "\\\\?\\", "//./", "C:", "UNC\\"]
    paths += [device + rest for device in ("\\\\?\\", "//./", "\\\\?\\UNC\\")
              for rest in ("C:", "p:", "C:x", "%TEMP%", "Volume{x}", "UNC", "fs", "fs\\s",
                           "localhost", "ws-042\\", "")]
    rng = random.Random(18_7)
    paths += ["".join(rng.choices(pieces, k=rng.randint(1, 9))) for _ in range(20_000)]
    for order in (paths, paths[::-1], sorted(paths), sorted(paths, key=len)):
        reach = folder_classifier(drives, workstation)
        for path in order:
            assert reach(path) is classify(path, drives, workstation), path


@pytest.mark.parametrize(("a", "b"), [("C:\\a.jpg", "C:\\a.jpg"), ("C:\\a.jpg", "c:/A.JPG"),
                                      ("C:\\a.jpg", "C:\\b.jpg"), ("", ""), ("a", "a ")])
def test_same_path_compares_as_windows_does(a: str, b: str) -> None:
    assert same_path(a, b) is (a.replace("/", "\\").lower() == b.replace("/", "\\").lower())


# -- asset facts: dataclasses that the scene facts validate and write as models did ------------

ASSET = {"path": "\\\\fs\\t\\Fire_####.aur", "kind": "proxy", "owner_class": "VRayProxy",
         "owner": "Fire", "resolved_path": "\\\\fs\\t\\Fire_####.aur", "matches": 12}
RENDERER = {"class_name": "V_Ray_6__update_2_1", "family": "vray"}


def test_asset_facts_from_data_are_validated_and_written_field_by_field() -> None:
    facts = SceneFacts.model_validate({"renderer": RENDERER, "assets": [ASSET]})
    [asset] = facts.assets
    assert asset == AssetFact(path=ASSET["path"], kind=AssetKind.PROXY, owner_class="VRayProxy",
                              owner="Fire", resolved_path=ASSET["resolved_path"], matches=12)
    assert json.loads(facts.model_dump_json())["assets"] == [ASSET]  # the model's keys, in order
    assert SceneFacts.model_validate_json(facts.model_dump_json()) == facts
    for bad in ({"matches": -1}, {"kind": "picture"}, {"colour": "red"}, {"path": None}):
        with pytest.raises(ValidationError):
            SceneFacts.model_validate({"renderer": RENDERER, "assets": [{**ASSET, **bad}]})


def test_asset_facts_are_frozen_and_refuse_a_negative_count() -> None:
    asset = AssetFact(path="C:\\a.jpg", kind=AssetKind.BITMAP)
    with pytest.raises(dataclasses.FrozenInstanceError):
        asset.path = "C:\\b.jpg"  # type: ignore[misc]
    with pytest.raises(ValueError, match="matches"):
        AssetFact(path="C:\\a_####.exr", kind=AssetKind.BITMAP, matches=-1)
    assert hash(asset) == hash(AssetFact(path="C:\\a.jpg", kind=AssetKind.BITMAP))


def test_asset_facts_made_for_the_adapter_are_the_constructor_s() -> None:
    names = [field.name for field in dataclasses.fields(AssetFact)]
    assert names == ["path", "kind", "owner_class", "owner", "resolved_path", "matches"]
    for kind, owner_class, owner, resolved, matches in itertools.product(
            AssetKind, ("", "Bitmaptexture"), (None, "wood"), (None, "\\\\srv\\a.jpg"),
            (None, 0, 12)):
        fields = {"path": "C:\\a.jpg", "kind": kind, "owner_class": owner_class,
                  "owner": owner, "resolved_path": resolved, "matches": matches}
        made = AssetFact.made(fields["path"], kind, owner_class, owner,
                              resolved_path=resolved, matches=matches)
        plain = AssetFact(**fields)  # type: ignore[arg-type]
        assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
        assert {name: getattr(made, name) for name in names} == fields
        assert (made.label, made.missing) == (plain.label, plain.missing)
    with pytest.raises(ValueError, match=r"matches: -1 files \(a count is 0 or more\)"):
        AssetFact.made("C:\\a_####.exr", AssetKind.BITMAP, "", None, resolved_path=None,
                       matches=-1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.path = "C:\\b.jpg"  # type: ignore[misc]


def test_the_checks_report_the_same_on_read_facts_and_on_their_json(tmp_path: Path) -> None:
    scene = synthetic_scene(nodes=2_000, maps=600, lights=40, file_objects=60,
                            missing_maps=0.2, seed=3)
    with mock_pymxs.installed(scene, plugcfg_dir=tmp_path):
        from vrdr_max.max_host import PymxsHost

        read = PymxsHost().read_scene()
    again = SceneFacts.model_validate_json(read.model_dump_json())
    assert again == read
    reports = [run(CheckContext(facts=facts, settings=DRSettings())).model_dump(mode="json")
               for facts in (read, again)]
    for report in reports:
        for result in report["results"]:
            result.pop("duration_ms")
    assert reports[0] == reports[1]
    assert any(result["findings"] for result in reports[0]["results"])  # assets were judged


def _typed(value: Any) -> Any:
    """``value`` with the type of every part spelled out (``1`` and ``True`` compare equal)."""
    if isinstance(value, list | tuple):
        return [type(value).__name__, *map(_typed, value)]
    if isinstance(value, dict):
        return ["dict", *((_typed(k), _typed(v)) for k, v in value.items())]
    return [type(value).__name__, value]


@pytest.mark.parametrize("scene", ["clean", "demo", "gpu", "scanline", "synthetic"])
def test_the_read_facts_are_the_model_their_values_validate_to(tmp_path: Path,
                                                                 scene: str) -> None:
    """The adapter constructs ``SceneFacts`` unvalidated: each value has its field's type."""
    source: Any = (synthetic_scene(nodes=2_000, maps=600, lights=40, file_objects=60,
                                   missing_maps=0.2, seed=5) if scene == "synthetic" else scene)
    with mock_pymxs.installed(source, plugcfg_dir=tmp_path):
        from vrdr_max.max_host import PymxsHost

        read = PymxsHost().read_scene()
    validated = SceneFacts.model_validate(dict(read))
    assert validated == read
    assert read.model_fields_set == validated.model_fields_set == set(SceneFacts.model_fields)
    for name in SceneFacts.model_fields:
        assert _typed(getattr(read, name)) == _typed(getattr(validated, name)), name
    assert read.model_dump_json() == validated.model_dump_json()


# -- the mock: classes checked once per class, files found by their own spelling ---------------


def scene_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (mock_pymxs.SCENES_DIR / "demo.json").read_text(encoding="utf-8"))
    return data


def load_error(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SceneFileError) as info:
        load_scene(path)
    return str(info.value)


def test_a_wrong_map_class_is_named_with_each_map_that_has_it(tmp_path: Path) -> None:
    data = scene_data()
    data["maps"][1]["class"] = "VRayMtl"  # a material class
    data["maps"][3]["class"] = "VRayMtl"
    message = load_error(tmp_path, data)
    assert "maps[1].class: VRayMtl is a " in message and "not a " in message
    data["maps"][1]["class"] = data["maps"][3]["class"] = "NoSuchMap"
    assert "maps[1].class: unknown class 'NoSuchMap'" in load_error(tmp_path, data)


def test_a_map_that_has_only_a_filename_is_checked_as_any_property(tmp_path: Path) -> None:
    data = scene_data()
    name = data["maps"][2]["name"]
    data["maps"][2] = {"name": name, "class": "VRayBitmap", "filename": "C:\\sky.hdr"}
    assert "maps[2].filename: VRayBitmap has no property 'filename'" in load_error(tmp_path, data)
    data["maps"][2] = {"name": name, "class": "Bitmaptexture", "filename": "C:\\sky.hdr"}
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with mock_pymxs.installed(path) as mock:
        [sky] = [m for m in mock.scene.maps if m.name == name]
        assert sky.props == {"filename": "C:\\sky.hdr"}  # the class's canonical name


def test_a_file_is_found_by_any_spelling_before_and_after_changes() -> None:
    given = ["D:\\maps\\a.jpg", "D:\\maps\\b.jpg", "\\\\fs\\s\\c.jpg"]
    files = VirtualFiles(given)
    assert all(files.is_file(p) for p in given)
    assert files.is_file("d:/MAPS/a.JPG") and not files.is_file("D:\\maps")
    files.remove("d:/maps/A.jpg")  # another spelling of a listed file
    assert not files.is_file("D:\\maps\\a.jpg") and files.exists("D:\\maps")
    files.remove("D:\\maps\\b.jpg")
    assert not files.exists("D:\\maps") and files.exists("\\\\fs\\s")
    files.add("D:/Maps/A.jpg")
    assert files.is_file("D:\\maps\\a.jpg") and files.is_file("D:/Maps/A.jpg")
    assert files.exists("d:\\maps")


def test_classes_indexed_together_are_the_classes_indexed_one_by_one() -> None:
    nodes = [{"name": f"n{i}", "class": cls} for i, cls in
             enumerate(["Box", "VRayLight", "vraylight", "Target_Light", "Box", "VRAYLIGHT",
                        "Targetobject", "Target_Light", "Sphere"])]
    together = NodeRecords.from_json(nodes)
    alone = NodeRecords.from_json(nodes)
    assert together is not None and alone is not None
    keys = ["target_light", "vraylight", "nosuchclass"]
    assert together.of_classes(keys) == list(merge(*(alone.of_class(k) for k in keys)))
    assert together.of_classes(keys) == [1, 2, 3, 5, 7]
    assert [together.of_class(k) for k in keys] == [alone.of_class(k) for k in keys]
