"""The farm keys of the studio config: precedence, defaults, and errors that name the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vrdr_max.errors import InputError
from vrdr_max.studio import (
    STUDIO_ENV,
    USER_ENV,
    ConfigFile,
    FarmLayer,
    FarmSettings,
    Source,
    load_effective,
    resolve,
)


def _write(path: Path, farm: dict[str, object]) -> Path:
    path.write_text(json.dumps({"version": 1, "farm": farm}), encoding="utf-8")
    return path


def test_built_in_farm_defaults() -> None:
    farm = resolve().farm
    assert farm == FarmSettings()
    assert (farm.deadline_url, farm.priority, farm.wait, farm.poll_interval,
            farm.licence_servers) == (None, 50, 60.0, 2.0, ())


def test_cli_over_user_over_studio_over_built_in_field_by_field() -> None:
    studio = ConfigFile.model_validate({"farm": {
        "deadline_url": "http://deadline01:8082", "pool": "dr", "group": "cpu", "wait": 90,
        "licence_servers": ["lic01", "lic02:30305"]}})
    user = ConfigFile.model_validate({"farm": {"pool": "mine", "priority": 80}})
    cli = FarmLayer(wait=5, deadline_url="http://deadline02:8082")
    eff = resolve(studio=studio, user=user, farm_cli=cli)
    assert (eff.farm.deadline_url, eff.farm.pool, eff.farm.group, eff.farm.priority,
            eff.farm.wait) == ("http://deadline02:8082", "mine", "cpu", 80, 5.0)
    assert eff.farm.licence_servers == ("lic01", "lic02:30305")
    assert (eff.farm_sources["deadline_url"], eff.farm_sources["pool"],
            eff.farm_sources["group"], eff.farm_sources["poll_interval"]) == (
        Source.CLI, Source.USER, Source.STUDIO, Source.BUILTIN)


def test_files_are_read_for_the_farm_keys(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STUDIO_ENV, str(_write(tmp_path / "studio.json",
                                              {"deadline_url": "https://farm:4434"})))
    monkeypatch.setenv(USER_ENV, str(_write(tmp_path / "user.json", {"wait": 12})))
    eff = load_effective()
    assert (eff.farm.deadline_url, eff.farm.wait) == ("https://farm:4434", 12.0)


@pytest.mark.parametrize(("farm", "says"), [
    ({"deadline_url": "deadline01:8082"}, "farm.deadline_url"),
    ({"deadline_url": "http://u:p@deadline01:8082"}, "never in the URL"),
    ({"licence_servers": ["lic;01"]}, "farm.licence_servers"),
    ({"wait": 0}, "farm.wait"),
    ({"priority": 101}, "farm.priority"),
    ({"password": "x"}, "farm.password"),  # credentials are never settings
])
def test_a_bad_farm_key_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 farm: dict[str, object], says: str) -> None:
    monkeypatch.setenv(STUDIO_ENV, str(_write(tmp_path / "studio.json", farm)))
    with pytest.raises(InputError, match=says) as bad:
        load_effective()
    assert ":p@" not in str(bad.value)
