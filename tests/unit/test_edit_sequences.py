"""Edit sequences against a plain model: whatever the sequence, the file ends equal to the model.

The model is a list of ``(host, port, enabled)``. Every way vrdr offers to edit the list is a
rule: the settings API, the entry-level ``CfgFile.server_list`` (what ``vrdr servers`` uses),
in-place edits of servers handed out (before or after a save), list operations, whole-settings
replacement, save and reload. After every step the working copy equals the model; after every
save the file holds the model, and its unknown line and options are still there.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from vrdr_max.cfgfile import CfgDocument, CfgFile
from vrdr_max.models import RenderServer
from vrdr_max.ports import Engine

HOSTS = ("a", "B", "c", "10.0.0.1")
PORTS = (20204, 20205, 20206)
START = (b"a 1 20204\r\n# kept as it is\r\nb 0 20205\r\nc 1 20206\r\n10.0.0.1 1\r\n"
         b"restart_slaves 1\r\n")
"""Every host of HOSTS is in the text, so an addition asks the duplicate index at once."""
FIRST: list[tuple[str, int, bool]] = [("a", 20204, True), ("b", 20205, False),
                                      ("c", 20206, True), ("10.0.0.1", 20204, True)]
HOSTILE_STARTS = (
    # BOM, mixed endings, tabs and runs of blanks, trailing blanks, no terminator at the end
    b"\xef\xbb\xbfa 1 20204\n# kept as it is\r\nb\t0  20205 \r\nc 1 20206\n10.0.0.1 1\r\n"
    b"restart_slaves 1",
    # a lone CR ends the file, its last line a server
    b"a 1 20204\r\nrestart_slaves 1\n# kept as it is\nb 0 20205\nc 1 20206\r\n10.0.0.1 1\r",
    # options first, a blank line between servers, a tab before the last server's flag
    b"restart_slaves 1\n# kept as it is\na 1 20204\r\nb 0 20205\r\n\r\nc 1 20206\n10.0.0.1\t1",
)
"""The same servers, options and unknown line as START, written as people and tools do."""

Entry = tuple[str, int, bool]

hosts = st.sampled_from(HOSTS)
ports = st.sampled_from(PORTS)


class EditSequences(RuleBasedStateMachine):
    start = START

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.path = self.folder / "vray_dr.cfg"
        self.path.write_bytes(self.start)
        self.cfg = CfgFile.load(self.path)
        self.model: list[Entry] = list(FIRST)
        self.saved = list(self.model)
        self.held: list[tuple[RenderServer, int]] = []  # servers handed out, and their row

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- the model's rules ------------------------------------------------------------------

    def rows(self, host: str, port: int | None) -> list[int]:
        return [i for i, (h, p, _) in enumerate(self.model)
                if h.lower() == host.lower() and (port is None or p == port)]

    def forget_held(self) -> None:
        # After a structural edit rows move; a test holding servers would re-fetch them.
        self.held = []

    # --- the settings API -------------------------------------------------------------------

    @rule(host=hosts, port=ports, enabled=st.booleans(), spelled=st.booleans())
    def add_server(self, host: str, port: int, enabled: bool, spelled: bool) -> None:
        settings = self.cfg.settings
        added = (settings.add_server(f"{host}:{port}", enabled=enabled) if spelled
                 else settings.add_server(host, port, enabled=enabled))
        assert added is not bool(self.rows(host, port))
        if added:
            self.model.append((host, port, enabled))

    @rule(host=hosts, port=st.none() | ports)
    def remove_server(self, host: str, port: int | None) -> None:
        gone = self.rows(host, port)
        assert self.cfg.settings.remove_server(host, port) == len(gone)
        self.model = [m for i, m in enumerate(self.model) if i not in gone]
        self.forget_held()

    @rule(host=hosts, port=st.none() | ports, enabled=st.booleans())
    def set_server_enabled(self, host: str, port: int | None, enabled: bool) -> None:
        hits = self.rows(host, port)
        assert self.cfg.settings.set_server_enabled(host, port, enabled) == len(hits)
        for i in hits:
            self.model[i] = (*self.model[i][:2], enabled)

    @rule(host=hosts, enabled=st.booleans())
    def edit_what_find_hands_out(self, host: str, enabled: bool) -> None:
        for server in self.cfg.settings.find(host):
            server.enabled = enabled
        for i in self.rows(host, None):
            self.model[i] = (*self.model[i][:2], enabled)

    # --- entry level, as `vrdr servers` edits -----------------------------------------------

    @rule(host=hosts, port=ports, enabled=st.booleans())
    def add_entry(self, host: str, port: int, enabled: bool) -> None:
        added = self.cfg.server_list.add_entry(host, port, enabled=enabled)
        assert added is not bool(self.rows(host, port))
        if added:
            self.model.append((host, port, enabled))

    @rule(endpoints=st.lists(st.tuples(hosts, st.none() | ports), max_size=3))
    def remove_endpoints(self, endpoints: list[tuple[str, int | None]]) -> None:
        counts = self.cfg.server_list.remove_endpoints(endpoints)
        assert counts == [len(self.rows(h, p)) for h, p in endpoints]
        gone = {i for h, p in endpoints for i in self.rows(h, p)}
        self.model = [m for i, m in enumerate(self.model) if i not in gone]
        self.forget_held()

    @rule(endpoints=st.lists(st.tuples(hosts, st.none() | ports), max_size=3),
          enabled=st.booleans())
    def set_endpoints_enabled(self, endpoints: list[tuple[str, int | None]],
                              enabled: bool) -> None:
        counts = self.cfg.server_list.set_endpoints_enabled(endpoints, enabled)
        assert counts == [len(self.rows(h, p)) for h, p in endpoints]
        for i in {i for h, p in endpoints for i in self.rows(h, p)}:
            self.model[i] = (*self.model[i][:2], enabled)

    # --- entry level, as the panel edits rows -----------------------------------------------

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), enabled=st.booleans())
    def set_enabled_at(self, data: st.DataObject, enabled: bool) -> None:
        rows = data.draw(st.lists(st.integers(0, len(self.model) - 1), max_size=3, unique=True))
        old = self.cfg.server_list.set_enabled_at(rows, [enabled] * len(rows))
        assert old == [self.model[row][2] for row in rows]
        for row in rows:
            self.model[row] = (*self.model[row][:2], enabled)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), host=hosts, port=ports, enabled=st.booleans())
    def replace_entry(self, data: st.DataObject, host: str, port: int, enabled: bool) -> None:
        row = data.draw(st.integers(0, len(self.model) - 1))
        self.cfg.server_list.replace_entry(row, (host, port, None, enabled))
        self.model[row] = (host, port, enabled)
        self.forget_held()

    @rule(data=st.data(), host=hosts, port=ports, enabled=st.booleans())
    def insert_entry(self, data: st.DataObject, host: str, port: int, enabled: bool) -> None:
        row = data.draw(st.integers(0, len(self.model)))
        self.cfg.server_list.insert_entry(row, (host, port, None, enabled))
        self.model.insert(row, (host, port, enabled))
        self.forget_held()

    # --- servers handed out and edited in place (also long after, across saves) --------------

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def hand_out(self, data: st.DataObject) -> None:
        row = data.draw(st.integers(0, len(self.model) - 1))
        self.held.append((self.cfg.settings.servers[row], row))

    @precondition(lambda self: bool(self.held))
    @rule(data=st.data(), enabled=st.booleans())
    def edit_held_enabled(self, data: st.DataObject, enabled: bool) -> None:
        server, row = data.draw(st.sampled_from(self.held))
        server.enabled = enabled
        self.model[row] = (*self.model[row][:2], enabled)

    @precondition(lambda self: bool(self.held))
    @rule(data=st.data(), port=ports)
    def edit_held_port(self, data: st.DataObject, port: int) -> None:
        server, row = data.draw(st.sampled_from(self.held))
        server.port = port
        self.model[row] = (self.model[row][0], port, self.model[row][2])

    @precondition(lambda self: bool(self.held))
    @rule(data=st.data(), host=hosts)
    def edit_held_host(self, data: st.DataObject, host: str) -> None:
        server, row = data.draw(st.sampled_from(self.held))
        server.host = host
        self.model[row] = (host, *self.model[row][1:])

    @rule(enabled=st.booleans())
    def edit_while_iterating(self, enabled: bool) -> None:
        for server in self.cfg.settings.servers:
            server.enabled = enabled
        self.model = [(h, p, enabled) for h, p, _ in self.model]

    # --- list operations and whole settings -------------------------------------------------

    @rule(host=hosts, port=ports, enabled=st.booleans())
    def append_object(self, host: str, port: int, enabled: bool) -> None:
        self.cfg.settings.servers.append(RenderServer(host=host, port=port, enabled=enabled))
        self.model.append((host, port, enabled))

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def delete_row(self, data: st.DataObject) -> None:
        row = data.draw(st.integers(0, len(self.model) - 1))
        del self.cfg.settings.servers[row]
        del self.model[row]
        self.forget_held()

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), host=hosts, port=ports)
    def insert_row(self, data: st.DataObject, host: str, port: int) -> None:
        row = data.draw(st.integers(0, len(self.model) - 1))
        self.cfg.settings.servers.insert(row, RenderServer(host=host, port=port))
        self.model.insert(row, (host, port, True))
        self.forget_held()

    @rule(deep=st.booleans())
    def replace_settings_with_a_copy(self, deep: bool) -> None:
        self.cfg.settings = self.cfg.settings.model_copy(deep=deep)
        if deep:
            self.forget_held()  # the copy holds other objects

    # --- the file ---------------------------------------------------------------------------

    @rule()
    def save(self) -> None:
        self.cfg.save()
        self.saved = list(self.model)
        document = CfgDocument.parse(self.path.read_bytes(), Engine.CPU)
        assert [(h, p, on) for h, p, _, on in document.server_list().entries()] == self.saved
        assert document.unknown_lines == ["# kept as it is"]
        assert document.options["restart_slaves"] == 1

    @rule()
    def reload(self) -> None:
        self.cfg.reload()
        self.model = list(self.saved)
        self.forget_held()

    @invariant()
    def working_copy_is_the_model(self) -> None:
        assert [(h, p, on) for h, p, _, on in self.cfg.server_list.entries()] == self.model


EditSequences.TestCase.settings = settings(max_examples=150, stateful_step_count=30,
                                           deadline=None)
test_edit_sequences_end_in_the_file = EditSequences.TestCase


class HostileStart(EditSequences):
    start = HOSTILE_STARTS[0]


class LoneCrAtTheEnd(EditSequences):
    start = HOSTILE_STARTS[1]


class OptionsFirst(EditSequences):
    start = HOSTILE_STARTS[2]


for machine in (HostileStart, LoneCrAtTheEnd, OptionsFirst):
    machine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_edit_sequences_from_a_bom_and_mixed_endings = HostileStart.TestCase
test_edit_sequences_from_a_lone_cr_at_the_end = LoneCrAtTheEnd.TestCase
test_edit_sequences_from_options_first = OptionsFirst.TestCase


def test_add_save_disable_save_writes_the_disable(tmp_path: Path) -> None:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(START)
    cfg = CfgFile.load(path)
    assert cfg.settings.add_server("render09")
    cfg.save()
    assert cfg.settings.set_server_enabled("render09", None, enabled=False) == 1
    assert cfg.save().changed
    assert b"render09 0 20204\r\n" in path.read_bytes()


def test_a_server_handed_out_after_a_save_then_edited_is_saved(tmp_path: Path) -> None:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(START)
    cfg = CfgFile.load(path)
    cfg.settings.add_server("render09")
    cfg.save()
    cfg.settings.servers[0].enabled = False  # a server of the file, built only now
    assert cfg.save().changed
    assert path.read_bytes().startswith(b"a 0 20204\r\n")


@pytest.mark.parametrize("saved_first", [False, True])
def test_an_in_place_port_edit_frees_the_old_endpoint(tmp_path: Path, saved_first: bool) -> None:
    """The duplicate index follows in-place edits: re-adding the old endpoint adds it."""
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(START)
    cfg = CfgFile.load(path)
    assert cfg.settings.add_server("a", 20206)  # "a" is in the text: the index is built
    if saved_first:
        cfg.save()
    cfg.settings.servers[-1].port = 20207
    assert cfg.settings.add_server("a", 20206)  # the edit freed it: not a lost add
    assert not cfg.settings.add_server("a", 20207)
    cfg.save()
    text = path.read_bytes()
    assert b"a 1 20207\r\n" in text
    assert b"a 1 20206\r\n" in text


def test_an_in_place_host_edit_is_seen_by_the_next_add(tmp_path: Path) -> None:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(START)
    cfg = CfgFile.load(path)
    cfg.settings.add_server("render09")
    cfg.save()
    cfg.settings.servers[-1].host = "render10"  # the file's text has no render10 yet
    assert not cfg.settings.add_server("render10")  # no duplicate line
    cfg.save()
    assert path.read_bytes().count(b"render10") == 1


@pytest.mark.parametrize("flag", [False, True])
def test_a_server_handed_out_then_switched_by_row_is_still_the_row(tmp_path: Path,
                                                                   flag: bool) -> None:
    """The panel switches rows entry-level; a TD holding the server sees it and edits on."""
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(START)
    cfg = CfgFile.load(path)
    held = cfg.settings.servers[1]  # b, switched off in the file
    assert cfg.server_list.set_enabled_at([1], [True]) == [False]
    assert held.enabled
    held.enabled = flag
    assert cfg.server_list.entry(1) == ("b", 20205, None, flag)
    cfg.save()
    assert f"b {int(flag)} 20205\r\n".encode() in path.read_bytes()
