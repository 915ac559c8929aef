"""The controller runs, edits, checks and renders with no Qt imported at all."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    import mock_pymxs
    from vrdr_max.demo import ARTIST_CFG

    plugcfg = Path(sys.argv[1])
    (plugcfg / "vray_dr.cfg").write_bytes(ARTIST_CFG)
    mock = mock_pymxs.install("demo", plugcfg_dir=plugcfg)
    import vrdr_max.panel
    from vrdr_max.max_host import PymxsHost
    from vrdr_max.panel.controller import PanelController

    ctl = PanelController(PymxsHost())
    ctl.attach()
    assert ctl.add_server("render02") is None
    assert ctl.add_server("bad host!") is not None
    ctl.set_dr_enabled(True)
    report = ctl.preflight()
    assert ctl.fix("add-dome-light") is None
    mock.runtime.execute("max quick render")
    plan = ctl.plan()
    result = ctl.render(plan, "test")
    mock.open_scene("gpu")
    ctl.detach()
    qt = sorted(m for m in sys.modules
                if m.split(".")[0] in {"qtpy", "PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6",
                                       "shiboken2"})
    print("QT:" + ",".join(qt))
    print("STATUS:" + result.status.value)
    print("ENGINE:" + ctl.engine_label)
    print("PROMPTS:" + str(len(mock.prompts)))
""")


def test_the_controller_imports_no_qt(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    assert out["QT"] == ""
    assert out["STATUS"] == "rendered"
    assert out["ENGINE"] == "V-Ray GPU: vrayrt_dr.cfg"
    assert out["PROMPTS"] == "1"
