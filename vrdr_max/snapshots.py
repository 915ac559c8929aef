"""How vrdr reads a user's file: regular files only, bounded, as a snapshot a save checks against.

Only regular files (or links to one) are read: a folder, device, FIFO or socket is refused before
it is opened, and reads are bounded (:data:`MAX_CFG_BYTES` for a V-Ray cfg, :data:`MAX_FILE_BYTES`
for the rest). A :class:`FileSnapshot` holds the bytes read with the file's stat identity: the
conflict check of ``vrdr_max.atomic.atomic_write``, which replaces the file, compares against
it. Reading needs none of the writer's code (locks, temp files, fsync), so a command that only
reads (``vrdr cfg show``) does not load it; ``vrdr_max.atomic`` re-exports every name here.
"""

from __future__ import annotations

import os
import stat
from collections import namedtuple
from pathlib import Path

from vrdr_max.errors import InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import NamedTuple

DEFAULT_BACKUP_SUFFIX = ".vrdr.bak"
"""Appended to the file name for the copy of the previous content (``vray_dr.cfg.vrdr.bak``)
that a save keeps (``vrdr_max.atomic``)."""

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest file vrdr reads other than a V-Ray cfg (sidecar, studio file, manifest, scene
description): a scene description of 100,000 nodes is about 17 MB; anything bigger is refused
rather than read into memory."""

MAX_CFG_BYTES = 4 * 1024 * 1024
"""Largest V-Ray cfg vrdr reads: about 130,000 server lines (a 10,000-server cfg is 0.3 MB).
The cfg parser needs about 1.5 s and 70 MB per MB of cfg, so :data:`MAX_FILE_BYTES` would let a
wrong file cost minutes and gigabytes."""

_CHUNK = 1 << 20
_O_BINARY: int = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate newlines.
_O_NONBLOCK: int = getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the stat cannot block
_O_NOCTTY: int = getattr(os, "O_NOCTTY", 0)
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))

# The record below is a named tuple, not a dataclass: reading or saving a cfg must not import
# dataclasses (and with it inspect), a cost every `vrdr` command would pay at start.
if TYPE_CHECKING:
    class _SnapshotFields(NamedTuple):
        path: Path
        data: bytes | None
        size: int = 0
        mtime_ns: int = 0
        mode: int = 0
        uid: int = -1
        gid: int = -1
else:
    _SnapshotFields = namedtuple("_SnapshotFields", "path data size mtime_ns mode uid gid",
                                 defaults=(0, 0, 0, -1, -1))


class FileSnapshot(_SnapshotFields):
    """What a file held when it was read: its bytes and stat identity, or "absent".

    Attributes:
        path: the file.
        data: its content, or None when the file did not exist.
        size: byte count (0 when absent).
        mtime_ns: modification time in nanoseconds (0 when absent).
        mode: permission bits (0 when absent).
        uid: owner's user id (-1 when absent or unknown).
        gid: owner's group id (-1 when absent or unknown).
    """

    __slots__ = ()

    @property
    def exists(self) -> bool:
        """True when the file existed when the snapshot was taken."""
        return self.data is not None

    def same_content(self, other: FileSnapshot) -> bool:
        """True when both snapshots saw the same bytes (or both saw no file)."""
        return self.data == other.data



def check_regular_file(path: str | os.PathLike[str], *,
                       max_bytes: int = MAX_FILE_BYTES) -> os.stat_result | None:
    """Stat a file vrdr is about to read or write, without opening it.

    Args:
        path: the file; a symlink is followed.
        max_bytes: the largest size accepted.

    Returns:
        Its stat, or None when nothing is at ``path``.

    Raises:
        InputError: a dangling link or link loop, something other than a regular file (folder,
            device, FIFO, socket), or a file larger than ``max_bytes``.
    """
    return _stat_regular(os.fspath(path), max_bytes)[0]


def _stat_regular(target: str, max_bytes: int) -> tuple[os.stat_result | None, bool]:
    """:func:`check_regular_file`, and whether ``target`` is a symlink (one ``lstat``)."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None, False
    except OSError as exc:
        raise InputError(f"cannot use {target}: {exc.strerror or exc}") from None
    link = stat.S_ISLNK(info.st_mode)
    if link:
        try:
            info = os.stat(target)
        except FileNotFoundError:
            raise InputError(f"{target} is a link to {os.readlink(target)}, which does not "
                             "exist; create that file or remove the link") from None
        except OSError as exc:
            raise InputError(f"{target} is a link that cannot be followed: "
                             f"{exc.strerror or exc}") from None
    _require_regular(target, info, max_bytes)
    return info, link


def _require_regular(target: str | Path, info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "a special file")
        raise InputError(f"{target} is {kind}, not a regular file; vrdr reads and writes only "
                         "regular files")
    if info.st_size > max_bytes:
        raise InputError(f"{target} is {info.st_size} bytes, larger than any file vrdr reads "
                         f"there ({max_bytes} bytes); is it the right file?")


def read_bytes_snapshot(path: str | os.PathLike[str], *,
                        max_bytes: int = MAX_FILE_BYTES) -> FileSnapshot:
    """Read a file's bytes together with its stat identity.

    Args:
        path: the file; a missing file gives a snapshot of "absent".
        max_bytes: the largest size read (:data:`MAX_CFG_BYTES` for a V-Ray cfg).

    Returns:
        The snapshot.

    Raises:
        InputError: the path is not a regular file (see :func:`check_regular_file`), too big,
            or cannot be read.
    """
    target = os.fspath(path)
    # Looked up at call time, so a test can stand in for a file swapped after the stat.
    if check_regular_file(target, max_bytes=max_bytes) is None:
        return FileSnapshot(path=Path(target), data=None)
    try:
        fd = os.open(target, os.O_RDONLY | _O_BINARY | _O_NONBLOCK | _O_NOCTTY)
    except FileNotFoundError:
        return FileSnapshot(path=Path(target), data=None)
    except PermissionError:
        raise InputError(f"{target} is not readable (permission denied)") from None
    except OSError as exc:
        raise InputError(f"cannot read {target}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        _require_regular(target, info, max_bytes)  # swapped for another kind since the stat
        data = _read_bounded(fd, info.st_size, max_bytes)
    except OSError as exc:
        raise InputError(f"cannot read {target}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(f"{target} grew beyond {max_bytes} bytes while it was read")
    return FileSnapshot(path=Path(target), data=data, size=len(data), mtime_ns=info.st_mtime_ns,
                        mode=stat.S_IMODE(info.st_mode), uid=info.st_uid, gid=info.st_gid)


def _read_bounded(fd: int, size: int, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of ``fd``, without a buffer of ``max_bytes``.

    Reads the ``size`` fstat gave plus one byte, then more in chunks only if the file grew.
    """
    limit = max_bytes + 1
    parts: list[bytes] = []
    total = 0
    want = min(size + 1, limit)
    while total < limit:
        chunk = os.read(fd, want)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = min(_CHUNK, limit - total)
    return b"".join(parts)


