"""Frame and tile patterns (issue 15 item 6): only the tokens a loader documents."""

from __future__ import annotations

import pytest

from vrdr_max.facts import AssetKind
from vrdr_max.filepatterns import find_pattern, tokens_for


@pytest.mark.parametrize(("owner", "kind", "path", "names", "not_names"), [
    ("", AssetKind.VOLUME, "\\\\fs\\c\\Fire_####.aur",
     ["Fire_0001.aur", "fire_12345.AUR"], ["Fire_001.aur", "Fire_0001.vdb", "Fire_abcd.aur"]),
    ("", AssetKind.VOLUME, "C:\\c\\smoke_<frame04>.vdb", ["smoke_0007.vdb"], ["smoke_7.vdb"]),
    ("VRayProxy", AssetKind.PROXY, "C:\\p\\tree_###.vrmesh", ["tree_010.vrmesh"], ["tree.vrmesh"]),
    ("VRayBitmap", AssetKind.HDRI, "D:\\t\\skin.<UDIM>.exr",
     ["skin.1001.exr", "SKIN.1012.EXR"], ["skin.101.exr", "skin.<UDIM>.exr"]),
    ("VRayBitmap", AssetKind.HDRI, "D:\\t\\skin<UVTILE>.exr", ["skin_u1_v1.exr"], ["skin.exr"]),
    ("VRayBitmap", AssetKind.HDRI, "D:\\t\\skin_$U_$V.exr", ["skin_1_2.exr"], ["skin_1.exr"]),
    ("VRayBitmap", AssetKind.HDRI, "D:\\t\\skin_$2U_$2V.exr", ["skin_01_02.exr"],
     ["skin_1_2.exr"]),
    ("VRayBitmap", AssetKind.HDRI, "D:\\t\\seq.<frameNum>.png", ["seq.0001.png"], ["seq.png"]),
    ("", AssetKind.BITMAP, "D:\\t\\osl.<UDIM>.png", ["osl.1001.png"], ["osl.png"]),
])
def test_documented_tokens_match_the_files_they_name(owner: str, kind: AssetKind, path: str,
                                                     names: list[str],
                                                     not_names: list[str]) -> None:
    pattern = find_pattern(path, tokens_for(owner, kind))
    assert pattern is not None
    assert all(pattern.matches(n) for n in names)
    assert not any(pattern.matches(n) for n in not_names)
    assert pattern.matches(pattern.example(0)) and pattern.matches(pattern.example(9))
    assert pattern.example(0) != pattern.example(1)


@pytest.mark.parametrize(("owner", "kind", "path"), [
    ("BitmapTexture", AssetKind.BITMAP, "\\\\fs\\t\\wood_#1.jpg"),  # the Bitmap map: no tokens
    ("BitmapTexture", AssetKind.BITMAP, "\\\\fs\\t\\wood.<UDIM>.jpg"),  # nor tiles
    ("", AssetKind.BITMAP, "\\\\fs\\t\\frame_####.png"),  # '#' only where a loader says so
    ("", AssetKind.VOLUME, "\\\\fs\\t\\$F\\fire.aur"),  # $F: no 3ds Max loader documents it
    ("VRayBitmap", AssetKind.HDRI, "\\\\fs\\$U\\sky.exr"),  # tokens in the file name only
    ("", AssetKind.IES, "\\\\fs\\ies\\spot_##.ies"),
])
def test_no_pattern_where_no_loader_documents_one(owner: str, kind: AssetKind, path: str) -> None:
    assert find_pattern(path, tokens_for(owner, kind)) is None


def test_the_wildcard_asks_the_folder_for_candidates() -> None:
    pattern = find_pattern("C:\\c\\Fire_####_<frame04>.aur", tokens_for("", AssetKind.VOLUME))
    assert pattern is not None
    assert (pattern.folder, pattern.wildcard) == ("C:\\c", "Fire_*_*.aur")
