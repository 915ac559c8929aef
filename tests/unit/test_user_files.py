"""Files the user owns: only regular files, bounded reads, links, owners, backups, the lock.

Every special file here (FIFO, device node, socket, link) is made inside ``tmp_path``.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fifo_guard import finishes

from vrdr_max import atomic, snapshots
from vrdr_max.atomic import MAX_CFG_BYTES, MAX_FILE_BYTES, atomic_write, read_bytes_snapshot
from vrdr_max.cfgfile import CfgFile
from vrdr_max.cli.main import main
from vrdr_max.errors import CfgConflictError, InputError
from vrdr_max.jsonfiles import load_json_model
from vrdr_max.manifest import FarmManifest
from vrdr_max.mock_session import load_scene_file

OLD = b"render01 1 20204\r\nrestart_slaves 0\r\n"
NEW = b"render02 1 20204\r\nrestart_slaves 1\r\n"

POSIX = pytest.mark.skipif(os.name == "nt", reason="FIFOs, device nodes, owners: POSIX only")
ROOT = pytest.mark.skipif(os.name == "nt" or os.geteuid() != 0,
                          reason="making device nodes and giving files away needs root")


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def refuse_replace(monkeypatch: pytest.MonkeyPatch, refused: Path) -> None:
    """``os.replace`` onto ``refused`` fails as Windows fails it for a file open elsewhere."""
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == refused:
            raise PermissionError(13, "The process cannot access the file")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = tmp_path / "vray_dr.cfg"
    os.mkfifo(path)
    return path


# --- 1. only regular files, never opened in a way that blocks, never replaced -------------------

@POSIX
@pytest.mark.parametrize("reader", ["snapshot", "cfg", "json", "scene"])
def test_a_fifo_is_refused_without_blocking(fifo: Path, reader: str) -> None:
    actions: dict[str, Callable[[], Any]] = {
        "snapshot": lambda: read_bytes_snapshot(fifo),
        "cfg": lambda: CfgFile.load(fifo),
        "json": lambda: load_json_model(FarmManifest, fifo, "manifest"),
        "scene": lambda: load_scene_file(fifo),
    }
    result = finishes(actions[reader], fifo)
    assert isinstance(result, InputError), result
    assert "FIFO (named pipe), not a regular file" in str(result)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@POSIX
def test_a_fifo_cfg_is_exit_2_with_one_line(fifo: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = finishes(lambda: main(["servers", "add", "--cfg", str(fifo), "render09"]), fifo)
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is a FIFO (named pipe), not a regular file" in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@POSIX
def test_writing_over_a_fifo_is_refused_and_it_stays_a_fifo(fifo: Path) -> None:
    result = finishes(lambda: atomic_write(fifo, NEW, expected=None), fifo)
    assert isinstance(result, InputError)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert temps(fifo.parent) == []


@POSIX
def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(
        fifo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The stat said "regular file"; a FIFO took its place before the open (a race). The
    # reader looks the stat up in its own module at call time.
    regular = tmp_path / "regular"
    regular.write_bytes(OLD)
    monkeypatch.setattr(snapshots, "check_regular_file", lambda path, **_: regular.stat())
    result = finishes(lambda: read_bytes_snapshot(fifo), fifo)
    assert isinstance(result, InputError), result  # not an empty cfg read from the pipe
    assert "FIFO (named pipe), not a regular file" in str(result)


@ROOT
def test_a_device_node_is_never_read_nor_replaced(tmp_path: Path) -> None:
    device = tmp_path / "vray_dr.cfg"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is on Linux
    with pytest.raises(InputError, match="is a character device, not a regular file"):
        read_bytes_snapshot(device)
    with pytest.raises(InputError, match="is a character device, not a regular file"):
        atomic_write(device, NEW, expected=None)
    info = device.lstat()
    assert stat.S_ISCHR(info.st_mode)
    assert info.st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vray_dr.cfg"]


@ROOT
def test_a_link_to_a_device_is_refused_and_left_a_link(tmp_path: Path) -> None:
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    link = tmp_path / "vray_dr.cfg"
    link.symlink_to(device)
    with pytest.raises(InputError, match="character device"):
        CfgFile.load(link)
    with pytest.raises(InputError, match="character device"):
        atomic_write(link, NEW, expected=None)
    assert link.is_symlink()
    assert stat.S_ISCHR(device.lstat().st_mode)


@POSIX
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(InputError, match="is a socket, not a regular file"):
            load_json_model(FarmManifest, path, "manifest")
        with pytest.raises(InputError, match="is a socket"):
            atomic_write(path, b"{}", expected=None)
        assert stat.S_ISSOCK(path.lstat().st_mode)


@POSIX
def test_a_scene_path_that_is_a_dangling_link_or_too_long_is_one_input_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("scene").symlink_to("gone.json")  # no .json suffix: was taken for a bundled name
    with pytest.raises(InputError, match=r"is a link to gone\.json, which does not exist"):
        load_scene_file("scene")
    with pytest.raises(InputError):  # OSError "File name too long" before
        load_scene_file("s" * 300)


def test_a_folder_is_refused_for_every_kind_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "scene.json"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        load_scene_file(folder)
    with pytest.raises(InputError, match="is a folder"):
        load_json_model(FarmManifest, folder)


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "vray_dr.cfg"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(InputError, match=f"reads there \\({MAX_FILE_BYTES}"):
        read_bytes_snapshot(big)
    with pytest.raises(InputError, match="larger than any file vrdr reads"):
        load_scene_file(big.rename(tmp_path / "huge.json"))


def test_a_cfg_too_big_to_be_a_real_one_is_refused_unread(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Under the general 64 MiB bound a 60 MB cfg took minutes and gigabytes to parse.
    big = tmp_path / "vray_dr.cfg"
    with big.open("wb") as handle:
        handle.truncate(MAX_CFG_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(InputError, match=f"there \\({MAX_CFG_BYTES} bytes\\)"):
        CfgFile.load(big)
    for argv in (["cfg", "show"], ["servers", "add", "render09"]):
        assert main([*argv, "--cfg", str(big)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "larger than any file vrdr reads" in err
    assert big.stat().st_size == MAX_CFG_BYTES + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vray_dr.cfg"]


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    edge = tmp_path / "edge.cfg"
    with edge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES)
    assert read_bytes_snapshot(edge).size == MAX_FILE_BYTES


# --- 2. links: edited through, dangling is an error ---------------------------------------------

@POSIX
def test_a_relative_link_chain_is_edited_through_and_stays_links(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "farm.cfg").write_bytes(OLD)
    (tmp_path / "middle.cfg").symlink_to(Path("shared") / "farm.cfg")
    link = tmp_path / "vray_dr.cfg"
    link.symlink_to("middle.cfg")
    cfg = CfgFile.load(link)
    cfg.settings.add_server("render09")
    result = cfg.save()
    assert link.is_symlink()
    assert (tmp_path / "middle.cfg").is_symlink()
    assert b"render09 1 20204" in (shared / "farm.cfg").read_bytes()
    assert result.backup == shared / "farm.cfg.vrdr.bak"
    assert result.backup.read_bytes() == OLD


@POSIX
def test_a_dangling_link_is_an_error_and_left_as_it_is(tmp_path: Path) -> None:
    link = tmp_path / "vray_dr.cfg"
    link.symlink_to(tmp_path / "gone" / "vray_dr.cfg")
    (tmp_path / "gone").mkdir()
    with pytest.raises(InputError, match=r"is a link to .*which does not exist"):
        read_bytes_snapshot(link)
    with pytest.raises(InputError, match="which does not exist"):
        atomic_write(link, NEW, expected=None)
    assert link.is_symlink()
    assert list((tmp_path / "gone").iterdir()) == []


@POSIX
def test_undoing_a_created_file_leaves_a_link_put_there_since(tmp_path: Path) -> None:
    # vrdr created the cfg; another tool then made it a link to a file with the same bytes.
    path, shared = tmp_path / "vray_dr.cfg", tmp_path / "shared.cfg"
    before = read_bytes_snapshot(path)
    written = atomic_write(path, NEW, expected=before).snapshot
    shared.write_bytes(NEW)
    path.unlink()
    path.symlink_to(shared.name)
    with pytest.raises(CfgConflictError, match="left as it is"):
        atomic.restore_snapshot(before, written)
    assert path.is_symlink()
    assert shared.read_bytes() == NEW


@POSIX
def test_a_link_loop_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.cfg").symlink_to("b.cfg")
    (tmp_path / "b.cfg").symlink_to("a.cfg")
    with pytest.raises(InputError, match="is a link that cannot be followed"):
        read_bytes_snapshot(tmp_path / "a.cfg")


# --- 3. owner and permission bits are kept ------------------------------------------------------

@ROOT
def test_root_saving_an_artists_file_keeps_owner_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    os.chown(path, 4242, 4343)
    path.chmod(0o640)
    result = atomic_write(path, NEW, expected=read_bytes_snapshot(path))
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4242, 4343, 0o640)
    assert result.backup is not None
    backup = result.backup.stat()
    assert (backup.st_uid, backup.st_gid, stat.S_IMODE(backup.st_mode)) == (4242, 4343, 0o640)


@ROOT
def test_an_owner_that_cannot_be_kept_is_refused(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    os.chown(path, 4242, 4343)
    theirs = path.stat()

    def chown(*_args: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # what a non-root account gets

    monkeypatch.setattr(os, "chown", chown)
    with pytest.raises(InputError, match=r"belongs to user id 4242 .*cannot give a replaced file "
                                         r"that owner"):
        atomic_write(path, NEW, expected=None)
    monkeypatch.undo()
    assert path.read_bytes() == OLD
    assert path.stat().st_ino == theirs.st_ino
    assert temps(tmp_path) == []


@ROOT
@pytest.mark.parametrize(("mode", "saved"), [(0o600, True), (0o644, True), (0o660, False)])
def test_an_own_file_in_a_group_the_user_is_not_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   mode: int, saved: bool) -> None:
    # An artist's own cfg left with an admin's group: the artist could not save it at all.
    # Only when the group's bits grant something (0o660) would a new group lock others out.
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    os.chown(path, os.geteuid(), 4343)  # ours, in a group this account is not in
    path.chmod(mode)
    real_chown = os.chown

    def chown(target: Any, uid: int, gid: int) -> None:
        if gid == 4343:
            raise PermissionError(1, "Operation not permitted")  # not a member of 4343
        real_chown(target, uid, gid)

    monkeypatch.setattr(os, "chown", chown)
    if saved:
        atomic_write(path, NEW, expected=None)
        info = path.stat()
        assert path.read_bytes() == NEW
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (os.geteuid(), mode)
    else:
        with pytest.raises(InputError, match="cannot give a replaced file that owner"):
            atomic_write(path, NEW, expected=None)
        assert path.read_bytes() == OLD
        assert path.stat().st_gid == 4343
    assert temps(tmp_path) == []


# --- 4. a failed save leaves the previous backup alone ------------------------------------------

def test_a_failed_save_leaves_the_previous_backup_as_it_was(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    backup = tmp_path / "vray_dr.cfg.vrdr.bak"
    backup.write_bytes(b"the save before\n")
    refuse_replace(monkeypatch, path)
    with pytest.raises(InputError, match="cannot replace"):
        atomic_write(path, NEW, expected=read_bytes_snapshot(path))
    monkeypatch.undo()
    assert path.read_bytes() == OLD
    assert backup.read_bytes() == b"the save before\n"
    assert temps(tmp_path) == []


def test_a_folder_where_the_backup_goes_is_refused_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    (tmp_path / "vray_dr.cfg.vrdr.bak").mkdir()
    with pytest.raises(InputError, match="cannot keep a backup"):
        atomic_write(path, NEW, expected=None)
    assert path.read_bytes() == OLD
    assert temps(tmp_path) == []


# --- 5. vrdr's writers are serialised: a save in the window is never lost -----------------------

def test_a_concurrent_vrdr_save_inside_the_window_is_never_lost(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    """Another vrdr saves while this one is between its last check and its replace."""
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    mine = read_bytes_snapshot(path)
    theirs: list[object] = []

    def other_vrdr() -> None:
        try:
            theirs.append(atomic_write(path, b"theirs\n", expected=read_bytes_snapshot(path)))
        except CfgConflictError as exc:
            theirs.append(exc)

    real_replace = os.replace
    other = threading.Thread(target=other_vrdr)

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == path and not other.is_alive() and not theirs:
            other.start()
            other.join(1.0)  # without a lock it saves now, and this replace then hides it
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    atomic_write(path, b"mine\n", expected=mine)
    other.join(30)
    monkeypatch.undo()
    assert len(theirs) == 1
    if isinstance(theirs[0], CfgConflictError):
        assert path.read_bytes() == b"mine\n"  # they were told; nothing lost silently
    else:
        assert path.read_bytes() == b"theirs\n"  # their save landed after mine


def test_a_lock_held_too_long_is_a_conflict(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    assert_conflict_while_locked(path, monkeypatch)


@pytest.mark.skipif(os.name == "nt", reason="flock is POSIX; Windows uses filelock's LockFileEx")
def test_vrdrs_flock_and_filelocks_exclude_each_other(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A save takes flock itself (no filelock import); a writer using filelock still excludes it."""
    from filelock import FileLock

    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT_S", 0.2)
    with FileLock(str(tmp_path / f".{path.name}.vrdr.lock")), pytest.raises(
            CfgConflictError, match="is being saved by another vrdr"):
        atomic_write(path, NEW, expected=None)
    assert path.read_bytes() == OLD


@pytest.mark.skipif(os.name == "nt", reason="flock is POSIX; Windows uses filelock's LockFileEx")
def test_a_lock_won_on_a_file_its_holder_just_unlinked_is_taken_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The holder unlinks the lock file before letting go: a flock on that file excludes nobody."""
    assert atomic.fcntl is not None
    path = tmp_path / "vray_dr.cfg"
    lock_path = tmp_path / f".{path.name}.vrdr.lock"
    real_flock = atomic.fcntl.flock
    calls: list[int] = []

    def flock_after_the_holder_left(fd: int, operation: int) -> None:
        calls.append(operation)
        if len(calls) == 1:
            lock_path.unlink()  # the previous holder's last act, between our open and flock
        real_flock(fd, operation)

    monkeypatch.setattr(atomic.fcntl, "flock", flock_after_the_holder_left)
    with atomic._locked(path):
        monkeypatch.undo()
        held_inode = lock_path.stat().st_ino
        # Another writer now must be refused: the name holds the file we hold.
        fd = os.open(lock_path, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                atomic.fcntl.flock(fd, atomic.fcntl.LOCK_EX | atomic.fcntl.LOCK_NB)
            assert os.fstat(fd).st_ino == held_inode
        finally:
            os.close(fd)
    assert len(calls) == 2  # the first flock was on the unlinked file, so it took a second
    assert not lock_path.exists()


@pytest.mark.skipif(os.name == "nt", reason="flock is POSIX; Windows uses filelock's LockFileEx")
@pytest.mark.filterwarnings("ignore:flock not supported:UserWarning")  # filelock says so, once
def test_a_file_system_without_flock_falls_back_to_filelocks_marker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert atomic.fcntl is not None

    def no_flock(fd: int, operation: int) -> None:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(atomic.fcntl, "flock", no_flock)  # filelock reads the same module
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    assert_conflict_while_locked(path, monkeypatch)


def assert_conflict_while_locked(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another thread holds vrdr's lock on ``path``: a save gives up with a conflict."""
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT_S", 0.2)
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with atomic._locked(path):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(30)
        with pytest.raises(CfgConflictError, match="is being saved by another vrdr"):
            atomic_write(path, NEW, expected=None)
    finally:
        release.set()
        thread.join(30)
    assert path.read_bytes() == OLD
    assert not (path.parent / f".{path.name}.vrdr.lock").exists()  # no lock file left
    assert temps(path.parent) == []


def test_another_program_saving_while_the_temp_is_written_is_caught(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """V-Ray's dialog (which takes no lock) saves after the first check: the re-check sees it."""
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    mine = read_bytes_snapshot(path)
    real_fsync = os.fsync
    saved: list[bool] = []

    def fsync(fd: int) -> None:
        if not saved:  # the first fsync is the new content's temp file
            saved.append(True)
            path.write_bytes(b"dialog 1 20204\r\n")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(CfgConflictError, match="changed on disk since it was read"):
        atomic_write(path, NEW, expected=mine)
    monkeypatch.undo()
    assert saved
    assert path.read_bytes() == b"dialog 1 20204\r\n"
    assert temps(tmp_path) == []


def test_a_backup_that_cannot_be_renamed_after_the_save_is_kept_under_its_temp_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(OLD)
    backup = tmp_path / "vray_dr.cfg.vrdr.bak"
    backup.write_bytes(b"the save before\n")
    refuse_replace(monkeypatch, backup)
    result = atomic_write(path, NEW, expected=read_bytes_snapshot(path))
    monkeypatch.undo()
    assert path.read_bytes() == NEW
    assert backup.read_bytes() == b"the save before\n"
    assert result.backup is not None
    assert result.backup.name.startswith(".vray_dr.cfg.vrdr.bak.")
    assert result.backup.read_bytes() == OLD


def test_deeply_nested_json_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest .* is not valid JSON: nested too deeply"):
        load_json_model(FarmManifest, path, "manifest")


def test_a_json_file_saved_with_a_bom_is_read(tmp_path: Path) -> None:
    # Windows Notepad writes UTF-8 with a byte-order mark; a studio file edited there must load.
    path = tmp_path / "manifest.json"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"version": 1, "plugins": []}')
    assert load_json_model(FarmManifest, path, "manifest") == FarmManifest()

