"""Can a render server reach a path the client uses? Windows path classification, no disk access."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum

from vrdr_max.errors import InputError, quote

_DRIVE = re.compile(r"^([A-Za-z]):(?:[\\/]|$)")
_PROFILE = re.compile(r"^[A-Za-z]:[\\/](users|documents and settings)[\\/]", re.IGNORECASE)
_ENV = re.compile(r"%(USERPROFILE|APPDATA|LOCALAPPDATA|TEMP|TMP|HOMEPATH)%", re.IGNORECASE)


class PathReach(str, Enum):
    """Whether a render server can open the same path."""

    SHARED = "shared"
    LOCAL_DRIVE = "local-drive"
    USER_PROFILE = "user-profile"
    RELATIVE = "relative"


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


def classify(path: str, shared_drives: frozenset[str] = frozenset()) -> PathReach:
    r"""Classify ``path`` as a server would see it.

    UNC paths (``\\server\share``) are shared; paths in a user profile never are (every user
    and every machine has its own); a drive letter is shared only when the studio declared it
    (mapped network drives such as ``P:`` exist on every machine of the farm).

    Args:
        path: the path as the client resolved it.
        shared_drives: drive letters declared shared, as returned by ``normalise_drives``.
    """
    text = path.strip()
    if text.startswith(("\\\\", "//")):
        return PathReach.SHARED
    if _ENV.search(text) or _PROFILE.match(text):
        return PathReach.USER_PROFILE
    drive = _DRIVE.match(text)
    if drive:
        letter = drive.group(1).upper() + ":"
        return PathReach.SHARED if letter in shared_drives else PathReach.LOCAL_DRIVE
    return PathReach.RELATIVE
