from __future__ import annotations

import pytest

from vrdr_max.assetpaths import PathReach, classify, normalise_drives
from vrdr_max.errors import InputError
from vrdr_max.facts import RendererFamily
from vrdr_max.ports import Engine
from vrdr_max.renderers import identify_renderer


@pytest.mark.parametrize(("name", "family", "engine", "version"), [
    ("V_Ray_6__update_2_1", RendererFamily.VRAY, Engine.CPU, "6 update 2.1"),
    ("V_Ray_7_Hotfix_2", RendererFamily.VRAY, Engine.CPU, "7 hotfix 2"),
    ("V_Ray_GPU_7_Hotfix_2", RendererFamily.VRAY, Engine.GPU, "7 hotfix 2"),
    ("V_Ray_GPU_6__update_2_1", RendererFamily.VRAY, Engine.GPU, "6 update 2.1"),
    ("V_Ray_Next__update_3_2", RendererFamily.VRAY, Engine.CPU, "Next update 3.2"),
    ("V_Ray_5", RendererFamily.VRAY, Engine.CPU, "5"),
    ("V_Ray_RT_3_60_03", RendererFamily.VRAY, Engine.GPU, "3.60.03"),
    ("VRay_Adv_1_09_03g", RendererFamily.VRAY, Engine.CPU, "1.09.03g"),
    ("Default_Scanline_Renderer", RendererFamily.OTHER, None, None),
    ("ART_Renderer", RendererFamily.OTHER, None, None),
    ("Missing_Renderer", RendererFamily.MISSING, None, None),
])
def test_identify_renderer_by_prefix(name: str, family: RendererFamily, engine: Engine | None,
                                     version: str | None) -> None:
    info = identify_renderer(name)
    assert (info.family, info.engine, info.version) == (family, engine, version)


def test_future_release_names_still_match() -> None:
    assert identify_renderer("V_Ray_8__update_1").engine is Engine.CPU
    assert identify_renderer("V_Ray_GPU_8").engine is Engine.GPU


@pytest.mark.parametrize(("path", "reach"), [
    ("\\\\fileserver\\assets\\wood.jpg", PathReach.SHARED),
    ("//fileserver/assets/wood.jpg", PathReach.SHARED),
    ("P:\\projects\\wood.jpg", PathReach.SHARED),
    ("p:/projects/wood.jpg", PathReach.SHARED),
    ("D:\\textures\\wood.jpg", PathReach.LOCAL_DRIVE),
    ("C:\\Users\\artist\\Desktop\\wood.jpg", PathReach.USER_PROFILE),
    ("P:\\Users\\x.jpg", PathReach.USER_PROFILE),
    ("%USERPROFILE%\\wood.jpg", PathReach.USER_PROFILE),
    ("maps\\wood.jpg", PathReach.RELATIVE),
])
def test_classify_paths(path: str, reach: PathReach) -> None:
    assert classify(path, normalise_drives(["P:"])) is reach


def test_normalise_drives() -> None:
    assert normalise_drives(["p", "Z:", "q:\\"]) == frozenset({"P:", "Z:", "Q:"})


@pytest.mark.parametrize("bad", ["xyz", "", "1:", "\\\\server"])
def test_shared_drives_must_be_letters(bad: str) -> None:
    with pytest.raises(InputError, match="not a drive letter"):
        normalise_drives([bad])
