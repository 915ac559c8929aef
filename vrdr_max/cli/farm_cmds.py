"""``vrdr farm workers|reserve|release|status|fieldcheck``: render servers from the farm.

Deadline's Web Service is named by ``--deadline URL``, else ``VRDR_DEADLINE_URL``, else
``farm.deadline_url`` in the user or studio config. A login is ``--user NAME`` with the password
in ``VRDR_DEADLINE_PASSWORD`` or typed at a prompt, never on the command line. Exit codes: 0 ok,
1 the farm failed or no machine answered, 2 bad input or a refused login (docs/farm.md).

This module is loaded by every ``vrdr`` command, so it holds only the group's entry and
``vrdr submit``'s farm flags; the verbs, their handlers and ``submit --farm-servers`` are in
``farm_verbs``, loaded when a farm command runs (``vrdr --help`` stays fast, with or without
bytecode).
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import Any

URL_ENV = "VRDR_DEADLINE_URL"
"""Environment variable naming the Web Service when ``--deadline`` is not given."""


def service_args(p: argparse.ArgumentParser) -> None:
    """``--deadline URL`` and ``--user NAME``."""
    p.add_argument("--deadline", metavar="URL",
                   help=f"the Deadline Web Service, e.g. http://deadline01:8082 (default: "
                        f"{URL_ENV}, then farm.deadline_url in the config)")
    p.add_argument("--user", metavar="NAME",
                   help="log in as this Deadline user; the password comes from "
                        "VRDR_DEADLINE_PASSWORD or a prompt")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``farm`` group; its verbs are built when ``vrdr farm`` is parsed."""
    farm = sub.add_parser("farm", help="render servers from the farm (Deadline Web Service)",
                          description="Reserve render servers from Deadline, write the ones "
                                      "that answer into the cfg, release them afterwards "
                                      "(docs/farm.md).")
    # Six more parsers cost about a third of building all the others, for every command and
    # for `vrdr --help` (benchmarks/import_cost.py): only `vrdr farm ...` builds them.
    farm.__class__ = _lazy(type(farm))


def _lazy(base: type[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    class FarmParser(base):  # type: ignore[valid-type,misc]
        """The ``farm`` group's parser: adds the verbs the first time it parses."""

        _verbs_added = False
        verb_parser_class = base

        def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
            if not self._verbs_added:
                self._verbs_added = True
                from vrdr_max.cli.farm_verbs import add_verbs  # noqa: PLC0415

                add_verbs(self)
            return super().parse_known_args(args, namespace)

    return FarmParser


def add_submit_flags(submit: argparse.ArgumentParser) -> None:
    """``vrdr submit``'s farm flags (``--pool`` then names the Deadline pool)."""
    submit.add_argument("--farm-servers", type=int, metavar="N",
                        help="reserve N render servers from the farm for this render and "
                             "release them afterwards (--pool is then the Deadline pool)")
    service_args(submit)
    submit.add_argument("--wait", type=float, metavar="S",
                        help="with --farm-servers: seconds to wait for machines to answer")
