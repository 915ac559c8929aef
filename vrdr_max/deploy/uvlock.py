"""The pinned runtime dependencies in the project's ``uv.lock``: names, versions, wheel hashes.

Only what the bundle builder needs is read: each ``[[package]]`` entry's name, version,
``dependencies`` and ``wheels`` (url + sha256). ``tomllib`` is not in Python 3.10, so the few
fields are read with patterns matching the layout uv writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from vrdr_max.atomic import read_bytes_snapshot
from vrdr_max.errors import InputError

_FIELD = r'^{key} = "([^"]*)"$'
_ARRAY = r"^{key} = \[\n(.*?)^\]$"
_DEP = re.compile(r'\{ name = "([^"]+)"(?:, version = "([^"]+)")?')
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
class LockedPackage:
    """One pinned distribution."""

    name: str
    version: str
    dependencies: tuple[tuple[str, str | None], ...]
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
        deps = tuple((normalize(n), v or None)
                     for n, v in _DEP.findall(_array(block, "dependencies")))
        wheels = tuple(LockedWheel(url.rsplit("/", 1)[-1], url, sha)
                       for url, sha in _WHEEL.findall(_array(block, "wheels")))
        packages.append(LockedPackage(normalize(name), version, deps, wheels))
    if not packages:
        raise InputError(f"{path}: no [[package]] entries (not a uv.lock file?)")
    return packages


def runtime_closure(packages: list[LockedPackage], project: str) -> list[LockedPackage]:
    """``project``'s runtime dependencies and theirs, sorted by name (not the project itself).

    Environment markers are not evaluated: a dependency needed on any Python is included, which
    only adds a small pure-Python package where it is not needed.

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
        name, version = todo.pop()
        if name in seen:
            continue
        seen[name] = pkg = pick(name, version)
        todo.extend(pkg.dependencies)
    return sorted(seen.values(), key=lambda p: p.name)
