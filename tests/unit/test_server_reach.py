"""Paths judged as a render server sees them (issue 15 item 5): Windows path rules."""

from __future__ import annotations

import pytest

from vrdr_max.assetpaths import PathReach, classify
from vrdr_max.checks.scene_checks import server_reach
from vrdr_max.facts import AssetFact, AssetKind

WS = "WS-042"


@pytest.mark.parametrize(("path", "reach"), [
    ("\\\\fs\\tex\\a.jpg", PathReach.SHARED),
    ("//fs/tex/a.jpg", PathReach.SHARED),
    # Windows turns every "/" into a backslash before it reads the root ("File path formats on
    # Windows systems", path normalization): two separators of either kind start a UNC path.
    ("\\/fs\\tex\\a.jpg", PathReach.SHARED),
    ("/\\localhost/tex/a.jpg", PathReach.LOOPBACK),
    ("/\\?\\UNC\\fs\\tex\\a.jpg", PathReach.SHARED),
    ("\\/?/D:/tex/a.jpg", PathReach.LOCAL_DRIVE),
    ("\\\\localhost\\tex\\a.jpg", PathReach.LOOPBACK),
    ("\\\\LOCALHOST.\\tex\\a.jpg", PathReach.LOOPBACK),
    ("\\\\127.0.0.1\\tex\\a.jpg", PathReach.LOOPBACK),
    ("\\\\127.4.5.6\\tex\\a.jpg", PathReach.LOOPBACK),
    ("\\\\127.1\\tex\\a.jpg", PathReach.LOOPBACK),  # inet_addr's short form
    ("\\\\2130706433\\tex\\a.jpg", PathReach.LOOPBACK),  # 127.0.0.1 as one number
    ("\\\\0x7f.0.0.1\\tex\\a.jpg", PathReach.LOOPBACK),
    ("\\\\[::1]\\tex\\a.jpg", PathReach.LOOPBACK),
    ("\\\\0--1.ipv6-literal.net\\tex\\a.jpg", PathReach.LOOPBACK),
    ("\\\\localhost@SSL@8443\\DavWWWRoot\\a.jpg", PathReach.LOOPBACK),  # WebDAV form
    ("\\\\10.0.0.5\\tex\\a.jpg", PathReach.SHARED),
    ("\\\\fe80--1s4.ipv6-literal.net\\tex\\a.jpg", PathReach.SHARED),
    ("\\\\WS-042\\tex\\a.jpg", PathReach.WORKSTATION),
    ("\\\\ws-042\\tex\\a.jpg", PathReach.WORKSTATION),
    ("\\\\ws-042.studio.lan\\tex\\a.jpg", PathReach.WORKSTATION),
    ("\\\\ws-0420\\tex\\a.jpg", PathReach.SHARED),
    ("\\\\?\\D:\\tex\\a.jpg", PathReach.LOCAL_DRIVE),
    ("\\\\.\\D:\\tex\\a.jpg", PathReach.LOCAL_DRIVE),
    ("\\\\?\\P:\\tex\\a.jpg", PathReach.SHARED),  # P: is declared shared below
    ("\\\\?\\C:\\Users\\artist\\a.jpg", PathReach.USER_PROFILE),
    ("\\\\?\\UNC\\fs\\tex\\a.jpg", PathReach.SHARED),
    ("\\\\?\\unc\\127.0.0.1\\tex\\a.jpg", PathReach.LOOPBACK),
    ("\\\\?\\UNC\\WS-042\\tex\\a.jpg", PathReach.WORKSTATION),
    ("\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\a.jpg", PathReach.LOCAL_DRIVE),
    ("tex\\a.jpg", PathReach.RELATIVE),
])
def test_windows_path_rules(path: str, reach: PathReach) -> None:
    assert classify(path, frozenset({"P:"}), WS) is reach


def test_without_a_workstation_name_its_shares_look_shared() -> None:
    assert classify("\\\\WS-042\\tex\\a.jpg") is PathReach.SHARED


def asset(path: str, resolved: str | None) -> AssetFact:
    return AssetFact(path=path, kind=AssetKind.BITMAP, owner_class="BitmapTexture",
                     resolved_path=resolved)


@pytest.mark.parametrize(("path", "resolved", "reach"), [
    ("oak.jpg", "\\\\fs\\tex\\oak.jpg", PathReach.RELATIVE),  # found here proves nothing
    ("\\\\old\\tex\\oak.jpg", "\\\\fs\\tex\\oak.jpg", PathReach.MAP_PATHS),
    ("D:\\tex\\oak.jpg", "\\\\fs\\tex\\oak.jpg", PathReach.MAP_PATHS),
    ("\\\\fs\\tex\\oak.jpg", "\\\\FS\\Tex\\OAK.jpg", PathReach.SHARED),  # one file, any case
    ("\\\\fs/tex/oak.jpg", "\\\\fs\\tex\\oak.jpg", PathReach.SHARED),
])
def test_the_server_looks_where_the_scene_says(path: str, resolved: str,
                                               reach: PathReach) -> None:
    assert server_reach(asset(path, resolved), frozenset()) is reach
