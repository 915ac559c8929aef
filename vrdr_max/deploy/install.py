r"""``vrdr install`` / ``vrdr uninstall``: copy the built package into an ApplicationPlugins folder.

3ds Max loads every application package in its ApplicationPlugins folders at start-up:
``%APPDATA%\Autodesk\ApplicationPlugins`` for one user and
``%ProgramData%\Autodesk\ApplicationPlugins`` for all users (max-plugin.md §1.1). Elsewhere there
is nothing to install into; ``ADSK_APPLICATION_PLUGINS`` on a Windows machine can point 3ds Max at
any folder instead. ``VRDR_APPLICATION_PLUGINS`` overrides the target (tests, staging shares).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vrdr_max.atomic import read_bytes_snapshot
from vrdr_max.deploy.package import (
    MANIFEST,
    PACKAGE_FOLDER,
    UPGRADE_CODE,
    is_our_package,
    read_manifest,
    swap_folder,
)
from vrdr_max.errors import InputError, quote

PLUGINS_ENV = "VRDR_APPLICATION_PLUGINS"
ADSK_ENV = "ADSK_APPLICATION_PLUGINS"  # honoured by 3ds Max since 2019 (max-plugin.md §1.1)
MAX_PACKAGE_FILE_BYTES = 256 * 1024 * 1024
"""Largest single file copied out of a package (its biggest, a compiled core, is about 5 MB)."""


@dataclass(frozen=True)
class InstallResult:
    """Where the package went and which start-up component 3ds Max ``year`` will run."""

    target: Path
    replaced: bool
    year: int | None
    components: tuple[str, ...]


def plugins_dir(all_users: bool, env: Mapping[str, str] | None = None,
                platform: str | None = None) -> Path | None:
    """The ApplicationPlugins folder to use, or None off Windows (without the override)."""
    env = os.environ if env is None else env
    if env.get(PLUGINS_ENV):
        return Path(env[PLUGINS_ENV])
    if (platform or sys.platform) != "win32":
        return None
    base = env.get("ProgramData" if all_users else "APPDATA")
    if not base:
        raise InputError(f"%{'ProgramData' if all_users else 'APPDATA'}% is not set")
    return Path(base) / "Autodesk" / "ApplicationPlugins"


def not_windows_hint(bundle: Path | None) -> str:
    """What to do where there is no ApplicationPlugins folder to copy into."""
    where = str(bundle) if bundle else f"the built {PACKAGE_FOLDER} folder"
    return (f"no ApplicationPlugins folder on this system ({sys.platform}). On the 3ds Max "
            f"machine, copy {where} into %APPDATA%\\Autodesk\\ApplicationPlugins (or "
            f"%ProgramData%\\... for all users), or set {ADSK_ENV} to the folder that holds it; "
            f"set {PLUGINS_ENV} to install into another folder from here")


def _year(req: ET.Element, attribute: str, default: int) -> int:
    text = req.get(attribute)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise InputError(f"{MANIFEST}: {attribute} {quote(text)} is not a year (like 2024)")
    return int(text)


def series(element: ET.Element) -> tuple[int, int]:
    """The release years of an element's ``RuntimeRequirements`` (open when it has none).

    Raises:
        InputError: ``SeriesMin`` or ``SeriesMax`` is not a four-digit year.
    """
    req = element.find("RuntimeRequirements")
    if req is None:
        return 0, 9999
    return _year(req, "SeriesMin", 0), _year(req, "SeriesMax", 9999)


def components_for(root: ET.Element, year: int) -> list[str]:
    """Module paths 3ds Max ``year`` loads, in manifest order (ranges that include it)."""
    out: list[str] = []
    for comp in root.iter("Components"):
        lo, hi = series(comp)
        if lo <= year <= hi:
            out.extend(e.get("ModuleName", "") for e in comp.iter("ComponentEntry"))
    return out


def default_bundle() -> Path | None:
    """The package this ``vrdr_max`` runs from (``Contents/python/vrdr_max/deploy``), if any."""
    root = Path(__file__).resolve().parents[4]
    return root if (root / MANIFEST).is_file() else None


def copy_package(bundle: Path, dest: Path) -> int:
    """Copy the package's folders and regular files to ``dest`` (created); returns the file count.

    Nothing is followed out of the package: a link is copied as the file it points at only when
    that is a regular file inside the package; a link to a folder (a loop), to something
    outside, or to a device, and any FIFO, device or socket, stop the copy with an error.

    Raises:
        InputError: such an entry (the partial copy is the caller's to discard).
        OSError: the copy failed.
    """
    root = bundle.resolve()
    count = 0
    todo = [(bundle, dest)]
    while todo:  # one visit per real folder: links are never entered, so no loop
        src_dir, dest_dir = todo.pop()
        dest_dir.mkdir()
        with os.scandir(src_dir) as entries:
            listed = sorted(entries, key=lambda e: e.name)
        for entry in listed:
            path = Path(entry.path)
            if entry.is_symlink():
                try:
                    real = Path(os.path.realpath(path, strict=True))
                    regular = stat.S_ISREG(real.stat().st_mode)
                except OSError:  # dangling, or a loop of links
                    real, regular = path, False
                if not regular or not real.is_relative_to(root):
                    raise InputError(f"{path} is a link to {path.readlink()}; a package is "
                                     "copied only with its own regular files")
                source = real
            elif entry.is_dir(follow_symlinks=False):
                todo.append((path, dest_dir / entry.name))
                continue
            else:
                source = path
            data = read_bytes_snapshot(source, max_bytes=MAX_PACKAGE_FILE_BYTES).data
            if data is None:
                raise InputError(f"{path} disappeared while the package was copied")
            (dest_dir / entry.name).write_bytes(data)
            count += 1
    return count


def install(bundle: Path, target_dir: Path, *, year: int | None = None) -> InstallResult:
    """Copy ``bundle`` to ``target_dir/vrdr-max.bundle``, replacing an older copy.

    The copy is made next to the target and swapped in; the old copy stays until then.

    Raises:
        InputError: not a built package, ``year`` outside the package's range, something other
            than vrdr-max's package folder at the target (a link, a file, another package), or
            the copy failed.
    """
    root = read_manifest(bundle)
    comps: tuple[str, ...] = ()
    if year is not None:
        lo, hi = series(root)
        if not lo <= year <= hi:
            raise InputError(f"--max-version {year}: this package supports 3ds Max {lo}-{hi}")
        comps = tuple(components_for(root, year))
    target = target_dir / PACKAGE_FOLDER
    if target.resolve() == bundle.resolve():
        raise InputError(f"{bundle} is already the installed package")
    if target_dir.resolve().is_relative_to(bundle.resolve()):
        # The copy would land inside what it copies, and grow until the disk is full.
        raise InputError(f"cannot install into {target_dir}: it is inside the package {bundle}")
    replaced = is_our_package(target)  # never replace what is not ours
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".vrdr-install-", dir=target_dir))
    except OSError as exc:
        raise InputError(f"cannot install into {target_dir}: {exc.strerror or exc}") from None
    try:
        copy_package(bundle, tmp / PACKAGE_FOLDER)
        swap_folder(tmp / PACKAGE_FOLDER, target, tmp / "previous")
    except OSError as exc:
        outcome = ("the previous package is kept (is a 3ds Max running from it?)" if replaced
                   else "nothing installed")
        raise InputError(f"cannot install into {target_dir}: {exc.strerror or exc}; "
                         f"{outcome}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return InstallResult(target, replaced, year, comps)


def uninstall(target_dir: Path) -> Path | None:
    """Remove ``target_dir/vrdr-max.bundle``; returns it, or None when nothing was installed.

    Raises:
        InputError: what is there is not the vrdr-max package folder (left alone), or it
            cannot be removed.
    """
    target = target_dir / PACKAGE_FOLDER
    if not is_our_package(target):
        return None
    # Moved aside in one rename first: a file 3ds Max holds open then stops the removal before
    # anything is gone, instead of leaving half a package for the next start.
    try:
        aside = Path(tempfile.mkdtemp(prefix=".vrdr-uninstall-", dir=target_dir))
    except OSError as exc:
        raise InputError(f"cannot remove {target}: {exc.strerror or exc}") from None
    try:
        target.replace(aside / PACKAGE_FOLDER)
    except OSError as exc:
        aside.rmdir()
        raise InputError(f"cannot remove {target}: {exc.strerror or exc}; nothing removed (is a "
                         "3ds Max running from it?)") from None
    shutil.rmtree(aside, ignore_errors=True)
    return target


__all__ = ["ADSK_ENV", "PLUGINS_ENV", "UPGRADE_CODE", "InstallResult", "components_for",
           "copy_package", "default_bundle", "install", "not_windows_hint", "plugins_dir",
           "read_manifest", "series", "uninstall"]
