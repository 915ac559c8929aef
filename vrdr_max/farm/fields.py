"""``vrdr farm fieldcheck``: read what vrdr relies on from a real Web Service; submit nothing.

A TD runs it once against the studio's Deadline (docs/field-check.md): it reads the workers,
the pools and groups, the job ids and one job with its tasks, and says for each field vrdr
reads (above all the [unverified] constants of ``deadline``) whether it is there as vrdr
expects. Nothing is written to the farm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vrdr_max.farm import deadline as dl
from vrdr_max.farm.deadline import DeadlineClient
from vrdr_max.farm.errors import FarmError, FarmProtocolError

OK, MISSING, DIFFERENT, NOT_CHECKED = "ok", "missing", "different", "not checked"


@dataclass(frozen=True)
class FieldFact:
    """One field vrdr reads.

    Attributes:
        field: where it is (``worker Info.Stat``).
        constant: the constant in ``vrdr_max.farm.deadline`` that names it ("" for a route).
        status: ``ok``, ``missing``, ``different`` or ``not checked``.
        found: what the Web Service answered, briefly.
        unverified: the constant is one no public source settles.
    """

    field: str
    constant: str
    status: str
    found: str
    unverified: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (keys are public interface)."""
        return {"field": self.field, "constant": self.constant, "status": self.status,
                "found": self.found, "unverified": self.unverified}


@dataclass
class FieldReport:
    """Every field checked."""

    facts: list[FieldFact] = field(default_factory=list)
    job_id: str | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is missing or different."""
        return all(f.status in (OK, NOT_CHECKED) for f in self.facts)

    def add(self, name: str, constant: str, status: str, found: str, *,
            unverified: bool = True) -> None:
        """Record one field."""
        self.facts.append(FieldFact(name, constant, status, found, unverified))

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``vrdr farm fieldcheck``."""
        return {"ok": self.ok, "job_id": self.job_id,
                "fields": [f.to_dict() for f in self.facts]}

    def lines(self) -> list[str]:
        """Text for a terminal (and to paste into a report)."""
        out = [f"{f.status:<12} {f.field}" + (f" ({f.constant})" if f.constant else "")
               + (" [unverified]" if f.unverified else "") + f": {f.found}"
               for f in self.facts]
        out.append("all fields as vrdr expects" if self.ok else
                   "some fields differ: send this output with the issue (docs/field-check.md)")
        return out


def _const(name: str) -> str:
    return f"deadline.{name}"


def _codes(values: list[Any], known: Mapping[int, str]) -> tuple[str, str]:
    codes = sorted({v for v in values if isinstance(v, int) and not isinstance(v, bool)})
    others = [v for v in values if not isinstance(v, int) or isinstance(v, bool)]
    unknown = [c for c in codes if c not in known]
    seen = ", ".join(f"{c} ({known.get(c, '?')})" for c in codes) or "none"
    if others:
        return DIFFERENT, f"not numbers: {others[:3]!r}; codes {seen}"
    return (DIFFERENT if unknown else OK), f"codes seen: {seen}"


def _workers(client: DeadlineClient, report: FieldReport) -> None:
    raw = client.raw_workers()
    items = [w for w in raw if isinstance(w, dict)] if isinstance(raw, list) else []
    report.add("GET /api/slaves?Data=infosettings", "", OK if isinstance(raw, list) else DIFFERENT,
               f"{len(items)} worker(s)" if isinstance(raw, list) else type(raw).__name__,
               unverified=False)
    if not items:
        report.add("worker fields", "", NOT_CHECKED, "no worker to read", unverified=False)
        return
    infos: list[dict[str, Any]] = [w["Info"] if isinstance(w.get("Info"), dict) else {}
                                   for w in items]
    first = infos[0]
    for key in ("Name", "IP"):
        report.add(f"worker Info.{key}", "", OK if key in first else MISSING,
                   repr(first.get(key)), unverified=False)
    if "Stat" not in first:
        report.add("worker Info.Stat", _const("WORKER_STATES"), MISSING, "no Stat key")
    else:
        report.add("worker Info.Stat", _const("WORKER_STATES"),
                   *_codes([i.get("Stat") for i in infos if "Stat" in i], dl.WORKER_STATES))
    for key, constant in ((dl.WORKER_POOLS_KEY, "WORKER_POOLS_KEY"),
                          (dl.WORKER_GROUPS_KEY, "WORKER_GROUPS_KEY")):
        value = first.get(key)
        shape = ("a list" if isinstance(value, list) else "a comma-separated string"
                 if isinstance(value, str) else "absent" if value is None else
                 type(value).__name__)
        report.add(f"worker Info.{key}", _const(constant),
                   OK if isinstance(value, (list, str)) else MISSING, shape)
    settings: list[dict[str, Any]] = [w["Settings"] for w in items
                                      if isinstance(w.get("Settings"), dict)]
    present = [k for k in dl.ADDRESS_OVERRIDE_KEYS if any(k in s for s in settings)]
    report.add("worker Settings address override", _const("ADDRESS_OVERRIDE_KEYS"),
               OK if present else MISSING,
               f"present: {', '.join(present)}" if present else
               f"none of {', '.join(dl.ADDRESS_OVERRIDE_KEYS)} in any worker's Settings")


def _names(client: DeadlineClient, report: FieldReport) -> None:
    for what, read in (("pools", client.pools), ("groups", client.groups)):
        try:
            names = read()
        except FarmError as exc:
            report.add(f"GET /api/{what}", "", DIFFERENT, str(exc), unverified=False)
            continue
        report.add(f"GET /api/{what}", "", OK, f"{len(names)} name(s)", unverified=False)


def _job(client: DeadlineClient, report: FieldReport, job_id: str | None) -> None:
    ids = client.job_ids()
    if isinstance(ids, list) and all(isinstance(i, str) for i in ids):
        report.add("GET /api/jobs?IdOnly=true", "", OK, f"a list of {len(ids)} id(s)",
                   unverified=False)
        chosen = job_id or (ids[-1] if ids else None)
    else:
        report.add("GET /api/jobs?IdOnly=true", "", DIFFERENT,
                   f"not a list of strings: {str(ids)[:80]}", unverified=False)
        chosen = job_id
    report.add("submission answer with IdOnly", _const("SUBMIT_ID_KEY"), NOT_CHECKED,
               "only a submission shows it; vrdr reads "
               f'{{"{dl.SUBMIT_ID_KEY}": ...}} or a bare string')
    report.add("VraySpawner Version for 3ds Max", _const("PLUGIN_VERSIONS"), NOT_CHECKED,
               f"vrdr sends {dl.PLUGIN_VERSIONS['cpu']} / {dl.PLUGIN_VERSIONS['gpu']}: the "
               "plugin's configuration needs VRaySpawnerExecutable_Max<year> for the year",
               unverified=False)
    report.job_id = chosen
    if chosen is None:
        report.add("job and task fields", "", NOT_CHECKED, "the farm has no job to read")
        return
    try:
        job = client.job(chosen)
    except FarmProtocolError as exc:
        report.add(f"GET /api/jobs?JobID={chosen}", "", DIFFERENT, str(exc), unverified=False)
        return
    if job is None:
        report.add(f"GET /api/jobs?JobID={chosen}", "", MISSING, "no such job",
                   unverified=False)
        return
    report.add("job id in a job", _const("SUBMIT_ID_KEY"),
               OK if dl.SUBMIT_ID_KEY in job else MISSING, repr(job.get(dl.SUBMIT_ID_KEY)))
    if dl.JOB_STATE_KEY in job:
        report.add(f"job {dl.JOB_STATE_KEY}", _const("JOB_STATE_KEY, JOB_STATES"),
                   *_codes([job[dl.JOB_STATE_KEY]], dl.JOB_STATES))
    else:
        report.add(f"job {dl.JOB_STATE_KEY}", _const("JOB_STATE_KEY"), MISSING, "absent")
    _tasks(client, report, chosen)
    try:
        rendering = client.rendering(chosen)
        report.add("GET /api/slavesrenderingjob", "", OK,
                   f"a list of {len(rendering)} address(es)", unverified=False)
    except FarmError as exc:
        report.add("GET /api/slavesrenderingjob", "", DIFFERENT, str(exc), unverified=False)


def _tasks(client: DeadlineClient, report: FieldReport, job_id: str) -> None:
    raw = client.raw_tasks(job_id)
    items = raw.get("Tasks") if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        report.add("GET /api/tasks?JobID=", "", DIFFERENT if not isinstance(items, list)
                   else NOT_CHECKED, "no task to read" if isinstance(items, list) else
                   f"not a list of tasks: {str(raw)[:80]}", unverified=False)
        return
    tasks = [t for t in items if isinstance(t, dict)]
    first = tasks[0]
    for key, constant in ((dl.TASK_ID_KEY, "TASK_ID_KEY"),
                          (dl.TASK_WORKER_KEY, "TASK_WORKER_KEY")):
        report.add(f"task {key}", _const(constant), OK if key in first else MISSING,
                   repr(first.get(key)) if key in first else
                   f"absent; the task has {', '.join(sorted(first))[:120]}")
    if dl.TASK_STATE_KEY in first:
        report.add(f"task {dl.TASK_STATE_KEY}", _const("TASK_STATE_KEY, TASK_STATES"),
                   *_codes([t.get(dl.TASK_STATE_KEY) for t in tasks], dl.TASK_STATES))
    else:
        report.add(f"task {dl.TASK_STATE_KEY}", _const("TASK_STATE_KEY"), MISSING, "absent")


def check_fields(client: DeadlineClient, *, job_id: str | None = None) -> FieldReport:
    """Read the workers, pools, groups and one job (``job_id`` or the newest); submit nothing.

    Raises:
        FarmError: the Web Service cannot be reached or refuses the login.
    """
    report = FieldReport()
    _workers(client, report)
    _names(client, report)
    _job(client, report, job_id)
    return report
