"""`vrdr cfg show` and `vrdr servers ...`: edits keep every byte they do not own."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import pytest
from cfg_texts import cfg_texts
from hypothesis import given, settings
from hypothesis import strategies as st

from vrdr_max.addresses import format_endpoint
from vrdr_max.cfgread import CPU_CFG_NAME, CfgText, cfg_name
from vrdr_max.cli.main import main
from vrdr_max.errors import InputError
from vrdr_max.hostport import split_endpoint
from vrdr_max.ports import Engine, Mode, default_port
from vrdr_max.server_list import ServerEntry

ORIGINAL = (b"\xef\xbb\xbfrender01 1 20204\r\n"
            b"\r\n"
            b"oldbox 1\r\n"
            b"render02 0 20205\r\n"
            b"restart_servers 1\r\n"
            b"list_in_scene 0\r\n"
            b"future_key some value\r\n"
            b"cache_limit 100.000000\r\n")


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "vray_dr.cfg"
    path.write_bytes(ORIGINAL)
    return path


def test_add_keeps_every_original_line_spelling_and_ending(cfg: Path) -> None:
    assert main(["servers", "add", "--cfg", str(cfg), "10.9.8.7"]) == 0
    data = cfg.read_bytes()
    lines = data.decode("utf-8-sig").split("\r\n")
    for original in ORIGINAL.decode("utf-8-sig").split("\r\n"):
        assert original in lines
    assert "10.9.8.7 1 20204" in lines
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line still ends in CRLF
    assert lines.index("10.9.8.7 1 20204") < lines.index("restart_servers 1")
    assert (cfg.parent / "vray_dr.cfg.vrdr.bak").read_bytes() == ORIGINAL


@pytest.mark.parametrize("endpoint", ["10.0.0.300", "a;b", "render01:0", "host name",
                                      "[::1", "bad\\host",
                                      "render01:--5", "[::1]:--20204"])  # were exit 70
def test_bad_input_exits_2_and_leaves_the_file(cfg: Path, endpoint: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["servers", "add", "--cfg", str(cfg), "10.1.1.1", endpoint]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vrdr: error: ")
    assert err.count("\n") == 1
    assert cfg.read_bytes() == ORIGINAL
    assert not (cfg.parent / "vray_dr.cfg.vrdr.bak").exists()


def test_add_never_duplicates_and_supports_ipv6_and_disabled(
        cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["servers", "add", "--cfg", str(cfg), "RENDER01:20204", "[fd00::5]:20210",
                 "--disabled"]) == 0
    out = capsys.readouterr().out
    assert "already listed: RENDER01:20204" in out
    assert main(["servers", "list", "--cfg", str(cfg), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == 1
    assert {"host": "fd00::5", "port": 20210, "enabled": False} in doc["servers"]
    assert sum(1 for s in doc["servers"] if s["host"].lower() == "render01") == 1


def test_gpu_and_dr2_default_ports(tmp_path: Path) -> None:
    gpu = tmp_path / "vrayrt_dr.cfg"
    assert main(["servers", "add", "--cfg", str(gpu), "--gpu", "gpu01"]) == 0
    assert b"gpu01 1 20206" in gpu.read_bytes()
    cpu = tmp_path / "vray_dr.cfg"
    assert main(["servers", "add", "--cfg", str(cpu), "--dr2", "r1"]) == 0
    assert b"r1 1 20208" in cpu.read_bytes()


def test_enable_disable_remove(cfg: Path) -> None:
    assert main(["servers", "enable", "--cfg", str(cfg), "render02"]) == 0
    assert b"render02 1 20205\r\n" in cfg.read_bytes()
    assert main(["servers", "disable", "--cfg", str(cfg), "render01:20204"]) == 0
    assert b"render01 0 20204\r\n" in cfg.read_bytes()
    assert main(["servers", "remove", "--cfg", str(cfg), "oldbox"]) == 0
    assert b"oldbox" not in cfg.read_bytes()
    assert b"future_key some value\r\n" in cfg.read_bytes()


def test_removing_an_unlisted_server_is_bad_input(cfg: Path) -> None:
    assert main(["servers", "remove", "--cfg", str(cfg), "render01", "nobody"]) == 2
    assert cfg.read_bytes() == ORIGINAL


def test_cfg_show_json(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cfg", "show", "--cfg", str(cfg), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == 1
    assert doc["servers"] == [{"host": "render01", "port": 20204, "enabled": True},
                              {"host": "oldbox", "port": 20204, "enabled": True},
                              {"host": "render02", "port": 20205, "enabled": False}]
    assert doc["options"] == {"restart_servers": 1, "list_in_scene": 0, "cache_limit": 100.0}
    assert doc["unknown_lines"] == ["future_key some value"]


def test_no_cfg_given_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("VRDR_PLUGCFG", raising=False)
    assert main(["cfg", "show"]) == 2
    assert "--cfg PATH" in capsys.readouterr().err


def test_malformed_cfg_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "vray_dr.cfg"
    bad.write_bytes(b"\x00\x01\x02garbage\xff")
    assert main(["servers", "add", "--cfg", str(bad), "r1"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert bad.read_bytes() == b"\x00\x01\x02garbage\xff"


@pytest.mark.parametrize("argv", [["servers", "add", "render03"], ["servers", "remove", "render01"],
                                  ["cfg", "show"], ["servers", "list", "--json"]])
def test_a_file_with_classic_mac_line_breaks_is_exit_2_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Was: no servers listed, `remove render01` "not in" the file, `add` put a CRLF line in
    front of the CR-only text."""
    path = tmp_path / "vray_dr.cfg"
    original = b"render01 1 20204\rrender02 0 20205\rrestart_slaves 0\r"
    path.write_bytes(original)
    assert main([*argv[:2], "--cfg", str(path), *argv[2:]]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "carriage return" in captured.err
    assert sorted(tmp_path.iterdir()) == [path]
    assert path.read_bytes() == original


def test_the_gpu_file_is_edited_as_gpu_without_the_flag(tmp_path: Path) -> None:
    gpu = tmp_path / "vrayrt_dr.cfg"
    gpu.write_bytes(b"gpu01 1 20206\nautostart_local_slave 1\n")
    assert main(["servers", "add", "--cfg", str(gpu), "gpu02"]) == 0
    data = gpu.read_bytes()
    assert b"gpu02 1 20206\n" in data
    assert b"restart_slaves" not in data  # no CPU-only options appended


def test_gpu_flag_with_the_cpu_file_is_bad_input(cfg: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["servers", "add", "--gpu", "--cfg", str(cfg), "gpu02"]) == 2
    assert "V-Ray CPU's file" in capsys.readouterr().err
    assert cfg.read_bytes() == ORIGINAL


def test_the_lazy_group_table_is_what_the_modules_register() -> None:
    """`vrdr --help` lists GROUPS without importing the modules: the two must agree."""
    import argparse

    from vrdr_max.cli.main import GROUPS, build_parser

    def groups(parser: argparse.ArgumentParser) -> list[tuple[str, str | None]]:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        return [(name, helps.get(name)) for name in action.choices]

    full = groups(build_parser())
    assert full == [(name, helptext) for name, (_, helptext) in GROUPS.items()]
    assert groups(build_parser(["--help"])) == full
    for name, (module, _) in GROUPS.items():
        # The command's own group comes from its module, with every option it has.
        only = build_parser([name])
        assert name in dict(groups(only))
        assert all(GROUPS[other][0] == module for other, _ in groups(only))


def test_a_group_named_after_options_is_the_one_built(cfg: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--debug", "servers", "list", "--cfg", str(cfg)]) == 0
    assert "render02:20205" in capsys.readouterr().out


@pytest.mark.parametrize("verb", ["remove", "disable", "enable"])
def test_bulk_edits_read_each_line_a_bounded_number_of_times(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        verb: str) -> None:
    """Editing N hosts of an n-server cfg is O(n + N) (issue 18.6): counted, not timed.

    The unit is the decoding of one server line into an entry, the per-line work of every
    path; adding N new hosts is the yardstick.
    """
    from vrdr_max.cfgfile import CfgDocument

    count, hosts = 2_000, 400
    path = tmp_path / "vray_dr.cfg"
    flag = "0" if verb == "enable" else "1"
    listed = b"".join(b"node%05d %s 20204\r\n" % (i, flag.encode()) for i in range(count))
    decoded = 0
    decode = CfgDocument._entry

    def counting(self: CfgDocument, item: object) -> object:
        nonlocal decoded
        decoded += 1
        return decode(self, item)

    monkeypatch.setattr(CfgDocument, "_entry", counting)

    def run(argv: list[str]) -> int:
        nonlocal decoded
        path.write_bytes(listed + b"restart_slaves 0\r\n")
        decoded = 0
        assert main([*argv[:2], "--cfg", str(path), *argv[2:]]) == 0
        assert path.read_bytes() != listed + b"restart_slaves 0\r\n"
        return decoded

    named = [f"node{i:05d}" for i in range(0, count, count // hosts)]
    add = run(["servers", "add", *[f"new{i:05d}" for i in range(hosts)]])
    edit = run(["servers", verb, *named])
    capsys.readouterr()
    assert add <= 2 * (count + hosts)
    assert edit <= 2 * add  # was about hosts x count: every host scanned the whole list


# --- hostile files and arguments, against a plain model of the list -------------------------

HOSTILE_ARGS = ["10.0.0.300", "a;b", "\uff11\uff10.0.0.1", "node01:+20204", "node01:0",
                "node01:65536", "node01:" + "9" * 4301, "node01:\uff12\uff10\uff12\uff10\uff14",
                "node01:\u0662\u0660\u0662\u0660\u0664", "", " ", "node01\udcff", "a:b:c", "[::1]:",
                "[node01]:1", "x" * 300, "node01:1-2", "[::1", "::1]", "node01:--5", "node01:-1"]
"""Arguments that are never an endpoint: exit 2, the file byte-identical."""
GOOD_ARGS = ["node01", "NODE01", "node01:020204", "node01:20205", " node01 ", "node01.",
             "[::1]:20204", "::1", "fe80::1%eth0", "10.0.0.1:65535"]


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def edited(entries: list[ServerEntry], verb: str, endpoints: list[str], default: int,
           disabled: bool) -> list[ServerEntry] | None:
    """The list after ``vrdr servers VERB ENDPOINTS``, by the plain rules; None: bad input."""
    try:
        named = [split_endpoint(text) for text in endpoints]
    except InputError:
        return None
    out = list(entries)

    def covers(entry: ServerEntry, host: str, port: int | None) -> bool:
        first, last = entry[1], entry[2] or entry[1]
        return entry[0].lower() == host.lower() and (port is None or first <= port <= last)

    if verb == "add":
        for host, port in named:
            if not any(covers(e, host, port or default) for e in out):
                out.append((host, port or default, None, not disabled))
        return out
    hit = [[i for i, e in enumerate(out) if covers(e, host, port)] for host, port in named]
    if not all(hit):
        return None
    rows = {i for rows in hit for i in rows}
    if verb == "remove":
        return [e for i, e in enumerate(out) if i not in rows]
    return [(*e[:3], verb == "enable") if i in rows else e for i, e in enumerate(out)]


@st.composite
def endpoints_for(draw: st.DrawFn, entries: list[ServerEntry]) -> list[str]:
    listed = [format_endpoint(h, p) for h, p, *_ in entries] + [h for h, *_ in entries]
    pool = st.sampled_from(listed) if listed else st.sampled_from(GOOD_ARGS)
    texts = pool | st.sampled_from(GOOD_ARGS) | st.sampled_from(HOSTILE_ARGS)
    return draw(st.lists(texts, min_size=1, max_size=4))


@settings(max_examples=150, deadline=None)
@given(cfg_texts(), st.booleans(), st.sampled_from(["add", "remove", "enable", "disable"]),
       st.booleans(), st.data())
def test_any_file_and_any_arguments_end_in_the_model_or_exit_2_untouched(
        text: str, gpu: bool, verb: str, disabled: bool, data: st.DataObject) -> None:
    engine = Engine.GPU if gpu else Engine.CPU
    original = text.encode()
    entries = CfgText.parse(original, engine).entries()
    endpoints = data.draw(endpoints_for(entries), label="endpoints")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / cfg_name(engine)
        path.write_bytes(original)
        extra = ["--disabled"] if verb == "add" and disabled else []
        code, _, err = run_cli(["servers", verb, "--cfg", str(path), *extra, "--", *endpoints])
        want = edited(entries, verb, endpoints, default_port(engine, Mode.DR),
                      verb == "add" and disabled)
        data_after = path.read_bytes()
        backup = path.with_name(path.name + ".vrdr.bak")
        if want is None:
            assert (code, data_after, backup.exists()) == (2, original, False)
            assert err.startswith("vrdr: error: ") and err.count("\n") == 1
            return
        assert (code, err) == (0, "")
        assert CfgText.parse(data_after, engine).entries() == want
        if data_after != original:
            assert backup.read_bytes() == original
        else:
            assert want == entries


@settings(max_examples=80, deadline=None)
@given(cfg_texts(), st.sampled_from(["add", "remove", "enable", "disable"]), st.data())
def test_a_bulk_edit_writes_the_bytes_of_one_edit_per_host(
        text: str, verb: str, data: st.DataObject) -> None:
    """``servers VERB h1 h2 ...`` (one pass over the list) against ``VERB h1``, ``VERB h2``..."""
    original = text.encode()
    entries = CfgText.parse(original, Engine.CPU).entries()
    listed = list(dict.fromkeys(h.lower() for h, *_ in entries))
    news = ["zz01", "zz02", "node01"] if verb == "add" else []
    if len(listed + news) < 2:  # nothing to do in bulk
        return
    hosts = data.draw(st.lists(st.sampled_from(listed + news), min_size=2, max_size=5,
                               unique=True), label="hosts")
    with tempfile.TemporaryDirectory() as folder:
        bulk, each = Path(folder, "bulk", CPU_CFG_NAME), Path(folder, "each", CPU_CFG_NAME)
        for path in (bulk, each):
            path.parent.mkdir()
            path.write_bytes(original)
        assert run_cli(["servers", verb, "--cfg", str(bulk), "--", *hosts])[0] == 0
        for host in hosts:
            assert run_cli(["servers", verb, "--cfg", str(each), "--", host])[0] == 0
        assert bulk.read_bytes() == each.read_bytes()


def test_a_line_break_in_the_cfg_path_stays_on_the_saved_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "a\nstatus: rendered"
    folder.mkdir()
    (folder / "vray_dr.cfg").write_bytes(ORIGINAL)
    assert main(["servers", "add", "--cfg", str(folder / "vray_dr.cfg"), "render09"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "added: render09"
    assert out.splitlines()[1].startswith("saved ") and "a\\nstatus: rendered" in out
    assert len(out.splitlines()) == 2
