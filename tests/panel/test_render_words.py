"""Render with DR in the artist's words (Qt-free): the plan's checklist and the report's lines."""

from __future__ import annotations

from pathlib import Path

from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.render_checklist import (
    Mark,
    online_choice,
    plan_checklist,
    plan_details,
    report_lines,
    report_text,
)
from vrdr_max.probe import ProbeResult, ProbeState
from vrdr_max.submit import StepRecord, SubmissionReport, SubmissionStatus


def answer(host: str, port: int, state: ProbeState) -> ProbeResult:
    return ProbeResult(host=host, port=port, state=state, address="127.0.0.1",
                       latency_ms=1.0 if state is ProbeState.ONLINE else None, message=state.value)


def test_the_checklist_puts_errors_first_each_with_its_fix_then_says_what_happens(
        controller: PanelController) -> None:
    assert controller.add_server("render02") is None
    assert controller.set_rows_enabled([0], False) is None
    plan = controller.plan()
    lines = plan_checklist(plan, controller.settings)
    marks = [line.mark for line in lines]
    errors = marks.count(Mark.ERROR)
    assert errors and marks[:errors] == [Mark.ERROR] * errors  # every error comes first
    lights = next(line for line in lines if line.finding is not None
                  and line.finding.check_id == "default-lights")
    assert lights.mark is Mark.ERROR and lights.fix == "turn-on-lights"  # lights first
    texts = [line.text for line in lines]
    assert "1 server and this machine will render" in texts
    assert "1 server switched off in the list: artist-ws-07:20204" in texts
    assert ("Distributed rendering is on for this render (it is off now: it is switched on "
            "for the render)") in texts
    assert any(t.startswith("Your settings come back afterwards") for t in texts)
    # The cfg lines and the renderer's property names stay behind Details.
    words = "\n".join(texts)
    details = "\n".join(plan_details(plan))
    for technical in ("render02 1 20204", *plan.renderer_prop_names):
        assert technical not in words
        assert technical in details


def test_servers_left_out_are_named_with_why_and_the_box_counts_what_it_uses(
        controller: PanelController) -> None:
    for host in ("render02", "render03", "render04"):
        assert controller.add_server(host) is None
    assert controller.set_rows_enabled([0], False) is None
    controller.apply_probe_results([
        answer("artist-ws-07", 20204, ProbeState.ONLINE),
        answer("render02", 20204, ProbeState.ONLINE),
        answer("render03", 20204, ProbeState.TIMEOUT),
        answer("render04", 20204, ProbeState.REFUSED)])
    assert controller.probed_all()
    online = controller.plan(only_online=True)
    texts = [line.text for line in plan_checklist(online, controller.settings)]
    assert "1 server and this machine will render" in texts
    assert ("2 servers left out because they did not answer the probe: render03:20204, "
            "render04:20204") in texts
    assert online_choice(online, controller.settings) == (
        "Only servers that answered the probe: 1 of 3 switched on")
    every = controller.plan(only_online=False)
    assert "3 servers and this machine will render" in [
        line.text for line in plan_checklist(every, controller.settings)]


def report(status: SubmissionStatus, steps: list[StepRecord], **extra: object
           ) -> SubmissionReport:
    return SubmissionReport(status=status, cfg_path=Path("/plugcfg/vray_dr.cfg"), steps=steps,
                            **extra)


def step(name: str, ok: bool = True, detail: str = "") -> StepRecord:
    return StepRecord(name=name, ok=ok, duration_ms=1.0, detail=detail)


def test_the_report_has_a_tick_or_a_cross_in_words_for_each_step() -> None:
    done = report(SubmissionStatus.RENDERED, [
        step("snapshot"), step("write cfg", detail="2 server line(s) in /plugcfg/vray_dr.cfg"),
        step("renderer properties"), step("scene record"), step("render", detail="completed"),
        step("restore: cfg"), step("restore: renderer properties")], restored=True,
        backup_path=Path("/plugcfg/vray_dr.cfg.vrdr.bak"))
    assert [line.plain() for line in report_lines(done)] == [
        "✓ Read vray_dr.cfg as it is now",
        "✓ Wrote the server list to vray_dr.cfg",
        "✓ Switched distributed rendering on in Render Setup",
        "✓ Noted the DR settings in the scene",
        "✓ Rendered: every frame finished",
        "✓ Put back your server list in vray_dr.cfg",
        "✓ Put back Render Setup's DR settings",
        "✓ Your settings are back as they were"]
    failed = report(SubmissionStatus.FAILED, [
        step("snapshot"), step("write cfg"), step("renderer properties"), step("scene record"),
        step("render", ok=False, detail="HostError: the render failed to start"),
        step("roll back: scene record"), step("roll back: renderer properties"),
        step("roll back: cfg")], error="HostError: the render failed to start",
        rolled_back=True)
    lines = report_lines(failed)
    assert lines[4].plain() == "✗ The render failed: HostError: the render failed to start"
    assert [line.plain() for line in lines[5:]] == [
        "✓ Undid the change to the DR note in the scene",
        "✓ Undid the change to Render Setup's DR settings",
        "✓ Undid the change to your server list in vray_dr.cfg",
        "✗ The DR render did not finish: HostError: the render failed to start; every change "
        "was undone"]
    copied = report_text(failed)
    assert copied.startswith("DR render failed\n✓ Read vray_dr.cfg as it is now\n")
    assert "Details:" in copied and "status: failed" in copied  # the technical lines too
