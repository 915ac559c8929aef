"""The panel's own probe judges the studio's Chaos License Servers (issue 17 item 6, in the panel).

The CLI and the Python API probe ``farm.licence_servers`` with the render servers; the panel's
probe does too, so its preflight's ``licence-server`` check judges them, and they never become
rows of the server table.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vrdr_max.checks import CheckStatus
from vrdr_max.checks.model import LICENCE_LABEL
from vrdr_max.demo import stand_in_servers
from vrdr_max.panel.widgets import DRPanel


def user_config(**farm: object) -> None:
    """The test's user config file (``VRDR_USER_CONFIG``, set for every test) with ``farm``."""
    Path(os.environ["VRDR_USER_CONFIG"]).write_text(
        json.dumps({"version": 1, "farm": farm}), encoding="utf-8")


@contextmanager
def licence_server(*, answers: bool) -> Iterator[int]:
    """A loopback port that accepts (a licence server running) or refuses (none there)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        if answers:
            sock.listen(4)
        yield int(sock.getsockname()[1])


def probe_and_check(qtbot, panel: DRPanel, server_port: int) -> None:
    assert panel.controller.paste(f"127.0.0.1:{server_port}") is None
    assert panel.controller.remove_rows([0]) is None  # the artist's host: no name lookups
    task = panel.probe()
    assert task is not None
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    stepper = panel.preflight()
    assert stepper is not None
    with qtbot.waitSignal(stepper.finished, timeout=10_000):
        pass


def licence_result(panel: DRPanel):
    report = panel.controller.report
    assert report is not None
    return next(r for r in report.results if r.check_id == "licence-server")


def test_a_licence_server_that_does_not_answer_is_a_preflight_error_not_a_row(
        qtbot, panel: DRPanel) -> None:
    with stand_in_servers() as farm, licence_server(answers=False) as port:
        user_config(licence_servers=[f"127.0.0.1:{port}"])
        endpoints = panel.controller.probe_endpoints()
        assert ("127.0.0.1", port, LICENCE_LABEL) in endpoints
        probe_and_check(qtbot, panel, farm[0].port)
    result = licence_result(panel)
    assert result.status is CheckStatus.FAILED
    assert result.findings[0].subjects == [f"127.0.0.1:{port}: nothing listens there"]
    assert panel.model.rowCount() == 1  # the licence server is no row of the table
    assert panel.controller.list_summary().startswith("1 listed")


def test_a_licence_server_that_answers_passes_the_check(qtbot, panel: DRPanel) -> None:
    with stand_in_servers() as farm, licence_server(answers=True) as port:
        user_config(licence_servers=[f"127.0.0.1:{port}"])
        probe_and_check(qtbot, panel, farm[0].port)
    assert licence_result(panel).status is CheckStatus.PASSED
    assert panel.model.rowCount() == 1


def test_without_licence_servers_in_the_config_the_check_says_so(qtbot, panel: DRPanel) -> None:
    with stand_in_servers() as farm:
        probe_and_check(qtbot, panel, farm[0].port)
    result = licence_result(panel)
    assert result.status is CheckStatus.SKIPPED
    assert "farm.licence_servers" in result.reason
