"""Where the cfg file is found outside 3ds Max: one test per precedence rule."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from vrdr_max.errors import InputError
from vrdr_max.plugcfg import NO_CFG_MESSAGE, PLUGCFG_ENV, find_cfg
from vrdr_max.plugcfg_windows import LANGUAGES, language_folders, windows_plugcfg_dir
from vrdr_max.ports import Engine

CPU, GPU = Engine.CPU, Engine.GPU
APPDATA = r"C:\Users\artist\AppData\Local"
WIN_ENV = {"LOCALAPPDATA": APPDATA}


def test_cfg_path_wins_over_everything(tmp_path: Path) -> None:
    given = tmp_path / "mine.cfg"
    env = {PLUGCFG_ENV: str(tmp_path / "elsewhere"), **WIN_ENV}
    assert find_cfg(CPU, cfg=given, max_version=2026, env=env, platform="win32") == given


def test_cfg_folder_gets_file_name(tmp_path: Path) -> None:
    assert find_cfg(GPU, cfg=tmp_path, max_version=None, env={}) == tmp_path / "vrayrt_dr.cfg"


def test_env_folder_wins_over_max_version(tmp_path: Path) -> None:
    env = {PLUGCFG_ENV: str(tmp_path), **WIN_ENV}
    assert find_cfg(CPU, cfg=None, max_version=2026, env=env, platform="win32") == (
        tmp_path / "vray_dr.cfg")
    assert find_cfg(GPU, cfg=None, max_version=None, env=env) == tmp_path / "vrayrt_dr.cfg"


def test_empty_env_value_counts_as_unset() -> None:
    with pytest.raises(InputError) as caught:
        find_cfg(CPU, cfg=None, max_version=None, env={PLUGCFG_ENV: "  "})
    assert str(caught.value) == NO_CFG_MESSAGE


def test_max_version_on_windows() -> None:
    path = find_cfg(CPU, cfg=None, max_version=2026, env=WIN_ENV, platform="win32")
    assert str(path) == (r"C:\Users\artist\AppData\Local\Autodesk\3dsMax\2026 - 64bit"
                         r"\ENU\en-US\plugcfg\vray_dr.cfg")


def test_max_version_gpu_and_other_language() -> None:
    path = find_cfg(GPU, cfg=None, max_version=2019, env=WIN_ENV, lang="fra", platform="win32")
    assert str(path) == (r"C:\Users\artist\AppData\Local\Autodesk\3dsMax\2019 - 64bit"
                         r"\FRA\fr-FR\plugcfg\vrayrt_dr.cfg")


@pytest.mark.parametrize(("lang", "folders"), [
    (None, ("ENU", "en-US")), ("DEU", ("DEU", "de-DE")), ("ja-jp", ("JPN", "ja-JP")),
    (" zh-CN ", ("CHS", "zh-CN")),
])
def test_language_by_code_or_locale(lang: str | None, folders: tuple[str, str]) -> None:
    assert language_folders(lang) == folders


def test_every_language_builds_a_path() -> None:
    for code, locale in LANGUAGES.items():
        assert windows_plugcfg_dir(2026, APPDATA, code).parts[-3:] == (code, locale, "plugcfg")


def test_unknown_language_is_input_error() -> None:
    with pytest.raises(InputError, match=r'unknown 3ds Max language "ITA"; known: ENU \(en-US\)'):
        find_cfg(CPU, cfg=None, max_version=2026, env=WIN_ENV, lang="ITA", platform="win32")


def test_before_2013_there_is_no_locale_folder() -> None:
    assert windows_plugcfg_dir(2012, APPDATA) == PureWindowsPath(
        APPDATA, "Autodesk", "3dsMax", "2012 - 64bit", "ENU", "plugcfg")


@pytest.mark.parametrize("year", [26, 1999, 12026])
def test_implausible_year_is_input_error(year: int) -> None:
    with pytest.raises(InputError, match="not a year such as 2026"):
        windows_plugcfg_dir(year, APPDATA)


def test_max_version_off_windows_is_input_error() -> None:
    with pytest.raises(InputError, match=f"Windows only; on this system use --cfg PATH or set "
                                         f"{PLUGCFG_ENV}"):
        find_cfg(CPU, cfg=None, max_version=2026, env=WIN_ENV, platform="linux")


def test_max_version_without_localappdata_is_input_error() -> None:
    with pytest.raises(InputError, match="LOCALAPPDATA is not set"):
        find_cfg(CPU, cfg=None, max_version=2026, env={}, platform="win32")


def test_nothing_given_is_input_error() -> None:
    with pytest.raises(InputError) as caught:
        find_cfg(CPU, cfg=None, max_version=None, env={})
    assert str(caught.value) == (
        "no cfg file given: use --cfg PATH, set VRDR_PLUGCFG, or --max-version YEAR")


def test_a_cfg_name_the_system_refuses_is_one_input_error() -> None:
    # is_dir() raised OSError "File name too long": a traceback (~nouser: test_cli_hostile_input).
    with pytest.raises(InputError, match=r"cannot use .*File name too long"):
        find_cfg(CPU, cfg=Path("a" * 300 + ".cfg"), max_version=None, env={})
