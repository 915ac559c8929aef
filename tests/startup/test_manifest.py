"""package.xml: the application-package manifest 3ds Max reads (max-plugin.md §1)."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from startup_helpers import ROOT

import vrdr_max
from vrdr_max.deploy import install
from vrdr_max.deploy.install import components_for, series

UPGRADE_CODE = "{6C0E2B5A-3D8F-4A7B-9E61-2F4D8C1B7A90}"  # never changes
DESCRIPTIONS = {"pre-start-up scripts parts", "post-start-up scripts parts",
                "light icon paths parts", "dark icon paths parts"}
STARTUP = {"pre-start-up scripts parts", "post-start-up scripts parts"}


@pytest.fixture(scope="module")
def root() -> ET.Element:
    return ET.parse(ROOT / "package.xml").getroot()


def test_required_attributes(root: ET.Element) -> None:
    assert root.tag == "ApplicationPackage"
    assert root.get("SchemaVersion") == "1.0"
    assert root.get("AutodeskProduct") == "3ds Max"
    assert root.get("ProductType") == "Application"
    assert root.get("AppVersion") == vrdr_max.__version__
    assert root.get("UpgradeCode") == UPGRADE_CODE == install.UPGRADE_CODE
    assert root.get("Name")
    company = root.findall("CompanyDetails")
    assert len(company) == 1 and company[0].get("Name")
    req = root.find("RuntimeRequirements")
    assert req is not None and (req.get("OS"), req.get("Platform")) == ("Win64", "3ds Max")
    assert series(root) == (2024, 2027)


def test_components_are_known_kinds_inside_the_package_range(root: ET.Element) -> None:
    lo, hi = series(root)
    for comp in root.iter("Components"):
        assert comp.get("Description") in DESCRIPTIONS
        clo, chi = series(comp)
        assert lo <= clo <= chi <= hi
        for entry in comp.iter("ComponentEntry"):
            assert entry.get("ModuleName", "").startswith("./Contents/")
            assert entry.get("Version") == vrdr_max.__version__


def test_startup_components_do_not_overlap(root: ET.Element) -> None:
    ranges = [series(c) for c in root.iter("Components") if c.get("Description") in STARTUP]
    for (a_lo, a_hi), (b_lo, b_hi) in itertools.combinations(ranges, 2):
        assert a_hi < b_lo or b_hi < a_lo, f"{a_lo}-{a_hi} overlaps {b_lo}-{b_hi}"
    same_kind = itertools.groupby(sorted(root.iter("Components"),
                                         key=lambda c: c.get("Description", "")),
                                  key=lambda c: c.get("Description", ""))
    for _, comps in same_kind:
        spans = sorted(series(c) for c in comps)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_every_year_runs_exactly_one_startup_script(root: ET.Element, year: int) -> None:
    scripts = [m for m in components_for(root, year) if "/startup/" in m]
    assert scripts == (["./Contents/startup/vrdr_startup.ms"] if year == 2024
                       else ["./Contents/startup/vrdr_startup.py"])


def test_every_module_path_is_in_the_built_package(bundle: Path, root: ET.Element) -> None:
    assert (bundle / "PackageContents.xml").read_bytes() == (ROOT / "package.xml").read_bytes()
    for entry in root.iter("ComponentEntry"):
        assert (bundle / entry.get("ModuleName", "")).exists(), entry.get("ModuleName")
