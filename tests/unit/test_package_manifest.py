from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import vrdr_max

MANIFEST = Path(__file__).resolve().parents[2] / "package.xml"


def test_manifest_matches_the_package() -> None:
    root = ET.parse(MANIFEST).getroot()
    assert root.tag == "ApplicationPackage"
    assert root.get("AutodeskProduct") == "3ds Max"
    assert root.get("AppVersion") == vrdr_max.__version__
    assert root.get("UpgradeCode") == "{6C0E2B5A-3D8F-4A7B-9E61-2F4D8C1B7A90}"
    assert root.find("CompanyDetails") is not None
    req = root.find("RuntimeRequirements")
    assert req is not None
    assert int(req.get("SeriesMin", "0")) <= int(req.get("SeriesMax", "0"))
