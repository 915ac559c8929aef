"""How ``PymxsHost.render()`` judges a render, under each assumption about a cancel.

3ds Max documents no "render cancelled" event, and no public source says whether the frame a
cancel stops still sends ``#postRenderFrame``. The mock can do either
(``MockMax.cancel_fires_post_frame``); the adapter assumes one (``CANCEL_SKIPS_FRAME_EVENT``,
[unverified]). These tests pin the adapter's answer for every pairing, so flipping the constant
after the field check changes exactly what they say.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for, variant

from vrdr_max import host as host_module
from vrdr_max.errors import HostError
from vrdr_max.host import RenderOutcome, judge_render, pickup_frame_count
from vrdr_max.models import DRSettings
from vrdr_max.submit import CANCEL_NOTE, UNCONFIRMED_NOTE, SubmissionStatus, execute, plan

COMPLETED = RenderOutcome.COMPLETED
CANCELLED = RenderOutcome.CANCELLED
UNKNOWN = RenderOutcome.UNKNOWN
SINGLE: dict[str, Any] = {"time_type": 1}
RANGE_10: dict[str, Any] = {"time_type": 3, "start": 0, "end": 9}
ACTIVE_5: dict[str, Any] = {"time_type": 2, "animation_range": [0, 20], "nth_frame": 5}
PICKUP_10: dict[str, Any] = {"time_type": 4, "pickup_frames": "1,3,5-12"}


def _render(tmp_path: Path, time_output: dict[str, Any], *, cancel_at: int | None,
            mock_sends_post: bool, adapter_assumes_skip: bool,
            monkeypatch: pytest.MonkeyPatch) -> tuple[RenderOutcome, Any]:
    scene = variant("clean", lambda data: data["render"].update(time_output))
    monkeypatch.setattr(host_module, "CANCEL_SKIPS_FRAME_EVENT", adapter_assumes_skip)
    with host_for(scene, tmp_path) as (host, mock):
        mock.cancel_fires_post_frame = mock_sends_post
        if cancel_at is not None:
            mock.next_render_outcome = "cancelled"
            mock.cancel_at_frame = cancel_at
        return host.render(), mock


# (Time Output, frame the cancel comes in or None, mock: a cancelled frame sends the event,
#  adapter assumes it does not, expected outcome)
CASES = [
    # Assumption A holds (a cancelled frame sends nothing) and the adapter assumes it.
    (SINGLE, None, False, True, COMPLETED),
    (SINGLE, 1, False, True, CANCELLED),
    (RANGE_10, None, False, True, COMPLETED),
    (RANGE_10, 4, False, True, CANCELLED),
    (RANGE_10, 10, False, True, CANCELLED),
    (ACTIVE_5, None, False, True, COMPLETED),
    (PICKUP_10, None, False, True, COMPLETED),
    (PICKUP_10, 2, False, True, CANCELLED),
    # Assumption B holds (the cancelled frame still sends it) and the adapter assumes B.
    (SINGLE, None, True, False, UNKNOWN),
    (SINGLE, 1, True, False, UNKNOWN),
    (RANGE_10, 4, True, False, CANCELLED),
    (RANGE_10, 10, True, False, UNKNOWN),
    # B holds but the adapter still assumes A (the field check not yet done): a cancel before
    # the last frame is still seen; one in the last frame reads as completed. This is the
    # blind spot the field check's manual cancel exists to close.
    (RANGE_10, 4, True, True, CANCELLED),
    (SINGLE, 1, True, True, COMPLETED),
    # A holds but the adapter assumes B: it never claims completed.
    (SINGLE, None, False, False, UNKNOWN),
    (RANGE_10, 4, False, False, CANCELLED),
]


@pytest.mark.parametrize(("time_output", "cancel_at", "mock_sends_post", "assumes_skip",
                          "expected"), CASES)
def test_outcome_under_each_assumption(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       time_output: dict[str, Any], cancel_at: int | None,
                                       mock_sends_post: bool, assumes_skip: bool,
                                       expected: RenderOutcome) -> None:
    outcome, mock = _render(tmp_path, time_output, cancel_at=cancel_at,
                            mock_sends_post=mock_sends_post, adapter_assumes_skip=assumes_skip,
                            monkeypatch=monkeypatch)
    assert outcome is expected
    assert [r.outcome for r in mock.renders] == ["ok" if cancel_at is None else "cancelled"]


def test_settings_it_cannot_read_are_never_completed(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    unreadable = {"time_type": 4, "pickup_frames": "1,x"}  # the adapter cannot count it
    outcome, _mock = _render(tmp_path, unreadable, cancel_at=None, mock_sends_post=False,
                             adapter_assumes_skip=True, monkeypatch=monkeypatch)
    assert outcome is UNKNOWN


@pytest.mark.parametrize("mock_sends_post", [False, True])
def test_a_failed_render_raises_and_unregisters(tmp_path: Path, mock_sends_post: bool) -> None:
    # Assumed: a render error reaches pymxs as a RuntimeError (how Max words it is [unverified]).
    with host_for("clean", tmp_path) as (host, mock):
        mock.cancel_fires_post_frame = mock_sends_post
        mock.next_render_outcome = "error"
        with pytest.raises(HostError, match="render failed"):
            host.render()
        assert not [c for c in mock._session.callbacks if c.id is not None]
        assert host.render() is COMPLETED  # nothing left over from the failed one


@pytest.mark.parametrize(("text", "count"), [
    ("1,3,5-12", 10), ("7", 1), (" 1 , 2 ", 2), ("", None), ("1,x", None), ("5-3", None),
    ("1-", None), ("-2", None),
    # Text 3ds Max would never hold, read without a ValueError: digits only ``str.isdigit``
    # takes, and numbers past Python's digit limit.
    ("\u00b2", None), ("1-\u0663", None), ("9" * 4301, None), ("1-" + "9" * 4301, None)])
def test_pickup_frame_count(text: str, count: int | None) -> None:
    assert pickup_frame_count(text) == count


def test_judge_render_table() -> None:
    assert judge_render(0, None) is CANCELLED
    assert judge_render(3, 5) is CANCELLED
    assert judge_render(5, 5) is COMPLETED
    assert judge_render(6, 5) is UNKNOWN
    assert judge_render(1, None) is UNKNOWN


@pytest.mark.parametrize(("assumes_skip", "cancel_at", "status", "note"), [
    (True, None, SubmissionStatus.RENDERED, None),
    (True, 4, SubmissionStatus.CANCELLED, CANCEL_NOTE),
    (False, None, SubmissionStatus.UNCONFIRMED, UNCONFIRMED_NOTE),
])
def test_the_submission_report_says_what_the_host_could_tell(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, assumes_skip: bool,
        cancel_at: int | None, status: SubmissionStatus, note: str | None) -> None:
    cfg = tmp_path / "vray_dr.cfg"
    cfg.write_bytes(b"oldbox 1 20204\n")
    monkeypatch.setattr(host_module, "CANCEL_SKIPS_FRAME_EVENT", assumes_skip)
    with host_for(variant("clean", lambda data: data["render"].update(RANGE_10)),
                  tmp_path) as (host, mock):
        if cancel_at is not None:
            mock.next_render_outcome, mock.cancel_at_frame = "cancelled", cancel_at
        settings = DRSettings(servers=[{"host": "r1", "port": 20204}])
        report = execute(host, plan(settings, host.read_scene(), cfg_path=cfg))
    assert report.status is status
    assert [m for m in report.messages if m in (CANCEL_NOTE, UNCONFIRMED_NOTE)] == (
        [note] if note else [])
    assert report.restored  # whatever the outcome, the artist's list comes back
    assert cfg.read_bytes() == b"oldbox 1 20204\n"


def test_the_mock_time_output_reads_and_writes_like_maxscript(tmp_path: Path) -> None:
    with host_for(variant("clean", lambda d: d["render"].update(RANGE_10)), tmp_path) as (
            _host, mock):
        rt = mock.runtime
        assert (int(rt.rendTimeType), int(rt.rendStart), int(rt.rendEnd)) == (3, 0, 9)
        assert str(rt.rendEnd) == "9f"
        assert (int(rt.animationRange.start), int(rt.animationRange.end)) == (0, 100)
        rt.rendStart = 5
        rt.rendEnd = rt.currentTime  # a Time value assigns as well
        assert (int(rt.rendStart), int(rt.rendEnd)) == (5, 0)
        with pytest.raises(RuntimeError, match="out of range"):
            rt.rendNThFrame = 0
        with pytest.raises(RuntimeError, match="Time"):
            rt.rendStart = "ten"
        with pytest.raises(RuntimeError):
            rt.animationRange.start = 3  # an interval's ends cannot be set one by one
