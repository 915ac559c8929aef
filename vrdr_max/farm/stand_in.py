"""A stand-in Deadline 10 Web Service on loopback, written from the public REST pages.

The farm tests run vrdr against it, and ``vrdr panel --demo --farm`` shows the panel's Farm
section against it; nothing here is used by a real reservation.

Each route cites the page it follows (docs.thinkboxsoftware.com, Deadline 10 User Manual,
``manual/rest-*.html``) and the Standard Python API function that calls it. Shapes the pages
leave open are the [unverified] constants of ``vrdr_max.farm.deadline``: the fake speaks them,
so a wrong guess shows up in ``vrdr farm fieldcheck`` against the real service, not here.

Workers are simulated machines on their own loopback addresses (127.0.0.2, 127.0.0.3, ...;
all of 127.0.0.0/8 is loopback on Linux). Each holds a socket bound to its spawner port that
refuses connections until its spawner "starts" (``listen``), a set time after the worker takes
a task; it closes again when the task or the job is completed. A worker takes a queued task
when it is idle, in the job's pool and group, not blacklisted, and ``pickup_after`` seconds
have passed since the submission. Every request is recorded, so tests assert what vrdr sent.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RENDERING, IDLE, OFFLINE = 1, 2, 3
"""Worker ``Info.Stat`` codes (``WORKER_STATES``)."""
TASK_QUEUED, TASK_RENDERING, TASK_COMPLETED = 2, 4, 5
"""Task ``Stat`` codes (``TASK_STATES``)."""
JOB_ACTIVE, JOB_COMPLETED = 1, 3
"""Job ``Stat`` codes (``JOB_STATES``)."""

TICK_S = 0.005
"""How often the fake farm hands out tasks."""


@dataclass
class FakeWorker:
    """A simulated render node.

    Attributes:
        name: the Deadline worker name.
        ip: its loopback address (``Info.IP``).
        pools: pools it serves; groups likewise.
        state: ``Info.Stat`` (2 idle, 3 offline, ...).
        override: its ``HostMachineIPAddressOverride`` setting.
        pickup_after: seconds after a submission before it takes a task.
        spawner_after: seconds after pickup before its spawner listens; None: never.
        offline_after_pickup: it goes offline right after taking a task (and never listens).
    """

    name: str
    ip: str
    pools: list[str] = field(default_factory=lambda: ["dr"])
    groups: list[str] = field(default_factory=list)
    state: int = IDLE
    override: str | None = None
    pickup_after: float = 0.0
    spawner_after: float | None = 0.0
    offline_after_pickup: bool = False
    task: tuple[str, int] | None = None
    listen_at: float | None = None
    sock: socket.socket | None = None
    listening: bool = False

    @property
    def address(self) -> str:
        """Where its spawner listens: the override when it has one, else ``Info.IP``."""
        return self.override or self.ip


@dataclass
class FakeTask:
    """One task of a fake job (one machine's place in a spawner job)."""

    task_id: int
    stat: int = TASK_QUEUED
    worker: str = ""
    assigned_at: float | None = None
    """``time.monotonic()`` when a worker took it (benchmarks/farm.py reads it)."""


@dataclass
class FakeJob:
    """A job submitted to the fake."""

    job_id: str
    info: dict[str, str]
    plugin: dict[str, str]
    submitted: float
    tasks: list[FakeTask]
    stat: int = JOB_ACTIVE

    @property
    def blacklist(self) -> set[str]:
        """The worker names in JobInfo ``Blacklist``, lower case."""
        return {n.strip().lower() for n in self.info.get("Blacklist", "").split(",") if n.strip()}


@dataclass(frozen=True)
class Recorded:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorization: str | None


def frames(text: str) -> list[int]:
    """``"0-4"`` or ``"7"``: the task numbers of a frame list (what a spawner job uses)."""
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


class FakeDeadline:
    """The fake Web Service and its farm; use as a context manager."""

    def __init__(self, workers: list[FakeWorker], *, spawner_port: int,
                 user: str | None = None, password: str | None = None,
                 pools: list[str] | None = None, groups: list[str] | None = None) -> None:
        self.workers = workers
        self.spawner_port = spawner_port
        self.user = user
        self.password = password
        self.pools = pools if pools is not None else sorted({p for w in workers
                                                             for p in w.pools})
        self.groups = groups if groups is not None else sorted({g for w in workers
                                                               for g in w.groups})
        self.jobs: dict[str, FakeJob] = {}
        self.requests: list[Recorded] = []
        self.fail: dict[tuple[str, str], int] = {}
        """``(method, path) -> status``: answer with this error status."""
        self.delay: dict[tuple[str, str], float] = {}
        """``(method, path) -> seconds``: answer this late."""
        self.malformed: set[tuple[str, str]] = set()
        """``(method, path)``: answer 200 with something that is not JSON."""
        self.answers: dict[tuple[str, str], Any] = {}
        """``(method, path) -> answer``: answer 200 with this instead (a broken Web Service)."""
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self.port = 0

    # -- life --------------------------------------------------------------------------------

    def __enter__(self) -> FakeDeadline:
        for worker in self.workers:
            self._bind(worker)
        self.start_http()
        farm = threading.Thread(target=self._run_farm, name="fake-farm", daemon=True)
        farm.start()
        self._threads.append(farm)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.stop_http()
        for thread in self._threads:
            thread.join(5)
        with self.lock:
            for worker in self.workers:
                if worker.sock is not None:
                    worker.sock.close()
                    worker.sock = None

    @property
    def url(self) -> str:
        """The Web Service's URL (loopback)."""
        return f"http://127.0.0.1:{self.port}"

    def start_http(self) -> None:
        """(Re)start the Web Service, on the same port as before when there was one."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = _Server(("127.0.0.1", self.port), handler)
        self.port = int(self._httpd.server_address[1])
        thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                  name="fake-deadline-http", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop_http(self) -> None:
        """Take the Web Service down (the farm keeps running)."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # -- what tests look at -----------------------------------------------------------------

    def sent(self, method: str, path: str) -> list[Recorded]:
        """The requests recorded for ``method path``."""
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def commands(self, path: str) -> list[dict[str, Any]]:
        """Bodies of the PUTs to ``path`` (``{"Command": ...}``)."""
        return [r.body for r in self.sent("PUT", path)]

    def only_job(self) -> FakeJob:
        """The one job submitted (asserts there is exactly one)."""
        with self.lock:
            assert len(self.jobs) == 1, list(self.jobs)
            return next(iter(self.jobs.values()))

    def worker(self, name: str) -> FakeWorker:
        """The worker called ``name``."""
        return next(w for w in self.workers if w.name == name)

    def wait_for(self, condition: Any, seconds: float = 10.0) -> None:
        """Poll ``condition()`` until true (bounded)."""
        end = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > end:
                raise AssertionError("the fake farm never got there")
            time.sleep(0.01)

    # -- the farm ------------------------------------------------------------------------------

    def _bind(self, worker: FakeWorker) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((worker.address, self.spawner_port))
        worker.sock, worker.listening = sock, False

    def _stop_spawner(self, worker: FakeWorker) -> None:
        worker.task, worker.listen_at = None, None
        if worker.state == RENDERING:
            worker.state = IDLE
        if worker.listening and worker.sock is not None:
            worker.sock.close()
            self._bind(worker)

    def _run_farm(self) -> None:
        while not self._stop.wait(TICK_S):
            with self.lock:
                now = time.monotonic()
                for job in self.jobs.values():
                    if job.stat == JOB_ACTIVE:
                        self._hand_out(job, now)
                for worker in self.workers:
                    if (worker.listen_at is not None and now >= worker.listen_at
                            and not worker.listening and worker.sock is not None):
                        worker.sock.listen(64)
                        worker.listening = True

    def _hand_out(self, job: FakeJob, now: float) -> None:
        queued = [t for t in job.tasks if t.stat == TASK_QUEUED]
        pool, group = job.info.get("Pool"), job.info.get("Group")
        for worker in sorted(self.workers, key=lambda w: w.pickup_after):
            if not queued:
                return
            if (worker.state != IDLE or worker.task is not None
                    or now < job.submitted + worker.pickup_after
                    or (pool and pool not in worker.pools)
                    or (group and group not in worker.groups)
                    or worker.name.lower() in job.blacklist):
                continue
            task = queued.pop(0)
            task.stat, task.worker, task.assigned_at = TASK_RENDERING, worker.name, now
            worker.task, worker.state = (job.job_id, task.task_id), RENDERING
            if worker.offline_after_pickup:
                worker.state = OFFLINE
            elif worker.spawner_after is not None:
                worker.listen_at = now + worker.spawner_after

    # -- the routes ------------------------------------------------------------------------------

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any
              ) -> tuple[int, Any]:
        """Answer one request: its status and its JSON (or text) answer."""
        one = {key: values[0] for key, values in query.items()}
        routes: dict[tuple[str, str], Callable[[], tuple[int, Any]]] = {
            ("GET", "/api/slaves"): lambda: (200, self._workers(one)),
            # rest-pools "Get Pool Names" (Slaves.py/Pools.py GetPoolNames).
            ("GET", "/api/pools"): lambda: (200, list(self.pools)),
            # rest-groups "Get Group Names".
            ("GET", "/api/groups"): lambda: (200, list(self.groups)),
            ("POST", "/api/jobs"): lambda: self._submit(body),
            ("GET", "/api/jobs"): lambda: self._jobs(one),
            ("PUT", "/api/jobs"): lambda: self._job_command(body),
            ("GET", "/api/slavesrenderingjob"): lambda: self._rendering(one),
            ("GET", "/api/tasks"): lambda: self._tasks(one),
            ("PUT", "/api/tasks"): lambda: self._task_command(body),
        }
        answer = routes.get((method, path))
        if answer is None:
            return 404, {"error": f"no route {method} {path}"}
        with self.lock:
            return answer()

    def _workers(self, query: dict[str, str]) -> Any:
        # rest-workers "Get All Worker's InfoSettings": GET /api/slaves?Data=infosettings
        # (Slaves.GetSlavesInfoSettings); Info.Name/Host/IP as a public farm script reads them.
        if query.get("Data") != "infosettings":
            return []
        names = set(query["Name"].split(",")) if "Name" in query else None
        return [{"Info": {"Name": w.name, "Host": w.name, "IP": w.ip, "Stat": w.state,
                          "Pools": ",".join(w.pools), "Grps": ",".join(w.groups)},
                 "Settings": {"Name": w.name,
                              "HostMachineIPAddressOverride": w.override or ""}}
                for w in self.workers if names is None or w.name in names]

    def _submit(self, body: Any) -> tuple[int, Any]:
        # rest-jobs "Submit Job": POST /api/jobs {"JobInfo", "PluginInfo", "AuxFiles",
        # "IdOnly"} (Jobs.SubmitJob); 400 without a body (rest-jobs overview).
        if not isinstance(body, dict) or "JobInfo" not in body or "PluginInfo" not in body:
            return 400, "Bad Request: no job info"
        info, plugin = body["JobInfo"], body["PluginInfo"]
        job_id = f"{next(self._ids):024x}"
        tasks = [FakeTask(n) for n in frames(info["Frames"])]
        self.jobs[job_id] = FakeJob(job_id, dict(info), dict(plugin), time.monotonic(), tasks)
        if body.get("IdOnly"):
            return 200, {"_id": job_id}
        return 200, self._job_json(self.jobs[job_id])

    def _job_json(self, job: FakeJob) -> dict[str, Any]:
        return {"_id": job.job_id, "Stat": job.stat,
                "Props": {"Name": job.info.get("Name"), "Plug": job.info.get("Plugin"),
                          "Pool": job.info.get("Pool", "none"),
                          "Grp": job.info.get("Group", "none"),
                          "PlugInfo": dict(job.plugin)}}

    def _jobs(self, query: dict[str, str]) -> tuple[int, Any]:
        # rest-jobs "Get All Job IDs" (IdOnly=true) and "Get Job" (JobID=, a list; Jobs.GetJob
        # takes its first item).
        if query.get("IdOnly") == "true":
            return 200, list(self.jobs)
        if "JobID" in query:
            job = self.jobs.get(query["JobID"])
            return 200, [] if job is None else [self._job_json(job)]
        return 200, [self._job_json(j) for j in self.jobs.values()]

    def _job_command(self, body: Any) -> tuple[int, Any]:
        # rest-jobs: PUT /api/jobs {"Command": ..., "JobID": ...}; 400 without a command, 500
        # for an unknown one (rest-jobs overview). "complete" (Jobs.CompleteJob) completes
        # every task; "appendjobframerange" (Jobs.AppendJobFrameRange) adds tasks.
        if not isinstance(body, dict) or "Command" not in body:
            return 400, "Bad Request: no command"
        job = self.jobs.get(str(body.get("JobID")))
        if job is None:
            return 500, "Error: no job with that ID"
        command = body["Command"]
        if command == "complete":
            job.stat = JOB_COMPLETED
            for task in job.tasks:
                task.stat = TASK_COMPLETED
            for worker in self.workers:
                if worker.task is not None and worker.task[0] == job.job_id:
                    self._stop_spawner(worker)
            return 200, "Success"
        if command == "appendjobframerange":
            job.tasks.extend(FakeTask(n) for n in frames(body["FrameList"]))
            return 200, "Success"
        return 500, f"Error: unknown command {command}"

    def _rendering(self, query: dict[str, str]) -> tuple[int, Any]:
        # SlavesRenderingJob.GetSlavesRenderingJob: GET /api/slavesrenderingjob?JobID=<id>
        # &GetIpAddress=true|false: the workers rendering the job, by Info.IP or by name.
        job_id = query.get("JobID", "")
        by_ip = query.get("GetIpAddress", "false").lower() == "true"
        held = [w for w in self.workers if w.task is not None and w.task[0] == job_id]
        return 200, [w.ip if by_ip else w.name for w in held]

    def _tasks(self, query: dict[str, str]) -> tuple[int, Any]:
        # rest-tasks "Get Job Tasks": GET /api/tasks?JobID=<id> (Tasks.GetJobTasks).
        job = self.jobs.get(query.get("JobID", ""))
        if job is None:
            return 500, "Error: no job with that ID"
        return 200, [{"TaskID": t.task_id, "Frames": str(t.task_id), "Slave": t.worker,
                      "Stat": t.stat} for t in job.tasks]

    def _task_command(self, body: Any) -> tuple[int, Any]:
        # rest-tasks "Complete Job Tasks": PUT /api/tasks {"Command": "complete", "JobID",
        # "TaskList"} (Tasks.CompleteJobTasks). A completed task cannot be completed again
        # (deadlinecommand -CompleteJobTask's documented error).
        if not isinstance(body, dict) or body.get("Command") != "complete":
            return 400, "Bad Request: no command"
        job = self.jobs.get(str(body.get("JobID")))
        if job is None:
            return 500, "Error: no job with that ID"
        wanted = body.get("TaskList")
        ids = wanted if isinstance(wanted, list) else [wanted]
        tasks = [t for t in job.tasks if t.task_id in ids]
        if any(t.stat == TASK_COMPLETED for t in tasks):
            return 500, "Error: Cannot mark a task with status Completed complete"
        for task in tasks:
            task.stat = TASK_COMPLETED
            for worker in self.workers:
                if worker.task == (job.job_id, task.task_id):
                    self._stop_spawner(worker)
        return 200, "Success"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (vrdr's timeout) is part of the test, not noise


class _Handler(BaseHTTPRequestHandler):
    fake: FakeDeadline
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, method: str) -> None:
        fake = self.fake
        parts = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        auth = self.headers.get("Authorization")
        with fake.lock:
            fake.requests.append(Recorded(method, parts.path, query, body, auth))
            delay = fake.delay.get((method, parts.path), 0.0)
            failing = fake.fail.get((method, parts.path))
            malformed = (method, parts.path) in fake.malformed
            answers = dict(fake.answers)
        if delay:
            time.sleep(delay)
        if fake.user is not None:
            token = base64.b64encode(f"{fake.user}:{fake.password}".encode()).decode()
            if auth != f"Basic {token}":
                # rest-overview: with authentication on, a request without the right
                # credentials gets 401 (DeadlineSend.send's "Authentication ... failed").
                self._send(401, "Unauthorized", {"WWW-Authenticate": 'Basic realm="Deadline"'})
                return
        if failing is not None:
            self._send(failing, "Error: An exception occurred within the Deadline code.")
            return
        if malformed:
            self._send(200, "<html><body>Deadline Web Service</body>", raw=True)
            return
        if (method, parts.path) in answers:
            self._send(200, answers[(method, parts.path)])
            return
        status, answer = fake.route(method, parts.path, query, body)
        self._send(status, answer)

    def _send(self, status: int, answer: Any, headers: dict[str, str] | None = None, *,
              raw: bool = False) -> None:
        with contextlib.suppress(OSError):
            self._write(status, answer, headers, raw=raw)

    def _write(self, status: int, answer: Any, headers: dict[str, str] | None, *,
               raw: bool) -> None:
        # Text answers ("Success", error messages) go as text, the rest as JSON.
        payload = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if not raw else "text/html")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_PUT(self) -> None:
        self._answer("PUT")


def free_spawner_port(addresses: list[str]) -> int:
    """A port free on every one of ``addresses`` (ephemeral: never a fixed DR port)."""
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = int(probe.getsockname()[1])
        socks = []
        try:
            for address in addresses:
                sock = socket.socket()
                socks.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((address, port))
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
        return port
    raise RuntimeError("no spawner port free on every test address")


@contextlib.contextmanager
def fake_farm(workers: list[FakeWorker], **options: Any) -> Iterator[FakeDeadline]:
    """A running fake with its spawner port chosen free on every worker address."""
    port = free_spawner_port([w.address for w in workers] or ["127.0.0.2"])
    with FakeDeadline(workers, spawner_port=port, **options) as fake:
        yield fake
