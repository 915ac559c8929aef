"""Render with DR in the artist's words: the plan as a checklist, the report as one line a step.

Qt-free: the plan dialog and the report dialog (``dialogs.py``) show these lines; the cfg lines
and renderer property names stay behind their Details toggle (``reporting.plan_lines`` and
``reporting.submission_lines``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from vrdr_max import reporting
from vrdr_max.checks import CheckStatus, Finding, Severity
from vrdr_max.models import DRSettings
from vrdr_max.ports import Mode
from vrdr_max.renderers import RendererProp
from vrdr_max.submit import StepRecord, SubmissionReport, SubmissionStatus, SubmitPlan

MAX_NAMED = 5
"""Servers named in a line ("left out: a, b, c, d, e and 7 more")."""


class Mark(str, Enum):
    """How a line reads at a glance; the value is the mark shown before its words."""

    OK = "✓"
    ERROR = "✗"
    WARNING = "!"
    NOTE = "i"

    @property
    def word(self) -> str:
        """The mark in words, for screen readers and for the copied text."""
        return {Mark.OK: "ok", Mark.ERROR: "error", Mark.WARNING: "warning",
                Mark.NOTE: "note"}[self]


@dataclass(frozen=True)
class Line:
    """One line of the checklist or the report.

    Attributes:
        mark: tick, cross, warning or note.
        text: the line in the artist's words.
        fix: the id of a fix that removes the problem (``fixes.FIXES``), if any.
        finding: the finding behind the line, if any (the fix dialog lists its subjects).
    """

    mark: Mark
    text: str
    fix: str | None = None
    finding: Finding | None = None

    def plain(self) -> str:
        """``✓ 3 servers will render``: the line as text (what Copy puts on the clipboard)."""
        return f"{self.mark.value} {self.text}"


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_NAMED])
    more = len(names) - MAX_NAMED
    return f"{shown} and {more} more" if more > 0 else shown


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def servers_used(plan: SubmitPlan) -> int:
    """How many listed servers the plan renders with (switched on and not left out)."""
    return sum(1 for s in plan.cfg_settings.servers if s.enabled)


def plan_checklist(plan: SubmitPlan, settings: DRSettings, *,
                   farm_job: str | None = None) -> list[Line]:
    """What Render with DR will do, errors first, each with its fix.

    Args:
        plan: the submission plan (``submit.plan``).
        settings: the settings as the artist sees them (which servers are switched off, whether
            DR is on now).
        farm_job: the farm reservation whose machines the cfg holds (the Farm section's), if
            any: the servers come from it.

    Returns:
        Errors, then the servers, DR on, DR2 and what comes back afterwards, then warnings.
    """
    lines = [Line(Mark.ERROR, _sentence(p)) for p in plan.problems]
    findings = plan.preflight.findings
    lines += [Line(Mark.ERROR, _sentence(f.message), f.fix, f) for f in findings
              if f.severity is Severity.ERROR]
    lines += [Line(Mark.ERROR, f"The check \u201c{r.title}\u201d could not run (a vrdr bug: "
                               f"{r.reason}); it is counted as an error")
              for r in plan.preflight.results if r.status is CheckStatus.CRASHED]
    lines += _server_lines(plan, settings, farm_job)
    lines.append(Line(Mark.OK, "Distributed rendering is on for this render" + (
        "" if settings.enabled else " (it is off now: it is switched on for the render)")))
    if plan.mode is Mode.DR2 and plan.dispatcher is not None:
        d = plan.dispatcher
        lines.append(Line(Mark.OK, f"DR2: the dispatcher {d.endpoint} hands out the work"
                                   + (" and renders too" if d.also_renders else "")))
    if settings.save_servers_in_scene and not plan.cfg_settings.save_servers_in_scene:
        lines.append(Line(Mark.NOTE, "The server list saved in the scene is set aside for this "
                                     "render, so V-Ray uses the list above"))
    if plan.restore and farm_job is not None:
        lines.append(Line(Mark.OK, "Afterwards the farm's machines stay reserved and listed, "
                                   "and Render Setup's DR switch is put back; Release in the "
                                   "Farm section gives them back and puts your list back"))
    elif plan.restore:
        lines.append(Line(Mark.OK, "Your settings come back afterwards: the server list file "
                                   "and Render Setup's DR switch are put back as they are now"))
    else:
        lines.append(Line(Mark.NOTE, f"This server list stays in {plan.cfg_path.name} "
                                     "afterwards; the previous file is kept as a backup"))
    lines += [Line(Mark.WARNING, _sentence(f.message), f.fix, f) for f in findings
              if f.severity is Severity.WARNING and not _moot(f, plan)]
    return lines


def _moot(finding: Finding, plan: SubmitPlan) -> bool:
    """A warning the plan itself answers, said once already in the lines above it."""
    if finding.check_id == "dr-off":
        return plan.renderer_props.get(RendererProp.DR_ENABLED) is True  # "DR is on for this"
    return finding.check_id == "servers-offline" and bool(plan.skipped_servers)  # "left out"


def _server_lines(plan: SubmitPlan, settings: DRSettings, farm_job: str | None = None
                  ) -> list[Line]:
    used = servers_used(plan)
    lines: list[Line] = []
    local = " and this machine" if settings.use_local_host else ""
    if used:
        farm = "" if farm_job is None else f" from the farm reservation (Deadline job {farm_job})"
        text = f"{_plural(used, 'server')}{farm}{local} will render"
        cap = settings.max_servers
        if 0 < cap < used:
            text += f" (V-Ray takes at most {cap} of them: Max servers)"
        lines.append(Line(Mark.OK, text))
    elif not plan.problems:  # "no listed server answered" is a problem line already
        lines.append(Line(Mark.WARNING, "No render server is switched on: this machine renders "
                                        "alone" if settings.use_local_host else
                                        "No render server is switched on and Use local host is "
                                        "off: nothing will render"))
    if plan.skipped_servers:
        count = len(plan.skipped_servers)
        lines.append(Line(Mark.NOTE, f"{_plural(count, 'server')} left out because "
                                     f"{'it' if count == 1 else 'they'} did not answer the "
                                     f"probe: {_names(plan.skipped_servers)}"))
    off = [s.endpoint for s in settings.servers if not s.enabled]
    if off:
        lines.append(Line(Mark.NOTE, f"{_plural(len(off), 'server')} switched off in the list: "
                                     f"{_names(off)}"))
    return lines


def online_choice(only_online: SubmitPlan, settings: DRSettings) -> str:
    """The label of the "only servers that answered" box, with the count it would use."""
    used, listed = servers_used(only_online), len(settings.enabled_servers)
    return f"Only servers that answered the probe: {used} of {listed} switched on"


def plan_details(plan: SubmitPlan) -> list[str]:
    """What stays behind the Details toggle: cfg lines, property names, the errors as ids."""
    lines = reporting.plan_lines(plan)
    if plan.blocking_reasons:
        lines += ["", "Errors left:"] + [f"  {b}" for b in plan.blocking_reasons]
    return lines


# -- the report ---------------------------------------------------------------------------------

_DONE = {
    "snapshot": "Read {cfg} as it is now",
    "write cfg": "Wrote the server list to {cfg}",
    "renderer properties": "Switched distributed rendering on in Render Setup",
    "scene record": "Noted the DR settings in the scene",
    "cfg": "your server list in {cfg}",
    "renderer properties:back": "Render Setup's DR settings",
    "scene record:back": "the DR note in the scene",
}
_FAILED = {
    "snapshot": "Could not read {cfg}",
    "write cfg": "Could not write the server list to {cfg}",
    "renderer properties": "Could not switch distributed rendering on in Render Setup",
    "scene record": "Could not note the DR settings in the scene",
    "render": "The render failed",
}
_RENDERED = {"completed": (Mark.OK, "Rendered: every frame finished"),
             "cancelled": (Mark.WARNING, "The render was cancelled before every frame "
                                         "finished"),
             "unknown": (Mark.WARNING, "The render ended; 3ds Max could not tell whether every "
                                       "frame finished (check the output)")}


def _step_line(step: StepRecord, cfg: str) -> Line:
    name = step.name
    for prefix, done, failed in (("restore: ", "Put back", "Could not put back"),
                                 ("roll back: ", "Undid the change to", "Could not undo")):
        if name.startswith(prefix):
            what = name.removeprefix(prefix)
            thing = _DONE.get(f"{what}:back", _DONE.get(what, what)).format(cfg=cfg)
            return (Line(Mark.OK, f"{done} {thing}") if step.ok
                    else Line(Mark.ERROR, f"{failed} {thing}: {step.detail}"))
    if name == "render" and step.ok:
        mark, text = _RENDERED.get(step.detail, (Mark.OK, "Rendered"))
        return Line(mark, text)
    if not step.ok:
        return Line(Mark.ERROR, f"{_FAILED.get(name, name).format(cfg=cfg)}: {step.detail}")
    return Line(Mark.OK, _DONE.get(name, name).format(cfg=cfg))


def report_lines(report: SubmissionReport) -> list[Line]:
    """One line per step with a tick or a cross, then how it ended, in the artist's words."""
    cfg = report.cfg_path.name
    lines = [_step_line(step, cfg) for step in report.steps]
    status = report.status
    if report.override_reason:
        errors = _plural(len(report.overridden), "error")
        lines.insert(0, Line(Mark.WARNING, f"Went ahead despite {errors}; your reason is recorded: "
                                           f"\u201c{report.override_reason}\u201d"))
    if status is SubmissionStatus.BLOCKED:
        lines.append(Line(Mark.ERROR, "Nothing was changed: errors block the render (fix them, "
                                      "or give a reason to render anyway)"))
        lines += [Line(Mark.ERROR, _sentence(b)) for b in report.blocking]
    elif status is SubmissionStatus.FAILED:
        undone = ("every change was undone" if report.rolled_back
                  else "some changes could not be undone (see above)")
        lines.append(Line(Mark.ERROR, f"The DR render did not finish: {report.error}; {undone}"))
    elif status is SubmissionStatus.NOT_RESTORED:
        lines.append(Line(Mark.ERROR, f"Your settings did not all come back: {report.error}"))
    elif report.restored:
        lines.append(Line(Mark.OK, "Your settings are back as they were"))
    elif status.ran:
        where = f" (the previous file: {report.backup_path})" if report.backup_path else ""
        lines.append(Line(Mark.NOTE, f"The new server list stays in {cfg}{where}"))
    return lines


def report_headline(report: SubmissionReport) -> str:
    """The report dialog's first line."""
    return {SubmissionStatus.RENDERED: "Rendered with DR",
            SubmissionStatus.CANCELLED: "DR render cancelled",
            SubmissionStatus.UNCONFIRMED: "DR render ended (not confirmed)",
            SubmissionStatus.BLOCKED: "DR render blocked: nothing was changed",
            SubmissionStatus.FAILED: "DR render failed",
            SubmissionStatus.NOT_RESTORED: "Rendered, but your settings did not all come back",
            }[report.status]


def report_text(report: SubmissionReport) -> str:
    """What Copy puts on the clipboard: the lines in words, then the technical details."""
    words = [line.plain() for line in report_lines(report)]
    return "\n".join([report_headline(report), *words, "", "Details:",
                      *reporting.submission_lines(report)]) + "\n"


__all__ = ["MAX_NAMED", "Line", "Mark", "online_choice", "plan_checklist", "plan_details",
           "report_headline", "report_lines", "report_text", "servers_used"]
