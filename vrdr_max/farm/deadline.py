"""Deadline 10's Web Service: the routes vrdr uses, typed answers, and the unverified names.

Sources, cited beside each route below:

* Deadline 10 REST pages (docs.thinkboxsoftware.com, ``1_User Manual/manual/``):
  ``rest-overview.html``, ``rest-jobs.html``, ``rest-workers.html`` (formerly "slaves"),
  ``rest-tasks.html``, ``rest-pools.html``, ``rest-groups.html``;
* Deadline's Python Standard API, shipped in the repository's ``api/python/Deadline`` folder
  (``Jobs.py``, ``Slaves.py``, ``SlavesRenderingJob.py``, ``Tasks.py``, ``DeadlineSend.py``);
* Deadline's VraySpawner plugin (``plugins/VraySpawner/VraySpawner.py`` and ``.param``, as
  published in applemin/Deadline_Development);
* Deadline's V-Ray DBR submitter for Maya (``Plugin=VraySpawner``, ``Frames=0-<N-1>``,
  ``ChunkSize=1``, PluginInfo ``Version``/``PortNumber``; it replaces the server list with the
  machines rendering the job) and Thinkbox's ``DynamicDBR.py`` Monitor script (grows a DBR
  job with ``AppendJobFrameRange``, drops machines by completing their tasks);
* Thinkbox's ``Examples/DeadlineCommand/HostMachineIPAddressOverride`` (GitHub
  ThinkboxSoftware/Deadline): a worker's address override for remote control.

What none of them settles is one constant each, marked [unverified], listed in docs/farm.md
and read by ``vrdr farm fieldcheck`` (``fields.py``) against the studio's real Web Service.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vrdr_max.digits import plain_int
from vrdr_max.farm.errors import FarmProtocolError
from vrdr_max.farm.http import TextAnswer, WebService

# -- names no public source settles --------------------------------------------------------

SUBMIT_ID_KEY = "_id"
"""[unverified] Key of the job id in the answer to a submission with ``"IdOnly": true``
(rest-jobs "Submit Job" says only "the job ID"). A full job's JSON carries it as ``_id`` (a
public script reads ``result["_id"]`` after ``Jobs.SubmitJobs``), so the IdOnly answer is read
as ``{"_id": ...}`` or as a bare JSON string."""

JOB_STATE_KEY = "Stat"
"""[unverified] Key of a job's state code in ``GET /api/jobs?JobID=``'s answer."""

JOB_STATES: Mapping[int, str] = {0: "Unknown", 1: "Active", 2: "Suspended", 3: "Completed",
                                 4: "Failed", 6: "Pending"}
"""[unverified] Job state codes: the Scripting API's ``JobStatus`` enum values, assumed to be
what the REST JSON carries ("Active" covers queued and rendering jobs, rest-jobs)."""

WORKER_STATES: Mapping[int, str] = {0: "Unknown", 1: "Rendering", 2: "Idle", 3: "Offline",
                                    4: "Stalled", 8: "StartingJob"}
"""[unverified] ``Info.Stat`` codes of a worker (a public farm dashboard's table)."""

WORKER_POOLS_KEY = "Pools"
"""[unverified] Key of a worker's pools in ``Info`` (and ``Settings``): a list or one
comma-separated string, both read."""

WORKER_GROUPS_KEY = "Grps"
"""[unverified] Key of a worker's groups, read like ``WORKER_POOLS_KEY``."""

TASK_ID_KEY = "TaskID"
"""[unverified] Key of a task's id in ``GET /api/tasks?JobID=``'s answer."""

TASK_WORKER_KEY = "Slave"
"""[unverified] Key of the worker that holds a task (the Scripting API's ``Task.SlaveName``);
empty while the task is queued."""

TASK_STATE_KEY = "Stat"
"""[unverified] Key of a task's state code."""

TASK_STATES: Mapping[int, str] = {1: "Unknown", 2: "Queued", 3: "Suspended", 4: "Rendering",
                                  5: "Completed", 6: "Failed", 8: "Pending"}
"""[unverified] Task state codes (the Scripting API's ``TaskStatus`` enum values)."""

ADDRESS_OVERRIDE_KEYS = ("HostMachineIPAddressOverride", "HostMachineIPAddress")
"""[unverified] Keys in a worker's ``Settings`` whose non-empty value replaces ``Info.IP``:
the worker setting is ``HostMachineIPAddressOverride`` (Thinkbox's example); the issue names
``HostMachineIPAddress``. The first one present and non-empty wins."""

PLUGIN_VERSIONS = {"cpu": "Max{year}", "gpu": "MaxRT{year}"}
"""The VraySpawner plugin's ``Version`` for 3ds Max (V-Ray CPU / V-Ray GPU). The plugin reads
``VRaySpawnerExecutable_<Version>`` from its configuration (``VraySpawner.py``; its
``VraySpawner.param`` lists ``VRaySpawnerExecutable_Max2019``, ``..._MaxRT2019``), runs the
3ds Max spawner for ``Max<year>`` and V-Ray Standalone ``-server`` for ``MaxRT<year>``, and
passes ``PortNumber`` only to V-Ray Standalone: a 3ds Max spawner listens on its own port."""

SPAWNER_PLUGIN = "VraySpawner"
"""The Deadline plugin that starts a V-Ray spawner for as long as its task runs."""

COMPLETED_TASK_CODE = 5
"""The entry of ``TASK_STATES`` for "Completed" (a completed task cannot be completed again:
``deadlinecommand -CompleteJobTask`` refuses it)."""


_JOB_ID = re.compile(r"[A-Za-z0-9_.-]{1,100}")
"""A job id vrdr accepts (Deadline's are 24 hex digits): it goes into URLs and a file name."""


# -- typed answers -------------------------------------------------------------------------

class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class Worker(_Answer):
    """One Deadline worker (formerly "slave"), as ``vrdr farm workers`` shows it.

    ``address`` is where its spawner is reached: the address override when the worker has one,
    else ``Info.IP``.
    """

    name: str
    address: str | None = None
    ip: str | None = None
    override: str | None = None
    state_code: int | None = None
    pools: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)

    @property
    def state(self) -> str:
        """The state as Deadline names it ("Idle", "Offline", ...), or ``code N`` if unknown."""
        if self.state_code is None:
            return "Unknown"
        return WORKER_STATES.get(self.state_code, f"code {self.state_code}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``vrdr farm workers`` (keys are public interface)."""
        return {"name": self.name, "address": self.address, "state": self.state,
                "pools": list(self.pools), "groups": list(self.groups)}


class Task(_Answer):
    """One task of a job; a spawner job has one task per machine."""

    task_id: int
    worker: str | None = None
    state_code: int | None = None

    @property
    def completed(self) -> bool:
        """True when the task is already complete (it then cannot be completed again)."""
        return self.state_code == COMPLETED_TASK_CODE


class SpawnerJob(_Answer):
    """The VraySpawner job that reserves machines: one task per machine, one frame per task."""

    name: str
    servers: int = Field(ge=1)
    port: int = Field(ge=1, le=65535)
    plugin_version: str
    pool: str | None = None
    group: str | None = None
    priority: int = Field(default=50, ge=0, le=100)
    blacklist: list[str] = Field(default_factory=list)
    comment: str = "vrdr: V-Ray DR render servers (released when the render ends)"

    def job_info(self) -> dict[str, str]:
        """JobInfo as the submitters write it (every value a string)."""
        info = {"Plugin": SPAWNER_PLUGIN, "Name": self.name, "Comment": self.comment,
                "Frames": f"0-{self.servers - 1}", "ChunkSize": "1",
                "Priority": str(self.priority)}
        if self.pool:
            info["Pool"] = self.pool
        if self.group:
            info["Group"] = self.group
        if self.blacklist:
            info["Blacklist"] = ",".join(self.blacklist)
        return info

    def plugin_info(self) -> dict[str, str]:
        """PluginInfo: which spawner to start and on which port."""
        return {"Version": self.plugin_version, "PortNumber": str(self.port)}


def plugin_version(engine: str, max_year: int) -> str:
    """The VraySpawner ``Version`` for 3ds Max ``max_year`` and ``engine`` (``cpu``/``gpu``)."""
    return PLUGIN_VERSIONS[engine].format(year=max_year)


def _names(value: Any) -> list[str]:
    """Pools or groups as Deadline spells them: a list, or one comma-separated string."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(part).strip() for part in value if str(part).strip()]
    return []


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return plain_int(value.strip()) if isinstance(value, str) else None


def address_override(settings: Mapping[str, Any]) -> str | None:
    """The worker's address override from its ``Settings`` (see ``ADDRESS_OVERRIDE_KEYS``)."""
    for key in ADDRESS_OVERRIDE_KEYS:
        value = _text(settings.get(key))
        if value:
            return value
    return None


def parse_workers(data: Any, url: str) -> list[Worker]:
    """``GET /api/slaves?Data=infosettings``'s answer: a list of ``{"Info", "Settings"}``.

    Raises:
        FarmProtocolError: not a list of objects with an ``Info.Name``.
    """
    if not isinstance(data, list):
        raise FarmProtocolError(f"GET {url}: expected a list of workers, got "
                                f"{type(data).__name__}", url=url, status=200)
    workers = []
    for item in data:
        info = item.get("Info") if isinstance(item, dict) else None
        name = _text(info.get("Name")) if isinstance(info, dict) else None
        if not isinstance(info, dict) or name is None:
            raise FarmProtocolError(f"GET {url}: a worker without Info.Name", url=url,
                                    status=200)
        raw_settings = item.get("Settings")
        settings: Mapping[str, Any] = raw_settings if isinstance(raw_settings, dict) else {}
        ip = _text(info.get("IP"))
        override = address_override(settings)
        pools = _names(info.get(WORKER_POOLS_KEY)) or _names(settings.get(WORKER_POOLS_KEY))
        groups = _names(info.get(WORKER_GROUPS_KEY)) or _names(settings.get(WORKER_GROUPS_KEY))
        workers.append(Worker(name=name, ip=ip, override=override, address=override or ip,
                              state_code=_code(info.get("Stat")), pools=pools, groups=groups))
    return workers


def parse_names(data: Any, url: str, what: str) -> list[str]:
    """A list of names (pools, groups, workers rendering a job).

    Raises:
        FarmProtocolError: not a list of strings.
    """
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise FarmProtocolError(f"GET {url}: expected a list of {what}", url=url, status=200)
    return [item.strip() for item in data if item.strip()]


def parse_job_id(data: Any, url: str) -> str:
    """The submission's answer: the new job's id (``SUBMIT_ID_KEY``, or a bare string).

    Raises:
        FarmProtocolError: no id in it.
    """
    found = data.get(SUBMIT_ID_KEY) if isinstance(data, dict) else data
    if (isinstance(found, str) and not isinstance(found, TextAnswer)
            and _JOB_ID.fullmatch(found.strip())):
        return found.strip()
    raise FarmProtocolError(f"POST {url}: the answer holds no job id (expected "
                            f'{{"{SUBMIT_ID_KEY}": ...}} or a JSON string)', url=url, status=200)


def parse_tasks(data: Any, url: str) -> list[Task]:
    """``GET /api/tasks?JobID=``'s answer: a list of tasks, or an object holding ``Tasks``.

    Raises:
        FarmProtocolError: no list of tasks with a ``TASK_ID_KEY``.
    """
    items = data.get("Tasks") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise FarmProtocolError(f"GET {url}: expected a list of tasks", url=url, status=200)
    tasks = []
    for item in items:
        task_id = _code(item.get(TASK_ID_KEY)) if isinstance(item, dict) else None
        if not isinstance(item, dict) or task_id is None:
            raise FarmProtocolError(f"GET {url}: a task without {TASK_ID_KEY}", url=url,
                                    status=200)
        tasks.append(Task(task_id=task_id, worker=_text(item.get(TASK_WORKER_KEY)),
                          state_code=_code(item.get(TASK_STATE_KEY))))
    return tasks


def first_job(data: Any, url: str = "") -> dict[str, Any] | None:
    """``GET /api/jobs?JobID=``'s answer is a list of jobs (``Jobs.GetJob`` takes the first).

    Returns:
        The job, or None when the answer is an empty list (no such job).

    Raises:
        FarmProtocolError: any other shape (``null``, a number, a list of non-objects): that
            says nothing about the job, least of all that it is gone.
    """
    if isinstance(data, list) and data:
        data = data[0]
    elif isinstance(data, list):
        return None
    if isinstance(data, dict):
        return data
    raise FarmProtocolError(f"GET {url}: expected a list of jobs, got {type(data).__name__}",
                            url=url, status=200)


def job_state(job: Mapping[str, Any]) -> str | None:
    """The job's state as Deadline names it ("Completed", ...), None when unknown."""
    code = _code(job.get(JOB_STATE_KEY))
    return None if code is None else JOB_STATES.get(code)


# -- the routes ----------------------------------------------------------------------------

class DeadlineClient:
    """The Deadline 10 Web Service routes vrdr uses, over a :class:`WebService`."""

    def __init__(self, service: WebService) -> None:
        self.service = service

    def workers(self) -> list[Worker]:
        """Every worker with its info and settings.

        rest-workers, "Get All Worker's InfoSettings": ``GET /api/slaves?Data=infosettings``
        (``Slaves.GetSlavesInfoSettings``).
        """
        query = "Data=infosettings"
        return parse_workers(self.service.get("/api/slaves", query),
                             self.service.url.url("/api/slaves", query))

    def pools(self) -> list[str]:
        """Pool names. rest-pools, "Get Pool Names": ``GET /api/pools``."""
        return parse_names(self.service.get("/api/pools"), self.service.url.url("/api/pools"),
                           "pools")

    def groups(self) -> list[str]:
        """Group names. rest-groups, "Get Group Names": ``GET /api/groups``."""
        return parse_names(self.service.get("/api/groups"),
                           self.service.url.url("/api/groups"), "groups")

    def submit(self, job: SpawnerJob) -> str:
        """Submit the spawner job; its id.

        rest-jobs, "Submit Job": ``POST /api/jobs`` with ``JobInfo``, ``PluginInfo``,
        ``AuxFiles`` and ``IdOnly`` (``Jobs.SubmitJob``; the body as ``DeadlineSend.send``
        sends it: JSON, ``Content-Type: application/json; charset=utf-8``).
        """
        body = {"JobInfo": job.job_info(), "PluginInfo": job.plugin_info(), "AuxFiles": [],
                "IdOnly": True}
        return parse_job_id(self.service.send("POST", "/api/jobs", body),
                            self.service.url.url("/api/jobs"))

    def rendering(self, job_id: str, tasks: int | None = None) -> list[str]:
        """Addresses of the workers rendering the job (one task each: the reserved machines).

        ``GET /api/slavesrenderingjob?JobID=<id>&GetIpAddress=true``
        (``SlavesRenderingJob.GetSlavesRenderingJob(id, getIpAddress=True)``, rest-workers).

        Args:
            job_id: the job.
            tasks: how many tasks the job has, when known: more distinct machines than that
                cannot be rendering it (one task each), so such an answer is refused.

        Raises:
            FarmProtocolError: not a list of strings, or more machines than ``tasks``.
        """
        query = urllib.parse.urlencode({"JobID": job_id, "GetIpAddress": "true"})
        url = self.service.url.url("/api/slavesrenderingjob", query)
        names = parse_names(self.service.get("/api/slavesrenderingjob", query), url,
                            "worker addresses")
        count = len(set(names))
        if tasks is not None and count > tasks:
            raise FarmProtocolError(f"GET {url}: {count} machines for a job of {tasks} tasks; "
                                    "the answer is not this job's", url=url, status=200)
        return names

    def job(self, job_id: str) -> dict[str, Any] | None:
        """The job's JSON, or None when the Web Service has no such job.

        rest-jobs, "Get Job": ``GET /api/jobs?JobID=<id>`` (``Jobs.GetJob``).
        """
        query = urllib.parse.urlencode({"JobID": job_id})
        return first_job(self.service.get("/api/jobs", query),
                         self.service.url.url("/api/jobs", query))

    def job_ids(self) -> Any:
        """Every job id, as answered.

        rest-jobs, "Get All Job IDs": ``GET /api/jobs?IdOnly=true``.
        """
        return self.service.get("/api/jobs", "IdOnly=true")

    def tasks(self, job_id: str) -> list[Task]:
        """The job's tasks. rest-tasks, "Get Job Tasks": ``GET /api/tasks?JobID=<id>``."""
        query = urllib.parse.urlencode({"JobID": job_id})
        return parse_tasks(self.service.get("/api/tasks", query),
                           self.service.url.url("/api/tasks", query))

    def raw_tasks(self, job_id: str) -> Any:
        """The job's tasks as answered (for the field check)."""
        return self.service.get("/api/tasks", urllib.parse.urlencode({"JobID": job_id}))

    def raw_workers(self) -> Any:
        """Every worker's info and settings as answered (for the field check)."""
        return self.service.get("/api/slaves", "Data=infosettings")

    def complete_job(self, job_id: str) -> None:
        """Complete the job: every task done, every machine free again (the release).

        rest-jobs, "Complete Job": ``PUT /api/jobs`` ``{"Command": "complete", "JobID": id}``
        (``Jobs.CompleteJob``; the DBR submitters release their machines this way).
        """
        self.service.send("PUT", "/api/jobs", {"Command": "complete", "JobID": job_id})

    def complete_tasks(self, job_id: str, task_ids: Iterable[int]) -> None:
        """Complete some tasks: drops those machines (or queued places) from the reservation.

        rest-tasks, "Complete Job Tasks": ``PUT /api/tasks`` ``{"Command": "complete",
        "JobID": id, "TaskList": [ids]}`` (``Tasks.CompleteJobTasks``; ``DynamicDBR.py``
        drops DBR machines by completing their tasks).
        """
        self.service.send("PUT", "/api/tasks", {"Command": "complete", "JobID": job_id,
                                                "TaskList": sorted(task_ids)})

    def append_frames(self, job_id: str, first: int, last: int) -> None:
        """Grow the job by tasks ``first``..``last`` (one more machine each).

        rest-jobs, "Append Job Frame Range": ``PUT /api/jobs`` ``{"Command":
        "appendjobframerange", "JobID": id, "FrameList": "first-last"}``
        (``Jobs.AppendJobFrameRange``; ``DynamicDBR.py`` grows DBR jobs this way).
        """
        self.service.send("PUT", "/api/jobs", {"Command": "appendjobframerange",
                                               "JobID": job_id,
                                               "FrameList": f"{first}-{last}"})
