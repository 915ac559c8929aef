r"""Can a render server reach a path the client uses? Windows path classification, no disk access.

Rules (docs/checks.md, "Paths servers can reach"), each from Microsoft's "File path formats on
Windows systems" and "Naming Files, Paths, and Namespaces" unless noted:

* ``\\server\share\...`` is a share; a share on ``localhost``, a loopback address (also
  ``\\[::1]\``, the ``0--1.ipv6-literal.net`` form Windows uses for IPv6 in UNC names, and
  the short ``127.1`` forms Windows' address parser takes) names each server itself, and
  ``\\<this workstation>\`` names the artist's machine: neither is the farm's file server.
* DOS device paths: ``\\?\D:\...`` and ``\\.\D:\...`` are drive D:,
  ``\\?\UNC\server\share\...`` is a share, ``\\?\Volume{...}\`` a local volume.
* A path under a user profile never is shared; a drive letter is shared only when the studio
  declared it (mapped network drives such as ``P:`` exist on every machine of the farm).
* A relative path is resolved by each render server against its own folders (the DR setup
  guide's JUNGLEMAP.JPG note), so where the client found it proves nothing.
"""

from __future__ import annotations

import functools
import re
import socket
from collections.abc import Callable, Iterable
from enum import Enum

from vrdr_max.errors import InputError, quote
from vrdr_max.loopback import is_loopback

_DRIVE = re.compile(r"^([A-Za-z]):(?:[\\/]|$)")
_PROFILE = re.compile(r"^[A-Za-z]:[\\/](users|documents and settings)[\\/]", re.IGNORECASE)
_ENV = re.compile(r"%(USERPROFILE|APPDATA|LOCALAPPDATA|TEMP|TMP|HOMEPATH)%", re.IGNORECASE)
_UNC_DEVICE = re.compile(r"^UNC[\\/]", re.IGNORECASE)
_VOLUME = re.compile(r"^Volume\{", re.IGNORECASE)
_IPV6_LITERAL = ".ipv6-literal.net"
_SEPARATORS = ("\\", "/")
_TWO_SEPARATORS = frozenset(a + b for a in _SEPARATORS for b in _SEPARATORS)
_DEVICE_MARKS = ("?", ".")  # DOS device paths: \\?\ and \\.\ (one character each)
_INET_ATON = re.compile(r"^(?:0[xX][0-9a-fA-F]+|\d+)(?:\.(?:0[xX][0-9a-fA-F]+|\d+)){0,3}$")


class PathReach(str, Enum):
    """Whether a render server can open the same path."""

    SHARED = "shared"
    LOCAL_DRIVE = "local-drive"
    USER_PROFILE = "user-profile"
    RELATIVE = "relative"
    LOOPBACK = "loopback"
    WORKSTATION = "this-workstation"
    MAP_PATHS = "found-via-map-paths"


def normalise_drives(drives: Iterable[str]) -> frozenset[str]:
    r"""``["p", "Z:", "q:\"]`` -> ``{"P:", "Z:", "Q:"}``; the form ``classify`` compares with.

    Raises:
        InputError: for anything that is not one drive letter.
    """
    letters = set()
    for drive in drives:
        letter = drive.strip().rstrip("\\/").rstrip(":").upper()
        if len(letter) != 1 or not ("A" <= letter <= "Z"):
            raise InputError(f"shared drive {quote(drive)} is not a drive letter (e.g. P:)")
        letters.add(letter + ":")
    return frozenset(letters)


@functools.lru_cache(maxsize=1024)
def names_this_machine(host: str) -> bool:
    """True when a UNC host names the machine that opens the path (each server, itself)."""
    name = host.strip().strip("[]")
    if name.lower().endswith(_IPV6_LITERAL):
        # Windows writes IPv6 in UNC names as dashes for colons and "s" for "%".
        name = name[: -len(_IPV6_LITERAL)].replace("-", ":").replace("s", "%")
    if is_loopback(name):
        return True
    if _INET_ATON.match(name):
        try:  # "127.1", "0x7f.1", "2130706433": the forms Windows' inet_addr also accepts
            return socket.inet_aton(name)[0] == 127
        except OSError:
            return False
    return False


def _is_workstation(host: str, workstation: str) -> bool:
    name, own = host.strip().rstrip(".").lower(), workstation.strip().lower()
    return bool(own) and (name == own or name.split(".", 1)[0] == own)


def classify(path: str, shared_drives: frozenset[str] = frozenset(),
             workstation: str = "") -> PathReach:
    r"""Classify ``path`` as a render server would see it.

    Args:
        path: the path as the scene holds it.
        shared_drives: drive letters declared shared, as returned by ``normalise_drives``.
        workstation: this (the client) machine's network name; ``\\<name>\`` is on it.
    """
    text = path.strip()
    # Each rule is tried only where its first characters can match, by slices and set lookups
    # before any pattern: a scene's paths are classified 10,000s of times per read (the
    # adapter and the checks), most of them shares.
    if text[:2] in _TWO_SEPARATORS:
        if text[2:3] in _DEVICE_MARKS and text[3:4] in _SEPARATORS:  # \\?\ or \\.\
            rest = text[4:]
            if _VOLUME.match(rest):
                return PathReach.LOCAL_DRIVE
            text = "\\\\" + rest[4:] if _UNC_DEVICE.match(rest) else rest
        if text[:2] in _TWO_SEPARATORS:  # mixed too: Windows reads each "/" as a backslash
            return _share_reach(text, workstation)
    if "%" in text and _ENV.search(text):
        return PathReach.USER_PROFILE
    if text[1:2] == ":":
        if _PROFILE.match(text):
            return PathReach.USER_PROFILE
        drive = _DRIVE.match(text)
        if drive:
            letter = drive.group(1).upper() + ":"
            return PathReach.SHARED if letter in shared_drives else PathReach.LOCAL_DRIVE
    return PathReach.RELATIVE


def folder_classifier(shared_drives: frozenset[str] = frozenset(),
                      workstation: str = "") -> Callable[[str], PathReach]:
    """``classify`` for the many paths of one scene, worked out once per folder.

    Every rule reads the first four characters, the host of a share (up to its first
    separator), the folders of a profile, or a variable anywhere: a path with a separator
    after the first four characters, no ``%`` after it and that is no DOS device path has the
    reach of the folder up to that separator (with any file name). Other paths (here: any
    with a ``%``, or a ``?`` or ``.`` third) are classified whole. One per scene read or
    check run: it keeps that scene's folders.
    """
    folders: dict[str, PathReach] = {}
    device_marks = "".join(_DEVICE_MARKS)

    def reach(path: str) -> PathReach:
        text = path.strip()
        cut = text.rfind("\\")
        if "/" in text:
            cut = max(cut, text.rfind("/"))
        if cut < 3 or "%" in text or text[2] in device_marks:
            return classify(text, shared_drives, workstation)
        folder = text[:cut + 1]
        found = folders.get(folder)
        if found is None:  # any name stands for the file's: no rule reads past the folder
            found = folders[folder] = classify(folder + "x", shared_drives, workstation)
        return found

    return reach


def _share_reach(unc: str, workstation: str) -> PathReach:
    """A UNC path: a share, unless its host is each server itself or this workstation."""
    host = unc[2:].replace("/", "\\").partition("\\")[0]  # up to the first separator
    return _host_reach(host.split("@", 1)[0], workstation)  # host@SSL


@functools.lru_cache(maxsize=1024)
def _host_reach(host: str, workstation: str) -> PathReach:
    """What a UNC host names (a scene's paths name a few hosts thousands of times)."""
    if names_this_machine(host):
        return PathReach.LOOPBACK
    if _is_workstation(host, workstation):
        return PathReach.WORKSTATION
    return PathReach.SHARED


def same_path(a: str, b: str) -> bool:
    """True when two paths name one file as Windows compares them (either slash, any case)."""
    return a == b or a.replace("/", "\\").lower() == b.replace("/", "\\").lower()
