"""Properties of the cfg layer: settings survive a write/read, unknown lines survive any edit."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from cfg_texts import cfg_texts, hosts, ports, servers
from hypothesis import given, settings
from hypothesis import strategies as st

from vrdr_max.addresses import validate_host
from vrdr_max.cfgfile import DISPATCHER_KEY, CfgDocument, LineKind
from vrdr_max.cfgread import _FAST_SERVER, CfgLine, CfgText, _classify, _option_kinds
from vrdr_max.errors import InputError
from vrdr_max.models import AssetTransfer, CacheLimitType, Dispatcher, DRSettings, RenderServer
from vrdr_max.ports import Engine, Mode, default_port
from vrdr_max.server_list import ServerEntry, ServerList

FAST = settings(max_examples=80, deadline=None)

assets = st.builds(AssetTransfer, transfer_missing=st.booleans(), use_cached=st.booleans(),
                   cache_limit_type=st.sampled_from(CacheLimitType),
                   cache_limit=st.floats(0, 1e9, allow_nan=False, allow_infinity=False))
dispatchers = st.none() | st.builds(Dispatcher, host=hosts, port=ports,
                                    also_renders=st.booleans())


def dr_settings(engine: Engine) -> st.SearchStrategy[DRSettings]:
    return st.builds(DRSettings, engine=st.just(engine),
                     servers=st.lists(servers, max_size=8), use_local_host=st.booleans(),
                     restart_servers=st.booleans(), save_servers_in_scene=st.booleans(),
                     max_servers=st.integers(0, 10_000), assets=assets,
                     dispatcher=dispatchers if engine is Engine.CPU else st.none())


def held(s: DRSettings, dispatcher_in_cfg: bool) -> dict[str, Any]:
    """What each file holds: everything for vray_dr.cfg, servers + local host for the GPU.

    The dispatcher only when the studio puts it into V-Ray's file.
    """
    fields: dict[str, Any] = {"servers": s.servers, "use_local_host": s.use_local_host}
    if s.engine is Engine.CPU:
        fields.update(restart_servers=s.restart_servers,
                      save_servers_in_scene=s.save_servers_in_scene,
                      max_servers=s.max_servers, assets=s.assets)
    if dispatcher_in_cfg or s.engine is Engine.GPU:
        fields["dispatcher"] = s.dispatcher
    return fields


@FAST
@given(st.sampled_from(Engine).flatmap(dr_settings), st.booleans())
def test_settings_survive_write_and_read(s: DRSettings, dispatcher_in_cfg: bool) -> None:
    document = CfgDocument.parse(b"", s.engine, dispatcher_in_cfg=dispatcher_in_cfg)
    document.apply(s)
    rendered = document.render()
    reread = CfgDocument.parse(rendered, s.engine, dispatcher_in_cfg=dispatcher_in_cfg)
    assert held(reread.to_settings(), dispatcher_in_cfg) == held(s, dispatcher_in_cfg)
    assert (DISPATCHER_KEY.encode() in rendered) is (dispatcher_in_cfg
                                                     and s.dispatcher is not None)


@FAST
@given(st.sampled_from(Engine).flatmap(dr_settings), st.sampled_from(Engine).flatmap(dr_settings))
def test_second_apply_replaces_first(first: DRSettings, second: DRSettings) -> None:
    second = second.model_copy(update={"engine": first.engine})
    document = CfgDocument.parse(b"", first.engine, dispatcher_in_cfg=True)
    document.apply(first)
    document = CfgDocument.parse(document.render(), first.engine, dispatcher_in_cfg=True)
    document.apply(second)
    reread = CfgDocument.parse(document.render(), first.engine, dispatcher_in_cfg=True)
    assert held(reread.to_settings(), True) == held(second, True)


# --- the fast path against ipaddress ---------------------------------------------------------

octet_texts = st.integers(0, 999).map(str) | st.integers(0, 255).map(lambda n: f"{n:03d}") | (
    st.integers(0, 255).map(hex))


def full_reader(token: str) -> str | None:
    try:
        return validate_host(token)
    except InputError:
        return None


@settings(max_examples=600, deadline=None)
@given(st.lists(octet_texts, min_size=1, max_size=6), st.sampled_from(["", "."]))
def test_dotted_numeric_hosts_follow_ipaddress(octets: list[str], tail: str) -> None:
    token = ".".join(octets) + tail
    try:
        expected: str | None = str(ipaddress.IPv4Address(token))
    except ValueError:
        expected = None
    assert expected is None or expected == token  # ipaddress never rewrites what it accepts
    fast = _FAST_SERVER.fullmatch(f"{token} 1 20204\r")
    assert (fast.group(1) if fast else None) == expected
    servers = CfgDocument.parse(f"{token} 1 20204\r\n", Engine.CPU).servers
    assert [s.host for s in servers] == ([] if expected is None else [expected])
    assert full_reader(token) == expected


@pytest.mark.parametrize("a", range(256))
def test_every_octet_through_the_fast_path(a: int) -> None:
    # Each value in each position, plus the out-of-range and five-part near misses.
    for token in (f"{a}.1.2.3", f"1.{a}.2.3", f"1.2.{a}.3", f"1.2.3.{a}"):
        match = _FAST_SERVER.fullmatch(f"{token} 1 20204")
        assert match is not None
        assert match.group(1) == validate_host(token) == str(ipaddress.IPv4Address(token))
    for token in (f"{a + 256}.1.2.3", f"1.2.3.{a}.5", f"0{a}.1.2.3"):
        assert _FAST_SERVER.fullmatch(f"{token} 1 20204") is None
        assert full_reader(token) is None
        assert CfgDocument.parse(f"{token} 1 20204\n", Engine.CPU).servers == []


name_texts = st.from_regex(r"[A-Za-z0-9-]{1,8}(\.[A-Za-z0-9-]{1,8}){0,3}\.?", fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(name_texts | st.text(st.sampled_from("0123456789abcxX.-:[]%"), max_size=20))
def test_fast_path_host_is_what_the_full_reader_returns(token: str) -> None:
    fast = _FAST_SERVER.fullmatch(f"{token} 1 20204")
    if fast is not None:  # the fast path never takes a host the full reader would change
        assert full_reader(token) == fast.group(1) == token
    servers = CfgDocument.parse(f"{token} 0 20204\n", Engine.CPU).servers
    expected = full_reader(token)
    assert [s.host for s in servers] == ([] if expected is None or token.isdigit()
                                         else [expected])


# --- texts mixing every kind of line (tests/cfg_texts.py) ------------------------------


def read_line_by_line(text: str, engine: Engine, dispatcher: bool) -> list[CfgLine]:
    """The plain reader: every line through the full classifier, no fast path."""
    pieces = text.removeprefix("\ufeff").split("\n")
    out = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        if last and not piece:
            break  # the empty piece after the last newline is no line
        cr = piece.endswith("\r")
        ending = ("\r" if cr else "") if last else ("\r\n" if cr else "\n")
        out.append(_classify(piece.removesuffix("\r"), ending,
                             default_port(engine, Mode.DR), _option_kinds(dispatcher)))
    return out


@settings(max_examples=300, deadline=None)
@given(cfg_texts(), st.sampled_from(Engine), st.booleans())
def test_the_fast_line_reader_reads_what_the_full_reader_reads(text: str, engine: Engine,
                                                               dispatcher: bool) -> None:
    """Server lines read by one regex (and kept as plain entries) against every line through
    the full reader: the same lines, entries, options and unknown lines."""
    plain = read_line_by_line(text, engine, dispatcher)
    document = CfgText.parse(text.encode(), engine, dispatcher_in_cfg=dispatcher)
    assert [line.server for line in plain if line.server] == document.entries()
    assert list(document.lines) == plain
    assert document.options == {line.key: line.value for line in plain if line.key}
    assert document.unknown_lines == [line.text for line in plain
                                      if line.kind is LineKind.UNKNOWN]
    quick = CfgDocument.parse(text.encode(), engine, dispatcher_in_cfg=dispatcher)
    assert quick.entries() == document.entries()  # without reading every line first


def unknown(document: CfgDocument) -> list[tuple[str, str]]:
    return [(line.text, line.ending) for line in document.lines if line.kind is LineKind.UNKNOWN]


def same_unknown(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> bool:
    """Same texts in the same order; endings too, except a last line that gained one."""
    if [t for t, _ in before] != [t for t, _ in after]:
        return False
    return all(b == a or (b in ("", "\r") and a in ("\n", "\r\n"))
               for (_, b), (_, a) in zip(before, after, strict=True))


@FAST
@given(cfg_texts(), st.sampled_from(Engine))
def test_applying_own_settings_keeps_every_line(text: str, engine: Engine) -> None:
    document = CfgDocument.parse(text.encode(), engine)
    before = list(document.lines)
    document.apply(document.to_settings())
    after = iter(document.lines)
    assert all(line in after for line in before[:-1])  # every line, in order, byte-exact
    assert document.to_settings() == CfgDocument.parse(text.encode(), engine).to_settings()


@FAST
@given(cfg_texts(), st.sampled_from(Engine), st.data())
def test_edits_keep_unknown_lines_in_order(text: str, engine: Engine,
                                           data: st.DataObject) -> None:
    document = CfgDocument.parse(text.encode(), engine)
    before = unknown(document)
    s = document.to_settings()
    remove: bool = data.draw(st.booleans(), label="remove one")
    if s.servers and remove:
        victim = data.draw(st.sampled_from(s.servers), label="victim")
        s.servers = [x for x in s.servers if x is not victim]
    if data.draw(st.booleans(), label="add one"):
        s.servers = [*s.servers, data.draw(servers, label="new server")]
    elif data.draw(st.booleans(), label="add through the API"):
        new = data.draw(servers, label="added server")
        s.add_server(new.host, new.port, enabled=new.enabled)
    if data.draw(st.booleans(), label="toggle an option"):
        s.restart_servers = not s.restart_servers
        s.use_local_host = not s.use_local_host
    document.apply(s)
    rendered = document.render()
    reread = CfgDocument.parse(rendered, engine)
    assert same_unknown(before, unknown(document))
    assert same_unknown(before, unknown(reread))
    assert reread.servers == s.servers
    assert reread.to_settings().use_local_host == s.use_local_host


@FAST
@given(cfg_texts(), st.sampled_from(Engine), st.lists(servers, max_size=4))
def test_adding_patches_the_same_bytes_as_a_full_apply(text: str, engine: Engine,
                                                       new: list[RenderServer]) -> None:
    quick = CfgDocument.parse(text.encode(), engine)
    settings_quick = quick.to_settings()
    settings_quick.add_servers(new)
    full = CfgDocument.parse(text.encode(), engine)
    settings_full = full.to_settings()
    # A new list of equal servers: the general path.
    settings_full.servers = [RenderServer(host=h, port=p, port_end=e, enabled=on)
                             for h, p, e, on in settings_quick.server_list.entries()]
    assert settings_quick.server_list.added_since(quick.token) is not None
    assert settings_full.server_list.added_since(full.token) is None
    quick.apply(settings_quick)
    full.apply(settings_full)
    assert quick.render() == full.render()


@FAST
@given(cfg_texts(), st.sampled_from(Engine), st.booleans())
def test_options_found_by_key_are_those_of_reading_every_line(text: str, engine: Engine,
                                                             dispatcher: bool) -> None:
    quick = CfgDocument.parse(text.encode(), engine, dispatcher_in_cfg=dispatcher)
    full = CfgDocument.parse(text.encode(), engine, dispatcher_in_cfg=dispatcher)
    assert full.lines is not None  # reads every line
    assert quick._option_lines() == full._option_lines()
    assert quick.to_settings() == full.to_settings()


numbers = st.from_regex(r"[0-9]{1,12}(\.[0-9]{0,12})?|\.[0-9]{1,12}", fullmatch=True)


@FAST
@given(cfg_texts(), st.sampled_from(Engine), st.booleans(), numbers)
def test_the_file_option_values_are_those_of_its_settings(text: str, engine: Engine,
                                                          dispatcher: bool, limit: str) -> None:
    """Change detection reads the option lines, a save compares them with the settings: a
    file read and saved unchanged must compare equal, whatever its lines hold."""
    text = f"cache_limit {limit}\n{text}"
    document = CfgDocument.parse(text.encode(), engine, dispatcher_in_cfg=dispatcher)
    assert document.file_option_values() == document.option_values(document.to_settings())


@FAST
@given(cfg_texts(), st.sampled_from(Engine), st.data())
def test_entry_level_edits_patch_what_a_full_apply_writes(text: str, engine: Engine,
                                                          data: st.DataObject) -> None:
    """Removing and switching servers rewrites just their lines; the rest as matching all does.

    (Byte for byte the two may differ only in where equal duplicate lines land: matching all
    lines moves a re-added entry into the slot of an equal one.)
    """
    quick = CfgDocument.parse(text.encode(), engine)
    before = [line for line in quick.lines if line.kind is LineKind.SERVER]
    listed = quick.server_list()
    entries = list(listed.entries())
    named = st.sampled_from([h for h, *_ in entries] or ["nohost"])
    for _ in range(data.draw(st.integers(1, 4))):
        endpoints = data.draw(st.lists(st.tuples(named, st.none() | ports), max_size=3))
        if data.draw(st.booleans()):
            listed.remove_endpoints(endpoints)
        else:
            listed.set_endpoints_enabled(endpoints, data.draw(st.booleans()))
    for server in data.draw(st.lists(servers, max_size=2)):
        listed.add_entry(*server.entry[:3], enabled=server.enabled)
    patch = listed.changes_since(quick.token)
    assert patch is not None
    edits, added = patch
    full = CfgDocument.parse(text.encode(), engine)
    general = full.to_settings()
    general.servers = [RenderServer(host=h, port=p, port_end=e, enabled=on)
                       for h, p, e, on in listed.entries()]
    quick.apply_servers(listed)
    full.apply(general)
    reread = CfgDocument.parse(quick.render(), engine)
    assert [s.entry for s in reread.servers] == list(listed.entries())

    def others(document: CfgDocument) -> list[tuple[str, str, LineKind]]:
        return [(line.text, line.ending, line.kind) for line in document.lines
                if line.kind is not LineKind.SERVER]

    assert others(reread) == others(CfgDocument.parse(full.render(), engine))
    untouched = [line for k, line in enumerate(before) if k not in edits]
    after = [line for line in reread.lines if line.kind is LineKind.SERVER]
    if untouched:  # the lines no edit names keep their bytes, in order
        it = iter((line.text, line.ending) for line in after)
        assert all((line.text, line.ending) in it for line in untouched[:-1])
        last = untouched[-1]
        assert last.text in [line.text for line in after]
    if not added:
        assert len(quick.render()) == len(full.render())


class FullRematch(CfgDocument):
    """A document that never patches by diff: every server line is matched again."""

    def _patch_by_diff(self, servers: list[ServerEntry], ending: str) -> bool:
        return False


def untracked(entries: list[ServerEntry]) -> ServerList:
    """A list that cannot say how it differs from the file (as the panel's working copy)."""
    return ServerList.lazy(lambda: list(entries), lambda entry: entry, object())


PANEL_EDITS = ["rename", "case", "port", "flag", "remove", "insert", "append", "head",
               "reorder", "repeat"]


@settings(max_examples=300, deadline=None)
@given(cfg_texts(), st.sampled_from(Engine), st.sampled_from(PANEL_EDITS), st.data())
def test_a_patch_by_diff_writes_the_bytes_of_the_full_re_match(
        text: str, engine: Engine, edit: str, data: st.DataObject) -> None:
    """The in-place patch of an untracked list against matching every line, on any text."""
    quick = CfgDocument.parse(text.encode(), engine)
    new = quick.entries()
    if not new:
        edit = "append"
    row = data.draw(st.integers(0, max(len(new) - 1, 0)), label="row")
    if edit in ("rename", "case"):
        host = data.draw(hosts, label="host") if edit == "rename" else new[row][0].upper()
        new[row] = (validate_host(host), *new[row][1:])
    elif edit == "port":
        new[row] = (new[row][0], data.draw(ports, label="port"), None, new[row][3])
    elif edit == "flag":
        new[row] = (*new[row][:3], not new[row][3])
    elif edit == "remove":
        del new[row]
    elif edit == "reorder":
        new = data.draw(st.permutations(new), label="order")
    elif edit == "repeat":
        new.insert(row, new[data.draw(st.integers(0, len(new) - 1), label="repeated")])
    else:
        at = {"insert": row, "append": len(new), "head": 0}[edit]
        put = data.draw(st.lists(servers, min_size=1, max_size=3), label="new")
        new[at:at] = [server.entry for server in put]
    full = FullRematch.parse(text.encode(), engine)
    quick.apply_servers(untracked(new))
    full.apply_servers(untracked(new))
    assert quick.render() == full.render()
    assert CfgDocument.parse(quick.render(), engine).entries() == new


@st.composite
def texts_with_a_dispatcher(draw: st.DrawFn) -> str:
    """A text with a valid dispatcher line somewhere, often the last line, unterminated."""
    head = draw(cfg_texts())
    if head and not head.endswith("\n"):
        head += "\n"
    ending = draw(st.sampled_from(["", "\r", "\n", "\r\n"]))
    tail = draw(cfg_texts()).removeprefix("\ufeff") if ending in ("\n", "\r\n") else ""
    return f"{head}{DISPATCHER_KEY} 10.0.0.5 20208 1{ending}{tail}"


@FAST
@given(texts_with_a_dispatcher(), st.sampled_from(Engine))
def test_removing_the_dispatcher_keeps_every_other_line(text: str, engine: Engine) -> None:
    """Every line but the dispatcher's keeps its bytes, in order; only the file's last line
    may gain a terminator."""
    document = CfgDocument.parse(text.encode(), engine, dispatcher_in_cfg=True)
    before = [line for line in document.lines[:-1] if line.key != DISPATCHER_KEY]
    settings = document.to_settings()
    settings.dispatcher = None
    document.apply(settings)
    after = iter(document.lines)
    assert all(line in after for line in before)
    assert DISPATCHER_KEY not in [line.key for line in document.lines]
