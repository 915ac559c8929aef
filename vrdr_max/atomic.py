"""Crash-safe file replacement with a conflict check: the one way vrdr writes a user's file.

A save writes a temp file next to the target, fsyncs it, keeps the previous content as a
backup and swaps the temp in with ``os.replace``. A process killed at any point leaves the
target holding either the old or the new bytes, never a mix or nothing. When the caller passes
the snapshot it read, the write is refused if someone else (V-Ray's Render Servers dialog, a
farm script) changed the file in the meantime.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from vrdr_max.errors import CfgConflictError, InputError

DEFAULT_BACKUP_SUFFIX = ".vrdr.bak"
"""Appended to the file name for the copy of the previous content (``vray_dr.cfg.vrdr.bak``)."""

_CHUNK = 1 << 20
_NAME_ATTEMPTS = 16
_O_BINARY: int = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate newlines.


@dataclass(frozen=True)
class FileSnapshot:
    """What a file held when it was read: its bytes and stat identity, or "absent".

    Attributes:
        path: the file.
        data: its content, or None when the file did not exist.
        size: byte count (0 when absent).
        mtime_ns: modification time in nanoseconds (0 when absent).
        mode: permission bits (0 when absent).
    """

    path: Path
    data: bytes | None
    size: int = 0
    mtime_ns: int = 0
    mode: int = 0

    @property
    def exists(self) -> bool:
        """True when the file existed when the snapshot was taken."""
        return self.data is not None

    def same_content(self, other: FileSnapshot) -> bool:
        """True when both snapshots saw the same bytes (or both saw no file)."""
        return self.data == other.data


@dataclass(frozen=True)
class WriteResult:
    """What :func:`atomic_write` did.

    Attributes:
        path: the file written.
        backup: where the previous content was copied, or None (no previous file, no backup).
        bytes_written: size of the new content.
        snapshot: the file as it is now, for the next conflict check.
    """

    path: Path
    backup: Path | None
    bytes_written: int
    snapshot: FileSnapshot


def read_bytes_snapshot(path: str | os.PathLike[str]) -> FileSnapshot:
    """Read a file's bytes together with its stat identity.

    Args:
        path: the file; a missing file gives a snapshot of "absent".

    Returns:
        The snapshot.

    Raises:
        InputError: when the path is a folder or the file cannot be read.
    """
    target = Path(path)
    try:
        with target.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(21, "Is a directory")
            data = handle.read()
    except FileNotFoundError:
        return FileSnapshot(path=target, data=None)
    except (IsADirectoryError, PermissionError):
        # Windows reports opening a folder as a permission error.
        if target.is_dir():
            raise InputError(f"{target} is a folder, not a file") from None
        raise InputError(f"{target} is not readable (permission denied)") from None
    except OSError as exc:
        raise InputError(f"cannot read {target}: {exc.strerror or exc}") from None
    return FileSnapshot(path=target, data=data, size=len(data), mtime_ns=info.st_mtime_ns,
                        mode=stat.S_IMODE(info.st_mode))


def atomic_write(path: str | os.PathLike[str], data: bytes, *, expected: FileSnapshot | None,
                 backup_suffix: str | None = DEFAULT_BACKUP_SUFFIX) -> WriteResult:
    """Replace a file's content atomically, refusing to overwrite someone else's change.

    Args:
        path: the file to write (a symlink is followed: its target is replaced).
        data: the complete new content.
        expected: the snapshot taken when the file was read; when the file no longer holds
            those bytes (or appeared/disappeared), nothing is written. None skips the check.
        backup_suffix: the previous content is copied to ``path + backup_suffix``; None keeps
            no backup.

    Returns:
        The path, the backup path (None when there was no previous file) and the byte count.

    Raises:
        CfgConflictError: the file changed on disk since ``expected`` was read.
        InputError: the folder or file is not writable, or the write failed.
    """
    target = _real_target(Path(path))
    _check_writable(target)
    current = read_bytes_snapshot(target)
    if expected is not None:
        _check_unchanged(target, expected, current)
    mode = current.mode if current.exists else None
    temp = _write_temp(target, data, mode)
    try:
        # Someone may have saved while the temp was being written; look once more.
        if expected is not None:
            _check_unchanged(target, expected, read_bytes_snapshot(target))
        backup: Path | None = None
        if backup_suffix and current.data is not None:
            backup = target.with_name(target.name + backup_suffix)
            backup_temp = _write_temp(backup, current.data, current.mode)
            try:
                _replace(backup_temp, backup)
            except BaseException:
                _discard(backup_temp)
                raise
        _replace(temp, target)
    except BaseException:
        _discard(temp)
        raise
    _fsync_folder(target.parent)
    return WriteResult(path=target, backup=backup, bytes_written=len(data),
                       snapshot=read_bytes_snapshot(target))


def _real_target(path: Path) -> Path:
    # Replacing a symlink would turn it into a plain file; write where it points instead.
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _check_writable(target: Path) -> None:
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {target}: folder {folder} is not writable")
    try:
        info = target.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"cannot write {target}: it is a folder")
    # A file without any write bit is read-only on purpose (Windows' read-only attribute maps
    # to this), even for an administrator whom os.access would let through.
    if not os.access(target, os.W_OK) or not info.st_mode & 0o222:
        raise InputError(f"cannot write {target}: the file is read-only")


def _check_unchanged(target: Path, expected: FileSnapshot, now: FileSnapshot) -> None:
    if not expected.same_content(now):
        raise CfgConflictError(
            f"{target} changed on disk since it was read (V-Ray's Render Servers dialog may "
            "have saved it); reload and apply your edit again")


def _write_temp(target: Path, data: bytes, mode: int | None) -> Path:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY
    for _ in range(_NAME_ATTEMPTS):
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            # 0o666 lets the umask decide for new files, as any editor would.
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
        break
    else:
        raise InputError(f"cannot write {target}: no free temp file name in {target.parent}")
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view[:_CHUNK]):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            temp.chmod(mode)
    except BaseException as exc:
        _discard(temp)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return temp


def _replace(temp: Path, target: Path) -> None:
    try:
        os.replace(temp, target)  # noqa: PTH105 - the atomic rename itself, spelled out
    except OSError as exc:
        raise InputError(f"cannot replace {target}: {exc.strerror or exc} "
                         "(is it open in another program?)") from None


def _discard(temp: Path) -> None:
    # A temp we cannot remove must not hide the error that made us discard it.
    with contextlib.suppress(OSError):
        temp.unlink()


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a folder this way.
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems refuse; the data is safe anyway
            os.fsync(fd)
    finally:
        os.close(fd)
