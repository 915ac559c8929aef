"""Port-range entries (``host 1 20204-20206``, as Deadline writes them) in the panel."""

from __future__ import annotations

from mock_pymxs import MockMax
from vrdr_max.models import RenderServer
from vrdr_max.panel.controller import PanelController, status_text
from vrdr_max.probe import ProbeResult, ProbeState


def answer(port: int, state: ProbeState) -> ProbeResult:
    return ProbeResult(host="render01", port=port, state=state, address="10.0.0.1",
                       latency_ms=2.0 if state is ProbeState.ONLINE else None,
                       message=f"{state.value} on {port}")


def test_a_range_is_probed_on_every_port_and_online_when_one_answers(mock_max: MockMax) -> None:
    from vrdr_max.max_host import PymxsHost

    ctl = PanelController(PymxsHost())
    server = RenderServer(host="render01", port=20204, port_end=20206)
    ctl.stored.settings = ctl.settings.model_copy(update={"servers": [server]})
    assert ctl.probe_endpoints() == [("render01", p, "server") for p in (20204, 20205, 20206)]
    assert ctl.probe_for(server) is None
    ctl.apply_probe_results([answer(p, ProbeState.REFUSED) for p in (20204, 20205, 20206)])
    assert status_text(ctl.probe_for(server)) == "refused"
    # Every port has an answer, so the plan's preflight gets them all: none answered.
    assert offline_severity(ctl) == "error"
    ctl.apply_probe_results([answer(20205, ProbeState.ONLINE)])
    assert status_text(ctl.probe_for(server)) == "online 2 ms"
    assert offline_severity(ctl) == "warning"  # one port of the range answers


def offline_severity(ctl: PanelController) -> str:
    (finding,) = [f for f in ctl.plan().preflight.findings if f.check_id == "servers-offline"]
    return finding.severity.value
