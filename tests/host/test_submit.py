"""Submission end to end through max_host.py on mock_pymxs: plan, execute, rollback, restore."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for

from vrdr_max.cfgfile import cfg_name
from vrdr_max.errors import HostError
from vrdr_max.facts import PropValue
from vrdr_max.host import MaxHost
from vrdr_max.models import Dispatcher, DRSettings
from vrdr_max.ports import Engine, Mode
from vrdr_max.probe import ProbeResult, ProbeState
from vrdr_max.renderers import RendererProp
from vrdr_max.settings_store import load_settings
from vrdr_max.sidecar import SCENE_DATA_KEY
from vrdr_max.submit import (
    CANCEL_NOTE,
    UNCONFIRMED_NOTE,
    SubmissionStatus,
    SubmitOptions,
    SubmitPlan,
    execute,
    plan,
)

ARTIST_CFG = (b"oldbox 1 20204\r\n\r\nfuture_option 3\r\nrestart_servers 1\r\n"
              b"list_in_scene 1\r\n")
SETTINGS = DRSettings(servers=[{"host": "render01", "port": 20204},
                               {"host": "render02", "port": 20204},
                               {"host": "spare", "port": 20204, "enabled": False}])


class FailingHost:
    """The real host, except that one method raises on its n-th call (1-based)."""

    def __init__(self, inner: MaxHost, method: str, call: int = 1,
                 action: Callable[[], None] | None = None) -> None:
        self._inner, self._method, self._call = inner, method, call
        self._action = action
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._inner, name)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            if name == self._method and self.calls[name] == self._call:
                if self._action is None:
                    raise HostError(f"injected failure in {name}")
                self._action()
            return real(*args, **kwargs)

        return wrapped


@pytest.fixture
def artist_cfg() -> bytes:
    return ARTIST_CFG


def make_plan(host: MaxHost, settings: DRSettings = SETTINGS, **kwargs: Any) -> SubmitPlan:
    return plan(settings, host.read_scene(), kwargs.pop("probe_results", None),
                cfg_path=host.plugcfg_dir() / cfg_name(settings.engine), **kwargs)


def props_now(host: MaxHost) -> dict[RendererProp, PropValue]:
    return host.read_renderer_props()


def test_plan_is_pure_and_says_what_goes_where(clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, mock = clean
    p = make_plan(host)
    assert p.cfg_path == plugcfg / "vray_dr.cfg"
    assert p.server_lines == ["render01 1 20204", "render02 1 20204", "spare 0 20204"]
    assert p.renderer_prop_names == {"system_distributedRender": True,
                                     "system_checkForMissingFiles": False}
    assert "list_in_scene" in p.scene_list
    assert not p.blocked
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG
    assert mock.writes == []


def test_render_with_restore_puts_everything_back(clean: tuple[MaxHost, Any],
                                                  plugcfg: Path) -> None:
    host, mock = clean
    props_before = props_now(host)
    report = execute(host, make_plan(host))
    assert report.status is SubmissionStatus.RENDERED, report
    assert report.restored
    [render] = mock.renders
    seen = render.cfg_files["vray_dr.cfg"]
    assert "render01 1 20204" in seen and "oldbox" not in seen
    assert "list_in_scene 0" in seen and "future_option 3" in seen
    assert render.props["system_distributedRender"] is True
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG
    assert props_now(host) == props_before
    assert [s.name for s in report.steps][:5] == [
        "snapshot", "write cfg", "renderer properties", "scene record", "render"]


def test_render_without_restore_keeps_the_list_and_names_the_backup(
        clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, _mock = clean
    report = execute(host, make_plan(host, options=SubmitOptions(restore=False)))
    assert report.status is SubmissionStatus.RENDERED
    assert not report.restored
    assert b"render01 1 20204" in (plugcfg / "vray_dr.cfg").read_bytes()
    assert report.backup_path is not None
    assert report.backup_path.read_bytes() == ARTIST_CFG
    assert str(report.backup_path) in " ".join(report.messages)


def _changed_by_other_writer(path: Path) -> Callable[[], None]:
    return lambda: path.write_bytes(b"dialog 1 20204\r\n")


FAILURES: dict[str, Callable[[MaxHost, Path], MaxHost]] = {
    "snapshot": lambda h, p: FailingHost(h, "read_renderer_props"),
    "write cfg (read-only file)": lambda h, p: ((p / "vray_dr.cfg").chmod(0o444), h)[1],
    "renderer properties": lambda h, p: FailingHost(h, "write_renderer_props"),
    "scene record": lambda h, p: FailingHost(h, "write_scene_data"),
}


@pytest.mark.parametrize("step", list(FAILURES))
def test_a_failure_at_any_step_rolls_back(clean: tuple[MaxHost, Any], plugcfg: Path,
                                          step: str) -> None:
    host, mock = clean
    p = make_plan(host)
    before = props_now(host)
    report = execute(FAILURES[step](host, plugcfg), p)
    (plugcfg / "vray_dr.cfg").chmod(0o644)
    assert report.status is SubmissionStatus.FAILED
    assert report.error
    assert report.rolled_back
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG
    assert props_now(host) == before
    assert host.read_scene_data(SCENE_DATA_KEY) is None
    assert mock.renders == []


def test_a_failed_render_rolls_back(clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, mock = clean
    before = props_now(host)
    mock.next_render_outcome = "error"
    report = execute(host, make_plan(host))
    assert report.status is SubmissionStatus.FAILED
    assert "render failed" in (report.error or "")
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG
    assert props_now(host) == before
    assert host.read_scene_data(SCENE_DATA_KEY) is None


def test_rollback_undoes_newest_first(clean: tuple[MaxHost, Any]) -> None:
    # Each undo restores the state its own write found, so they must run in reverse order.
    host, mock = clean
    mock.next_render_outcome = "error"
    report = execute(host, make_plan(host))
    assert [s.name for s in report.steps if s.name.startswith("roll back")] == [
        "roll back: scene record", "roll back: renderer properties", "roll back: cfg"]


def test_another_writer_during_the_submission_wins(clean: tuple[MaxHost, Any],
                                                   plugcfg: Path) -> None:
    host, _mock = clean
    before = props_now(host)
    saver = FailingHost(host, "read_renderer_props",
                        action=_changed_by_other_writer(plugcfg / "vray_dr.cfg"))
    report = execute(saver, make_plan(host))
    assert report.status is SubmissionStatus.FAILED
    assert "changed on disk" in (report.error or "")
    assert (plugcfg / "vray_dr.cfg").read_bytes() == b"dialog 1 20204\r\n"
    assert props_now(host) == before


def test_a_failed_restore_is_reported(clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, _mock = clean
    report = execute(FailingHost(host, "write_renderer_props", call=2), make_plan(host))
    assert report.status is SubmissionStatus.NOT_RESTORED
    assert not report.restored
    assert report.error == ("restore failed: the renderer keeps this submission's DR settings "
                            "(renderer properties)")
    assert any("could not restore renderer properties" in m for m in report.messages)
    # the cfg is still put back: one failed undo does not stop the others
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG


@pytest.mark.parametrize(("cancel_sends_post_frame", "status", "note"), [
    (False, SubmissionStatus.CANCELLED, CANCEL_NOTE),
    (True, SubmissionStatus.UNCONFIRMED, UNCONFIRMED_NOTE)])
def test_cancel_still_restores_and_warns(clean: tuple[MaxHost, Any], plugcfg: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         cancel_sends_post_frame: bool,
                                         status: SubmissionStatus, note: str) -> None:
    # A single-frame render cancelled. Whether the cancelled frame still sends
    # #postRenderFrame is [unverified]; the adapter is set to each answer in turn (the mock
    # behaving the same way), and the report says cancelled or, when it cannot tell, unconfirmed.
    host, mock = clean
    mock.next_render_outcome = "cancelled"
    mock.cancel_fires_post_frame = cancel_sends_post_frame
    monkeypatch.setattr("vrdr_max.host.CANCEL_SKIPS_FRAME_EVENT", not cancel_sends_post_frame)
    report = execute(host, make_plan(host))
    assert report.status is status
    assert note in report.messages
    assert report.restored
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG


def test_errors_block_unless_overridden_with_a_reason(plugcfg: Path) -> None:
    with host_for("demo", plugcfg) as (host, mock):
        p = make_plan(host)
        assert p.blocked
        blocked = execute(host, p)
        assert blocked.status is SubmissionStatus.BLOCKED
        assert any(b.startswith("default-lights") for b in blocked.blocking)
        assert execute(host, p, override_reason="  ").status is SubmissionStatus.BLOCKED
        assert mock.renders == []
        done = execute(host, p, override_reason="look-dev test, lights come later")
        assert done.status is SubmissionStatus.RENDERED
        assert done.override_reason == "look-dev test, lights come later"
        assert done.overridden == blocked.blocking


def _result(host: str, ok: bool) -> ProbeResult:
    state = ProbeState.ONLINE if ok else ProbeState.REFUSED
    return ProbeResult(host=host, port=20204, state=state, address=None, latency_ms=None,
                       message="")


def test_only_online_servers(clean: tuple[MaxHost, Any]) -> None:
    host, mock = clean
    results = [_result("render01", True), _result("render02", False)]
    p = make_plan(host, probe_results=results, options=SubmitOptions(only_online=True))
    assert p.server_lines == ["render01 1 20204", "render02 0 20204", "spare 0 20204"]
    assert p.skipped_servers == ["render02:20204"]
    assert execute(host, p).status is SubmissionStatus.RENDERED
    assert "render02 0 20204" in mock.renders[0].cfg_files["vray_dr.cfg"]
    nobody = [_result("render01", False), _result("render02", False)]
    assert make_plan(host, probe_results=nobody,
                     options=SubmitOptions(only_online=True)).blocked


def test_only_online_keeps_a_port_range_when_any_of_its_ports_answered(
        clean: tuple[MaxHost, Any]) -> None:
    host, _mock = clean
    numa = DRSettings(servers=[{"host": "numa01", "port": 20204, "port_end": 20206},
                               {"host": "numa02", "port": 20204, "port_end": 20205}])
    results = [ProbeResult(host=h, port=port, state=ProbeState.ONLINE if up else
                           ProbeState.REFUSED, address=None, latency_ms=None, message="")
               for h, port, up in [("numa01", 20204, False), ("numa01", 20205, False),
                                   ("numa01", 20206, True), ("numa02", 20204, False),
                                   ("numa02", 20205, False)]]
    p = make_plan(host, settings=numa, probe_results=results,
                  options=SubmitOptions(only_online=True))
    assert p.server_lines == ["numa01 1 20204-20206", "numa02 0 20204-20205"]
    assert p.skipped_servers == ["numa02:20204-20205"]  # the entry as listed


def test_gpu_dr_end_to_end(plugcfg: Path) -> None:
    gpu = DRSettings(engine=Engine.GPU, use_local_host=False,
                     servers=[{"host": "gpu01", "port": 20206}])
    with host_for("gpu", plugcfg) as (host, mock):
        host.write_renderer_props({RendererProp.DR_ENABLED: False}, "start off")
        p = make_plan(host, gpu)
        assert p.cfg_path.name == "vrayrt_dr.cfg"
        assert p.renderer_prop_names == {"distributed_rendering": True,
                                         "V_Ray_settings.system_checkForMissingFiles": False}
        report = execute(host, p)
        assert report.status is SubmissionStatus.RENDERED, report
        [render] = mock.renders
        assert render.props["distributed_rendering"] is True
        seen = render.cfg_files["vrayrt_dr.cfg"]
        assert "gpu01 1 20206" in seen and "autostart_local_slave 0" in seen
        assert "oldbox 1 20204" in render.cfg_files["vray_dr.cfg"]  # the CPU file is left alone
        assert host.read_renderer_props()[RendererProp.DR_ENABLED] is False  # restored
    assert not (plugcfg / "vrayrt_dr.cfg").exists()  # it did not exist before


@pytest.mark.parametrize(("engine", "scene", "port", "cfg"), [
    (Engine.CPU, "clean", 20208, "vray_dr.cfg"), (Engine.GPU, "gpu", 20209, "vrayrt_dr.cfg")])
def test_dr2_end_to_end(plugcfg: Path, engine: Engine, scene: str, port: int, cfg: str) -> None:
    dr2 = DRSettings(engine=engine, mode=Mode.DR2,
                     dispatcher=Dispatcher(host="10.0.0.5", port=port, also_renders=True),
                     servers=[{"host": "10.0.0.21", "port": port}])
    with host_for(scene, plugcfg) as (host, mock):
        p = make_plan(host, dr2)
        assert not p.blocked, p.blocking_reasons
        assert p.dispatcher_command is not None
        if engine is Engine.CPU:
            assert p.dispatcher_command.endswith("-run-dispatcher=2")
        report = execute(host, p)
        assert report.status is SubmissionStatus.RENDERED
        seen = mock.renders[0].cfg_files[cfg]
        assert f"10.0.0.21 1 {port}" in seen
        assert "dr2_dispatcher" not in seen  # the dispatcher stays out of V-Ray's file
        record = host.read_scene_data(SCENE_DATA_KEY)
        assert record is not None and "10.0.0.5" in record  # the scene keeps its dispatcher


def test_engine_mismatch_blocks(clean: tuple[MaxHost, Any]) -> None:
    host, _mock = clean
    p = make_plan(host, DRSettings(engine=Engine.GPU, servers=[{"host": "g", "port": 20206}]))
    assert p.blocked
    assert "renders with V-Ray CPU" in p.blocking_reasons[0]



def test_a_change_after_loading_is_not_overwritten(clean: tuple[MaxHost, Any],
                                                   plugcfg: Path) -> None:
    host, mock = clean
    stored = load_settings(plugcfg, host=host)
    stored.settings.add_server("render09")
    (plugcfg / "vray_dr.cfg").write_bytes(b"dialog 1 20204\r\n")  # V-Ray's dialog saved
    p = plan(stored.settings, host.read_scene(), None, cfg_path=stored.cfg.path,
             loaded_from=stored.cfg.snapshot)
    report = execute(host, p)
    assert report.status is SubmissionStatus.FAILED
    assert "changed on disk since the settings were read" in (report.error or "")
    assert (plugcfg / "vray_dr.cfg").read_bytes() == b"dialog 1 20204\r\n"
    assert mock.renders == []


def test_a_runtime_error_from_pymxs_rolls_back(clean: tuple[MaxHost, Any],
                                               plugcfg: Path) -> None:
    host, _mock = clean
    before = props_now(host)

    def boom() -> None:
        raise RuntimeError("-- Runtime error: something in MAXScript")

    report = execute(FailingHost(host, "write_scene_data", action=boom), make_plan(host))
    assert report.status is SubmissionStatus.FAILED
    assert report.error == "RuntimeError: -- Runtime error: something in MAXScript"
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG
    assert props_now(host) == before


def test_a_property_write_failing_half_way_is_undone(clean: tuple[MaxHost, Any],
                                                     plugcfg: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    host, mock = clean
    before = props_now(host)
    renderer = mock.runtime.renderers.current
    real_type = type(renderer)
    original_setattr = real_type.__setattr__

    def refuse_second(self: Any, name: str, value: Any) -> None:
        if name == "system_checkForMissingFiles":
            raise RuntimeError("-- Unable to convert: refused")
        original_setattr(self, name, value)

    monkeypatch.setattr(real_type, "__setattr__", refuse_second)
    report = execute(host, make_plan(host, SETTINGS.model_copy(
        update={"check_missing_files": True})))
    monkeypatch.undo()
    assert report.status is SubmissionStatus.FAILED
    assert "refused" in (report.error or "")
    assert [w.prop for w in mock.writes][:2] == ["system_distributedRender",
                                                 "system_distributedRender"]  # set, then undone
    assert props_now(host) == before
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG
