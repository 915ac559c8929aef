"""atomic_write: conflict detection, backups, permissions, and no torn file after a kill."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vrdr_max
from vrdr_max import snapshots
from vrdr_max.atomic import FileSnapshot, atomic_write, read_bytes_snapshot
from vrdr_max.errors import CfgConflictError, InputError

OLD = b"render01 1 20204\r\nrestart_slaves 0\r\n"
NEW = b"render02 1 20204\r\nrestart_slaves 1\r\n"

POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits and symlinks")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    return path


def test_snapshot_of_missing_file_is_absent(tmp_path: Path) -> None:
    snap = read_bytes_snapshot(tmp_path / "nope.cfg")
    assert not snap.exists
    assert snap.data is None


def test_snapshot_holds_bytes_and_stat(target: Path) -> None:
    snap = read_bytes_snapshot(target)
    assert snap.exists
    assert snap.data == OLD
    assert snap.size == len(OLD)
    assert snap.mtime_ns == target.stat().st_mtime_ns


def test_snapshot_of_folder_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        read_bytes_snapshot(tmp_path)


def test_write_replaces_content_and_keeps_backup(target: Path) -> None:
    result = atomic_write(target, NEW, expected=read_bytes_snapshot(target))
    assert target.read_bytes() == NEW
    assert result.path == target
    assert result.bytes_written == len(NEW)
    assert result.backup == target.with_name("vray_dr.cfg.vrdr.bak")
    assert result.backup.read_bytes() == OLD
    assert result.snapshot.data == NEW
    assert leftovers(target.parent) == []


def test_backup_holds_the_content_just_replaced(target: Path) -> None:
    first = atomic_write(target, NEW, expected=read_bytes_snapshot(target))
    atomic_write(target, b"third\n", expected=first.snapshot)
    assert target.with_name("vray_dr.cfg.vrdr.bak").read_bytes() == NEW


def test_backup_is_a_copy_where_the_folder_refuses_hard_links(
        target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # FAT, some network shares

    monkeypatch.setattr(os, "link", refuse)
    result = atomic_write(target, NEW, expected=read_bytes_snapshot(target))
    assert target.read_bytes() == NEW
    assert result.backup is not None and result.backup.read_bytes() == OLD
    assert leftovers(target.parent) == []


def test_the_backup_is_the_replaced_file_itself_not_a_rewrite(target: Path) -> None:
    # Linked, not copied: the old file's bytes are not written (nor fsynced) a second time.
    inode = target.stat().st_ino
    result = atomic_write(target, NEW, expected=read_bytes_snapshot(target))
    assert result.backup is not None and result.backup.stat().st_ino == inode
    assert target.stat().st_ino != inode


def test_no_backup_when_suffix_is_none(target: Path) -> None:
    result = atomic_write(target, NEW, expected=None, backup_suffix=None)
    assert result.backup is None
    assert sorted(p.name for p in target.parent.iterdir()) == ["vray_dr.cfg"]


def test_new_file_has_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "pools.json"
    result = atomic_write(path, b"{}", expected=read_bytes_snapshot(path))
    assert path.read_bytes() == b"{}"
    assert result.backup is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pools.json"]


def test_conflict_when_content_changed(target: Path) -> None:
    snap = read_bytes_snapshot(target)
    target.write_bytes(b"written by the Render Servers dialog\n")
    with pytest.raises(CfgConflictError, match=r"vray_dr\.cfg changed on disk since it was read"):
        atomic_write(target, NEW, expected=snap)
    assert target.read_bytes() == b"written by the Render Servers dialog\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["vray_dr.cfg"]


def test_conflict_detected_by_bytes_even_with_same_size_and_mtime(target: Path) -> None:
    snap = read_bytes_snapshot(target)
    other = OLD.replace(b"render01", b"render09")
    target.write_bytes(other)
    os.utime(target, ns=(snap.mtime_ns, snap.mtime_ns))
    assert target.stat().st_size == snap.size
    with pytest.raises(CfgConflictError):
        atomic_write(target, NEW, expected=snap)
    assert target.read_bytes() == other


def test_conflict_when_file_appeared(tmp_path: Path) -> None:
    path = tmp_path / "vray_dr.cfg"
    snap = read_bytes_snapshot(path)
    path.write_bytes(OLD)
    with pytest.raises(CfgConflictError):
        atomic_write(path, NEW, expected=snap)
    assert path.read_bytes() == OLD


def test_conflict_when_file_vanished(target: Path) -> None:
    snap = read_bytes_snapshot(target)
    target.unlink()
    with pytest.raises(CfgConflictError):
        atomic_write(target, NEW, expected=snap)
    assert not target.exists()


def test_unchanged_file_with_new_mtime_is_no_conflict(target: Path) -> None:
    snap = read_bytes_snapshot(target)
    os.utime(target, ns=(snap.mtime_ns + 10**9, snap.mtime_ns + 10**9))
    atomic_write(target, NEW, expected=snap)
    assert target.read_bytes() == NEW


def test_expected_none_skips_the_check(target: Path) -> None:
    target.write_bytes(b"other\n")
    atomic_write(target, NEW, expected=None)
    assert target.read_bytes() == NEW


def test_the_snapshot_after_a_save_is_the_file_as_written(target: Path) -> None:
    target.chmod(0o640)  # not what the umask gives a new file: the temp needs its chmod
    result = atomic_write(target, NEW, expected=read_bytes_snapshot(target))
    assert result.snapshot == read_bytes_snapshot(target)  # bytes, size, mtime, mode, owner


def test_a_save_right_after_the_replace_meets_the_next_saves_check(
        target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program saves between vrdr's replace and the end of its save: vrdr's snapshot is
    what it wrote, so its next save does not take their content as its own and overwrite it."""
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if stat.S_ISDIR(os.fstat(fd).st_mode):  # the folder's, after the replace
            target.write_bytes(b"dialog 1 20204\r\n")

    monkeypatch.setattr(os, "fsync", fsync)
    first = atomic_write(target, NEW, expected=read_bytes_snapshot(target))
    monkeypatch.undo()
    assert first.snapshot.data == NEW
    with pytest.raises(CfgConflictError, match="changed on disk since it was read"):
        atomic_write(target, b"mine again\n", expected=first.snapshot)
    assert target.read_bytes() == b"dialog 1 20204\r\n"


@POSIX_ONLY
def test_mode_bits_are_preserved(target: Path) -> None:
    target.chmod(0o640)
    atomic_write(target, NEW, expected=None)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_read_only_file_is_refused_and_untouched(target: Path) -> None:
    target.chmod(0o444)
    try:
        with pytest.raises(InputError, match="read-only"):
            atomic_write(target, NEW, expected=read_bytes_snapshot(target))
        assert target.read_bytes() == OLD
        assert leftovers(target.parent) == []
    finally:
        target.chmod(0o644)


def test_missing_folder_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        atomic_write(tmp_path / "no" / "vray_dr.cfg", NEW, expected=None)


def test_folder_target_is_input_error(tmp_path: Path) -> None:
    (tmp_path / "vray_dr.cfg").mkdir()
    with pytest.raises(InputError, match="folder"):
        atomic_write(tmp_path / "vray_dr.cfg", NEW, expected=None)


def test_unwritable_folder_is_input_error(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "plugcfg"
    folder.mkdir()
    (folder / "vray_dr.cfg").write_bytes(OLD)
    real_access = os.access

    def access(path: object, mode: int) -> bool:
        # What the OS answers a user without write permission on the folder (CI runs as root,
        # for whom a chmod'ed folder is still writable).
        return False if Path(str(path)) == folder else real_access(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr("vrdr_max.atomic.os.access", access)
    with pytest.raises(InputError, match="not writable"):
        atomic_write(folder / "vray_dr.cfg", NEW, expected=None)
    assert (folder / "vray_dr.cfg").read_bytes() == OLD
    assert sorted(p.name for p in folder.iterdir()) == ["vray_dr.cfg"]


def test_failed_replace_cleans_temp_and_keeps_target(target: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError, match="cannot replace"):
        atomic_write(target, NEW, expected=read_bytes_snapshot(target))
    monkeypatch.undo()
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []


@POSIX_ONLY
def test_symlink_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "shared" / "vray_dr.cfg"
    real.parent.mkdir()
    real.write_bytes(OLD)
    link = tmp_path / "vray_dr.cfg"
    link.symlink_to(real)
    atomic_write(link, NEW, expected=read_bytes_snapshot(link))
    assert link.is_symlink()
    assert real.read_bytes() == NEW


def test_snapshot_equality_is_by_content(tmp_path: Path) -> None:
    a = FileSnapshot(path=tmp_path / "a", data=b"x", size=1, mtime_ns=1)
    b = FileSnapshot(path=tmp_path / "a", data=b"x", size=1, mtime_ns=2)
    assert a.same_content(b)
    assert not a.same_content(FileSnapshot(path=tmp_path / "a", data=None))


# --- a writer killed mid-save ----------------------------------------------------------------

CHILD = r"""
import os, sys, time
from pathlib import Path
from vrdr_max.atomic import atomic_write, read_bytes_snapshot

point, target, marker, size = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
real_write, real_fsync, real_replace = os.write, os.fsync, os.replace
writes = [0]

def stop_here():
    # Write the marker whole before it appears: the parent kills us as soon as it exists.
    partial = marker.with_name(marker.name + ".part")
    partial.write_text(point)
    real_replace(partial, marker)
    time.sleep(60)  # the parent kills us long before this ends
    sys.exit(3)

def write(fd, data):
    n = real_write(fd, data)
    writes[0] += 1
    if point == "mid-write" and writes[0] == 2:
        stop_here()
    return n

def fsync(fd):
    if point == "before-fsync":
        stop_here()
    return real_fsync(fd)

def replace(src, dst):
    is_target = Path(dst) == target
    if point == "before-backup-replace" and not is_target:
        stop_here()
    if point == "before-replace" and is_target:
        stop_here()
    real_replace(src, dst)
    if point == "after-replace" and is_target:
        stop_here()

os.write, os.fsync, os.replace = write, fsync, replace
atomic_write(target, b"N" * size, expected=read_bytes_snapshot(target))
sys.exit(4)  # never reached: every point stops
"""

BIG = 8 * 1024 * 1024  # several write chunks, so "mid-write" leaves a partial temp file


def kill_at(point: str, target: Path, marker: Path) -> None:
    repo = Path(vrdr_max.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(repo), os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, point, str(target), str(marker),
                             str(BIG)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            if proc.poll() is not None:
                _, err = proc.communicate(timeout=10)
                pytest.fail(f"child exited ({proc.returncode}) before {point}: {err.decode()}")
            if time.monotonic() > deadline:
                pytest.fail(f"child did not reach {point} within 60 s")
            time.sleep(0.01)
        proc.kill()
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    assert marker.read_text() == point


@pytest.mark.parametrize("point", ["mid-write", "before-fsync", "before-replace"])
def test_killed_before_replace_leaves_old_content_and_old_backup(tmp_path: Path,
                                                                 point: str) -> None:
    target = tmp_path / "plugcfg" / "vray_dr.cfg"
    target.parent.mkdir()
    old = OLD * 50_000
    target.write_bytes(old)
    backup = target.with_name("vray_dr.cfg.vrdr.bak")
    backup.write_bytes(b"the save before\n")
    kill_at(point, target, tmp_path / "reached")
    assert target.read_bytes() == old
    assert backup.read_bytes() == b"the save before\n"
    # The killed writer's temp file stays behind; the next save is not disturbed by it.
    atomic_write(target, NEW, expected=read_bytes_snapshot(target))
    assert target.read_bytes() == NEW


@pytest.mark.parametrize("point", ["after-replace", "before-backup-replace"])
def test_killed_after_replace_leaves_new_content_and_keeps_the_old(tmp_path: Path,
                                                                   point: str) -> None:
    target = tmp_path / "plugcfg" / "vray_dr.cfg"
    target.parent.mkdir()
    target.write_bytes(OLD)
    kill_at(point, target, tmp_path / "reached")
    assert target.read_bytes() == b"N" * BIG
    # The backup is renamed into place only after the save went through; killed in between,
    # the previous content is still in the backup's temp file.
    kept = [p.read_bytes() for p in target.parent.iterdir() if p.name.startswith(
        ".vray_dr.cfg.vrdr.bak.")]
    assert kept == [OLD]
    assert not target.with_name("vray_dr.cfg.vrdr.bak").exists()


@pytest.mark.parametrize(("size", "read"), [(50, 50), (101, 101), (150, 101)])
def test_a_read_goes_past_a_stale_size_up_to_the_bound(tmp_path: Path, size: int,
                                                       read: int) -> None:
    """The file grew after its fstat (said 10 bytes): the read takes the rest, but never more
    than one byte past the limit (100), which the caller then refuses."""
    path = tmp_path / "growing.cfg"
    path.write_bytes(bytes(range(256))[:size])
    fd = os.open(path, os.O_RDONLY)
    try:
        data = snapshots._read_bounded(fd, 10, 100)
    finally:
        os.close(fd)
    assert data == path.read_bytes()[:read]
