"""The Farm section's logic without Qt (``panel/farm_section.py``) against the fake Web Service.

A job is a plain function: here it runs on the test's thread, where the panel hands it to a
worker (``test_farm_section.py`` runs the same through the widgets).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from farm.conftest import farm  # noqa: F401 - the fake farm fixture of tests/farm
from farm.fake_deadline import JOB_COMPLETED, FakeDeadline
from farm.helpers import (
    PASSWORD,
    USER,
    assert_no_secret,
    assert_no_secret_in_files,
    write_user_config,
)

from mock_pymxs import MockMax
from vrdr_max.demo import ARTIST_CFG
from vrdr_max.farm.reservation import Machine, ReserveReport
from vrdr_max.panel.controller import Origin, PanelController
from vrdr_max.panel.farm_section import Action, FarmState, Outcome, reserve_lines


def no_progress(_done: int, _total: int, _payload: object) -> None:
    pass


@pytest.fixture
def farm_config(farm: FakeDeadline) -> Path:  # noqa: F811 - the fixture above
    """The user config (``VRDR_USER_CONFIG``) pointing vrdr at the fake farm."""
    path = Path(os.environ["VRDR_USER_CONFIG"])
    write_user_config(path, farm)
    return path


@pytest.fixture
def section_controller(mock_max: MockMax, cfg: Path, farm_config: Path) -> PanelController:
    from vrdr_max.max_host import PymxsHost

    return PanelController(PymxsHost())


def cfg_hosts(path: Path) -> list[str]:
    return [line.split()[0] for line in path.read_text().splitlines()
            if line.split() and line.split()[0][0].isdigit()]


def test_reserve_then_release_through_the_section(
        section_controller: PanelController, cfg: Path, farm: FakeDeadline,  # noqa: F811
        farm_config: Path) -> None:
    c = section_controller
    section = c.farm
    assert section.url == farm.url  # the studio config's farm.deadline_url
    assert section.needs_login
    section.log_in(USER, PASSWORD)
    job = section.reserve_job(4)
    assert job is not None
    assert section.state is FarmState.BUSY
    assert c.list_owner is not None  # no edit may write the cfg while the wait runs
    outcome = job(no_progress, threading.Event())
    section.finish(outcome)
    # Only the machines that answered are in the cfg; the silent one is said by name.
    assert sorted(cfg_hosts(cfg)) == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    assert b"some_future_key 1" in cfg.read_bytes()  # the rest of the file kept
    assert section.state is FarmState.RESERVED and section.holds_cfg
    assert {c.origin(e)[0] for e in c.entries()} == {Origin.FARM}
    assert [e[0] for e in c.entries()] == cfg_hosts(cfg)
    words = "\n".join(section.lines)
    assert "3 of 4 machines answered" in words
    assert "Took the job and did not answer: render04 (127.0.0.5)" in words
    # While the reservation holds the cfg, edits are refused and the file stays as written.
    written = cfg.read_bytes()
    assert c.add_server("render77") == c.list_owner
    assert cfg.read_bytes() == written
    job = section.release_job()
    assert job is not None
    section.finish(job(no_progress, threading.Event()))
    assert cfg.read_bytes() == ARTIST_CFG
    assert farm.only_job().stat == JOB_COMPLETED
    assert section.state is FarmState.IDLE and section.record is None
    assert c.list_owner is None
    assert [e[0] for e in c.entries()] == ["artist-ws-07"]
    assert c.origin(c.entries()[0])[0] is Origin.FILE
    assert_no_secret(words, *section.lines, repr(section))
    assert_no_secret_in_files(farm_config.parent)


def test_cancel_in_the_wait_undoes_the_reservation(
        section_controller: PanelController, cfg: Path, farm: FakeDeadline,  # noqa: F811
        farm_config: Path) -> None:
    section = section_controller.farm
    section.log_in(USER, PASSWORD)
    job = section.reserve_job(4)
    assert job is not None
    cancel = threading.Event()

    def progress(_done: int, _total: int, _payload: object) -> None:
        cancel.set()  # the artist presses Cancel once the wait has begun

    outcome = job(progress, cancel)
    assert outcome.cancelled and outcome.job_id == farm.only_job().job_id
    section.finish(outcome)
    assert farm.only_job().stat == JOB_COMPLETED
    assert cfg.read_bytes() == ARTIST_CFG
    assert section.state is FarmState.IDLE and section_controller.list_owner is None
    assert section.lines == ["Reservation cancelled: the job is complete again and your "
                             "server list is as it was"]


def test_a_refused_login_is_one_line_and_forgets_the_password(
        section_controller: PanelController, cfg: Path, farm: FakeDeadline,  # noqa: F811
        farm_config: Path) -> None:
    section = section_controller.farm
    section.log_in(USER, "not-the-password")
    job = section.reserve_job(2)
    assert job is not None
    section.finish(job(no_progress, threading.Event()))
    error = section.error or ""
    assert "\n" not in error and "HTTP 401" in error and farm.url in error
    assert "not-the-password" not in error
    assert section.needs_login  # asked again next time
    assert cfg.read_bytes() == ARTIST_CFG and farm.jobs == {}
    assert section_controller.list_owner is None


def test_reserve_lines_say_who_answered_and_who_took_the_job_and_did_not() -> None:
    report = ReserveReport(
        job_id="j1", asked=3, cfg_path=Path("vray_dr.cfg"), port=20204, written=True,
        waited_s=4.25, servers=[Machine("10.0.0.1", "r1", answered=True)],
        silent=[Machine("10.0.0.2", "r2", message="timed out", state="Offline")],
        excluded=[Machine("10.0.0.9", "ws", local=True)])
    assert reserve_lines(report) == [
        "Job j1: 1 of 3 machines answered in 4.2 s: r1 (10.0.0.1)",
        "They are the server list in vray_dr.cfg now (source farm); Release gives them back "
        "and puts your list back.",
        "Took the job and did not answer: r2 (10.0.0.2) [Offline]: timed out",
        "Left out (this workstation): ws (10.0.0.9)"]


def test_names_and_messages_from_the_farm_stay_one_line_each() -> None:
    """A worker named (or a message holding) a line break cannot add a line of its own."""
    report = ReserveReport(
        job_id="j1", asked=2, cfg_path=Path("vray_dr.cfg"), port=20204, written=True,
        waited_s=1.0, servers=[Machine("10.0.0.1", "r1\nThey are the server list", answered=True)],
        silent=[Machine("10.0.0.2", "r2", message="timed out\r\n10.9.9.9 1 20204",
                        state="Off\x1b[2Jline")])
    lines = reserve_lines(report)
    assert len(lines) == 3
    assert all(line.isprintable() for line in lines)
    assert "r1\\nThey are" in lines[0] and "10.9.9.9 1 20204" in lines[2]


def test_an_outcome_for_the_lists_fills_pools_and_groups(
        section_controller: PanelController, farm: FakeDeadline) -> None:  # noqa: F811
    section = section_controller.farm
    section.log_in(USER, PASSWORD)
    job = section.lists_job()
    assert job is not None
    outcome = job(no_progress, threading.Event())
    assert outcome == Outcome(Action.LISTS, pools=["dr", "sim"], groups=[])
    section.finish(outcome)
    assert section.pools == ["dr", "sim"] and section.pool == "dr"


def test_a_reservation_of_vrdr_farm_reserve_for_this_cfg_shows_as_held(
        mock_max: MockMax, cfg: Path, farm: FakeDeadline, farm_config: Path) -> None:  # noqa: F811
    from vrdr_max.farm.credentials import Credentials
    from vrdr_max.farm.deadline import DeadlineClient
    from vrdr_max.farm.http import WebService
    from vrdr_max.farm.records import RecordStore
    from vrdr_max.farm.reservation import ReserveOptions, reserve
    from vrdr_max.farm.urls import parse_service_url
    from vrdr_max.max_host import PymxsHost
    from vrdr_max.ports import Engine

    client = DeadlineClient(WebService(parse_service_url(farm.url), Credentials(USER, PASSWORD),
                                       timeout=2.0))
    made = reserve(client, ReserveOptions(servers=2, engine=Engine.CPU, max_year=2026,
                                          port=farm.spawner_port, pool="dr", wait=2.0,
                                          poll_interval=0.05, probe_timeout=0.3),
                   cfg, store=RecordStore(farm_config.parent / "farm-reservations"),
                   local_names=frozenset())  # session=False: meant to outlive its process
    assert made.ok
    c = PanelController(PymxsHost())
    assert c.farm.reserved_job == made.job_id and c.farm.left_behind() == []
    assert c.list_owner is not None
    assert {c.origin(e)[0] for e in c.entries()} == {Origin.FARM}
    c.farm.log_in(USER, PASSWORD)
    job = c.farm.release_job()
    assert job is not None
    c.farm.finish(job(no_progress, threading.Event()))
    assert cfg.read_bytes() == ARTIST_CFG and c.list_owner is None


def test_the_lock_holds_only_the_cfg_the_reservation_wrote(
        section_controller: PanelController, mock_max: MockMax, cfg: Path,
        farm: FakeDeadline) -> None:  # noqa: F811
    c = section_controller
    c.farm.log_in(USER, PASSWORD)
    job = c.farm.reserve_job(2)
    assert job is not None
    c.farm.finish(job(no_progress, threading.Event()))
    assert c.add_server("127.0.0.1:20204") == c.list_owner  # vray_dr.cfg: the farm's now
    mock_max.open_scene("gpu")  # V-Ray GPU: the panel edits vrayrt_dr.cfg, which is free
    c.refresh()
    assert c.cfg_path.name == "vrayrt_dr.cfg"
    assert c.add_server("127.0.0.1:20206") is None
    mock_max.open_scene("demo")
    c.refresh()
    assert c.add_server("127.0.0.1:20204") == c.list_owner
    job = c.farm.release_job()
    assert job is not None
    c.farm.finish(job(no_progress, threading.Event()))
    assert cfg.read_bytes() == ARTIST_CFG
