"""Only the options the engine's file holds (issue 16, item 7), over every option and both engines.

Each change is looked for where it lives (the cfg file or the renderer) and in a panel opened
again on the same file and scene.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from qtpy import QtWidgets

from mock_pymxs import MockMax
from vrdr_max.models import CacheLimitType
from vrdr_max.panel.controller import OPTION_NAMES, PanelController
from vrdr_max.panel.widgets import DRPanel

GPU_OPTIONS = {"use_local_host", "check_missing_files"}
GPU_ONLY_REASON = ("V-Ray GPU's vrayrt_dr.cfg holds only Use local host "
                   "(autostart_local_slave): this option is V-Ray CPU's")
CFG_KEYS = {"use_local_host": {"CPU": b"use_local_machine", "GPU": b"autostart_local_slave"},
            "restart_servers": b"restart_slaves", "save_servers_in_scene": b"list_in_scene",
            "transfer_missing": b"transfer_missing_assets", "use_cached": b"use_cached_assets"}


def open_panel(qtbot) -> DRPanel:
    from vrdr_max.max_host import PymxsHost

    panel = DRPanel(PanelController(PymxsHost()), probe_on_open=False)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def boxes(panel: DRPanel) -> dict[str, QtWidgets.QCheckBox]:
    return {name: box for box, name in panel._options()}


@pytest.mark.parametrize("engine", ["CPU", "GPU"])
def test_every_option_is_on_disk_after_the_change_and_shown_on_reopen(
        qtbot, mock_max: MockMax, cfg: Path, engine: str) -> None:
    if engine == "GPU":
        mock_max.open_scene("gpu")
    panel = open_panel(qtbot)
    path = panel.controller.cfg_path
    assert path.name == ("vray_dr.cfg" if engine == "CPU" else "vrayrt_dr.cfg")
    changed: dict[str, bool] = {}
    for name, box in boxes(panel).items():
        if engine == "GPU" and name not in GPU_OPTIONS:
            assert not box.isEnabled(), name
            assert box.toolTip() == GPU_ONLY_REASON
            before = path.read_bytes() if path.exists() else None
            assert panel.controller.set_option(name, not box.isChecked()) == GPU_ONLY_REASON
            assert (path.read_bytes() if path.exists() else None) == before
            continue
        assert box.isEnabled(), name
        box.click()
        changed[name] = box.isChecked()
        key = CFG_KEYS.get(name)
        if isinstance(key, dict):
            key = key[engine]
        if key is not None:  # a cfg option: in the file now
            assert key + (b" 1" if changed[name] else b" 0") in path.read_bytes(), name
    numbers = engine == "CPU"
    assert panel.maxServers.isEnabled() is numbers
    assert panel.cacheLimitType.isEnabled() is numbers
    if numbers:
        assert panel.controller.set_max_servers("7") is None
        assert panel.controller.set_cache_limit(CacheLimitType.SIZE_GB, "50") is None
        assert b"max_servers 7" in path.read_bytes()
    else:
        assert panel.controller.set_max_servers("7") == GPU_ONLY_REASON
        assert panel.controller.set_cache_limit(CacheLimitType.SIZE_GB, "50") == GPU_ONLY_REASON
    panel.shutdown()

    again = open_panel(qtbot)  # the file and the scene read afresh
    for name, value in changed.items():
        assert boxes(again)[name].isChecked() is value, name
        assert again.controller.option(name) is value, name
    if numbers:
        assert again.maxServers.text() == "7"
        assert again.cacheLimit.text() == "50"
        assert again.cacheLimitType.currentIndex() == int(CacheLimitType.SIZE_GB)
    assert set(changed) == (set(OPTION_NAMES) if engine == "CPU" else GPU_OPTIONS)
