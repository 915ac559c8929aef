"""The NUMA machine dialog without Qt: plain fields over the spawner's flags, and its preview.

The spawner's flags (``-numa=2 -port=20204``) are what the machine runs; the dialog's fields
(processes, first port) edit the matching flag in place, and the flags fill the fields back, so
either can be typed. The preview is ``vrdr spawner plan``'s: the processes with their NUMA nodes
and ports, the same warnings (unused ports, ports of other DR servers), plus entries the list
holds already, and the spawner command line to copy onto the machine.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from vrdr_max.errors import VrdrError
from vrdr_max.models import DRSettings, RenderServer
from vrdr_max.numa import NumaOptions
from vrdr_max.spawner import (
    NUMA_OPTION,
    PORT_OPTION,
    PORT_OPTION_SPELLINGS,
    SPAWNER_FIRST_PORT,
    SpawnerCommand,
    SpawnerProcess,
    format_command,
    parse_spawner_args,
    plan_processes,
    server_entries,
)

ONE_PER_NODE = 0
"""The processes field's value for ``-numa`` without N: one process per NUMA node."""


@dataclass(frozen=True)
class NumaFields:
    """What the plain fields show for a set of flags.

    Attributes:
        processes: ``-numa=N``'s N; :data:`ONE_PER_NODE` for ``-numa``; 1 without ``-numa``.
        first_port: the first ``-port``; the spawner's default without one.
    """

    processes: int = 1
    first_port: int = SPAWNER_FIRST_PORT


@dataclass(frozen=True)
class NumaPreview:
    """What adding the machine would do.

    Attributes:
        error: why the flags or host cannot work (nothing can be added), or None.
        processes: the spawner's processes (NUMA nodes and port of each).
        entries: the server entries for the list, one per process.
        warnings: ``vrdr spawner plan``'s warnings (unused ports, ports of other DR servers).
        listed: the entries the list holds already (adding them changes nothing).
        command: the spawner command line for the machine, or None.
    """

    error: str | None = None
    processes: list[SpawnerProcess] = field(default_factory=list)
    entries: list[RenderServer] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    listed: list[RenderServer] = field(default_factory=list)
    command: str | None = None

    @property
    def all_warnings(self) -> list[str]:
        """The plan's warnings, then one line per entry listed already."""
        return [*self.warnings, *(f"{e.endpoint} is listed already" for e in self.listed)]


def _split(flags: str) -> list[str]:
    try:
        return shlex.split(flags)
    except ValueError as exc:  # an unclosed quote
        raise VrdrError(f"spawner options: {exc}") from None


def options_of(flags: str, machine_nodes: int | None = None) -> NumaOptions:
    """The NUMA options in ``flags`` (the spawner's other options are skipped).

    Raises:
        VrdrError: an unknown option, an option given twice, a malformed value or quote.
    """
    return parse_spawner_args(_split(flags), machine_nodes=machine_nodes)


def fields_of(flags: str) -> NumaFields | None:
    """The plain fields for ``flags``; None when the flags do not parse (the fields stay)."""
    try:
        options = options_of(flags)
    except VrdrError:
        return None
    processes = 1 if options.numa is None else options.numa
    first = options.ports[0] if options.ports else SPAWNER_FIRST_PORT
    return NumaFields(processes=processes, first_port=first)


def _without(words: list[str], names: tuple[str, ...]) -> tuple[list[str], int]:
    """``words`` without the options ``names`` and where the first of them stood."""
    at = next((i for i, w in enumerate(words) if w.partition("=")[0].lower() in names),
              len(words))
    return [w for w in words if w.partition("=")[0].lower() not in names], at


def with_processes(flags: str, processes: int) -> str:
    """``flags`` with ``-numa`` set for ``processes`` (1: no ``-numa``; 0: one per node)."""
    words, at = _without(_split(flags), (NUMA_OPTION,))
    if processes != 1:
        words.insert(min(at, len(words)),
                     NUMA_OPTION if processes == ONE_PER_NODE else f"{NUMA_OPTION}={processes}")
    return shlex.join(words)


def with_first_port(flags: str, port: int) -> str:
    """``flags`` with the first ``-port`` set to ``port`` (later ports kept)."""
    words = _split(flags)
    names = tuple(s.lower() for s in PORT_OPTION_SPELLINGS)
    for i, word in enumerate(words):
        name, sep, value = word.partition("=")
        if name.lower() in names:
            rest = value.split(",")[1:] if sep else []
            words[i] = f"{name}={','.join([str(port), *rest])}"
            return shlex.join(words)
    if port != SPAWNER_FIRST_PORT:
        words.append(f"{PORT_OPTION}={port}")
    return shlex.join(words)


def preview(host: str, flags: str, machine_nodes: int | None, settings: DRSettings,
            max_version: int | None) -> NumaPreview:
    """The processes, entries, warnings and command for a NUMA machine.

    Args:
        host: the machine.
        flags: the spawner's options.
        machine_nodes: the machine's NUMA node count, when known.
        settings: the list the entries would go into.
        max_version: the 3ds Max year, for the spawner's path in the command.
    """
    try:
        options = options_of(flags, machine_nodes)
        plan = plan_processes(options)
        entries = server_entries(host.strip(), options) if host.strip() else []
    except (VrdrError, ValueError) as exc:
        return NumaPreview(error=str(exc))
    listed = [e for e in entries if settings.server_list.lists(e.host, e.port)]
    command = None
    if max_version is not None:
        try:
            command = format_command(SpawnerCommand(max_version=max_version,
                                                    numa_options=options))
        except VrdrError:
            command = None
    return NumaPreview(processes=plan.processes, entries=entries, warnings=list(plan.warnings),
                       listed=listed, command=command)


def process_text(number: int, process: SpawnerProcess) -> str:
    """``process 1: NUMA nodes 0,1, port 20204``."""
    nodes = ",".join(str(n) for n in process.nodes) or "all"
    which = "NUMA node" if len(process.nodes) == 1 else "NUMA nodes"
    return f"process {number}: {which} {nodes}, port {process.port}"


__all__ = ["ONE_PER_NODE", "NumaFields", "NumaPreview", "fields_of", "options_of", "preview",
           "process_text", "with_first_port", "with_processes"]
