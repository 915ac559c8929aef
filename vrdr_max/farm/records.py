"""Reservations on record: one JSON file per open reservation in vrdr's user folder.

A reservation outlives the process that made it (``vrdr farm reserve`` returns with the
machines still reserved; 3ds Max may crash mid-render), so everything a release needs is on
disk from the moment the job exists: the Web Service, the job id, the cfg file and its bytes
before vrdr wrote it, and the bytes vrdr wrote. ``vrdr farm status`` lists the records and
``vrdr farm release`` finishes them; a record goes away only once its job is completed and its
cfg is restored (or found changed by someone else, and left as it is).

The folder is ``farm-reservations`` beside the user's config file (``studio.user_config_path``).
Records hold no credentials.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from vrdr_max.atomic import FileSnapshot, atomic_write, read_bytes_snapshot
from vrdr_max.errors import InputError
from vrdr_max.ports import Engine
from vrdr_max.studio import user_config_path

FOLDER_NAME = "farm-reservations"
RECORD_VERSION = 1
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")


class ReservedServer(BaseModel):
    """A machine written into the cfg."""

    name: str | None = None
    address: str
    port: int


class ReservationRecord(BaseModel):
    """What a release needs, written as soon as the job exists.

    Attributes:
        job_id: the spawner job.
        job_name: its name in Deadline Monitor.
        url: the Web Service (no credentials).
        cfg_path: the cfg file the reservation writes.
        engine: ``cpu`` or ``gpu`` (which cfg file it is).
        cfg_before: the cfg's bytes before the reservation (base64), None when it did not exist.
        cfg_written: the bytes vrdr wrote (base64), None until written.
        job_open: the job still holds machines (not yet completed).
        cfg_pending: the cfg still holds the reservation's servers.
        servers: the machines written into the cfg.
        created: when the job was submitted (seconds since the epoch).
        pid: the process that made it; ``host``: on which machine.
        finished: the reservation was made (the cfg holds its servers, or nothing answered).
        session: it belongs to the process that made it (a submission, the panel), which
            releases it; one from ``vrdr farm reserve`` is meant to outlive its process.
        notes: what went wrong in earlier release attempts.
    """

    version: int = RECORD_VERSION
    job_id: str
    job_name: str
    url: str
    cfg_path: str
    engine: Engine
    cfg_before: str | None = None
    cfg_written: str | None = None
    job_open: bool = True
    cfg_pending: bool = False
    servers: list[ReservedServer] = Field(default_factory=list)
    asked: int = 0
    created: float = Field(default_factory=time.time)
    pid: int = Field(default_factory=os.getpid)
    host: str = ""
    finished: bool = False
    session: bool = False
    notes: list[str] = Field(default_factory=list)

    @property
    def before(self) -> FileSnapshot:
        """The cfg as it was before the reservation."""
        data = None if self.cfg_before is None else base64.b64decode(self.cfg_before)
        return FileSnapshot(path=Path(self.cfg_path), data=data)

    @property
    def written(self) -> FileSnapshot | None:
        """The cfg as vrdr wrote it, None when nothing was written."""
        if self.cfg_written is None:
            return None
        return FileSnapshot(path=Path(self.cfg_path), data=base64.b64decode(self.cfg_written))

    @staticmethod
    def encode(data: bytes | None) -> str | None:
        """Bytes for ``cfg_before``/``cfg_written``."""
        return None if data is None else base64.b64encode(data).decode("ascii")

    @property
    def open(self) -> bool:
        """True while anything is left to release."""
        return self.job_open or self.cfg_pending

    def stale(self) -> bool:
        """True when it was left behind by a crash or a killed 3ds Max.

        That is: its process is gone before the reservation was made, or while the session it
        belongs to still held it. Only a record made on this machine can be judged; one from
        another machine is not stale as far as this one can tell.
        """
        if self.finished and not self.session:
            return False  # `vrdr farm reserve` ended as planned; release when done rendering
        if self.pid == os.getpid() or (self.host and self.host != socket.gethostname()):
            return False
        return not _process_alive(self.pid)

    def to_dict(self) -> dict[str, object]:
        """The JSON of ``vrdr farm status`` (no cfg bytes)."""
        return {"job_id": self.job_id, "job_name": self.job_name, "url": self.url,
                "cfg": self.cfg_path, "engine": self.engine.value, "asked": self.asked,
                "servers": [s.model_dump() for s in self.servers],
                "job_open": self.job_open, "cfg_pending": self.cfg_pending,
                "created": self.created, "pid": self.pid, "host": self.host,
                "session": self.session, "stale": self.stale(), "notes": list(self.notes)}


class RecordStore:
    """The folder of reservation records."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def default(cls, env: Mapping[str, str] | None = None) -> RecordStore:
        """The store beside the user's config file."""
        return cls(user_config_path(os.environ if env is None else env).parent / FOLDER_NAME)

    def path_for(self, job_id: str) -> Path:
        """The record file of a job."""
        return self.folder / f"{_SAFE_ID.sub('_', job_id)}.json"

    def save(self, record: ReservationRecord) -> None:
        """Write the record atomically (creating the folder).

        Raises:
            InputError: the folder or file cannot be written.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create {self.folder}: {exc.strerror or exc}") from None
        atomic_write(self.path_for(record.job_id), record.model_dump_json(indent=1).encode(),
                     expected=None, backup_suffix=None)

    def delete(self, record: ReservationRecord) -> None:
        """Remove the record (a record already gone is fine)."""
        try:
            self.path_for(record.job_id).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise InputError(f"cannot remove {self.path_for(record.job_id)}: "
                             f"{exc.strerror or exc}") from None

    def load(self, job_id: str) -> ReservationRecord | None:
        """The record of ``job_id``, or None."""
        path = self.path_for(job_id)
        return _read(path) if path.is_file() else None

    def all(self) -> tuple[list[ReservationRecord], list[str]]:
        """Every record, oldest first, and a line for each file that could not be read."""
        if not self.folder.is_dir():
            return [], []
        records, broken = [], []
        for path in sorted(self.folder.glob("*.json")):
            try:
                record = _read(path)
            except InputError as exc:
                broken.append(str(exc))
                continue
            if record is not None:
                records.append(record)
        return sorted(records, key=lambda r: r.created), broken


def _process_alive(pid: int) -> bool:
    """Whether a process with ``pid`` runs on this machine (True when it cannot be told)."""
    if sys.platform == "win32":
        # Never os.kill(pid, 0) here: on Windows it terminates the process.
        import ctypes  # noqa: PLC0415 - Windows only

        query_limited_information, still_active, access_denied = 0x1000, 259, 5
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(query_limited_information, False, pid)
        if not handle:
            return ctypes.get_last_error() == access_denied  # someone else's process
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == still_active
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)  # POSIX: signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


def _read(path: Path) -> ReservationRecord | None:
    snapshot = read_bytes_snapshot(path)
    if snapshot.data is None:
        return None
    try:
        return ReservationRecord.model_validate_json(snapshot.data)
    except ValidationError:
        raise InputError(f"reservation record {path} is not readable; remove it once the "
                         "job it names is released in Deadline Monitor") from None
