"""Panel fixtures: the demo scene in the mock, the artist's cfg, a panel with scripted dialogs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from qtpy import QtWidgets

from mock_pymxs import MockMax
from vrdr_max.demo import ARTIST_CFG
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.widgets import DRPanel

Answer = Callable[[QtWidgets.QDialog], bool]


@pytest.fixture
def cfg(mock_max: MockMax, tmp_path: Path) -> Path:
    """The artist's vray_dr.cfg (with an unknown line) in the mock's plugcfg folder."""
    path = tmp_path / "plugcfg" / "vray_dr.cfg"
    path.write_bytes(ARTIST_CFG)
    return path


@pytest.fixture
def controller(mock_max: MockMax, cfg: Path) -> Iterator[PanelController]:
    from vrdr_max.max_host import PymxsHost

    ctl = PanelController(PymxsHost())
    ctl.attach()
    yield ctl
    ctl.detach()


class Dialogs:
    """Answers the panel's dialogs in order; records each dialog shown."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.shown: list[QtWidgets.QDialog] = []

    def __call__(self, dialog: QtWidgets.QDialog) -> bool:
        self.shown.append(dialog)
        if not self.answers:
            raise AssertionError(f"unexpected dialog {dialog.windowTitle()!r}")
        return self.answers.pop(0)(dialog)


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def panel(qtbot, controller: PanelController, dialogs: Dialogs) -> DRPanel:
    # No probe on open: the artist's cfg lists a host name, which must not be looked up.
    widget = DRPanel(controller, probe_timeout=1.0, probe_on_open=False)
    qtbot.addWidget(widget)
    widget.resize(400, 1000)
    widget.show()
    widget.dialogs.run = dialogs  # type: ignore[method-assign]
    return widget


def click_button(dialog: QtWidgets.QDialog, text: str) -> bool:
    """Press the dialog button labelled ``text`` (a QMessageBox or a button box)."""
    for button in dialog.findChildren(QtWidgets.QAbstractButton):
        if button.text().replace("&", "") == text:
            button.click()
            return True
    raise AssertionError(f"no button {text!r} in {dialog.windowTitle()!r}")
