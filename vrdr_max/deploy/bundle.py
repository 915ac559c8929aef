"""``vrdr bundle``: the installable Autodesk application package, as a folder and a zip.

The package holds ``PackageContents.xml`` (from ``package.xml``), the code, ``ui/``, the start-up
scripts, icons, and the runtime dependencies (pydantic with its compiled core, qtpy and what they
need) unpacked from Windows wheels once per CPython ABI of 3ds Max 2024-2027. The build is
reproducible: the same inputs give the same bytes (sorted entries, fixed zip timestamps and
permissions). Wheels come from a local folder or are downloaded from the urls the project's
``uv.lock`` pins, and every wheel whose file name the lock lists must match the lock's sha256.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import tempfile
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from vrdr_max import __version__
from vrdr_max.deploy.uvlock import LockedPackage, normalize, read_lock, runtime_closure
from vrdr_max.errors import InputError, VrdrError, quote

PROJECT = "vrdr-max"
PACKAGE_FOLDER = "vrdr-max.bundle"
MANIFEST = "PackageContents.xml"  # the package's manifest, as 3ds Max names it
# CPython ABIs of 3ds Max 2024 (3.10), 2025 and 2026 (3.11; 2026 [unverified]), 2027 (3.13
# [unverified]); see max-plugin.md's version matrix.
ABIS = ("cp310", "cp311", "cp313")
PLATFORM = "win_amd64"
# Never in the package, whatever the lock says: Max brings its own Qt; tests stay at home.
FORBIDDEN = re.compile(r"^(pyside\d*(-.*)?|shiboken\d*|pyqt\d*(-.*)?|pytest(-.*)?|mock-pymxs|"
                       r"hypothesis|mypy|ruff)$")
BUNDLED_SOURCES = ("vrdr_max", "ui", "startup_scripts")
"""The source folders whose files go into the package."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: same bytes on every build
_SKIP = re.compile(r"(^|/)(__pycache__|\.mypy_cache|\.pytest_cache)(/|$)|\.py[co]$")
_WHEEL_NAME = re.compile(
    r"^(?P<name>[^-]+)-(?P<version>[^-]+)(-\d[^-]*)?-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)"
    r"\.whl$")

Fetch = Callable[[str], bytes]


@dataclass(frozen=True)
class VendoredWheel:
    """One wheel unpacked into ``Contents/vendor/<abi>``."""

    abi: str
    name: str
    version: str
    filename: str
    sha256: str


@dataclass
class BundleResult:
    """What ``build`` wrote."""

    folder: Path
    zip_path: Path
    zip_bytes: int
    files: int
    wheels: list[VendoredWheel] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {"folder": str(self.folder), "zip": str(self.zip_path),
                "zip_bytes": self.zip_bytes, "files": self.files,
                "wheels": [asdict(w) for w in self.wheels]}


def source_root() -> Path:
    """The source checkout this ``vrdr_max`` runs from (it holds ``package.xml``).

    Raises:
        InputError: ``vrdr_max`` is not running from a source checkout.
    """
    root = Path(__file__).resolve().parents[2]
    if not (root / "package.xml").is_file():
        raise InputError(f"vrdr bundle runs from a source checkout: no package.xml in {root}")
    return root


def wheel_matches(filename: str, abi: str) -> int:
    """How well a wheel fits ``abi`` on Windows x64: 3 exact, 2 abi3, 1 pure Python, 0 not."""
    m = _WHEEL_NAME.match(filename)
    if m is None:
        return 0
    best = 0
    minor = int(abi[3:])
    for py in m["py"].split("."):
        for wabi in m["abi"].split("."):
            for plat in m["plat"].split("."):
                if plat == PLATFORM and py == abi and wabi == abi:
                    best = max(best, 3)
                elif (plat == PLATFORM and wabi == "abi3" and py.startswith("cp3")
                      and int(py[3:]) <= minor):
                    best = max(best, 2)
                elif plat == "any" and wabi == "none" and py in ("py3", f"py3{minor}", abi):
                    best = max(best, 1)
    return best


def _pick(pkg: LockedPackage, candidates: Iterable[str], abi: str) -> str | None:
    """The best wheel file name of ``pkg`` for ``abi`` among ``candidates``.

    A wheel the lock lists (and so can be checked against its hash) wins over any other file
    of the same version in the folder, such as a rebuild with a build tag.
    """
    locked = {w.filename for w in pkg.wheels}
    scored = []
    for name in candidates:
        m = _WHEEL_NAME.match(name)
        if m and normalize(m["name"]) == pkg.name and m["version"] == pkg.version:
            score = wheel_matches(name, abi)
            if score:
                scored.append((name not in locked, -score, name))
    return min(scored)[2] if scored else None


def download(url: str) -> bytes:
    """The bytes at an https url (the package index)."""
    if not url.startswith("https://"):
        raise InputError(f"refusing to download from a non-https url: {url}")
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:  # noqa: S310 - https only
            data: bytes = resp.read()
    except OSError as exc:
        raise VrdrError(f"cannot download {url}: {exc}") from None
    return data


def fetch_wheels(packages: list[LockedPackage], abis: Iterable[str], folder: Path,
                 fetch: Fetch = download) -> None:
    """Download into ``folder`` the wheels each ABI needs (those already there are kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    for abi in abis:
        for pkg in packages:
            name = _pick(pkg, (w.filename for w in pkg.wheels), abi)
            if name is None:
                raise InputError(f"the lock has no {PLATFORM} wheel of {pkg.name}=={pkg.version} "
                                 f"for {abi}")
            target = folder / name
            if not target.is_file():
                wheel = next(w for w in pkg.wheels if w.filename == name)
                data = fetch(wheel.url)
                _check_hash(pkg, name, data)
                tmp = target.with_suffix(".part")
                tmp.write_bytes(data)
                tmp.replace(target)


def _check_hash(pkg: LockedPackage, filename: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    for w in pkg.wheels:
        if w.filename == filename and w.sha256 != digest:
            raise InputError(f"{filename}: sha256 {digest} does not match the lock ({w.sha256})")
    return digest


def _unpack(data: bytes, filename: str, dest: dict[str, bytes], prefix: str) -> None:
    """Add a wheel's files to ``dest`` under ``prefix`` (paths checked: nothing escapes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            path = PurePosixPath(info.filename)
            if path.is_absolute() or ".." in path.parts or path.parts[0].endswith(".data"):
                raise InputError(f"{filename}: unsupported entry {quote(info.filename)}")
            dest[f"{prefix}/{path}"] = zf.read(info)


def _tree(folder: Path, prefix: str, dest: dict[str, bytes]) -> None:
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and not _SKIP.search(rel):
            dest[f"{prefix}/{rel}"] = p.read_bytes()


def check_manifest(xml: bytes) -> ET.Element:
    """Parse ``package.xml`` and check ``AppVersion`` against this package's version.

    Raises:
        InputError: not an application package, or the version differs.
    """
    try:
        root = ET.fromstring(xml)  # noqa: S314 - our own file, not untrusted input
    except ET.ParseError as exc:
        raise InputError(f"package.xml: {exc}") from None
    if root.tag != "ApplicationPackage":
        raise InputError("package.xml: the root element is not <ApplicationPackage>")
    if root.get("AppVersion") != __version__:
        raise InputError(f"package.xml: AppVersion {quote(str(root.get('AppVersion')))} is not "
                         f"the package version {quote(__version__)}")
    return root


def bundle_files(source: Path, packages: list[LockedPackage], wheels: Path,
                 abis: Iterable[str]) -> tuple[dict[str, bytes], list[VendoredWheel]]:
    """Every file of the package (path inside it -> bytes) and the wheels vendored."""
    files: dict[str, bytes] = {}
    xml = (source / "package.xml").read_bytes()
    manifest = check_manifest(xml)
    files[MANIFEST] = xml
    _tree(source / "vrdr_max", "Contents/python/vrdr_max", files)
    _tree(source / "ui", "Contents/python/ui", files)
    for script in ("vrdr_startup.py", "vrdr_startup.ms"):
        files[f"Contents/startup/{script}"] = (source / "startup_scripts" / script).read_bytes()
    _tree(source / "startup_scripts" / "icons", "Contents/icons", files)
    present = sorted(p.name for p in wheels.glob("*.whl"))
    vendored: list[VendoredWheel] = []
    for abi in sorted(abis):
        for pkg in packages:
            name = _pick(pkg, present, abi)
            if name is None:
                raise InputError(f"{wheels}: no {PLATFORM} wheel of {pkg.name}=={pkg.version} "
                                 f"for {abi}")
            data = (wheels / name).read_bytes()
            digest = _check_hash(pkg, name, data)
            _unpack(data, name, files, f"Contents/vendor/{abi}")
            vendored.append(VendoredWheel(abi, pkg.name, pkg.version, name, digest))
    files["Contents/vendor/wheels.json"] = (json.dumps(
        {"abis": sorted(abis), "wheels": [asdict(w) for w in vendored]},
        indent=1, sort_keys=True) + "\n").encode()
    for entry in manifest.iter("ComponentEntry"):
        module = entry.get("ModuleName", "").removeprefix("./")
        if module not in files and not any(k.startswith(module + "/") for k in files):
            raise InputError(f"package.xml names {quote(module)}, which the package does not "
                             "contain")
    return files, vendored


def write_zip(files: dict[str, bytes], target: Path) -> None:
    """A zip whose bytes depend only on ``files`` (sorted, fixed time and permissions)."""
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{PACKAGE_FOLDER}/{path}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0  # the same "made by" on every OS
            zf.writestr(info, files[path], compresslevel=9)


def build(out: Path, *, wheels: Path | None = None, lock: Path | None = None,
          source: Path | None = None, abis: Iterable[str] = ABIS,
          fetch: Fetch = download) -> BundleResult:
    """Build ``out/vrdr-max.bundle`` and ``out/vrdr-max-<version>.zip``.

    Args:
        out: the output folder (created if needed; a previous package there is replaced).
        wheels: a folder of wheels to vendor; None downloads the pinned ones into ``out/wheels``.
        lock: the ``uv.lock`` with the pins (default: the source checkout's).
        source: the source checkout (default: the one this ``vrdr_max`` runs from).
        abis: the CPython ABIs to vendor for.
        fetch: how to download a url (tests pass a stand-in).

    Raises:
        InputError: a missing wheel, a hash that does not match the lock, a bad manifest.
    """
    src = source or source_root()
    abis = tuple(sorted(set(abis)))
    packages = runtime_closure(read_lock(lock or src / "uv.lock"), PROJECT)
    bad = [p.name for p in packages if FORBIDDEN.match(p.name)]
    if bad:
        raise InputError(f"runtime dependencies that must not be bundled: {', '.join(bad)}")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} is not a folder")
    packed = [src / d for d in BUNDLED_SOURCES]
    if any(out.resolve().is_relative_to(d.resolve()) for d in packed):
        # The next build would pack this one's output into itself.
        raise InputError(f"--out: {out} is inside a folder the package is built from")
    if wheels is not None and not wheels.is_dir():
        raise InputError(f"--wheels: {wheels} is not a folder")
    folder, zip_path = out / PACKAGE_FOLDER, out / f"{PROJECT}-{__version__}.zip"
    if folder.is_symlink() or (folder.exists()
                               and not (folder / MANIFEST).is_file()):
        raise InputError(f"--out: {folder} exists and is not a package built here; "
                         "move it away or choose another folder")
    if zip_path.is_symlink() or (zip_path.exists() and not zip_path.is_file()):
        raise InputError(f"--out: {zip_path} exists and is not a file; move it away")
    try:
        out.mkdir(parents=True, exist_ok=True)
        if wheels is None:
            wheels = out / "wheels"
            fetch_wheels(packages, abis, wheels, fetch)
        files, vendored = bundle_files(src, packages, wheels, abis)
        _write_outputs(files, out, folder, zip_path)
    except OSError as exc:
        raise InputError(f"cannot build the package in {out}: {exc.strerror or exc}") from None
    return BundleResult(folder, zip_path, zip_path.stat().st_size, len(files), vendored)


def swap_folder(new: Path, target: Path, aside: Path) -> None:
    """Put the folder ``new`` at ``target``, keeping the old one until the swap went through.

    An existing ``target`` is moved to ``aside`` first and comes back if the swap fails, so a
    failure leaves the old folder rather than none.

    Raises:
        OSError: a rename failed (on Windows, typically a file inside is open).
    """
    had_one = target.exists()
    if had_one:
        target.replace(aside)
    try:
        new.replace(target)
    except OSError:
        if had_one:
            aside.replace(target)
        raise


def _write_outputs(files: dict[str, bytes], out: Path, folder: Path, zip_path: Path) -> None:
    """Write both outputs next to their places, then swap them in (the zip last)."""
    tmp = Path(tempfile.mkdtemp(prefix=".vrdr-bundle-", dir=out))
    try:
        for path, data in files.items():
            target = tmp / PACKAGE_FOLDER / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        write_zip(files, tmp / zip_path.name)
        swap_folder(tmp / PACKAGE_FOLDER, folder, tmp / "previous")
        (tmp / zip_path.name).replace(zip_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
