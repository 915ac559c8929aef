"""CI: the sdist and the wheel ``uv build`` wrote carry what an install needs.

Usage: ``python .ci/check_dist.py DIST_DIR``. Every file of ``ui/`` must be in the wheel under
``vrdr_max/ui-files/`` (and nowhere at the top level), the demo scenes in ``mock_pymxs/scenes``;
the sdist must hold ``ui/``, ``package.xml`` and both packages. Prints one line per archive.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(dist: Path) -> int:
    """Check the archives in ``dist``; 0 when both hold what they must."""
    [wheel] = dist.glob("*.whl")
    [sdist] = dist.glob("*.tar.gz")
    ui = {p.relative_to(ROOT / "ui").as_posix() for p in (ROOT / "ui").rglob("*") if p.is_file()}
    scenes = {p.name for p in (ROOT / "mock_pymxs" / "scenes").glob("*.json")}
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    problems = [f"wheel lacks vrdr_max/ui-files/{f}" for f in sorted(ui)
                if f"vrdr_max/ui-files/{f}" not in names]
    problems += [f"wheel lacks mock_pymxs/scenes/{s}" for s in sorted(scenes)
                 if f"mock_pymxs/scenes/{s}" not in names]
    problems += [f"wheel has a top-level {n}" for n in sorted(names) if n.startswith("ui/")]
    with tarfile.open(sdist) as tf:
        inside = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    problems += [f"sdist lacks {n}" for n in ("package.xml", "pyproject.toml", "ui/panel.ui",
                                              "vrdr_max/__init__.py", "mock_pymxs/__init__.py")
                 if n not in inside]
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    print(f"{wheel.name}: {len(names)} files, the {len(ui)} files of ui/ in vrdr_max/ui-files, "
          f"{len(scenes)} demo scenes")
    print(f"{sdist.name}: {len(inside)} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
