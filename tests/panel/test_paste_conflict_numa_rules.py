"""The Qt-free rules behind three dialogs: paste preview, conflict re-apply and diff, NUMA."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from vrdr_max.demo import ARTIST_CFG
from vrdr_max.models import DRSettings, RenderServer
from vrdr_max.panel.conflict import changes, reapply
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.numa_form import fields_of, preview, with_first_port, with_processes
from vrdr_max.panel.paste_preview import PasteStatus
from vrdr_max.panel.paste_preview import preview as paste_preview
from vrdr_max.spawner import parse_spawner_args, plan_processes


def statuses(text: str, settings: DRSettings) -> list[tuple[str, str, str]]:
    return [(line.status.value, line.endpoint, line.why) for line in paste_preview(text,
                                                                                  settings)]


def test_each_pasted_line_is_new_listed_repeated_invalid_or_to_check() -> None:
    settings = DRSettings()
    settings.add_server("render01")
    text = ("render02\tx\n\nrender01\nrender02:20207\nrender02:20207\nnot a host!\n"
            "10.0.0.300\nrender03 1 20205\nrender04\t20204\n")
    got = statuses(text, settings)
    assert [s for s, _, _ in got] == ["invalid", "already listed", "new", "repeated", "invalid",
                                      "invalid", "new", "new"]
    assert got[3][2] == "same as line 4"
    assert "300 > 255" in got[5][2]
    assert [e for _, e, _ in got[6:]] == ["render03:20205", "render04:20204"]


@pytest.mark.parametrize(("text", "doubt"), [
    ("node 05", "read as host node port 5, but the port is written \"05\", with a leading zero; "
                "did you mean the host node05?"),
    ("node 7", "read as host node port 7, but port 7 is a system service's, not a render "
               "server's; did you mean the host node7?"),
    ("render01:020204", "read as host render01 port 20204, but the port is written \"020204\""),
    ("render01:80", "read as host render01 port 80, but port 80 is a system service's"),
])
def test_a_line_that_reads_like_a_typo_is_marked_for_the_artist(text: str, doubt: str) -> None:
    (line,) = paste_preview(text, DRSettings())
    assert line.status is PasteStatus.CHECK
    assert line.why.startswith(doubt)


def test_paste_text_refuses_a_typo_instead_of_adding_host_node_port_5(
        controller: PanelController, cfg: Path) -> None:
    message = controller.paste("render10\t20204\nnode 05\n")
    assert message is not None and message.startswith("line 2: read as host node port 5")
    assert cfg.read_bytes() == ARTIST_CFG
    assert controller.paste("render10\t20204\nnode05\nrender12 1 20204-20206\n") is None
    assert [s.endpoint for s in controller.settings.servers][1:] == [
        "render10:20204", "node05:20204", "render12:20204-20206"]  # a cfg line keeps its range
    assert controller.paste("render13:020204") is not None  # a leading zero reads two ways
    assert controller.paste("render14:1001") is None  # a port written out plainly is taken


def servers(*entries: tuple[str, int, bool]) -> list[RenderServer]:
    return [RenderServer(host=h, port=p, enabled=e) for h, p, e in entries]


def test_reapply_puts_the_artists_edits_on_the_other_writers_list() -> None:
    base = DRSettings(servers=servers(("a", 20204, True), ("b", 20204, True),
                                      ("c", 20204, True)), max_servers=0)
    mine = DRSettings(servers=servers(("a", 20204, False), ("c", 20204, True),
                                      ("mine", 20204, True)), max_servers=4)
    theirs = DRSettings(servers=servers(("theirs", 20204, True), ("c", 20204, True),
                                        ("b", 20204, True), ("a", 20204, True)),
                        restart_servers=True)
    merged, done = reapply(base, mine, theirs)
    assert [(s.host, s.enabled) for s in merged.servers] == [
        ("theirs", True), ("c", True), ("a", False), ("mine", True)]
    assert merged.max_servers == 4  # the artist's change
    assert merged.restart_servers is True  # the other writer's change, which the artist left
    assert done == ["removed b:20204", "switched a:20204 off", "added mine:20204",
                    "max servers: 4"]


def test_the_diff_shows_the_file_on_disk_against_what_was_read() -> None:
    lines = changes(b"a 1 20204\r\nb 1 20204\r\n", b"a 1 20204\r\nc 0 20204\r\n",
                    "vray_dr.cfg")
    assert lines[:2] == ["--- vray_dr.cfg (as the panel read it)",
                         "+++ vray_dr.cfg (on disk now)"]
    assert "-b 1 20204" in lines and "+c 0 20204" in lines
    assert changes(b"same\r\n", b"same\r\n", "vray_dr.cfg") == []


def test_numa_fields_edit_the_spawner_flags_and_the_flags_fill_the_fields() -> None:
    assert with_processes("-node=0,1,2,3 -port=30000", 2) == "-node=0,1,2,3 -port=30000 -numa=2"
    assert with_processes("-numa=2 -port=30000", 0) == "-numa -port=30000"
    assert with_processes("-numa=2 -port=30000", 1) == "-port=30000"
    assert with_first_port("-numa -ports=30000,40000", 31000) == "-numa -ports=31000,40000"
    assert with_first_port("-numa", 30000) == "-numa -port=30000"
    fields = fields_of("-NUMA=3 -Ports=30000,40000")
    assert fields is not None and (fields.processes, fields.first_port) == (3, 30000)
    assert fields_of("-numa=") is None  # not yet parseable: the fields keep their values


def test_the_numa_preview_warns_as_spawner_plan_does_and_about_listed_entries() -> None:
    settings = DRSettings()
    settings.add_server("numa01", 20205)
    flags = "-numa"
    got = preview("numa01", flags, 8, settings, 2026)
    expected = plan_processes(parse_spawner_args(shlex.split(flags), machine_nodes=8))
    assert got.error is None
    assert got.processes == expected.processes and len(got.processes) == 8
    assert got.warnings == expected.warnings and any("20205" in w for w in got.warnings)
    assert [e.endpoint for e in got.listed] == ["numa01:20205"]
    assert got.command is not None and got.command.endswith("vrayspawner2026.exe -numa")
    assert preview("numa01", "-numa", None, settings, 2026).error is not None
