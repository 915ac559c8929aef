r"""The client's file system as the mock sees it: Windows paths, any case, ``\`` or ``/``."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from itertools import compress, repeat
from operator import itemgetter
from typing import Any

_SEPARATOR_RUNS = re.compile(r"\\{2,}")
# ``C:\`` (an ASCII drive letter) or ``\\server``, either separator: one C call, since a
# scene read asks this 10,000s of times.
_ABSOLUTE = re.compile(r"[A-Za-z]:[\\/]|[\\/]{2}").match


def normalize(path: str) -> str:
    """Backslashes, no duplicate separators (a UNC prefix keeps its two), no trailing separator."""
    p = path.replace("/", "\\")
    unc = p.startswith("\\\\")
    body = p[2:] if unc else p
    if "\\\\" in body:  # most paths have none: no regex for them (a scene reads 10,000s)
        body = _SEPARATOR_RUNS.sub(r"\\", body)
    out = ("\\\\" + body) if unc else body
    if len(out) > 3 and out.endswith("\\"):  # keep "C:\" as it is
        out = out.rstrip("\\")
    return out


def key(path: str) -> str:
    """The comparison key of a path: normalized and case-folded, as Windows compares."""
    return normalize(path).casefold()


def is_absolute(path: str) -> bool:
    r"""True for ``C:\...`` and ``\\server\share\...`` paths."""
    return _ABSOLUTE(path) is not None


def join(folder: str, name: str) -> str:
    r"""``folder\name`` with one separator."""
    return normalize(folder).rstrip("\\") + "\\" + normalize(name).lstrip("\\")


def basename(path: str) -> str:
    """The last path component."""
    return normalize(path).rsplit("\\", 1)[-1]


class VirtualFiles:
    """The set of files that exist on the client; folders exist when a file lies under them."""

    def __init__(self, paths: Iterable[str] = ()) -> None:
        self._files: dict[str, str] = {}
        # The folders, made from the files when first asked (a scene check asks for none):
        # folder key -> how many files are under it, and folder key -> name key -> path.
        self._dirs: dict[str, int] | None = None
        self._in_folder: dict[str, dict[str, str]] | None = None
        # A path as it was given -> its key: a scene asks about its files as it lists them,
        # and a lookup by the same text needs no normalizing (the key decides, as always).
        self._spelled: dict[str, str] = {}
        # The file names (keys) in any folder, made when first asked, dropped on a change.
        self._names: set[str] | None = None
        given = list(paths)
        fulls = _normalized(given)
        keys = list(map(str.casefold, fulls))
        files = dict(zip(keys, fulls, strict=True))
        if len(files) == len(keys):  # each file listed once (a scene's 10,000s: C speed)
            self._files = files
            self._spelled = dict(zip(given, keys, strict=True))
            return
        for p, full, k in zip(given, fulls, keys, strict=True):  # the first spelling stays
            if k not in self._files:
                self._files[k] = full
                self._spelled[p] = k

    def _folders(self) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
        """The folder counts and each folder's files, made from the files when first asked."""
        if self._dirs is None or self._in_folder is None:
            dirs: dict[str, int] = {}
            in_folder: dict[str, dict[str, str]] = {}
            # (folder key, separator) -> [a file key in it, files in it]: a key with no
            # separator ("a.jpg", "c:") has no parents, one under the root ("\\a.jpg") has
            # the root, though both are in folder "".
            added: dict[tuple[str, str], list[Any]] = {}
            for k, full in self._files.items():
                folder, sep, name = k.rpartition("\\")
                counted = added.get((folder, sep))
                if counted is None:
                    counted = added[folder, sep] = [k, 0]
                counted[1] += 1
                if sep:  # a key with no separator is in no folder a path names
                    in_folder.setdefault(folder, {})[name] = full
            # The parents of each folder once, with its count (every file of a folder has the
            # same parents).
            for k, count in added.values():
                for d in _parents(k):
                    dirs[d] = dirs.get(d, 0) + count
            self._dirs, self._in_folder = dirs, in_folder
        return self._dirs, self._in_folder

    def _put(self, path: str) -> str | None:
        """List ``path`` without counting it in its parents; its key, None if listed already."""
        full = normalize(path)
        k = full.casefold()
        if k in self._files:
            return None
        self._files[k] = full
        self._spelled[path] = k
        folder, sep, name = k.rpartition("\\")
        if self._in_folder is not None and sep:
            self._in_folder.setdefault(folder, {})[name] = full
        self._names = None
        return k

    def add(self, path: str) -> None:
        """Make ``path`` exist (idempotent)."""
        k = self._put(path)
        if k is not None and self._dirs is not None:
            for d in _parents(k):
                self._dirs[d] = self._dirs.get(d, 0) + 1

    def remove(self, path: str) -> None:
        """Make ``path`` not exist; KeyError if it did not."""
        k = key(path)
        del self._files[k]
        self._spelled.pop(path, None)  # another spelling of it stays: its key is gone
        self._names = None
        folder, sep, name = k.rpartition("\\")
        if self._in_folder is not None and sep:
            del self._in_folder[folder][name]
        if self._dirs is not None:
            for d in _parents(k):
                self._dirs[d] -= 1
                if not self._dirs[d]:
                    del self._dirs[d]

    def exists(self, path: str) -> bool:
        """True for a listed file or a folder holding one (like ``doesFileExist``)."""
        k = key(path)
        return k in self._files or k in self._folders()[0]

    def is_file(self, path: str) -> bool:
        """True for a listed file only."""
        k = self._spelled.get(path)
        return (k is not None and k in self._files) or key(path) in self._files

    def found_as_given(self, path: str) -> bool:
        """True for an absolute path that names a listed file: ``is_absolute and is_file``.

        One call for ``runtime.resolve_map_path``'s first answer, the path as it is: a scene's
        read asks for each of its 10,000s of maps.
        """
        k = self._spelled.get(path)
        if k is None or k not in self._files:
            k = key(path)
        return k in self._files and _ABSOLUTE(path) is not None

    def holds_name(self, name: str) -> bool:
        """True when a listed file, in any folder, is called ``name`` (any case).

        A path whose last part is no listed file's name is no file, wherever it is looked
        for (``runtime.resolve_map_path``: a missing map's every search folder at once).
        """
        if self._names is None:  # the last part of each key (its folder's name key)
            self._names = set(map(itemgetter(2), map(str.rpartition, self._files,
                                                     repeat("\\"))))
        return name.casefold() in self._names

    def matching(self, folder: str, wildcard: str) -> list[str]:
        """Files directly in ``folder`` whose name matches ``*``/``?`` wildcards, any case."""
        names = self._folders()[1].get(key(folder).rstrip("\\"), {})
        pattern = wildcard.casefold()
        return sorted(p for name, p in names.items() if fnmatch.fnmatchcase(name, pattern))


def _normalized(paths: list[str]) -> list[str]:
    """``normalize`` of each path, called only where it could change one (C-speed tests).

    A path with no ``/``, no trailing separator and no two separators in a row after its
    first character (a UNC path's own two are at the start) is normalized already.
    """
    count = len(paths)
    everyone = range(count)
    changing = {*compress(everyone, map(str.__contains__, paths, repeat("/"))),
                *compress(everyone, map(str.endswith, paths, repeat("\\"))),
                *compress(everyone, map((-1).__ne__, map(str.find, paths, repeat("\\\\"),
                                                          repeat(1))))}
    out = list(paths)
    for i in changing:
        out[i] = normalize(out[i])
    return out


def _parents(k: str) -> Iterator[str]:
    parts = k.split("\\")
    start = 4 if k.startswith("\\\\") else 1  # \\server\share is the root of a UNC path
    for i in range(start, len(parts)):
        joined = "\\".join(parts[:i])
        yield joined + "\\" if i == 1 else joined  # a drive root is "c:\\"
