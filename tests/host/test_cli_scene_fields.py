"""Scene files with values of the wrong JSON type or out of 3ds Max's range, and how they are named.

A scene description is read as exported: every field in the JSON type the schema gives it. A
value of another type (``true`` for a width, ``"yes"`` for a flag, ``"2025"`` for a year) or a
number 3ds Max cannot hold is bad input (exit 2, one line naming the file and field), never a
silent conversion, a crash (exit 70) or a failed render.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from host_scenes import Edit, edited_file

import mock_pymxs
from vrdr_max.cli.main import main

ARTIST = b"render01 1 20204\r\n"


pytestmark = pytest.mark.usefixtures("no_config_files")


@pytest.fixture
def artist_cfg() -> bytes:
    return ARTIST


def bad_input(capsys: pytest.CaptureFixture[str], code: int, *says: str) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("vrdr: error: scene.json: ") and err.count("\n") == 1, err
    assert len(err) < 300, err  # names the problem, never echoes a 400-digit number
    for text in says:
        assert text in err, err
    return err


def _set(*path: str | int, value: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        owner: Any = data
        for key in path[:-1]:
            owner = owner[key]
        owner[path[-1]] = value
    return edit


# --- a number as big as a float property cannot hold ------------------------------------------

@pytest.mark.parametrize("verb", ["check", "submit"])
def test_a_float_property_beyond_the_float_range_is_bad_input(
        tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str], verb: str) -> None:
    # 400 digits: far below the 4,300 digits Python reads, far above a float's 1.8e308.
    scene = edited_file(tmp_path, _set("nodes", 0, "props", value={"width": 10**400}), "demo")
    before = scene.read_bytes()
    bad_input(capsys, main([verb, "--scene", str(scene), "--cfg", str(cfg), "--no-probe"]),
              "nodes[0].props.width", "takes float")
    assert scene.read_bytes() == before
    assert cfg.read_bytes() == ARTIST


# --- frame numbers 3ds Max cannot hold --------------------------------------------------------

FRAMES_BEYOND: dict[str, Edit] = {
    "start": _set("render", "start", value=-(10**4000)),
    "end": _set("render", "end", value=2**31),
    "animation_range": _set("render", "animation_range", value=[0, 10**30]),
    "current_frame": _set("render", "current_frame", value=-(2**31) - 1),
}


@pytest.mark.parametrize("field", FRAMES_BEYOND)
@pytest.mark.parametrize("verb", ["check", "submit"])
def test_a_frame_number_3ds_max_cannot_hold_is_bad_input(
        tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str], field: str,
        verb: str) -> None:
    # A 4,000-digit range failed the render with "OverflowError: Python int too large to
    # convert to C ssize_t" (and `check` passed the file).
    scene = edited_file(tmp_path, lambda d: (d["render"].update(time_type=3),
                                        FRAMES_BEYOND[field](d)))
    bad_input(capsys, main([verb, "--scene", str(scene), "--cfg", str(cfg), "--no-probe"]),
              f"render.{field}")
    assert cfg.read_bytes() == ARTIST


def test_frame_numbers_at_the_ends_of_a_time_value_are_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scene = edited_file(tmp_path, _set("render", value={
        "start": -(2**31), "end": 2**31 - 1, "current_frame": 2**31 - 1,
        "animation_range": [-(2**31), 2**31 - 1]}))
    assert main(["check", "--scene", str(scene)]) == 0, capsys.readouterr().err


# --- a value of another JSON type -------------------------------------------------------------

WRONG_TYPES: dict[str, tuple[Edit, str]] = {
    "true for a width": (_set("render", "width", value=True), "render.width"),
    "true for a year": (_set("max_version", value=True), "max_version"),
    "text for a year": (_set("max_version", value="2025"), "max_version"),
    "a float for a year": (_set("max_version", value=2025.0), "max_version"),
    "true in a frame range": (_set("render", "animation_range", value=[True, 5]),
                              "render.animation_range[0]"),
    "1 for hidden": (_set("nodes", 7, "hidden", value=1), "nodes[7].hidden"),
    "text for on": (_set("nodes", 7, "on", value="off"), "nodes[7].on"),
    "text for save_file": (_set("render", "save_file", value="1"), "render.save_file"),
    "0 for loaded": (_set("plugin_dlls", 1, "loaded", value=0), "plugin_dlls[1].loaded"),
    "1 for use_map": (_set("environment", "use_map", value=1), "environment.use_map"),
    "text for a count": (_set("missing_instances", value={"Missing_Light": "3"}),
                         "missing_instances.Missing_Light"),
}


@pytest.mark.parametrize("case", WRONG_TYPES)
@pytest.mark.parametrize("verb", ["check", "submit"])
def test_a_value_of_another_json_type_is_bad_input(
        tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str], case: str,
        verb: str) -> None:
    # Each was converted silently (true rendered 1 pixel wide, "off" switched a light on);
    # `true` for the year said "should be greater than or equal to 2019".
    edit, field = WRONG_TYPES[case]
    scene = edited_file(tmp_path, edit)
    err = bad_input(capsys, main([verb, "--scene", str(scene), "--cfg", str(cfg),
                                  "--no-probe"]), f": {field}: input should be a valid ")
    assert "greater than" not in err
    assert cfg.read_bytes() == ARTIST


def test_the_top_level_must_be_an_object(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    scene = tmp_path / "scene.json"
    scene.write_text('[{"max_version": 2025}]', encoding="utf-8")
    err = bad_input(capsys, main(["check", "--scene", str(scene)]),
                    "(top level): a JSON object")
    assert "instance of" not in err


def test_a_field_that_must_be_an_object_says_so(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    scene = edited_file(tmp_path, _set("plugin_dlls", 1, value=["vrender2025.dlr"]))
    err = bad_input(capsys, main(["check", "--scene", str(scene)]),
                    "plugin_dlls[1]: a JSON object")
    assert "plugindllspec" not in err.lower()


def test_a_control_character_in_the_json_text_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scene = tmp_path / "scene.json"
    scene.write_bytes(b'{"scene_path": "C:\\\\a\x00b.max"}')
    err = bad_input(capsys, main(["check", "--scene", str(scene)]), "line 1 column 22")
    assert not err.rstrip().endswith(" at"), err


# --- encodings and names ----------------------------------------------------------------------

def test_a_scene_file_with_a_utf8_bom_is_read(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    # Notepad's "UTF-8 with BOM": every other JSON file vrdr reads (studio, manifest,
    # sidecar) takes it; the scene file said "decode using utf-8-sig".
    plain = mock_pymxs.SCENES_DIR / "demo.json"
    with_bom = tmp_path / "demo.json"
    with_bom.write_bytes(codecs.BOM_UTF8 + plain.read_bytes())
    documents = []
    for path in (plain, with_bom):
        assert main(["check", "--scene", str(path), "--json"]) == 1
        doc = json.loads(capsys.readouterr().out)
        doc.pop("scene")
        for result in doc["results"]:
            result.pop("duration_ms")
        documents.append(doc)
    assert documents[0] == documents[1]


@pytest.mark.parametrize("name", ["no-such-scene", "x\ny"])
def test_a_scene_that_is_neither_a_file_nor_bundled_is_named_as_given(
        capsys: pytest.CaptureFixture[str], name: str) -> None:
    code = main(["check", "--scene", name])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert ".json: cannot read" not in err  # a file the user never named
    assert "no scene file" in err and "bundled" in err and "demo" in err, err


# --- report lines that quote scene names ------------------------------------------------------

def test_a_line_break_in_a_fixed_lights_name_stays_on_its_line(
        tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The "fixed:" lines printed what the fix said verbatim: a light named "...\nstatus:
    # rendered" wrote a report line of its own, and its escape sequence went to the terminal
    # only as \x1b (the line break was kept).
    forged = "Spot_Photometric\nstatus: rendered"

    def rename(data: dict[str, Any]) -> None:
        [spot] = [n for n in data["nodes"] if n["name"] == "Spot_Photometric"]
        spot["name"] = forged
    scene = edited_file(tmp_path, rename, "demo")
    code = main(["submit", "--scene", str(scene), "--cfg", str(cfg), "--no-probe", "--fix"])
    out = capsys.readouterr().out
    assert code == 1, out  # the demo scene's other errors still block it
    [fixed] = [line for line in out.splitlines() if line.startswith("fixed: turned on")]
    assert "Spot_Photometric\\nstatus: rendered (on)" in fixed
    assert [line for line in out.splitlines() if line.startswith("status:")] == [
        "status: blocked"]
    assert cfg.read_bytes() == ARTIST


def test_a_line_break_in_the_cfg_path_stays_on_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "plug\nstatus: rendered"
    folder.mkdir()
    cfg = folder / "vray_dr.cfg"
    cfg.write_bytes(ARTIST)
    code = main(["submit", "--scene", "clean", "--cfg", str(cfg), "--no-probe", "--override",
                 "no servers here"])
    out = capsys.readouterr().out
    assert code == 0, out
    lines = out.splitlines()
    assert f"cfg file: {tmp_path}/plug\\nstatus: rendered/vray_dr.cfg" in lines
    assert [line for line in lines if line.startswith("status:")] == ["status: rendered"]
    assert cfg.read_bytes() == ARTIST


# --- a long value in a message ----------------------------------------------------------------

LONG = "L" * 100_000
LONG_VALUES: dict[str, tuple[Edit, str]] = {
    "a property's value": (_set("renderer", "props", "gi_on", value=LONG),
                           "renderer.props.gi_on"),
    "a property's name": (_set("renderer", "props", LONG, value=1), "renderer.props.LLL"),
    "a class": (_set("nodes", 0, "class", value=LONG), "nodes[0].class"),
    "a material": (_set("nodes", 0, "material", value=LONG), "nodes[0].material"),
    "a layer": (_set("nodes", 0, "layer", value=LONG), "nodes[0].layer"),
    "a map of a material": (_set("materials", 0, "maps", value=[LONG]), "materials[0].maps"),
    "a render type": (_set("render", "type", value=LONG), "render.type"),
    "a missing-instances key": (_set("missing_instances", value={LONG: 1}),
                                "missing_instances.LLL"),
    "a 4,000-digit number": (_set("renderer", "props", "gi_on", value=10**4000),
                             "renderer.props.gi_on"),
}


@pytest.mark.parametrize("case", LONG_VALUES)
def test_a_long_value_is_shortened_in_the_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    # The message quoted the value whole: a 100,000-character line (argparse's own messages
    # are cut at 200 characters for the same reason).
    edit, field = LONG_VALUES[case]
    scene = edited_file(tmp_path, edit)
    err = bad_input(capsys, main(["check", "--scene", str(scene)]), field)
    assert "characters)" in err, err


UTF16 = "scene.json: not UTF-8 text but UTF-16; save it as UTF-8"


@pytest.mark.parametrize(("data", "says"), [
    (b"", "scene.json: the file is empty"),
    (b" \r\n\t", "scene.json: the file is empty"),
    ('{"max_version": 2025}'.encode("utf-16"), UTF16),
    (codecs.BOM_UTF16_BE + "{}".encode("utf-16-be"), UTF16),
])
def test_an_empty_or_utf16_scene_file_says_so(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              data: bytes, says: str) -> None:
    # A 0-byte file (a full disk, an export that failed) said "line 1 column 1: Expecting
    # value"; PowerShell 5's ">" writes UTF-16 with a BOM, which said "not UTF-8 text (byte 0)".
    scene = tmp_path / "scene.json"
    scene.write_bytes(data)
    bad_input(capsys, main(["check", "--scene", str(scene)]), says)


@pytest.mark.parametrize(("value", "kind"), [([255, 0, 0], "a list"), ({"r": 1}, "an object")])
@pytest.mark.parametrize("owner", [("nodes", 0, "props"), ("renderer", "props")])
def test_a_property_value_of_another_json_type_says_which_types_it_takes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], value: object, kind: str,
        owner: tuple[str | int, ...]) -> None:
    # A colour exported as a list said "nodes[0].props.color.bool: input should be a valid
    # boolean (and 3 more)": pydantic's union members, tried one by one.
    scene = edited_file(tmp_path, _set(*owner, value={"color": value}))
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in owner).lstrip(".")
    err = bad_input(capsys, main(["check", "--scene", str(scene)]),
                    f"{where}.color: a property value is true/false, a number, text or null, "
                    f"not {kind}")
    assert ".bool" not in err and "more)" not in err


@pytest.mark.parametrize(("make", "says"), [
    (os.mkfifo, "is a FIFO (named pipe), not a regular file"),
    (lambda p: p.symlink_to("gone.cfg"), "is a link to gone.cfg, which does not exist"),
])
def test_check_names_what_a_cfg_that_is_not_a_file_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        make: Callable[[Path], None], says: str) -> None:
    # `check --cfg` said "no cfg file at ..." for a FIFO or a dangling link; every other
    # command names what is there (snapshots.check_regular_file), as `check --scene` does.
    cfg = tmp_path / "vray_dr.cfg"
    make(cfg)
    code = main(["check", "--scene", "clean", "--cfg", str(cfg)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and says in err, err


@pytest.mark.parametrize(("argv", "code"), [
    (["check", "--scene", "demo", "--json"], 1),
    (["check", "--scene", "clean"], 0),
    (["spawner", "command", "--max-version", "2025"], 0),
    (["spawner", "plan", "--json"], 0),
])
def test_a_closed_stdout_is_no_bug(monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str], argv: list[str],
                                   code: int) -> None:
    # `vrdr check --json >&-`: Python starts with sys.stdout None. print() writes nothing
    # then, but every --json document and the spawner's lines went to sys.stdout.write:
    # "internal error: AttributeError: 'NoneType' object has no attribute 'write'" (70).
    monkeypatch.setattr("sys.stdout", None)
    assert main(argv) == code
    assert capsys.readouterr().err == ""
