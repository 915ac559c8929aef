"""What makes a folder vrdr-max's application package, and how one package folder replaces another.

``vrdr bundle`` (its ``--out``) and ``vrdr install``/``uninstall`` (their target) replace or
remove only a real folder whose ``PackageContents.xml`` carries vrdr-max's ``UpgradeCode``.
"""

from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

from vrdr_max.atomic import read_bytes_snapshot
from vrdr_max.errors import InputError

PACKAGE_FOLDER = "vrdr-max.bundle"
MANIFEST = "PackageContents.xml"  # the package's manifest, as 3ds Max names it
UPGRADE_CODE = "{6C0E2B5A-3D8F-4A7B-9E61-2F4D8C1B7A90}"
"""package.xml's ``UpgradeCode``: what makes a folder vrdr-max's, whatever its version."""

MAX_MANIFEST_BYTES = 1024 * 1024
"""Largest ``PackageContents.xml`` read (vrdr-max's is about 2 KB)."""


def parse_manifest(data: bytes, where: Path | str) -> ET.Element:
    """The root element of a manifest's bytes.

    Raises:
        InputError: not XML.
    """
    try:
        return ET.fromstring(data)  # noqa: S314 - a bounded read of a package's own manifest
    except ET.ParseError as exc:
        raise InputError(f"{where}: {exc}") from None


def read_manifest(bundle: Path) -> ET.Element:
    """The ``PackageContents.xml`` of a built vrdr-max package.

    Only a regular file is read (a FIFO there would block, a device never end); a link is
    refused, so a folder cannot pass for vrdr-max's by pointing at its manifest.

    Raises:
        InputError: the folder is not a built vrdr-max package.
    """
    path = bundle / MANIFEST
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise InputError(f"{bundle} is not a built package ({MANIFEST}: "
                         f"{exc.strerror or exc})") from None
    if stat.S_ISLNK(info.st_mode):
        raise InputError(f"{path} is a link; a built package's manifest is a regular file")
    data = read_bytes_snapshot(path, max_bytes=MAX_MANIFEST_BYTES).data
    if data is None:
        raise InputError(f"{bundle} is not a built package (no {MANIFEST})")
    root = parse_manifest(data, path)
    if root.tag != "ApplicationPackage" or root.get("UpgradeCode") != UPGRADE_CODE:
        raise InputError(f"{path} is not the vrdr-max package manifest (another UpgradeCode)")
    return root


def is_our_package(target: Path) -> bool:
    """Whether vrdr-max's package is at ``target``; only a real folder of ours counts.

    Raises:
        InputError: something else is there (a link, a file, another package): left alone.
    """
    if target.is_symlink():
        raise InputError(f"{target} is a link to {target.readlink()}; vrdr replaces or "
                         "removes only the package folder itself: remove the link yourself")
    if not target.exists():
        return False
    read_manifest(target)
    return True


def swap_folder(new: Path, target: Path, aside: Path) -> None:
    """Put the folder ``new`` at ``target``, keeping the old one until the swap went through.

    An existing ``target`` is moved to ``aside`` first and comes back if the swap fails, so a
    failure leaves the old folder rather than none.

    Raises:
        OSError: a rename failed (on Windows, typically a file inside is open).
    """
    had_one = target.exists()
    if had_one:
        target.replace(aside)
    try:
        new.replace(target)
    except OSError:
        if had_one:
            aside.replace(target)
        raise
