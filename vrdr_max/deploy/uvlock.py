"""The pinned runtime dependencies in the project's ``uv.lock``: names, versions, wheel hashes.

Only what the bundle builder needs is read: each ``[[package]]`` entry's name, version,
``dependencies`` (name, version, environment marker) and ``wheels`` (url + sha256). ``tomllib``
is not in Python 3.10, so the few fields are read with patterns matching the layout uv writes
(one dependency per line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vrdr_max.atomic import read_bytes_snapshot
from vrdr_max.errors import InputError

_FIELD = r'^{key} = "([^"]*)"$'
_ARRAY = r"^{key} = \[\n(.*?)^\]$"
_DEP = re.compile(r'^\s*\{ name = "([^"]+)"(.*)$', re.M)
_DEP_VERSION = re.compile(r'\bversion = "([^"]+)"')
_DEP_MARKER = re.compile(r'\bmarker = "([^"]+)"')
_WHEEL = re.compile(r'\{ url = "([^"]+\.whl)", hash = "sha256:([0-9a-f]{64})"')


def normalize(name: str) -> str:
    """A distribution name in its comparable form (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class LockedWheel:
    """One wheel file the lock records."""

    filename: str
    url: str
    sha256: str


@dataclass(frozen=True)
class LockedDependency:
    """One entry of a package's ``dependencies``.

    The version and the environment marker are there when the lock gives them (a dependency
    split by Python version names both).
    """

    name: str
    version: str | None = None
    marker: str | None = None


@dataclass(frozen=True)
class LockedPackage:
    """One pinned distribution."""

    name: str
    version: str
    dependencies: tuple[LockedDependency, ...]
    wheels: tuple[LockedWheel, ...]


def _field(block: str, key: str) -> str | None:
    m = re.search(_FIELD.format(key=key), block, re.M)
    return m.group(1) if m else None


def _array(block: str, key: str) -> str:
    m = re.search(_ARRAY.format(key=key), block, re.M | re.S)
    return m.group(1) if m else ""


def read_lock(path: Path) -> list[LockedPackage]:
    """Every package of a ``uv.lock`` file.

    Raises:
        InputError: the file is missing or has no package entries.
    """
    data = read_bytes_snapshot(path).data  # refuses a FIFO (which would block), devices, folders
    if data is None:
        raise InputError(f"cannot read the lock file {path}: no such file")
    text = data.decode("utf-8", errors="replace")
    packages = []
    for chunk in text.split("\n[[package]]\n")[1:]:
        block = re.split(r"^\[", chunk, maxsplit=1, flags=re.M)[0]  # up to the first sub-table
        name, version = _field(block, "name"), _field(block, "version")
        if name is None or version is None:
            continue
        deps = tuple(_dependency(n, rest)
                     for n, rest in _DEP.findall(_array(block, "dependencies")))
        wheels = tuple(LockedWheel(url.rsplit("/", 1)[-1], url, sha)
                       for url, sha in _WHEEL.findall(_array(block, "wheels")))
        packages.append(LockedPackage(normalize(name), version, deps, wheels))
    if not packages:
        raise InputError(f"{path}: no [[package]] entries (not a uv.lock file?)")
    return packages


def _dependency(name: str, rest: str) -> LockedDependency:
    version, marker = _DEP_VERSION.search(rest), _DEP_MARKER.search(rest)
    return LockedDependency(normalize(name), version.group(1) if version else None,
                            marker.group(1) if marker else None)


def marker_applies(marker: str | None, environment: Mapping[str, str]) -> bool:
    """Whether a dependency with this PEP 508 marker is needed in ``environment`` (no marker: yes).

    Raises:
        InputError: the marker is not PEP 508.
    """
    if marker is None:
        return True
    from packaging.markers import InvalidMarker, Marker  # noqa: PLC0415 - bundle builds only

    try:
        return Marker(marker).evaluate(dict(environment))
    except InvalidMarker as exc:
        raise InputError(f"the lock file has a marker that is not PEP 508: {marker}: "
                         f"{exc}") from None


def runtime_closure(packages: list[LockedPackage], project: str,
                    environment: Mapping[str, str]) -> list[LockedPackage]:
    """``project``'s runtime dependencies and theirs, sorted by name (not the project itself).

    Args:
        packages: the lock's packages.
        project: the root.
        environment: PEP 508 marker variables of the target (a Python on Windows): only the
            dependencies whose marker holds there are followed, so a package the lock splits
            by Python version gets the version for that Python.

    Raises:
        InputError: the project is not in the lock, or a dependency is missing or ambiguous.
    """
    by_name: dict[str, list[LockedPackage]] = {}
    for p in packages:
        by_name.setdefault(p.name, []).append(p)

    def pick(name: str, version: str | None) -> LockedPackage:
        found = [p for p in by_name.get(name, []) if version is None or p.version == version]
        if len(found) != 1:
            what = "not in" if not found else "ambiguous in"
            raise InputError(f"dependency {name}{'==' + version if version else ''} is "
                             f"{what} the lock file")
        return found[0]

    root = pick(normalize(project), None)
    seen: dict[str, LockedPackage] = {}
    todo = list(root.dependencies)
    while todo:
        dep = todo.pop()
        if not marker_applies(dep.marker, environment):
            continue
        pkg = pick(dep.name, dep.version)
        if dep.name in seen:
            if seen[dep.name] != pkg:  # two versions needed at once: the lock is not for it
                raise InputError(f"dependency {dep.name} is needed as {seen[dep.name].version} "
                                 f"and {pkg.version} in one environment")
            continue
        seen[dep.name] = pkg
        todo.extend(pkg.dependencies)
    return sorted(seen.values(), key=lambda p: p.name)
