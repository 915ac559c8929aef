"""The V-Ray DR Spawner's NUMA options, as data; the rules that read them are ``vrdr_max.spawner``.

A module of its own so that reading a studio file (whose hosts may carry NUMA options) does not
load the spawner's rules: ``vrdr check`` reads the studio file on every run and plans no
spawner process.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class NumaOptions(BaseModel):
    """The spawner's NUMA options, as given on its command line.

    Attributes:
        numa: ``None`` when ``-numa`` is absent; 0 for ``-numa`` without N; else N.
        nodes: ``-node`` (Windows numbers NUMA nodes from 0); ``None`` = all nodes.
        ports: ``-port``; ``None`` = start at the DR1 default port.
        machine_nodes: how many NUMA nodes the machine has, when known. Needed for ``-numa``
            without ``-node``; also checks ``-node`` indices.
    """

    # Built on first use: a studio file without NUMA hosts (and `vrdr check`) needs none.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    numa: int | None = None
    nodes: list[int] | None = None
    ports: list[int] | None = None
    machine_nodes: int | None = None

    @property
    def is_empty(self) -> bool:
        """True when no NUMA option is given: the ordinary spawner, one process."""
        return self.numa is None and self.nodes is None and self.ports is None
