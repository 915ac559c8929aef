"""Names a hostile farm gives: printed one per line, escaped; one machine counted once."""

from __future__ import annotations

from .fake_deadline import FakeDeadline, FakeWorker, fake_farm
from .helpers import ARTIST_CFG, PASSWORD, USER, Env, Vrdr, write_user_config


def test_worker_names_with_control_characters_are_escaped_in_text(
        env: Env, vrdr: Vrdr) -> None:
    hostile = [FakeWorker("evil\x1b[2J\nroot", "127.0.0.2", pools=["dr\x07"])]
    with fake_farm(hostile, user=USER, password=PASSWORD) as fake:
        write_user_config(env.user_config, fake)
        run = vrdr("farm", "workers", "--user", USER)
    assert run.code == 0
    assert "\x1b" not in run.out and "\x07" not in run.out
    assert run.out.count("\n") == 1 and "evil\\x1b[2J\\nroot" in run.out


def test_a_silent_machine_named_like_a_cfg_line_stays_on_its_own_line(
        env: Env, vrdr: Vrdr) -> None:
    hostile = [FakeWorker("r1\n  10.9.9.9 1 20204", "127.0.0.2", spawner_after=None)]
    with fake_farm(hostile, user=USER, password=PASSWORD) as fake:
        write_user_config(env.user_config, fake, wait=0.3)
        run = vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--cfg", str(env.cfg))
    assert run.code == 1
    assert not any(line.startswith("  10.9.9.9") for line in run.out.splitlines())
    assert "r1\\n  10.9.9.9 1 20204" in run.out
    assert env.cfg.read_bytes() == ARTIST_CFG


def test_two_names_for_one_machine_count_once(env: Env, farm: FakeDeadline,
                                             vrdr: Vrdr) -> None:
    # The farm names render01 twice (by name and by address): it is one machine, one place.
    farm.answers[("GET", "/api/slavesrenderingjob")] = ["127.0.0.2", "render01"]
    run = vrdr("farm", "reserve", "--user", USER, "--servers", "2", "--cfg", str(env.cfg),
               "--json")
    document = run.json()
    assert [m["address"] for m in document["servers"]] == ["127.0.0.2"]
    assert document["answered"] == 1
    assert vrdr("farm", "release", "--user", USER, "--cfg", str(env.cfg)).code == 0
    assert env.cfg.read_bytes() == ARTIST_CFG
