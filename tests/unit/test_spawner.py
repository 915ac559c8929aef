"""V-Ray DR Spawner rules: NUMA processes, ports, parsing and command lines."""

from __future__ import annotations

from itertools import chain, pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vrdr_max.errors import InputError
from vrdr_max.numa import NumaOptions
from vrdr_max.ports import DEFAULT_PORTS, Engine, Mode, well_known_ports
from vrdr_max.spawner import (
    PORT_OPTION,
    SPAWNER_EXE_TEMPLATE,
    SPAWNER_FIRST_PORT,
    SpawnerCommand,
    SpawnerPlan,
    SpawnerProcess,
    build_command,
    check_command,
    default_executable,
    format_command,
    parse_number_list,
    parse_spawner_args,
    plan_processes,
    server_entries,
    split_nodes,
)


def layout(plan: SpawnerPlan) -> list[tuple[tuple[int, ...], int]]:
    return [(p.nodes, p.port) for p in plan.processes]


# --- The DR setup guide's four examples (a machine with 8 NUMA nodes) -------------------------

GUIDE_EXAMPLES = [
    ("vrayspawner2026.exe -numa",
     [((n,), 20204 + n) for n in range(8)]),
    ("vrayspawner2026.exe -numa=4",
     [((0, 1), 20204), ((2, 3), 20205), ((4, 5), 20206), ((6, 7), 20207)]),
    ("vrayspawner2026.exe -node=3,5,6 -ports=30000,40000",
     [((3,), 30000), ((5,), 40000), ((6,), 40001)]),
    ("vrayspawner2026.exe -node=2,3,4,5,6 -numa=3",
     [((2, 3), 20204), ((4, 5), 20205), ((6,), 20206)]),
]


@pytest.mark.parametrize(("line", "expected"), GUIDE_EXAMPLES)
def test_guide_examples_from_their_command_lines(
        line: str, expected: list[tuple[tuple[int, ...], int]]) -> None:
    options = parse_spawner_args(line.split(), machine_nodes=8)
    assert layout(plan_processes(options)) == expected


@pytest.mark.parametrize(("options", "expected"), [
    (NumaOptions(numa=0, machine_nodes=8), GUIDE_EXAMPLES[0][1]),
    (NumaOptions(numa=4, machine_nodes=8), GUIDE_EXAMPLES[1][1]),
    (NumaOptions(nodes=[3, 5, 6], ports=[30000, 40000], machine_nodes=8), GUIDE_EXAMPLES[2][1]),
    (NumaOptions(numa=3, nodes=[2, 3, 4, 5, 6], machine_nodes=8), GUIDE_EXAMPLES[3][1]),
])
def test_guide_examples_as_options(
        options: NumaOptions, expected: list[tuple[tuple[int, ...], int]]) -> None:
    assert layout(plan_processes(options)) == expected


def test_guide_examples_do_not_need_the_node_count_when_nodes_are_listed() -> None:
    plan = plan_processes(NumaOptions(numa=3, nodes=[2, 3, 4, 5, 6]))
    assert layout(plan) == GUIDE_EXAMPLES[3][1]


def test_default_first_port_is_the_dr1_cpu_port() -> None:
    assert SPAWNER_FIRST_PORT == DEFAULT_PORTS[(Engine.CPU, Mode.DR)] == 20204


# --- Process-count rules ----------------------------------------------------------------------

def test_no_options_is_one_process_over_all_nodes() -> None:
    assert layout(plan_processes(NumaOptions(machine_nodes=4))) == [((0, 1, 2, 3), 20204)]


def test_no_options_and_unknown_node_count_is_one_process_without_node_selection() -> None:
    plan = plan_processes(NumaOptions())
    assert plan.processes == [SpawnerProcess(nodes=(), port=20204)]
    assert plan.warnings == []


def test_node_without_numa_is_one_process_per_listed_node_in_given_order() -> None:
    plan = plan_processes(NumaOptions(nodes=[6, 2, 4]))
    assert layout(plan) == [((6,), 20204), ((2,), 20205), ((4,), 20206)]


@pytest.mark.parametrize(("numa", "expected_groups"), [
    (0, [(0,), (1,), (2,), (3,)]),
    (1, [(0, 1, 2, 3)]),
    (3, [(0, 1), (2,), (3,)]),
    (4, [(0,), (1,), (2,), (3,)]),
    (9, [(0,), (1,), (2,), (3,)]),
])
def test_numa_count_against_machine_nodes(numa: int,
                                          expected_groups: list[tuple[int, ...]]) -> None:
    plan = plan_processes(NumaOptions(numa=numa, machine_nodes=4, ports=[40000]))
    assert [p.nodes for p in plan.processes] == expected_groups


def test_numa_with_nodes_ignores_machine_count_for_m() -> None:
    # M is the number of selected nodes, not the machine's: N=2 >= M=2 means one per node.
    plan = plan_processes(NumaOptions(numa=2, nodes=[5, 7], machine_nodes=8, ports=[40000]))
    assert [p.nodes for p in plan.processes] == [(5,), (7,)]


def test_split_nodes_gives_the_extra_nodes_to_earlier_groups() -> None:
    assert split_nodes([1, 2, 3, 4, 5, 6, 7], 3) == [(1, 2, 3), (4, 5), (6, 7)]


@pytest.mark.parametrize("count", [0, 4, -1])
def test_split_nodes_rejects_impossible_counts(count: int) -> None:
    with pytest.raises(InputError, match="cannot split 3"):
        split_nodes([0, 1, 2], count)


# --- Ports ----------------------------------------------------------------------------------

def test_ports_given_for_every_process_are_used_as_given() -> None:
    plan = plan_processes(NumaOptions(nodes=[0, 1], ports=[40010, 40000]))
    assert [p.port for p in plan.processes] == [40010, 40000]


def test_more_ports_than_processes_is_a_warning_naming_the_unused_ports() -> None:
    plan = plan_processes(NumaOptions(nodes=[0, 1], ports=[40000, 40001, 40002, 40003]))
    assert [p.port for p in plan.processes] == [40000, 40001]
    assert plan.warnings == ["4 ports given for 2 process(es): 40002, 40003 unused"]


def test_auto_increment_up_to_65535_is_fine() -> None:
    plan = plan_processes(NumaOptions(nodes=[0, 1], ports=[65534]))
    assert [p.port for p in plan.processes] == [65534, 65535]


def test_auto_increment_past_65535_is_an_error() -> None:
    with pytest.raises(InputError, match=r"past 65535 .*port 65536"):
        plan_processes(NumaOptions(nodes=[0, 1], ports=[65535]))


def test_auto_incremented_port_that_was_also_given_is_an_error() -> None:
    with pytest.raises(InputError, match="port 40001 is given in -port and also auto-incremented"):
        plan_processes(NumaOptions(nodes=[0, 1, 2], ports=[40001, 40000]))


@pytest.mark.parametrize("port", [20205, 20206, 20207, 20208, 20209])
def test_auto_increment_onto_another_dr_port_warns(port: int) -> None:
    plan = plan_processes(NumaOptions(numa=0, machine_nodes=port - 20204 + 1))
    assert plan.warnings[-1].startswith(
        f"process {port - 20204 + 1} listens on port {port} (auto-incremented), a well-known port")


def test_explicit_port_of_another_dr_server_warns_without_auto_mark() -> None:
    plan = plan_processes(NumaOptions(ports=[20206]))
    assert plan.warnings == [
        "process 1 listens on port 20206, a well-known port (DR GPU); if that server runs on "
        "this machine too, give explicit ports with -port="]


def test_auto_increment_from_below_onto_the_broadcast_port_warns() -> None:
    plan = plan_processes(NumaOptions(nodes=[0, 1], ports=[20202]))
    assert len(plan.warnings) == 1
    assert "port 20203 (auto-incremented)" in plan.warnings[0]


def test_ports_clear_of_dr_ports_give_no_warnings() -> None:
    assert plan_processes(NumaOptions(numa=0, machine_nodes=8, ports=[30000])).warnings == []


def test_the_spawners_own_default_port_does_not_warn() -> None:
    assert plan_processes(NumaOptions(nodes=[0], ports=[20204])).warnings == []


# --- Validation -----------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "message"), [
    (NumaOptions(nodes=[-1]), "NUMA node -1 is negative"),
    (NumaOptions(nodes=[0, 8], machine_nodes=8), r"NUMA node 8 does not exist.*0-7"),
    (NumaOptions(nodes=[3, 5, 3]), "NUMA node 3 is listed twice"),
    (NumaOptions(nodes=[]), "-node needs at least one"),
    (NumaOptions(ports=[40000, 40000]), "port 40000 is listed twice"),
    (NumaOptions(ports=[0]), r"port 0 is out of range \(1-65535\)"),
    (NumaOptions(ports=[65536]), "out of range"),
    (NumaOptions(ports=[]), "-port needs at least one port"),
    (NumaOptions(numa=-1, machine_nodes=8), "cannot be negative"),
    (NumaOptions(numa=0), "needs the machine's NUMA node count"),
    (NumaOptions(numa=2), "needs the machine's NUMA node count"),
    (NumaOptions(machine_nodes=0), "must be 1-64"),
    (NumaOptions(machine_nodes=30_000_000), "must be 1-64"),
    (NumaOptions(nodes=[64]), "at most 64 nodes"),
])
def test_invalid_options_raise_input_error(options: NumaOptions, message: str) -> None:
    with pytest.raises(InputError, match=message):
        plan_processes(options)


# --- Properties over other combinations -----------------------------------------------------

@st.composite
def numa_options(draw: st.DrawFn) -> NumaOptions:
    machine = draw(st.integers(1, 64))
    nodes = draw(st.none() | st.lists(st.integers(0, machine - 1), min_size=1,
                                      max_size=machine, unique=True))
    numa = draw(st.none() | st.integers(0, 80))
    ports = draw(st.none() | st.lists(st.integers(1024, 60000), min_size=1, max_size=6,
                                      unique=True))
    known = draw(st.booleans()) or (numa is not None and nodes is None)
    return NumaOptions(numa=numa, nodes=nodes, ports=ports,
                       machine_nodes=machine if known else None)


def expected_count(options: NumaOptions) -> int:
    if options.numa is None:
        return 1 if options.nodes is None else len(options.nodes)
    assert options.machine_nodes is not None or options.nodes is not None
    m = len(options.nodes) if options.nodes is not None else options.machine_nodes
    assert m is not None
    return m if options.numa == 0 or options.numa >= m else options.numa


def expected_ports(options: NumaOptions, count: int) -> list[int] | None:
    """The guide's rule written out independently; None when it makes a port twice."""
    given = (options.ports or [SPAWNER_FIRST_PORT])[:count]
    ports = given + [given[-1] + step for step in range(1, count - len(given) + 1)]
    return ports if len(set(ports)) == len(ports) else None


@given(numa_options())
def test_plan_properties(options: NumaOptions) -> None:
    count = expected_count(options)
    ports = expected_ports(options, count)
    if ports is None:
        with pytest.raises(InputError, match="also auto-incremented"):
            plan_processes(options)
        return
    plan = plan_processes(options)
    groups = [p.nodes for p in plan.processes]
    assert len(groups) == count
    if options.nodes is not None:
        selected = list(options.nodes)
    elif options.machine_nodes is not None:
        selected = list(range(options.machine_nodes))
    else:
        selected = []
    # Every selected node is used exactly once, in the order given.
    assert list(chain.from_iterable(groups)) == selected
    sizes = [len(g) for g in groups]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)
    assert [p.port for p in plan.processes] == ports
    given_count = len(options.ports or [SPAWNER_FIRST_PORT])
    auto = ports[given_count - 1:]
    assert all(b == a + 1 for a, b in pairwise(auto))
    assert all(1 <= p <= 65535 for p in ports)
    unused = given_count > count
    assert any("unused" in w for w in plan.warnings) == unused
    roles = {p for p in well_known_ports() if p != SPAWNER_FIRST_PORT}
    assert len(plan.warnings) == unused + len(roles.intersection(ports))


@given(st.lists(st.integers(0, 200), min_size=1, max_size=60, unique=True), st.data())
def test_split_nodes_properties(nodes: list[int], data: st.DataObject) -> None:
    count = data.draw(st.integers(1, len(nodes)))
    groups = split_nodes(nodes, count)
    assert len(groups) == count
    assert list(chain.from_iterable(groups)) == nodes
    sizes = [len(g) for g in groups]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)


@given(st.integers(1, 65535), st.integers(1, 40))
def test_port_range_is_checked_after_auto_increment(first: int, count: int) -> None:
    options = NumaOptions(numa=0, machine_nodes=count, ports=[first])
    if first + count - 1 > 65535:
        with pytest.raises(InputError, match="past 65535"):
            plan_processes(options)
    else:
        ports = [p.port for p in plan_processes(options).processes]
        assert ports == list(range(first, first + count))


# --- Parsing spawner arguments ----------------------------------------------------------------

def test_parse_accepts_option_names_in_any_case_and_both_port_spellings() -> None:
    upper = parse_spawner_args(["-NUMA=2", "-Node=1,2,3", "-PORT=30000"])
    other = parse_spawner_args(["-numa=2", "-node=1,2,3", "-Ports=30000"])
    assert upper == other == NumaOptions(numa=2, nodes=[1, 2, 3], ports=[30000])


def test_parse_numa_without_value_means_per_node() -> None:
    assert parse_spawner_args(["-numa"]).numa == 0
    assert parse_spawner_args(["-numa=0"]).numa == 0


def test_parse_keeps_machine_nodes_and_skips_the_executable_and_other_options() -> None:
    argv = ["C:\\bin\\vrayspawner2026.exe", "-run-dispatcher=2", "-Service", '-node="0,1"',
            '-cmdparams="-silent"', "-tempdir=C:\\tmp", "-AppName=3dsmaxio.exe"]
    assert parse_spawner_args(argv, machine_nodes=2) == NumaOptions(nodes=[0, 1], machine_nodes=2)


def test_parse_no_arguments_is_the_ordinary_spawner() -> None:
    options = parse_spawner_args([])
    assert options.is_empty


@pytest.mark.parametrize(("argv", "message"), [
    (["-nodes=1,2"], 'unknown spawner option "-nodes=1,2"'),
    (["--numa"], "unknown spawner option"),
    (["numa"], "unknown spawner option"),
    (["-numa", "-NUMA=2"], "-NUMA is given twice"),
    (["-port=1", "-ports=2"], "-ports is given twice"),
    (["-numa="], '"" is not a whole number'),
    (["-numa=four"], '"four" is not a whole number'),
    (["-node"], "-node needs a list after '='"),
    (["-node=3,,5"], "has an empty item"),
    (["-node="], "the list is empty"),
    (["-port=20204,x"], '"x" is not a whole number'),
    (["-port=2_0204"], "is not a whole number"),
])
def test_parse_rejects_malformed_arguments(argv: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_spawner_args(argv)


def test_parse_number_list_tolerates_spaces_and_keeps_negatives_for_the_checks() -> None:
    assert parse_number_list(" 3, 5 ,-1", "-node") == [3, 5, -1]


# --- Client server entries ------------------------------------------------------------------

def test_server_entries_one_per_process_port() -> None:
    entries = server_entries("render07", NumaOptions(numa=0, machine_nodes=3), enabled=False)
    assert [(s.host, s.port, s.enabled) for s in entries] == [
        ("render07", 20204, False), ("render07", 20205, False), ("render07", 20206, False)]


def test_server_entries_ordinary_spawner_is_one_entry() -> None:
    entries = server_entries("10.0.0.21", NumaOptions())
    assert [(s.host, s.port, s.enabled) for s in entries] == [("10.0.0.21", 20204, True)]


@pytest.mark.parametrize("host", ["10.0.0.300", "a;b", ""])
def test_server_entries_rejects_bad_hosts(host: str) -> None:
    with pytest.raises(InputError, match="host"):
        server_entries(host, NumaOptions())


# --- Command lines --------------------------------------------------------------------------

def test_default_executable_is_the_guides_path() -> None:
    assert default_executable(2026) == (
        r"C:\ProgramData\Autodesk\ApplicationPlugins\VRay3dsMax2026\bin\vrayspawner2026.exe")
    assert SPAWNER_EXE_TEMPLATE.format(year=2026) == default_executable(2026)


@pytest.mark.parametrize("year", [2007, 26, 2100])
def test_default_executable_rejects_non_release_years(year: int) -> None:
    with pytest.raises(InputError, match=f"version {year} is not a release year"):
        default_executable(year)


def test_guides_dispatcher_command_line() -> None:
    cmd = SpawnerCommand(max_version=2026, run_dispatcher=2)
    assert format_command(cmd) == (
        r"C:\ProgramData\Autodesk\ApplicationPlugins\VRay3dsMax2026\bin\vrayspawner2026.exe"
        " -run-dispatcher=2")


@pytest.mark.parametrize(("line", "_"), GUIDE_EXAMPLES[:2] + GUIDE_EXAMPLES[3:])
def test_guide_examples_are_generated_as_written(line: str, _: object) -> None:
    options = parse_spawner_args(line.split())
    assert format_command(SpawnerCommand(executable="vrayspawner2026.exe",
                                         numa_options=options)) == line


def test_generator_writes_the_port_option_constant() -> None:
    cmd = SpawnerCommand(executable="s.exe",
                         numa_options=NumaOptions(nodes=[3, 5, 6], ports=[30000, 40000]))
    assert build_command(cmd) == ["s.exe", "-node=3,5,6", f"{PORT_OPTION}=30000,40000"]
    assert PORT_OPTION == "-port"


def test_every_option_in_order_with_quoted_text_values() -> None:
    cmd = SpawnerCommand(
        executable=r"D:\Program Files\V-Ray\vrayspawner2026.exe", run_dispatcher=2,
        numa_options=NumaOptions(numa=2, nodes=[0, 1, 2, 3], ports=[30000]), service=True,
        cmdparams="-silent -mip", tempdir="D:\\spawner tmp\\", app_name="3dsmaxio.exe")
    assert build_command(cmd) == [
        r"D:\Program Files\V-Ray\vrayspawner2026.exe", "-run-dispatcher=2", "-node=0,1,2,3",
        "-numa=2", "-port=30000", "-cmdparams=-silent -mip", "-tempdir=D:\\spawner tmp\\",
        "-AppName=3dsmaxio.exe", "-Service"]
    assert format_command(cmd) == (
        r'"D:\Program Files\V-Ray\vrayspawner2026.exe" -run-dispatcher=2 -node=0,1,2,3 -numa=2 '
        r'-port=30000 -cmdparams="-silent -mip" -tempdir="D:\spawner tmp\\" '
        r'-AppName="3dsmaxio.exe" -Service')


def test_unregister_alone() -> None:
    cmd = SpawnerCommand(max_version=2025, unregister=True)
    assert build_command(cmd)[1:] == ["-UnregServer"]


def test_check_command_returns_the_plan_warnings() -> None:
    cmd = SpawnerCommand(max_version=2026, numa_options=NumaOptions(nodes=[0, 1, 2]))
    assert len(check_command(cmd)) == 2  # 20205 (Deadline) and 20206 (GPU)


def test_check_command_without_node_count_checks_what_it_can() -> None:
    cmd = SpawnerCommand(max_version=2026, numa_options=NumaOptions(numa=0))
    assert check_command(cmd) == []
    bad = SpawnerCommand(max_version=2026, numa_options=NumaOptions(numa=0, ports=[0]))
    with pytest.raises(InputError, match="out of range"):
        check_command(bad)


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "either the 3ds Max version"),
    ({"max_version": 2026, "executable": "s.exe"}, "either the 3ds Max version"),
    ({"max_version": 1999}, "not a release year"),
    ({"executable": ""}, "executable is empty"),
    ({"executable": "  "}, "executable is empty"),
    ({"executable": 'a"b.exe'}, "double quote"),
    ({"max_version": 2026, "service": True, "unregister": True}, "give one of them"),
    ({"max_version": 2026, "unregister": True, "numa_options": NumaOptions(ports=[30000])},
     "-UnregServer only removes the service; drop -port"),
    ({"max_version": 2026, "unregister": True, "run_dispatcher": 2},
     "drop -run-dispatcher"),
    ({"max_version": 2026, "unregister": True, "tempdir": "C:\\t"}, "drop -tempdir"),
    ({"max_version": 2026, "run_dispatcher": 3}, "-run-dispatcher=3: use 1"),
    ({"max_version": 2026, "run_dispatcher": 0}, "-run-dispatcher=0: use 1"),
    ({"max_version": 2026, "run_dispatcher": 1, "numa_options": NumaOptions(numa=0)},
     "starts no render server"),
    ({"max_version": 2026, "run_dispatcher": 1, "numa_options": NumaOptions(nodes=[1])},
     "starts no render server"),
    ({"max_version": 2026, "cmdparams": 'say "hi"'}, "-cmdparams contains a double quote"),
    ({"max_version": 2026, "tempdir": "C:\\a\nb"}, "-tempdir contains a line break"),
    ({"max_version": 2026, "app_name": "x\r.exe"}, "-AppName contains a line break"),
    ({"max_version": 2026, "cmdparams": ""}, "-cmdparams is empty"),
    ({"max_version": 2026, "numa_options": NumaOptions(nodes=[1, 1])}, "listed twice"),
    ({"max_version": 2026, "numa_options": NumaOptions(nodes=[0, 1], ports=[65535])},
     "past 65535"),
    ({"max_version": 2026, "numa_options": NumaOptions(nodes=[9], machine_nodes=4)},
     "does not exist"),
])
def test_contradictory_or_malformed_commands_are_rejected(fields: dict[str, object],
                                                          message: str) -> None:
    cmd = SpawnerCommand.model_validate(fields)
    for render in (build_command, format_command, check_command):
        with pytest.raises(InputError, match=message):
            render(cmd)


def test_dispatcher_only_spawner_without_numa_options_is_fine() -> None:
    assert build_command(SpawnerCommand(max_version=2026, run_dispatcher=1))[1:] == [
        "-run-dispatcher=1"]


# --- The command line splits back into the argv, by the Windows C runtime's rules ------------

def crt_split(line: str) -> list[str]:
    """Split a command line as the Microsoft C runtime builds argv (argv[0] is special)."""
    if line.startswith('"'):
        end = line.index('"', 1)
        args, i = [line[1:end]], end + 1
    else:
        end = next((k for k, c in enumerate(line) if c in " \t"), len(line))
        args, i = [line[:end]], end
    buf: list[str] = []
    have = in_quotes = False
    while i < len(line):
        char = line[i]
        if char in " \t" and not in_quotes:
            if have:
                args.append("".join(buf))
                buf, have = [], False
            i += 1
        elif char == "\\":
            j = i
            while j < len(line) and line[j] == "\\":
                j += 1
            run = j - i
            if j < len(line) and line[j] == '"':
                buf.append("\\" * (run // 2))
                if run % 2:
                    buf.append('"')
                    j += 1
            else:
                buf.append("\\" * run)
            have, i = True, j
        elif char == '"':
            if in_quotes and line[i + 1:i + 2] == '"':
                buf.append('"')
                i += 2
            else:
                in_quotes = not in_quotes
                i += 1
            have = True
        else:
            buf.append(char)
            have, i = True, i + 1
    if have:
        args.append("".join(buf))
    return args


@pytest.mark.parametrize(("line", "expected"), [
    # Microsoft's own examples ("Parsing C++ command-line arguments").
    ('"a b c" d e', ["a b c", "d", "e"]),
    (r'"ab\"c" "\\" d', ['ab"c', "\\", "d"]),
    (r'a\\\b d"e f"g h', [r"a\\\b", "de fg", "h"]),
    (r'a\\\"b c d', [r'a\"b', "c", "d"]),
    (r'a\\\\"b c" d e', [r"a\\b c", "d", "e"]),
])
def test_crt_split_matches_microsofts_examples(line: str, expected: list[str]) -> None:
    assert crt_split(f"prog {line}") == ["prog", *expected]


# Backslashes, spaces and tabs are what quoting gets wrong: end values with a short run of them.
TEXT = st.builds(
    str.__add__,
    st.text(st.characters(codec="utf-8", exclude_characters='"\n\r\0')),
    st.text(st.sampled_from("\\ \ta"), max_size=4),
).filter(str.strip)
PATH = st.text(st.sampled_from("abcXYZ019 :.\\-_()\t"), min_size=1).filter(str.strip)


@given(PATH, st.none() | TEXT, st.none() | TEXT, st.none() | TEXT)
def test_format_command_splits_back_into_build_command(
        exe: str, cmdparams: str | None, tempdir: str | None, app_name: str | None) -> None:
    cmd = SpawnerCommand(executable=exe, cmdparams=cmdparams, tempdir=tempdir,
                         app_name=app_name, numa_options=NumaOptions(nodes=[0, 1]))
    assert crt_split(format_command(cmd)) == build_command(cmd)


@given(numa_options())
def test_parse_spawner_args_reads_back_what_the_generator_writes(options: NumaOptions) -> None:
    unchecked = options.model_copy(update={"machine_nodes": None})
    cmd = SpawnerCommand(executable="vrayspawner2026.exe", run_dispatcher=2,
                         numa_options=unchecked, cmdparams="-silent")
    try:
        argv = build_command(cmd)
    except InputError:
        return  # ports that collide after auto-increment: covered by test_plan_properties
    assert parse_spawner_args(argv) == unchecked
