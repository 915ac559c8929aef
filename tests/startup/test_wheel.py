"""The wheel and the sdist: they build, carry the forms inside the package, and run installed.

Built in-process with hatchling (the build backend pyproject names), so no network and no
``uv`` are needed; ``.ci/run`` also builds with ``uv build`` and installs the wheel into a fresh
venv outside the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder
from startup_helpers import ROOT

PACKAGED_FOLDER = "ui-files"  # vrdr_max/ui-files: not importable, unlike a top-level ui/
SOURCE_FOLDER = "ui"


def _source_ui_files() -> set[str]:
    return {p.relative_to(ROOT / SOURCE_FOLDER).as_posix()
            for p in (ROOT / SOURCE_FOLDER).rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from the sdist built from this checkout (as ``uv build`` does)."""
    out = tmp_path_factory.mktemp("dist")
    [sdist] = SdistBuilder(str(ROOT)).build(directory=str(out))
    with tarfile.open(sdist) as archive:
        archive.extractall(out / "sdist", filter="data")
    [unpacked] = (out / "sdist").iterdir()
    [built] = WheelBuilder(str(unpacked)).build(directory=str(out))
    return Path(built)


def test_the_wheel_built_from_the_sdist_carries_forms_icons_and_scenes(wheel: Path) -> None:
    # hatchling refused to build before ("A second file is being added": mock_pymxs/scenes
    # was force-included on top of the package that already holds it), and ui/ was left out.
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    packaged = {n.removeprefix(f"vrdr_max/{PACKAGED_FOLDER}/") for n in names
                if n.startswith(f"vrdr_max/{PACKAGED_FOLDER}/")}
    assert packaged == _source_ui_files()
    assert {"panel.ui", "panel.qss", "icons/add.svg"} <= packaged
    assert {"mock_pymxs/scenes/demo.json", "vrdr_max/cli/main.py"} <= names
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"vrdr_max", "mock_pymxs", "vrdr_max-0.1.0.dist-info"}  # no top-level ui/
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_an_installed_wheel_finds_its_forms_inside_the_package(wheel: Path,
                                                               tmp_path: Path) -> None:
    # Before, the panel looked for site-packages/ui, which no install has.
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "import vrdr_max\n"
            "from qtpy import QtWidgets\n"
            "from vrdr_max.panel.look import icon, stylesheet\n"
            "from vrdr_max.ui_files import ui_dir\n"
            "app = QtWidgets.QApplication([])\n"
            "assert '{error}' not in stylesheet(app.palette())\n"
            "assert not icon('add', app.palette()).isNull()\n"
            "print(vrdr_max.__file__); print(ui_dir())\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True,
                          text=True, env=env, timeout=120, check=False, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    package, forms = proc.stdout.splitlines()
    assert Path(package).parent == site / "vrdr_max"  # the installed copy, not the checkout
    assert Path(forms) == site / "vrdr_max" / PACKAGED_FOLDER


def test_a_checkout_finds_the_top_level_ui_folder() -> None:
    from vrdr_max.ui_files import ui_dir

    assert ui_dir() == ROOT / SOURCE_FOLDER
