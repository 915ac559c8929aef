"""Check reports and submission reports as text (people) and as JSON-ready data (machines)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vrdr_max.checks import CheckReport, CheckStatus, Severity
from vrdr_max.errors import one_line

if TYPE_CHECKING:  # types only: submit.py formats values with this module's helpers
    from vrdr_max.submit import SubmissionReport, SubmitPlan

_MARK = {CheckStatus.PASSED: "ok  ", CheckStatus.FAILED: "FAIL", CheckStatus.SKIPPED: "skip",
         CheckStatus.CRASHED: "BUG "}


def value_text(value: object) -> str:
    """A renderer property value as MAXScript spells it (``true``, ``undefined``), not Python."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "undefined"
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_report_json(report: CheckReport) -> dict[str, Any]:
    """The ``vrdr check --json`` document (without the version field)."""
    return {
        "summary": {s.value: report.count(s) for s in Severity} | {"has_errors": report.has_errors},
        "results": [{"id": r.check_id, "title": r.title, "status": r.status.value,
                     "reason": r.reason, "duration_ms": round(r.duration_ms, 3),
                     "findings": [f.model_dump(mode="json", exclude={"check_id"})
                                  for f in r.findings]}
                    for r in report.results],
    }


def check_report_lines(report: CheckReport) -> list[str]:
    """One line per check, findings and their subjects indented below, then a summary.

    Messages and subjects quote the scene and shared files (node names, paths, hosts): each is
    kept on its line with its control characters escaped (``errors.one_line``).
    """
    lines = []
    for result in report.results:
        tail = f" ({one_line(result.reason)})" if result.reason else ""
        lines.append(f"{_MARK[result.status]} {result.check_id:<24} {result.title}{tail}")
        for finding in result.findings:
            fix = f"  [fix: {one_line(finding.fix)}]" if finding.fix else ""
            lines.append(f"       {finding.severity.value}: {one_line(finding.message)}{fix}")
            lines.extend(f"         - {one_line(subject)}" for subject in finding.subjects)
    lines.append(f"{report.count(Severity.ERROR)} error(s), {report.count(Severity.WARNING)} "
                 f"warning(s), {report.count(Severity.INFO)} note(s)")
    return lines


def plan_lines(plan: SubmitPlan) -> list[str]:
    """What a submission will write where (text from files escaped, as in the check report)."""
    lines = [f"engine {plan.engine.value.upper()}, {plan.mode.value.upper()}",
             f"cfg file: {one_line(str(plan.cfg_path))}"]
    lines += [f"  {one_line(line)}" for line in plan.server_lines]
    lines += [f"  left out (did not answer): {one_line(s)}" for s in plan.skipped_servers]
    lines.append("renderer: " + ", ".join(f"{k} = {value_text(v)}" for k, v in
                                          plan.renderer_prop_names.items()))
    lines.append(f"scene list: {plan.scene_list}")
    if plan.dispatcher:
        lines.append(f"dispatcher: {plan.dispatcher.endpoint}"
                     f"{' (also renders)' if plan.dispatcher.also_renders else ''}")
    if plan.dispatcher_command:
        lines.append(f"dispatcher machine: {plan.dispatcher_command}")
    lines.append(f"afterwards: {plan.restore_note}")
    return lines


def submission_lines(report: SubmissionReport) -> list[str]:
    """Steps with timings, then the outcome (text from files escaped, as in the check report)."""
    lines = [f"  {'ok  ' if s.ok else 'FAIL'} {s.name:<32} {s.duration_ms:8.1f} ms  "
             f"{one_line(s.detail)}" for s in report.steps]
    lines.append(f"status: {report.status.value}")
    if report.override_reason:
        lines.append(f"override: {one_line(report.override_reason)} "
                     f"({len(report.overridden)} blocking finding(s) overridden)")
    elif report.blocking and report.status.value == "blocked":
        lines += [f"blocked by: {one_line(b)}" for b in report.blocking]
    if report.backup_path:
        lines.append(f"backup of the previous cfg: {one_line(str(report.backup_path))}")
    if report.error:
        lines.append(f"error: {one_line(report.error)}")
    lines += [one_line(message) for message in report.messages]
    return lines
