"""V-Ray DR Spawner rules: render-server processes per NUMA node, their ports, the command line.

The rules are the DR setup guide's "V-Ray DR Spawner command line options" and its four
examples (see ``docs/spawner.md``). Everything here is pure: a plan or an argv is data, and bad
input raises :class:`~vrdr_max.errors.InputError` with a message that names the problem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from vrdr_max.addresses import validate_host
from vrdr_max.digits import fits
from vrdr_max.errors import InputError, quote
from vrdr_max.hostport import validate_port
from vrdr_max.models import RenderServer
from vrdr_max.numa import NumaOptions
from vrdr_max.plugcfg import MAX_YEARS
from vrdr_max.ports import Engine, Mode, default_port, well_known_ports

SPAWNER_FIRST_PORT = default_port(Engine.CPU, Mode.DR)
"""First render-server port when ``-port`` is not given: DR1, V-Ray CPU for 3ds Max."""

PORT_OPTION = "-port"
"""How the generator spells the ports option.

The guide's option table writes ``-port=``, one of its examples ``-ports=``; which spelling the
spawner accepts is [unverified]. The parser accepts both; change this one constant if needed.
"""

PORT_OPTION_SPELLINGS = ("-port", "-ports")
"""Spellings of the ports option that :func:`parse_spawner_args` accepts."""

NUMA_OPTION = "-numa"
NODE_OPTION = "-node"
DISPATCHER_OPTION = "-run-dispatcher"
SERVICE_OPTION = "-Service"
UNREGISTER_OPTION = "-UnregServer"
CMDPARAMS_OPTION = "-cmdparams"
TEMPDIR_OPTION = "-tempdir"
APP_NAME_OPTION = "-AppName"

SPAWNER_EXE_TEMPLATE = (
    r"C:\ProgramData\Autodesk\ApplicationPlugins\VRay3dsMax{year}\bin\vrayspawner{year}.exe")
"""Where the DR setup guide runs the spawner from; ``{year}`` is the 3ds Max version."""

MAX_NUMA_NODES = 64
"""Most NUMA nodes Windows supports on one machine; larger counts are typos, not hardware."""

DISPATCHER_MODES = {1: "dispatcher only", 2: "dispatcher and render server"}
"""``-run-dispatcher`` values (DR2)."""

_NUMBER = re.compile(r"-?[0-9]+")
_FORBIDDEN_IN_VALUES = {'"': "a double quote", "\n": "a line break", "\r": "a line break",
                        "\0": "a NUL character"}


@dataclass(frozen=True)
class SpawnerProcess:
    """One render-server process the spawner starts.

    Attributes:
        nodes: the NUMA nodes it runs on, in the order given; empty when no node is selected
            (the ordinary spawner on a machine whose node count we were not told).
        port: the TCP port it listens on.
    """

    nodes: tuple[int, ...]
    port: int


@dataclass(frozen=True)
class SpawnerPlan:
    """What a spawner command line starts, and what looks risky about it.

    Attributes:
        processes: the render-server processes, in the spawner's order.
        warnings: harmless but suspicious choices (unused ports, ports of other DR servers).
    """

    processes: list[SpawnerProcess]
    warnings: list[str] = field(default_factory=list)


def check_options(options: NumaOptions) -> None:
    """Check the options one by one (what needs no process count).

    Raises:
        InputError: for a negative N, a missing or invalid node, a duplicate node or port,
            a port out of range, or a machine node count below 1.
    """
    machine = options.machine_nodes
    if machine is not None and not 1 <= machine <= MAX_NUMA_NODES:
        raise InputError(f"the machine's NUMA node count must be 1-{MAX_NUMA_NODES}, "
                         f"not {machine}")
    if options.numa is not None and options.numa < 0:
        raise InputError(f"{NUMA_OPTION}={options.numa}: the process count cannot be negative")
    if options.nodes is not None:
        _check_nodes(options.nodes, machine)
    if options.ports is not None:
        if not options.ports:
            raise InputError(f"{PORT_OPTION} needs at least one port")
        _check_unique([validate_port(p, f"{PORT_OPTION} port") for p in options.ports], "port")


def _check_nodes(nodes: list[int], machine: int | None) -> None:
    if not nodes:
        raise InputError(f"{NODE_OPTION} needs at least one NUMA node")
    for node in nodes:
        if node < 0:
            raise InputError(f"NUMA node {node} is negative (Windows numbers NUMA nodes from 0)")
        if node >= MAX_NUMA_NODES:
            raise InputError(f"NUMA node {node} does not exist (at most {MAX_NUMA_NODES} nodes, "
                             f"numbered 0-{MAX_NUMA_NODES - 1})")
        if machine is not None and node >= machine:
            raise InputError(f"NUMA node {node} does not exist: the machine has {machine} "
                             f"node(s), numbered 0-{machine - 1}")
    _check_unique(nodes, "NUMA node")


def _check_unique(values: list[int], what: str) -> None:
    seen: set[int] = set()
    for value in values:
        if value in seen:
            raise InputError(f"{what} {value} is listed twice")
        seen.add(value)


def split_nodes(nodes: Sequence[int], count: int) -> list[tuple[int, ...]]:
    """Split ``nodes`` in order into ``count`` groups; earlier groups take the extra nodes.

    ``split_nodes([2, 3, 4, 5, 6], 3)`` is ``[(2, 3), (4, 5), (6,)]``, as in the guide.

    Raises:
        InputError: when ``count`` is not between 1 and ``len(nodes)``.
    """
    if not 1 <= count <= len(nodes):
        raise InputError(f"cannot split {len(nodes)} NUMA node(s) into {count} process(es)")
    size, extra = divmod(len(nodes), count)
    groups: list[tuple[int, ...]] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        groups.append(tuple(nodes[start:end]))
        start = end
    return groups


def _node_groups(options: NumaOptions) -> list[tuple[int, ...]]:
    machine = options.machine_nodes
    if options.numa is None:
        if options.nodes is None:
            # The ordinary spawner: one process, no node selection.
            return [tuple(range(machine)) if machine is not None else ()]
        # The guide's "-node=3,5,6 -ports=..." starts one process per listed node.
        return [(node,) for node in options.nodes]
    if options.nodes is not None:
        selected = list(options.nodes)
    elif machine is not None:
        selected = list(range(machine))
    else:
        raise InputError(f"{NUMA_OPTION} without {NODE_OPTION} needs the machine's NUMA node "
                         "count: the number of processes depends on it")
    count = options.numa
    if count == 0 or count >= len(selected):
        count = len(selected)
    return split_nodes(selected, count)


def _assign_ports(given: list[int] | None, count: int) -> tuple[list[int], list[int], list[str]]:
    """Ports for ``count`` processes; returns (ports, indices auto-incremented, warnings)."""
    ports = list(given) if given else [SPAWNER_FIRST_PORT]
    warnings: list[str] = []
    if len(ports) > count:
        unused = ", ".join(str(p) for p in ports[count:])
        warnings.append(f"{len(ports)} ports given for {count} process(es): {unused} unused")
        ports = ports[:count]
    explicit = len(ports)
    last = ports[-1]
    needed = last + count - explicit
    if needed > 65535:
        raise InputError(f"{PORT_OPTION}: auto-incrementing {last} for {count} processes runs "
                         f"past 65535 (the last process would need port {needed})")
    taken = set(ports)
    for step in range(1, count - explicit + 1):
        port = last + step
        if port in taken:
            raise InputError(f"port {port} is given in {PORT_OPTION} and also auto-incremented "
                             f"for process {explicit + step}; list the ports in increasing order")
        ports.append(port)
    return ports, list(range(explicit, count)), warnings


def _role_warnings(ports: list[int], auto: list[int]) -> list[str]:
    roles = well_known_ports()
    warnings = []
    for index, port in enumerate(ports):
        role = roles.get(port)
        if role is None or port == SPAWNER_FIRST_PORT:
            continue
        how = " (auto-incremented)" if index in auto else ""
        warnings.append(f"process {index + 1} listens on port {port}{how}, a well-known port "
                        f"({role}); if that server runs on this machine too, give explicit "
                        f"ports with {PORT_OPTION}=")
    return warnings


def plan_processes(options: NumaOptions) -> SpawnerPlan:
    """Work out the processes a spawner with ``options`` starts, as the DR setup guide says.

    * ``-numa[=N]``: N processes; N absent, 0 or >= M gives one per node (M = the nodes of
      ``-node``, else all the machine's nodes). N < M splits the nodes in order, earlier
      groups taking the extra node.
    * ``-node`` without ``-numa``: one process per listed node.
    * neither: one process over all nodes.
    * ports: as given; more processes than ports auto-increments the last one. Default first
      port: :data:`SPAWNER_FIRST_PORT`.

    Args:
        options: the NUMA options.

    Returns:
        The processes, plus warnings for unused ports and for ports of other DR servers.

    Raises:
        InputError: for invalid options, a port past 65535 or an auto-incremented port that
            was also given explicitly.
    """
    check_options(options)
    groups = _node_groups(options)
    ports, auto, warnings = _assign_ports(options.ports, len(groups))
    processes = [SpawnerProcess(nodes=g, port=p) for g, p in zip(groups, ports, strict=True)]
    return SpawnerPlan(processes=processes, warnings=warnings + _role_warnings(ports, auto))


def server_entries(host: str, options: NumaOptions, *, enabled: bool = True) -> list[RenderServer]:
    """The client's server list entries for a spawner started with ``options`` on ``host``.

    One entry per process port; port ranges (``20204-20211``) are never written because
    whether V-Ray reads them in the cfg is [unverified].

    Raises:
        InputError: for a bad host or invalid options.
    """
    checked = validate_host(host)
    plan = plan_processes(options)
    return [RenderServer(host=checked, port=p.port, enabled=enabled) for p in plan.processes]


def parse_number(text: str, what: str) -> int:
    """Parse a whole number (ASCII digits, optional minus) for ``what``.

    Raises:
        InputError: when ``text`` is not a whole number.
    """
    item = text.strip()
    if not _NUMBER.fullmatch(item):
        raise InputError(f"{what}: {quote(text)} is not a whole number")
    if not fits(item):
        raise InputError(f"{what}: a number of {len(item.lstrip('-'))} digits is out of range")
    return int(item)


def parse_number_list(text: str, what: str) -> list[int]:
    """Parse a comma-separated list of whole numbers (``3,5,6``) for ``what``.

    Raises:
        InputError: for an empty list, an empty item or an item that is not a number.
    """
    if not text.strip():
        raise InputError(f"{what}: the list is empty")
    items = text.split(",")
    if any(not item.strip() for item in items):
        raise InputError(f"{what}: {quote(text)} has an empty item")
    return [parse_number(item, what) for item in items]


def _unquote(value: str) -> str:
    # A value may arrive with its quotes when copied from a shortcut's Target field.
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


_NUMA_KEYS = {NUMA_OPTION: "numa", NODE_OPTION: "nodes",
              **dict.fromkeys(PORT_OPTION_SPELLINGS, "ports")}
_OTHER_KEYS = {o.lower() for o in (DISPATCHER_OPTION, SERVICE_OPTION, UNREGISTER_OPTION,
                                   CMDPARAMS_OPTION, TEMPDIR_OPTION, APP_NAME_OPTION)}


def parse_spawner_args(argv: Sequence[str], *, machine_nodes: int | None = None) -> NumaOptions:
    """Read the NUMA options out of a spawner command line.

    Option names are case-insensitive, as Windows tools take them; ``-port=`` and ``-ports=``
    are both accepted; values may keep their double quotes. A leading ``*.exe`` argument (the
    spawner itself) and the spawner's other options are skipped.

    Args:
        argv: the arguments, e.g. ``["-node=3,5,6", "-ports=30000,40000"]``.
        machine_nodes: the machine's NUMA node count, when known.

    Returns:
        The NUMA options (not yet checked; :func:`plan_processes` checks them).

    Raises:
        InputError: for an unknown option, an option given twice, or a malformed value.
    """
    found: dict[str, object] = {}
    for index, arg in enumerate(argv):
        if index == 0 and not arg.startswith("-") and arg.lower().endswith(".exe"):
            continue
        name, sep, raw = arg.partition("=")
        key = name.lower()
        if key in _OTHER_KEYS:
            continue
        target = _NUMA_KEYS.get(key)
        if target is None:
            raise InputError(f"unknown spawner option {quote(arg)}")
        if target in found:
            raise InputError(f"{name} is given twice")
        value = _unquote(raw)
        if target == "numa":
            found[target] = parse_number(value, name) if sep else 0
        elif not sep:
            raise InputError(f"{name} needs a list after '=' (e.g. {name}=1,2)")
        else:
            found[target] = parse_number_list(value, name)
    return NumaOptions.model_validate({**found, "machine_nodes": machine_nodes})


class SpawnerCommand(BaseModel):
    """A spawner command line to deploy on a render server.

    Attributes:
        max_version: the 3ds Max year; picks :data:`SPAWNER_EXE_TEMPLATE`.
        executable: the spawner's path, instead of ``max_version``.
        run_dispatcher: DR2 only: 1 = only the dispatcher, 2 = dispatcher and render server.
        numa_options: ``-numa``, ``-node``, ``-port``.
        service: ``-Service``: register the spawner as a Windows service.
        unregister: ``-UnregServer``: unregister the service.
        cmdparams: ``-cmdparams``: arguments passed on to the spawned application.
        tempdir: ``-tempdir``: the spawner's temporary folder instead of ``%temp%``.
        app_name: ``-AppName``: the spawned executable instead of ``3dsmax.exe``.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    max_version: int | None = None
    executable: str | None = None
    run_dispatcher: int | None = None
    numa_options: NumaOptions = Field(default_factory=NumaOptions)
    service: bool = False
    unregister: bool = False
    cmdparams: str | None = None
    tempdir: str | None = None
    app_name: str | None = None


def default_executable(max_version: int) -> str:
    """The spawner path the DR setup guide uses for 3ds Max ``max_version``.

    Raises:
        InputError: for a year that is no 3ds Max release.
    """
    if max_version not in MAX_YEARS:
        raise InputError(f"3ds Max version {max_version} is not a release year "
                         f"({MAX_YEARS.start}-{MAX_YEARS.stop - 1})")
    return SPAWNER_EXE_TEMPLATE.format(year=max_version)


def _check_text(what: str, value: str) -> None:
    if not value.strip():
        raise InputError(f"{what} is empty")
    for char, name in _FORBIDDEN_IN_VALUES.items():
        if char in value:
            raise InputError(f"{what} contains {name}, which a spawner command line cannot hold")


def _run_options(cmd: SpawnerCommand) -> list[str]:
    numa = cmd.numa_options
    given = {NUMA_OPTION: numa.numa, NODE_OPTION: numa.nodes, PORT_OPTION: numa.ports,
             DISPATCHER_OPTION: cmd.run_dispatcher, CMDPARAMS_OPTION: cmd.cmdparams,
             TEMPDIR_OPTION: cmd.tempdir, APP_NAME_OPTION: cmd.app_name}
    return [name for name, value in given.items() if value is not None]


def check_command(cmd: SpawnerCommand) -> list[str]:
    """Check a spawner command for contradictions and malformed values.

    Returns:
        The warnings of its process plan (empty when the process count depends on the
        machine's NUMA node count and that is unknown).

    Raises:
        InputError: for both or neither of executable and 3ds Max version, an empty value or one
            with a double quote or line break, ``-Service`` with ``-UnregServer``,
            ``-UnregServer`` with run options, a dispatcher mode other than 1 or 2, NUMA options
            for a dispatcher-only spawner, or invalid NUMA options.
    """
    if (cmd.executable is None) == (cmd.max_version is None):
        raise InputError("give either the 3ds Max version (for the default spawner path) or "
                         "the spawner executable")
    if cmd.max_version is not None:
        default_executable(cmd.max_version)
    for what, text in (("executable", cmd.executable), (CMDPARAMS_OPTION, cmd.cmdparams),
                       (TEMPDIR_OPTION, cmd.tempdir), (APP_NAME_OPTION, cmd.app_name)):
        if text is not None:
            _check_text(what, text)
    if cmd.service and cmd.unregister:
        raise InputError(f"{SERVICE_OPTION} registers the service and {UNREGISTER_OPTION} "
                         "removes it: give one of them")
    if cmd.unregister and (run := _run_options(cmd)):
        raise InputError(f"{UNREGISTER_OPTION} only removes the service; drop {', '.join(run)}")
    if cmd.run_dispatcher is not None and cmd.run_dispatcher not in DISPATCHER_MODES:
        raise InputError(f"{DISPATCHER_OPTION}={cmd.run_dispatcher}: use 1 (dispatcher only) "
                         "or 2 (dispatcher and render server)")
    numa = cmd.numa_options
    if cmd.run_dispatcher == 1 and not numa.is_empty:
        raise InputError(f"{DISPATCHER_OPTION}=1 starts no render server, so {NUMA_OPTION}, "
                         f"{NODE_OPTION} and {PORT_OPTION} have nothing to apply to; use "
                         f"{DISPATCHER_OPTION}=2 or drop them")
    check_options(numa)
    if numa.numa is not None and numa.nodes is None and numa.machine_nodes is None:
        return []
    return plan_processes(numa).warnings


def _executable(cmd: SpawnerCommand) -> str:
    if cmd.executable is not None:
        return cmd.executable
    if cmd.max_version is None:
        raise InputError("give the 3ds Max version or the spawner executable")
    return default_executable(cmd.max_version)


def _pieces(cmd: SpawnerCommand) -> list[tuple[str, str | None, bool]]:
    """(option, value, quoted) in command-line order; the executable comes first, valueless."""
    numa = cmd.numa_options
    pieces: list[tuple[str, str | None, bool]] = [(_executable(cmd), None, False)]
    if cmd.run_dispatcher is not None:
        pieces.append((DISPATCHER_OPTION, str(cmd.run_dispatcher), False))
    # -node before -numa, as the guide writes them.
    if numa.nodes is not None:
        pieces.append((NODE_OPTION, ",".join(str(n) for n in numa.nodes), False))
    if numa.numa is not None:
        pieces.append((NUMA_OPTION, str(numa.numa) if numa.numa else None, False))
    if numa.ports is not None:
        pieces.append((PORT_OPTION, ",".join(str(p) for p in numa.ports), False))
    for option, text in ((CMDPARAMS_OPTION, cmd.cmdparams), (TEMPDIR_OPTION, cmd.tempdir),
                         (APP_NAME_OPTION, cmd.app_name)):
        if text is not None:
            pieces.append((option, text, True))
    if cmd.service:
        pieces.append((SERVICE_OPTION, None, False))
    if cmd.unregister:
        pieces.append((UNREGISTER_OPTION, None, False))
    return pieces


def build_command(cmd: SpawnerCommand) -> list[str]:
    """The spawner's argv: what the program receives, executable first, values unquoted.

    Raises:
        InputError: as :func:`check_command`.
    """
    check_command(cmd)
    return [option if value is None else f"{option}={value}"
            for option, value, _ in _pieces(cmd)]


def _quote(value: str) -> str:
    # Windows' argument rules: backslashes before the closing quote must be doubled, or the
    # quote is read as a literal one (`-tempdir="C:\tmp\"` would swallow the rest).
    trailing = len(value) - len(value.rstrip("\\"))
    return f'"{value}{chr(92) * trailing}"'


def format_command(cmd: SpawnerCommand) -> str:
    """The spawner command line as typed in ``cmd.exe`` or a shortcut's Target field.

    Text values are quoted as the guide shows (``-cmdparams="..."``, ``-tempdir="..."``,
    ``-AppName="..."``); the executable is quoted when it holds a space or tab. Split by the
    Windows C runtime's rules, the line gives back :func:`build_command`'s argv.

    Raises:
        InputError: as :func:`check_command`.
    """
    check_command(cmd)
    (exe, _, _), *options = _pieces(cmd)
    words = [f'"{exe}"' if any(c in exe for c in " \t") else exe]
    for option, value, quoted in options:
        if value is None:
            words.append(option)
        else:
            words.append(f"{option}={_quote(value) if quoted else value}")
    return " ".join(words)
