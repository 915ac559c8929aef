"""Studio/user configuration: schema, pools, and each precedence rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vrdr_max.cli.main import main
from vrdr_max.errors import InputError
from vrdr_max.studio import (
    STUDIO_ENV,
    USER_ENV,
    ConfigFile,
    Defaults,
    FarmSettings,
    Source,
    StudioDefaults,
    load_config_file,
    load_effective,
    resolve,
    user_config_path,
)

STUDIO = {
    "version": 1,
    "pools": {
        "night-farm": {"description": "all render nodes",
                       "servers": ["render01", "render02:20205", "[fd00::7]"],
                       "numa": [{"host": "numa01",
                                 "options": {"numa": 0, "machine_nodes": 2}}]},
        "gpu-room": {"engine": "gpu", "servers": ["gpu01"]},
    },
    "defaults": {"pool": "night-farm", "shared_drives": ["P:"], "probe_timeout": 2.0},
}
USER = {"pools": {"night-farm": {"servers": ["mybox"]}}, "defaults": {"probe_timeout": 0.5}}


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_builtin_defaults_when_no_files() -> None:
    eff = resolve()
    assert eff.defaults.probe_timeout == 1.0
    assert eff.defaults.restore is True
    assert set(eff.default_sources.values()) == {Source.BUILTIN}
    assert eff.pools == {}


def test_studio_file_beats_builtin() -> None:
    eff = resolve(studio=ConfigFile.model_validate(STUDIO))
    assert eff.defaults.probe_timeout == 2.0
    assert eff.default_sources["probe_timeout"] is Source.STUDIO
    assert eff.default_sources["restore"] is Source.BUILTIN


def test_user_file_beats_studio_field_by_field() -> None:
    eff = resolve(studio=ConfigFile.model_validate(STUDIO), user=ConfigFile.model_validate(USER))
    assert eff.defaults.probe_timeout == 0.5
    assert eff.default_sources["probe_timeout"] is Source.USER
    # a default the user did not set is still the studio's
    assert eff.defaults.shared_drives == {"P:"}
    assert eff.default_sources["shared_drives"] is Source.STUDIO


def test_user_pool_replaces_studio_pool_whole() -> None:
    eff = resolve(studio=ConfigFile.model_validate(STUDIO), user=ConfigFile.model_validate(USER))
    assert [s.host for s in eff.pool("night-farm").entries()] == ["mybox"]
    assert eff.pool_sources["night-farm"] is Source.USER
    assert eff.pool_sources["gpu-room"] is Source.STUDIO


def test_cli_flag_beats_everything_and_none_means_not_given() -> None:
    eff = resolve(Defaults(probe_timeout=3.0, restore=None),
                  studio=ConfigFile.model_validate(STUDIO), user=ConfigFile.model_validate(USER))
    assert eff.defaults.probe_timeout == 3.0
    assert eff.default_sources["probe_timeout"] is Source.CLI
    assert eff.default_sources["restore"] is Source.BUILTIN


def test_pool_entries_expand_numa_and_default_ports() -> None:
    pool = ConfigFile.model_validate(STUDIO).pools["night-farm"]
    assert [(s.host, s.port) for s in pool.entries()] == [
        ("render01", 20204), ("render02", 20205), ("fd00::7", 20204),
        ("numa01", 20204), ("numa01", 20205)]
    gpu = ConfigFile.model_validate(STUDIO).pools["gpu-room"]
    assert [(s.host, s.port) for s in gpu.entries()] == [("gpu01", 20206)]


@pytest.mark.parametrize(("data", "says"), [
    ({"version": 2}, "version 2 is not supported"),
    ({"pools": {"x": {"servers": ["10.0.0.300"]}}}, "pools.x.servers"),
    ({"pools": {"x": {"serverz": []}}}, "pools.x.serverz"),
    ({"defaults": {"probe_timeout": 0}}, "defaults.probe_timeout"),
])
def test_bad_files_name_the_field(tmp_path: Path, data: object, says: str) -> None:
    with pytest.raises(InputError, match=says):
        load_config_file(_write(tmp_path / "studio.json", data))


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "studio.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        load_config_file(path)


def test_user_config_path_rules(tmp_path: Path) -> None:
    assert user_config_path({USER_ENV: str(tmp_path / "u.json")}) == tmp_path / "u.json"
    windows = user_config_path({"APPDATA": "C:\\Users\\a\\AppData\\Roaming"}, "win32")
    assert str(windows).replace("\\", "/").endswith("AppData/Roaming/vrdr/config.json")
    # APPDATA set on another system (e.g. under Wine tooling) does not count
    assert user_config_path({"APPDATA": "x", "XDG_CONFIG_HOME": str(tmp_path)}, "linux") == \
        tmp_path / "vrdr/config.json"
    assert user_config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "vrdr/config.json"


def test_load_effective_reads_both_files(tmp_path: Path) -> None:
    env = {STUDIO_ENV: str(_write(tmp_path / "studio.json", STUDIO)),
           USER_ENV: str(_write(tmp_path / "user.json", USER))}
    eff = load_effective(env=env)
    assert eff.files == {Source.STUDIO: tmp_path / "studio.json",
                         Source.USER: tmp_path / "user.json"}
    assert eff.defaults.probe_timeout == 0.5


def test_missing_studio_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_effective(env={STUDIO_ENV: str(tmp_path / "absent.json"),
                            USER_ENV: str(tmp_path / "none.json")})


def test_cli_pools_apply_writes_cfg_and_keeps_other_lines(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(STUDIO_ENV, str(_write(tmp_path / "studio.json", STUDIO)))
    monkeypatch.setenv(USER_ENV, str(tmp_path / "no-user.json"))
    cfg = tmp_path / "vray_dr.cfg"
    cfg.write_bytes(b"old01 1 20204\r\nrestart_slaves 1\r\nfuture_key 7\r\n")
    assert main(["pools", "apply", "night-farm", "--cfg", str(cfg)]) == 0
    text = cfg.read_bytes()
    assert b"old01" not in text
    assert b"render02 1 20205\r\n" in text
    assert b"restart_slaves 1\r\n" in text
    assert b"future_key 7\r\n" in text
    assert main(["pools", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert listed["version"] == 1
    assert [p["name"] for p in listed["pools"]] == ["gpu-room", "night-farm"]
    before = cfg.read_bytes()
    assert main(["pools", "apply", "gpu-room", "--cfg", str(cfg)]) == 2
    assert cfg.read_bytes() == before


def test_resolved_defaults_are_one_typed_model_with_every_field_of_a_layer() -> None:
    # Every default a file may set has its resolved, typed value and its source.
    assert set(Defaults.model_fields) == set(StudioDefaults.model_fields)
    eff = resolve()
    assert eff.defaults == StudioDefaults()
    assert set(eff.default_sources) == set(StudioDefaults.model_fields)
    assert eff.defaults.dispatcher_in_vray_cfg is False
    with pytest.raises(ValueError, match="frozen"):
        eff.defaults.restore = False  # type: ignore[misc]


def test_built_in_defaults_unset_by_every_layer_are_what_validating_nothing_gives() -> None:
    """``resolve`` constructs the resolved models when no layer sets a value (no validator)."""
    eff = resolve()
    for resolved, model in ((eff.defaults, StudioDefaults), (eff.farm, FarmSettings)):
        validated = model.model_validate({})
        assert type(resolved) is model and resolved == validated
        assert resolved.model_fields_set == validated.model_fields_set == set()
        assert resolved.model_dump(mode="json") == validated.model_dump(mode="json")
        assert {k: type(v) for k, v in dict(resolved).items()} == {
            k: type(v) for k, v in dict(validated).items()}
        with pytest.raises(ValueError, match="frozen"):
            resolved.pool = "night-farm"  # type: ignore[misc]
    layer = ConfigFile.model_validate({"defaults": {"restore": False}, "farm": {"priority": 7}})
    eff = resolve(user=layer)
    assert (eff.defaults.restore, eff.farm.priority) == (False, 7)


def test_shared_drives_are_resolved_once_normalised() -> None:
    eff = resolve(studio=ConfigFile.model_validate({"defaults": {"shared_drives": ["p", "z:\\"]}}))
    assert eff.defaults.shared_drives == frozenset({"P:", "Z:"})
    assert eff.defaults.model_dump(mode="json")["shared_drives"] == ["P:", "Z:"]


def test_a_bad_shared_drive_in_a_file_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"defaults\.shared_drives: .*not a drive letter"):
        load_config_file(_write(tmp_path / "studio.json", {"defaults": {"shared_drives": ["PP"]}}))


@pytest.mark.parametrize(("value", "says"), [
    ("0", "greater than 0"), ("500", "less than or equal to 120"),
    ("nan", "a finite number"), ("inf", "a finite number")])  # not "less than ... 120"
def test_cli_flag_errors_name_the_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str], value: str,
                                       says: str) -> None:
    monkeypatch.setenv(USER_ENV, str(tmp_path / "none.json"))
    monkeypatch.delenv(STUDIO_ENV, raising=False)
    assert main(["check", "--scene", "clean", "--timeout", value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vrdr: error: --timeout: ") and err.count("\n") == 1
    assert says in err


def test_a_nan_in_a_studio_file_is_no_number(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"farm\.wait: .*finite number"):
        load_config_file(_write(tmp_path / "studio.json", {"farm": {"wait": float("nan")}}))


def test_pools_list_json_shows_typed_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(STUDIO_ENV, str(_write(tmp_path / "studio.json", STUDIO)))
    monkeypatch.setenv(USER_ENV, str(tmp_path / "none.json"))
    assert main(["pools", "list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["defaults"]["shared_drives"] == ["P:"]
    assert doc["defaults"]["probe_timeout"] == 2.0
    assert doc["default_sources"]["probe_timeout"] == "studio"
    assert doc["default_sources"]["restore"] == "builtin"


@pytest.mark.parametrize(("data", "says"), [
    ([], r"studio\.json: a JSON object is needed here, not a list$"),
    ({"defaults": [1]}, r"studio\.json: defaults: a JSON object is needed here, not a list$"),
    ({"pools": {"a": 5}}, r"studio\.json: pools\.a: a JSON object is needed here$")])
def test_a_list_or_number_where_an_object_goes_is_named_so(tmp_path: Path, data: object,
                                                           says: str) -> None:
    """Not pydantic's "a valid dictionary or instance of ConfigFile": no class names."""
    with pytest.raises(InputError, match=says):
        load_config_file(_write(tmp_path / "studio.json", data))
