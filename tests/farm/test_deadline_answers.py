"""Reading the Web Service's answers: shapes vrdr accepts, and a clear error for the rest."""

from __future__ import annotations

from typing import Any

import pytest

from vrdr_max.farm import deadline as dl
from vrdr_max.farm.errors import FarmProtocolError
from vrdr_max.farm.http import TextAnswer

URL = "http://deadline01:8082/api/x"


def test_workers_read_override_pools_and_groups_in_either_spelling() -> None:
    [a, b] = dl.parse_workers([
        {"Info": {"Name": "r1", "IP": "10.0.0.1", "Stat": 2, "Pools": "dr, all", "Grps": ""},
         "Settings": {"HostMachineIPAddressOverride": "192.168.7.1"}},
        {"Info": {"Name": "r2", "IP": "10.0.0.2", "Stat": "3"},
         "Settings": {"HostMachineIPAddress": "", "Pools": ["night"], "Grps": ["gpu"]}},
    ], URL)
    assert (a.address, a.ip, a.override, a.state, a.pools, a.groups) == (
        "192.168.7.1", "10.0.0.1", "192.168.7.1", "Idle", ["dr", "all"], [])
    assert (b.address, b.state, b.pools, b.groups) == ("10.0.0.2", "Offline", ["night"], ["gpu"])
    assert dl.Worker(name="x", state_code=42).state == "code 42"
    assert dl.Worker(name="x").state == "Unknown"


@pytest.mark.parametrize("answer", [{"Info": {}}, [{"Info": {"IP": "1"}}], ["r1"], [None]])
def test_workers_without_names_are_a_protocol_error(answer: Any) -> None:
    with pytest.raises(FarmProtocolError, match=URL):
        dl.parse_workers(answer, URL)


@pytest.mark.parametrize(("answer", "job_id"), [
    ({"_id": "5b747b30c3ca512de42d01d2"}, "5b747b30c3ca512de42d01d2"),
    ("5b747b30c3ca512de42d01d2", "5b747b30c3ca512de42d01d2"),
])
def test_the_submission_answer_in_both_shapes(answer: Any, job_id: str) -> None:
    assert dl.parse_job_id(answer, URL) == job_id


@pytest.mark.parametrize("answer", [{"JobID": "x"}, TextAnswer("Success"), "", "a b",
                                    "../../etc", {"_id": 7}, None])
def test_no_job_id_is_an_error(answer: Any) -> None:
    with pytest.raises(FarmProtocolError, match="holds no job id"):
        dl.parse_job_id(answer, URL)


@pytest.mark.parametrize("stat", ["\u00b2", "\u0663", "9" * 4301, " 7x", True, 2.0])
def test_a_state_code_that_is_no_whole_number_reads_as_unknown(stat: Any) -> None:
    [worker] = dl.parse_workers([{"Info": {"Name": "r1", "Stat": stat}}], URL)
    [task] = dl.parse_tasks([{"TaskID": 0, "Stat": stat}], URL)
    assert (worker.state_code, worker.state, task.state_code) == (None, "Unknown", None)


def test_tasks_as_a_list_or_inside_an_object() -> None:
    raw = [{"TaskID": 0, "Slave": "r1", "Stat": 4}, {"TaskID": "1", "Slave": "", "Stat": 2}]
    for answer in (raw, {"ID": "job", "Tasks": raw}):
        first, second = dl.parse_tasks(answer, URL)
        assert (first.task_id, first.worker, first.state_code) == (0, "r1", 4)
        assert (second.task_id, second.worker, second.completed) == (1, None, False)
    with pytest.raises(FarmProtocolError, match="without TaskID"):
        dl.parse_tasks([{"Slave": "r1"}], URL)


def test_the_spawner_job_as_the_dbr_submitters_write_it() -> None:
    job = dl.SpawnerJob(name="n", servers=5, port=20204, plugin_version=dl.plugin_version(
        "gpu", 2026), pool="dr", group="gpu", priority=70, blacklist=["ws01"])
    assert job.job_info() == {"Plugin": "VraySpawner", "Name": "n", "Comment": job.comment,
                              "Frames": "0-4", "ChunkSize": "1", "Priority": "70",
                              "Pool": "dr", "Group": "gpu", "Blacklist": "ws01"}
    assert job.plugin_info() == {"Version": "MaxRT2026", "PortNumber": "20204"}
    plain = dl.SpawnerJob(name="n", servers=1, port=20204, plugin_version="Max2026")
    assert set(plain.job_info()) == {"Plugin", "Name", "Comment", "Frames", "ChunkSize",
                                     "Priority"}


def test_names_must_be_a_list_of_strings() -> None:
    assert dl.parse_names([" dr ", "", "sim"], URL, "pools") == ["dr", "sim"]
    with pytest.raises(FarmProtocolError, match="list of pools"):
        dl.parse_names({"pools": []}, URL, "pools")
