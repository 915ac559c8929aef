"""Crash-safe file replacement with a conflict check: how vrdr writes a user's file.

Only regular files (or links to one) are written: a folder, device, FIFO or socket is refused
before it is opened. A save writes a temp file next to the target, gives it the target's owner
and permission bits, fsyncs it, and swaps it in with ``os.replace``; the previous content then
becomes the backup. A process killed at any point leaves the target holding either the old or
the new bytes, never a mix or nothing. vrdr's own writers take an OS file lock, and when the
caller passes the snapshot it read, the write is refused if someone else (V-Ray's Render
Servers dialog, a farm script, another vrdr) changed the file in the meantime.

Reading, bounded, into that :class:`FileSnapshot` lives in ``vrdr_max.snapshots``, so a command
that only reads (``vrdr cfg show``) loads none of the writer's code; its names are re-exported
here.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
import time
from collections import namedtuple
from pathlib import Path

from vrdr_max.errors import CfgConflictError, InputError
from vrdr_max.snapshots import (
    _CHUNK,
    _O_BINARY,
    _O_NOCTTY,
    DEFAULT_BACKUP_SUFFIX,
    MAX_CFG_BYTES,
    MAX_FILE_BYTES,
    FileSnapshot,
    _stat_regular,
    check_regular_file,
    read_bytes_snapshot,
)

try:
    import fcntl
except ImportError:  # Windows: filelock's LockFileEx, which every local file system has
    fcntl = None  # type: ignore[assignment]

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from types import TracebackType
    from typing import NamedTuple

    from filelock import BaseFileLock

__all__ = [  # with the names of vrdr_max.snapshots, re-exported
    "DEFAULT_BACKUP_SUFFIX",
    "LOCK_SUFFIX",
    "LOCK_TIMEOUT_S",
    "MAX_CFG_BYTES",
    "MAX_FILE_BYTES",
    "FileSnapshot",
    "WriteResult",
    "atomic_write",
    "check_regular_file",
    "check_writable",
    "own_backup_suffix",
    "read_bytes_snapshot",
    "restore_snapshot",
]


def own_backup_suffix(owner: str) -> str:
    """A backup suffix no other writer uses: ``.vrdr-<owner>-<date>-<time>-<random>.bak``.

    The backup under :data:`DEFAULT_BACKUP_SUFFIX` is replaced by the next save of the file,
    whoever makes it. A writer that must put the file back later (a submission, after its
    render) keeps the previous content under a name of its own, so that a save in between
    (another vrdr, V-Ray's dialog, a second 3ds Max) cannot replace it.
    """
    return f".vrdr-{owner}-{time.strftime('%Y%m%d-%H%M%S')}-{os.urandom(3).hex()}.bak"


LOCK_SUFFIX = ".vrdr.lock"
"""vrdr's writers serialise on ``.<name>.vrdr.lock`` next to the file (removed after the save)."""

LOCK_TIMEOUT_S = 10.0
"""How long a save waits for another vrdr's save of the same file before giving up."""

_LOCK_MODE = 0o666  # anyone who may edit the file may take its lock (root must not lock users out)
_NAME_ATTEMPTS = 16
_O_NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
_FD_CHMOD = os.chmod in os.supports_fd  # POSIX; Windows before Python 3.13 chmods by name


# The record below is a named tuple, not a dataclass: saving a cfg must not import dataclasses
# (and with it inspect), a cost every `vrdr` command would pay at start.
if TYPE_CHECKING:
    class _WriteFields(NamedTuple):
        path: Path
        backup: Path | None
        bytes_written: int
        snapshot: FileSnapshot
else:
    _WriteFields = namedtuple("_WriteFields", "path backup bytes_written snapshot")


class WriteResult(_WriteFields):
    """What :func:`atomic_write` did.

    Attributes:
        path: the file written.
        backup: where the previous content was copied, or None (no previous file, no backup).
        bytes_written: size of the new content.
        snapshot: the file as vrdr wrote it, for the next conflict check.
    """

    __slots__ = ()


def atomic_write(path: str | os.PathLike[str], data: bytes, *, expected: FileSnapshot | None,
                 backup_suffix: str | None = DEFAULT_BACKUP_SUFFIX) -> WriteResult:
    """Replace a file's content atomically, refusing to overwrite someone else's change.

    Args:
        path: the file to write (a symlink is followed: its target is replaced, the link stays).
        data: the complete new content.
        expected: the snapshot taken when the file was read; when the file no longer holds
            those bytes (or appeared/disappeared), nothing is written. None skips the check.
        backup_suffix: the previous content is kept as ``path + backup_suffix`` once the save
            has gone through; None keeps no backup.

    Returns:
        The path, the backup path (None when there was no previous file) and the byte count.

    Raises:
        CfgConflictError: the file changed on disk since ``expected`` was read, or another vrdr
            kept it locked for :data:`LOCK_TIMEOUT_S`.
        InputError: not a regular file, the folder or file is not writable, the file's owner
            cannot be kept, or the write failed.
    """
    # Paths are plain strings from here on: pathlib costs more than the system calls it wraps.
    target, info = _real_target(os.fspath(path))
    _check_writable(target, info)
    backup = target + backup_suffix if backup_suffix else None
    if backup is not None:
        _check_backup_slot(backup)
    with _locked(target):
        current = read_bytes_snapshot(target)
        if expected is not None:
            _check_unchanged(target, expected, current)
        temp, written = _write_temp(target, data, current)
        backup_temp: str | None = None
        try:
            # Another program may have saved while the temp was being written; look once more.
            if expected is not None:
                _check_unchanged(target, expected, read_bytes_snapshot(target))
            if backup is not None and current.data is not None:
                backup_temp = _backup_temp(target, backup, current)
            _replace(temp, target)
        except BaseException:
            _discard(temp)
            if backup_temp is not None:
                _discard(backup_temp)
            raise
        kept = backup_temp
        if backup is not None and backup_temp is not None:
            # Only now that the save went through does the old backup give way. Should this
            # rename fail, the previous content stays in the temp file, returned as the backup.
            with _Suppressed(InputError):
                _replace(backup_temp, backup)
                kept = backup
        _fsync_folder(os.path.dirname(target) or os.curdir)
    # What vrdr wrote, not a read of the file now: a program that saved right after the replace
    # must meet the next save's conflict check rather than become its expected content.
    snapshot = FileSnapshot(path=Path(target), data=data, size=len(data),
                            mtime_ns=written.st_mtime_ns, mode=stat.S_IMODE(written.st_mode),
                            uid=written.st_uid, gid=written.st_gid)
    return WriteResult(path=Path(target), backup=None if kept is None else Path(kept),
                       bytes_written=len(data), snapshot=snapshot)


def restore_snapshot(original: FileSnapshot, written: FileSnapshot | None) -> None:
    """Put a file back as ``original`` saw it, unless someone changed it after vrdr's write.

    Args:
        original: the file before vrdr wrote it (absent: the file vrdr created is removed).
        written: the file as vrdr left it, or None when the write never happened.

    Raises:
        CfgConflictError: the file holds neither ``original`` nor ``written``; it is left alone.
        InputError: the file cannot be written.
    """
    current = read_bytes_snapshot(original.path)
    if current.data == original.data:
        return  # the write never happened, or was already undone
    changed = CfgConflictError(f"{original.path} changed after vrdr wrote it; left as it is")
    if written is None or current.data != written.data:
        raise changed
    if original.data is not None:
        atomic_write(original.path, original.data, expected=current, backup_suffix=None)
        return
    with _locked(original.path):
        if read_bytes_snapshot(original.path).data != written.data or original.path.is_symlink():
            raise changed
        try:
            original.path.unlink()
        except OSError as exc:
            raise InputError(f"cannot remove {original.path}: {exc.strerror or exc}") from None


def check_writable(path: str | os.PathLike[str]) -> None:
    """Check, without writing, that :func:`atomic_write` could replace ``path``.

    Raises:
        InputError: not a regular file (or a dangling link), a missing or unwritable folder, or
            a read-only file.
    """
    _check_writable(*_real_target(os.fspath(path)))


def _real_target(path: str) -> tuple[str, os.stat_result | None]:
    """The file a save replaces and its stat (None when absent); refuses what is not regular."""
    # Replacing a symlink would turn it into a plain file; write where it points instead.
    info, link = _stat_regular(path, MAX_FILE_BYTES)
    return (os.path.realpath(path) if link else path), info


def _check_writable(target: str, info: os.stat_result | None) -> None:
    folder = os.path.dirname(target) or os.curdir
    if not os.access(folder, os.W_OK | os.X_OK):
        if not os.path.isdir(folder):
            raise InputError(f"cannot write {target}: folder {folder} does not exist")
        raise InputError(f"cannot write {target}: folder {folder} is not writable")
    if info is None:
        return
    # A file without any write bit is read-only on purpose (Windows' read-only attribute maps
    # to this), even for an administrator whom os.access would let through.
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise InputError(f"cannot write {target}: the file is read-only")


def _check_backup_slot(backup: str) -> None:
    # The backup name is vrdr's, but whatever sits there must not be a folder or a device.
    try:
        info = os.lstat(backup)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot keep a backup as {backup}: {exc.strerror or exc}") from None
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise InputError(f"cannot keep a backup as {backup}: something other than a file is "
                         "there; move it away")


def _locked(target: str | os.PathLike[str]) -> _Lock:
    """The lock of vrdr's writers on ``target``, held for a ``with`` block (:class:`_Lock`)."""
    return _Lock(os.fspath(target))


class _Lock:
    """Serialises vrdr's own writers (other programs are caught by the content comparison).

    ``flock`` on ``.<name>.vrdr.lock`` next to the file; filelock's lock where flock is missing
    (Windows, a file system without it). A class, not ``contextlib.contextmanager``: importing
    contextlib would cost every save at start.
    """

    __slots__ = ("_fd", "_filelock", "_lock_path", "_target")

    def __init__(self, target: str) -> None:
        self._target = target
        self._lock_path = ""
        self._fd: int | None = None
        self._filelock: BaseFileLock | None = None

    def __enter__(self) -> None:
        folder, name = os.path.split(self._target)
        lock_name = f".{name}{LOCK_SUFFIX}"
        self._lock_path = os.path.join(folder, lock_name)
        self._fd = (_flock(self._target, self._lock_path, lock_name) if fcntl is not None
                    else None)
        if self._fd is None:  # Windows, or a file system without flock: filelock's lock
            self._filelock = _filelock_acquire(self._target, self._lock_path, lock_name)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        fd, filelock, self._fd, self._filelock = self._fd, self._filelock, None, None
        # Removed while still held, so the user's folder keeps no litter: a writer waiting on
        # this file finds it unlinked once it gets the lock and takes a fresh one. Windows
        # refuses while filelock holds it, and filelock removes it there on release.
        with _Suppressed(OSError):
            os.unlink(self._lock_path)
        if fd is not None:
            os.close(fd)  # drops the flock
        elif filelock is not None:
            filelock.release()


class _Suppressed:
    """``contextlib.suppress`` for this module: importing contextlib would cost every save."""

    __slots__ = ("_kinds",)

    def __init__(self, *kinds: type[BaseException]) -> None:
        self._kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> bool:
        return kind is not None and issubclass(kind, self._kinds)


_LOCK_POLL_S = 0.05
"""How often a save waiting for another vrdr's lock tries again."""

_BUSY = frozenset({errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK})
_NO_FLOCK = frozenset({errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOLCK})


def _flock(target: str | os.PathLike[str], lock_path: str, lock_name: str) -> int | None:
    """Take the ``flock`` on ``lock_path``; its descriptor, or None where flock is missing.

    ``flock`` (POSIX) is what filelock takes too, on the same file, so writers of either kind
    exclude each other; taking it directly spares every save filelock's import (tens of ms).
    Each call opens its own descriptor, so threads of this process exclude each other as well.

    Raises:
        CfgConflictError: another writer held it for :data:`LOCK_TIMEOUT_S`.
        InputError: the lock file cannot be created or opened.
    """
    assert fcntl is not None
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    flags = os.O_RDWR | _O_NOFOLLOW | _O_NOCTTY
    while True:
        created = True
        try:
            try:
                fd = os.open(lock_path, flags | os.O_CREAT | os.O_EXCL, _LOCK_MODE)
            except FileExistsError:
                created = False
                fd = os.open(lock_path, flags)
        except FileNotFoundError:
            continue  # removed between the two opens: try again
        except OSError as exc:
            raise InputError(f"cannot lock {target} for writing ({lock_name}): "
                             f"{exc.strerror or exc}") from None
        try:
            if created:
                with _Suppressed(OSError):  # past the umask
                    os.fchmod(fd, _LOCK_MODE)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in _NO_FLOCK:
                if created:  # filelock's marker lock must find the name free
                    with _Suppressed(OSError):
                        os.unlink(lock_path)
                return None
            if exc.errno not in _BUSY:
                raise InputError(f"cannot lock {target} for writing ({lock_name}): "
                                 f"{exc.strerror or exc}") from None
            if time.monotonic() >= deadline:
                raise CfgConflictError(f"{target} is being saved by another vrdr (it has held "
                                       f"{lock_name} for {LOCK_TIMEOUT_S:g} s); try again"
                                       ) from None
            time.sleep(_LOCK_POLL_S)
            continue
        if _still_named(fd, lock_path):
            return fd
        os.close(fd)  # the previous holder unlinked it: take the file the name holds now


def _still_named(fd: int, lock_path: str) -> bool:
    """True when ``lock_path`` still names the file open as ``fd``.

    The previous holder unlinks the lock file before it lets go; a lock on a file that no
    longer has the name excludes nobody.
    """
    try:
        now = os.stat(lock_path, follow_symlinks=False)
    except OSError:
        return False
    held = os.fstat(fd)
    return (held.st_ino, held.st_dev) == (now.st_ino, now.st_dev)


def _filelock_acquire(target: str, lock_path: str, lock_name: str) -> BaseFileLock:
    """Take filelock's lock: LockFileEx on Windows, a marker file where flock is missing."""
    from filelock import Timeout  # noqa: PLC0415 - only where flock cannot serve

    lock = _file_lock(lock_path)
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_S)
    except Timeout:
        raise CfgConflictError(f"{target} is being saved by another vrdr (it has held "
                               f"{lock_name} for {LOCK_TIMEOUT_S:g} s); try again") from None
    except OSError as exc:
        raise InputError(f"cannot lock {target} for writing ({lock_name}): "
                         f"{exc.strerror or exc}") from None
    return lock


@functools.lru_cache(maxsize=64)
def _file_lock(lock_path: str) -> BaseFileLock:
    """One ``FileLock`` per lock file, reused: building one costs more than taking it.

    Its holds are per thread, so threads of this process still exclude each other. Where
    ``flock`` is missing it falls back to a marker-file lock (some network shares).
    """
    from filelock import FileLock  # noqa: PLC0415 - only where flock cannot serve

    return FileLock(lock_path, timeout=LOCK_TIMEOUT_S, mode=_LOCK_MODE, fallback_to_soft=True)


def _check_unchanged(target: str, expected: FileSnapshot, now: FileSnapshot) -> None:
    if not expected.same_content(now):
        raise CfgConflictError(
            f"{target} changed on disk since it was read (V-Ray's Render Servers dialog may "
            "have saved it); reload and apply your edit again")


def _write_temp(target: str, data: bytes, like: FileSnapshot) -> tuple[str, os.stat_result]:
    """``data`` in a new temp file next to ``target``, with ``like``'s owner and mode if any.

    Returns:
        The temp file's path and its stat once written (owner and mode as they will stay).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY
    folder, name = os.path.split(target)
    for _ in range(_NAME_ATTEMPTS):
        temp = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            # 0o666 lets the umask decide for new files, as any editor would.
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
        break
    else:
        raise InputError(f"cannot write {target}: no free temp file name in {folder}")
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view[:_CHUNK]):]
            info = os.fstat(fd)
            if like.exists:
                info = _keep_owner_and_mode(fd, info, like)
            os.fsync(fd)  # after chown/chmod, so the owner and mode are durable too
        finally:
            os.close(fd)
        if like.exists and not _FD_CHMOD and stat.S_IMODE(info.st_mode) != like.mode:
            os.chmod(temp, like.mode)  # Windows: only the read-only flag, which like lacks
    except BaseException as exc:
        _discard(temp)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return temp, info


def _keep_owner_and_mode(fd: int, info: os.stat_result, like: FileSnapshot) -> os.stat_result:
    """Give the open temp ``like``'s owner and mode where they differ; its stat afterwards.

    A temp the umask already gave the right owner, group and bits (the usual case: a user saving
    their own file) costs no chown, chmod or second fstat.
    """
    changed = False
    # root saving an artist's file must leave it the artist's. Windows has no chown: ACLs there
    # come from the folder.
    if hasattr(os, "chown") and like.uid >= 0 and (info.st_uid, info.st_gid) != (like.uid,
                                                                                  like.gid):
        try:
            os.chown(fd, like.uid, like.gid)
            changed = True
        except PermissionError:
            if info.st_uid != like.uid or _group_grants_more(like.mode):
                raise InputError(
                    f"cannot write {like.path}: it belongs to user id {like.uid} (group id "
                    f"{like.gid}) and this account cannot give a replaced file that owner; "
                    "save it as that user or as an administrator") from None
            # The user's own file in a group the user is not in (copied there by an admin):
            # only the group changes, and its bits grant nobody more than everyone has.
    if _FD_CHMOD and (changed or stat.S_IMODE(info.st_mode) != like.mode):
        os.chmod(fd, like.mode)  # after chown, which may clear set-id bits
        changed = True
    return os.fstat(fd) if changed else info


def _group_grants_more(mode: int) -> bool:
    """True when the group's permission bits allow something the others' bits do not."""
    group, other = (mode >> 3) & 0o7, mode & 0o7
    return bool(group & ~other)


def _backup_temp(target: str, backup: str, current: FileSnapshot) -> str:
    """The content about to be replaced, under a temp name next to ``backup``.

    A hard link to the file costs no copy and no fsync (its bytes are on disk already) and
    keeps owner and mode; once the file is replaced, the link is the old content's only name.
    Where links are refused (FAT, some network shares) it is a copy.
    """
    folder, name = os.path.split(backup)
    for _ in range(_NAME_ATTEMPTS):
        temp = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            os.link(target, temp)
        except FileExistsError:
            continue
        except OSError:
            break
        return temp
    assert current.data is not None
    return _write_temp(backup, current.data, current)[0]


def _replace(temp: str, target: str) -> None:
    try:
        os.replace(temp, target)
    except OSError as exc:
        raise InputError(f"cannot replace {target}: {exc.strerror or exc} "
                         "(is it open in another program?)") from None


def _discard(temp: str) -> None:
    # A temp we cannot remove must not hide the error that made us discard it.
    with _Suppressed(OSError):
        os.unlink(temp)


def _fsync_folder(folder: str) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a folder this way.
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with _Suppressed(OSError):  # some file systems refuse; the data is safe anyway
            os.fsync(fd)
    finally:
        os.close(fd)
