"""``vrdr bundle``: the installable Autodesk application package, as a folder and a zip.

The package holds ``PackageContents.xml`` (from ``package.xml``), the code with the panel's forms
inside it (``ui/`` becomes ``vrdr_max/ui-files``, as in the wheel), the start-up scripts, icons,
and the runtime dependencies (pydantic with its compiled core, qtpy and what they need) unpacked
from Windows wheels once per CPython ABI of 3ds Max 2024-2027. In a git checkout only the files
git tracks are packed; a source tree without git (an unpacked sdist or archive) gives all its
files but caches. Each module is compiled for each ABI whose Python is found here (hash-checked
``.pyc``, ``deploy/bytecode.py``), so 3ds Max starts without compiling from a folder it cannot
write. The build is reproducible: the same inputs and interpreters give the same bytes (sorted
entries, fixed zip timestamps and permissions, bytecode compiled with a fixed hash seed). Wheels
come from a local folder or are downloaded from the
urls the project's ``uv.lock`` pins; every wheel must match the sha256 the lock records, or, for a
wheel the lock does not list, a sha256 the caller gives (``--hash``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vrdr_max import __version__
from vrdr_max.atomic import read_bytes_snapshot
from vrdr_max.deploy.bytecode import Interpreter, compile_sources, find_interpreters
from vrdr_max.deploy.package import (
    MANIFEST,
    PACKAGE_FOLDER,
    UPGRADE_CODE,
    is_our_package,
    parse_manifest,
    swap_folder,
)
from vrdr_max.deploy.uvlock import LockedPackage, normalize, read_lock, runtime_closure
from vrdr_max.errors import InputError, VrdrError, quote
from vrdr_max.ui_files import PACKAGED_FOLDER, SOURCE_FOLDER

PROJECT = "vrdr-max"
# CPython ABIs of 3ds Max 2024 (3.10), 2025 and 2026 (3.11; 2026 [unverified]), 2027 (3.13
# [unverified]); see max-plugin.md's version matrix.
ABIS = ("cp310", "cp311", "cp313")
PLATFORM = "win_amd64"
# Never in the package, whatever the lock says: Max brings its own Qt; tests stay at home.
FORBIDDEN = re.compile(r"^(pyside\d*(-.*)?|shiboken\d*|pyqt\d*(-.*)?|pytest(-.*)?|mock-pymxs|"
                       r"hypothesis|mypy|ruff)$")
BUNDLED_SOURCES = ("vrdr_max", SOURCE_FOLDER, "startup_scripts")
"""The source folders whose files go into the package."""
STARTUP_SCRIPTS = ("vrdr_startup.py", "vrdr_startup.ms")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: same bytes on every build
ZIP_LEVEL = 6
"""zlib's default: with three Pythons' bytecode in the package, level 9 compressed 4 times
slower for a zip 1 % smaller."""
MAX_WHEEL_BYTES = 128 * 1024 * 1024
"""Largest wheel read (pydantic-core's Windows wheels are about 2 MB)."""
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
"""Largest sum of a wheel's uncompressed entries, checked before any is inflated."""
GIT_TIMEOUT_S = 60.0
_SKIP = re.compile(r"(^|/)(__pycache__|\.mypy_cache|\.pytest_cache)(/|$)|\.py[co]$")
_SHA256 = re.compile(r"^(?:sha256:)?([0-9a-fA-F]{64})$")
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
    sources: str = "git"
    """How the source files were chosen: ``git`` (tracked files) or ``tree`` (no git checkout)."""
    bytecode: dict[str, str | None] = field(default_factory=dict)
    """Per ABI, the Python version that compiled its bytecode; None: none found, so that
    Python compiles the modules from source at every start of 3ds Max (``deploy/bytecode.py``).
    Empty when the build was asked for no bytecode."""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {"folder": str(self.folder), "zip": str(self.zip_path),
                "zip_bytes": self.zip_bytes, "files": self.files, "sources": self.sources,
                "wheels": [asdict(w) for w in self.wheels], "bytecode": self.bytecode}


def source_root() -> Path:
    """The source checkout this ``vrdr_max`` runs from (it holds ``package.xml``).

    Raises:
        InputError: ``vrdr_max`` is not running from a source checkout.
    """
    root = Path(__file__).resolve().parents[2]
    if not (root / "package.xml").is_file():
        raise InputError(f"vrdr bundle runs from a source checkout: no package.xml in {root}")
    return root


def python_abi(abi: str) -> dict[str, str]:
    """The PEP 508 marker variables of 3ds Max's CPython ``abi`` (``cp310``) on Windows x64.

    The patch level is taken as 0: the lock splits dependencies by minor version.
    """
    version = f"{abi[2]}.{abi[3:]}"
    return {"python_version": version, "python_full_version": f"{version}.0",
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "implementation_version": f"{version}.0", "os_name": "nt", "sys_platform": "win32",
            "platform_system": "Windows", "platform_machine": "AMD64", "platform_release": "",
            "platform_version": "", "extra": ""}


def closures(lock: list[LockedPackage], abis: Iterable[str]) -> dict[str, list[LockedPackage]]:
    """The runtime dependencies to vendor for each ABI (markers evaluated for its Python).

    Raises:
        InputError: a dependency that must not be bundled, or one the lock cannot give.
    """
    found = {abi: runtime_closure(lock, PROJECT, python_abi(abi)) for abi in sorted(set(abis))}
    bad = sorted({p.name for packages in found.values() for p in packages
                  if FORBIDDEN.match(p.name)})
    if bad:
        raise InputError(f"runtime dependencies that must not be bundled: {', '.join(bad)}")
    return found


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


def fetch_wheels(needed: Mapping[str, list[LockedPackage]], folder: Path,
                 fetch: Fetch = download) -> None:
    """Download into ``folder`` the wheels each ABI needs (those already there are kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    for abi, packages in needed.items():
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


def parse_hash(text: str) -> tuple[str, str]:
    """``NAME.whl=SHA256`` (``--hash``) as (file name, lower-case hex digest).

    Raises:
        InputError: not of that form.
    """
    name, sep, digest = text.partition("=")
    m = _SHA256.match(digest.strip())
    if not sep or not name.endswith(".whl") or "/" in name or "\\" in name or m is None:
        raise InputError(f"--hash {quote(text)}: expected WHEEL.whl=SHA256 (64 hex digits)")
    return name, m.group(1).lower()


def _check_hash(pkg: LockedPackage, filename: str, data: bytes,
                given: Mapping[str, str] | None = None) -> str:
    """The wheel's sha256, checked against the lock and against a hash the caller gave.

    A wheel the lock does not list is vendored only with a hash given for it.
    """
    digest = hashlib.sha256(data).hexdigest()
    locked = [w for w in pkg.wheels if w.filename == filename]
    for w in locked:
        if w.sha256 != digest:
            raise InputError(f"{filename}: sha256 {digest} does not match the lock ({w.sha256})")
    given = given or {}
    if filename in given and given[filename] != digest:
        raise InputError(f"{filename}: sha256 {digest} does not match the sha256 given "
                         f"({given[filename]})")
    if not locked and filename not in given:
        raise InputError(f"{filename} is not in the lock (it lists no such file of "
                         f"{pkg.name}=={pkg.version}); check where it came from, then vendor it "
                         f"with --hash {filename}=<its sha256>")
    return digest


def _entry_path(name: str, wheel: str) -> str:
    r"""A wheel entry's path inside the package, refused if it could land anywhere else.

    Windows reads ``\\`` as a separator and ``C:`` as a drive, so neither may appear; no part
    may be empty, ``.`` or ``..``; install-time ``.data`` folders are not supported.
    """
    parts = name.split("/")
    if ("\\" in name or ":" in name or any(p in ("", ".", "..") for p in parts)
            or parts[0].endswith(".data")):
        raise InputError(f"{wheel}: unsupported entry {quote(name)}")
    return name


def _unpack(data: bytes, filename: str, dest: dict[str, bytes], prefix: str) -> None:
    """Add a wheel's files to ``dest`` under ``prefix`` (paths checked: nothing escapes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = sorted((i for i in zf.infolist() if not i.is_dir()),
                           key=lambda i: i.filename)
            paths = [_entry_path(i.filename, filename) for i in infos]
            if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                raise InputError(f"{filename}: unpacks to more than {MAX_UNPACKED_BYTES} bytes")
            for info, path in zip(infos, paths, strict=True):
                dest[f"{prefix}/{path}"] = zf.read(info)
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            zlib.error, EOFError) as exc:
        # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression.
        raise InputError(f"{filename} is not a readable wheel (zip archive): {exc}") from None


def _read_wheel(path: Path) -> bytes:
    """A wheel's bytes: a regular file only (a FIFO would block), bounded."""
    data = read_bytes_snapshot(path, max_bytes=MAX_WHEEL_BYTES).data
    if data is None:
        raise InputError(f"{path}: the wheel disappeared while the package was built")
    return data


def _read_source(path: Path, kind: str) -> bytes:
    """A source file's bytes: a regular file, not a link (the package holds no links)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if kind == "git":
            raise InputError(f"{path} is tracked by git but missing from the checkout; restore "
                             "it (git checkout -- FILE) or remove it from git") from None
        raise InputError(f"{path} is missing from the source tree") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise InputError(f"{path} is a link to {path.readlink()}; the package holds regular "
                         "files only: replace the link by the file")
    data = read_bytes_snapshot(path).data
    if data is None:
        raise InputError(f"{path} disappeared while the package was built")
    return data


def _git_files(source: Path) -> list[str] | None:
    """The files git tracks under the bundled folders, or None when ``source`` is not a checkout.

    Raises:
        InputError: a git checkout whose files git cannot list (no git, a git error).
    """
    if not (source / ".git").exists():
        return None
    git = shutil.which("git")
    if git is None:
        raise InputError(f"{source} is a git checkout, and vrdr bundle packs the files git "
                         "tracks: install git")
    try:
        proc = subprocess.run(
            [git, "-C", str(source), "ls-files", "-z", "--", "package.xml", *BUNDLED_SOURCES],
            capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"cannot list the files git tracks in {source}: {exc}") from None
    if proc.returncode != 0:
        why = proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
        raise InputError(f"git ls-files in {source} failed: {why[-1]}")
    return [os.fsdecode(p) for p in proc.stdout.split(b"\0") if p]


def _tree_files(source: Path) -> list[str]:
    """Every file (and link) under the bundled folders; links to folders are listed, not entered."""
    found = ["package.xml"]
    for top in BUNDLED_SOURCES:
        for dirpath, dirnames, filenames in os.walk(source / top):
            here = Path(dirpath)
            found.extend((here / d).relative_to(source).as_posix()
                         for d in dirnames if (here / d).is_symlink())
            found.extend((here / f).relative_to(source).as_posix() for f in filenames)
    return found


def _package_path(rel: str) -> str | None:
    """Where a source file goes in the package, or None when it stays out."""
    top, _, rest = rel.partition("/")
    if _SKIP.search(rel):
        return None
    if rel == "package.xml":
        return MANIFEST
    if top == "startup_scripts":
        if rest in STARTUP_SCRIPTS:
            return f"Contents/startup/{rest}"
        return f"Contents/{rest}" if rest.startswith("icons/") else None
    folder = {"vrdr_max": "vrdr_max", SOURCE_FOLDER: f"vrdr_max/{PACKAGED_FOLDER}"}.get(top)
    return f"Contents/python/{folder}/{rest}" if folder else None


def source_files(source: Path) -> tuple[dict[str, bytes], str]:
    """The package's own files (path inside it -> bytes), and how they were chosen.

    In a git checkout (``source/.git`` exists) the files git tracks, as they are in the working
    tree; otherwise (``tree``) every file of the source folders but caches and bytecode.

    Raises:
        InputError: a link or special file among them, a tracked file missing, git failing.
    """
    listed = _git_files(source)
    kind = "tree" if listed is None else "git"
    files: dict[str, bytes] = {}
    for rel in sorted(_tree_files(source) if listed is None else listed):
        target = _package_path(rel)
        if target is not None:
            files[target] = _read_source(source / rel, kind)
    missing = [p for p in (MANIFEST, *(f"Contents/startup/{s}" for s in STARTUP_SCRIPTS),
                           "Contents/python/vrdr_max/__init__.py") if p not in files]
    if missing:
        how = "tracked by git" if kind == "git" else "present"
        raise InputError(f"{source}: {', '.join(missing)} (from the checkout) not {how}")
    return files, kind


def check_manifest(xml: bytes) -> ET.Element:
    """Parse ``package.xml`` and check ``AppVersion`` against this package's version.

    Raises:
        InputError: not an application package, or the version differs.
    """
    root = parse_manifest(xml, "package.xml")
    if root.tag != "ApplicationPackage":
        raise InputError("package.xml: the root element is not <ApplicationPackage>")
    if root.get("UpgradeCode") != UPGRADE_CODE:
        # install/uninstall and the next bundle recognise the package by it.
        raise InputError(f"package.xml: UpgradeCode {quote(str(root.get('UpgradeCode')))} is "
                         f"not vrdr-max's {UPGRADE_CODE}")
    if root.get("AppVersion") != __version__:
        raise InputError(f"package.xml: AppVersion {quote(str(root.get('AppVersion')))} is not "
                         f"the package version {quote(__version__)}")
    return root


def bundle_files(source: Path, needed: Mapping[str, list[LockedPackage]], wheels: Path,
                 hashes: Mapping[str, str] | None = None,
                 ) -> tuple[dict[str, bytes], list[VendoredWheel], str]:
    """Every file of the package (path inside it -> bytes), the wheels vendored, the sources' kind.

    The kind says how the source files were chosen: ``git`` or ``tree`` (:func:`source_files`).

    Args:
        source: the source checkout.
        needed: the runtime dependencies to vendor, per CPython ABI (:func:`closures`).
        wheels: the folder of wheels.
        hashes: sha256 per wheel file name, for wheels the lock does not list (``--hash``).
    """
    files, kind = source_files(source)
    manifest = check_manifest(files[MANIFEST])
    present = sorted(p.name for p in wheels.glob("*.whl"))
    hashes = dict(hashes or {})
    vendored: list[VendoredWheel] = []
    for abi in sorted(needed):
        for pkg in needed[abi]:
            name = _pick(pkg, present, abi)
            if name is None:
                raise InputError(f"{wheels}: no {PLATFORM} wheel of {pkg.name}=={pkg.version} "
                                 f"for {abi}")
            data = _read_wheel(wheels / name)
            digest = _check_hash(pkg, name, data, hashes)
            _unpack(data, name, files, f"Contents/vendor/{abi}")
            vendored.append(VendoredWheel(abi, pkg.name, pkg.version, name, digest))
    unused = sorted(set(hashes) - {w.filename for w in vendored})
    if unused:
        raise InputError(f"--hash {unused[0]}: the build vendors no such wheel")
    files["Contents/vendor/wheels.json"] = (json.dumps(
        {"abis": sorted(needed), "wheels": [asdict(w) for w in vendored]},
        indent=1, sort_keys=True) + "\n").encode()
    for entry in manifest.iter("ComponentEntry"):
        module = entry.get("ModuleName", "").removeprefix("./")
        if module not in files and not any(k.startswith(module + "/") for k in files):
            raise InputError(f"package.xml names {quote(module)}, which the package does not "
                             "contain")
    return files, vendored, kind


def add_bytecode(files: dict[str, bytes], interpreters: Mapping[str, Interpreter | None]
                 ) -> dict[str, str | None]:
    """Add each ABI's compiled modules to ``files``: vrdr's, and the ones vendored for it.

    Returns:
        The Python version that compiled each ABI's bytecode (None: none found).
    """
    code = "Contents/python/"
    ours = {p.removeprefix(code): data for p, data in files.items() if p.startswith(code)}
    done: dict[str, str | None] = {}
    for abi, interpreter in sorted(interpreters.items()):
        done[abi] = None if interpreter is None else interpreter.version
        if interpreter is None:
            continue
        vendor = f"Contents/vendor/{abi}/"
        theirs = {p.removeprefix(vendor): data for p, data in files.items()
                  if p.startswith(vendor)}
        for prefix, sources in ((code, ours), (vendor, theirs)):
            files.update((prefix + p, data)
                         for p, data in compile_sources(interpreter, sources).items())
    return done


def write_zip(files: dict[str, bytes], target: Path) -> None:
    """A zip whose bytes depend only on ``files`` (sorted, fixed time and permissions)."""
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{PACKAGE_FOLDER}/{path}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0  # the same "made by" on every OS
            zf.writestr(info, files[path], compresslevel=ZIP_LEVEL)


def build(out: Path, *, wheels: Path | None = None, lock: Path | None = None,
          source: Path | None = None, abis: Iterable[str] = ABIS,
          hashes: Mapping[str, str] | None = None, fetch: Fetch = download,
          bytecode: bool = True, pythons: Mapping[str, Path] | None = None) -> BundleResult:
    """Build ``out/vrdr-max.bundle`` and ``out/vrdr-max-<version>.zip``.

    Args:
        out: the output folder (created if needed; a previous package there is replaced).
        wheels: a folder of wheels to vendor; None downloads the pinned ones into ``out/wheels``.
        lock: the ``uv.lock`` with the pins (default: the source checkout's).
        source: the source checkout (default: the one this ``vrdr_max`` runs from).
        abis: the CPython ABIs to vendor for.
        hashes: sha256 per wheel file name for wheels the lock does not list (``--hash``).
        fetch: how to download a url (tests pass a stand-in).
        bytecode: compile the modules for each ABI whose Python is found (``--no-bytecode``:
            sources only); an ABI without one gets none, and the result says so.
        pythons: the interpreter to compile an ABI's bytecode with (``--python``); the others
            are looked for (this Python, pyenv's, ``python3.X`` on the PATH, ``py -3.X``).

    Raises:
        InputError: a missing wheel, a hash that does not match, a wheel the lock does not list
            without a hash, an unsafe wheel entry, a bad manifest, something other than a
            package built here at ``out/vrdr-max.bundle``.
    """
    src = source or source_root()
    abis = tuple(sorted(set(abis)))
    needed = closures(read_lock(lock or src / "uv.lock"), abis)
    # Before any download: a --python that is not its ABI's Python is bad input.
    interpreters = find_interpreters(abis, pythons) if bytecode else {}
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} is not a folder")
    packed = [src / d for d in BUNDLED_SOURCES]
    if any(out.resolve().is_relative_to(d.resolve()) for d in packed):
        # The next build would pack this one's output into itself.
        raise InputError(f"--out: {out} is inside a folder the package is built from")
    if wheels is not None and not wheels.is_dir():
        raise InputError(f"--wheels: {wheels} is not a folder")
    folder, zip_path = out / PACKAGE_FOLDER, out / f"{PROJECT}-{__version__}.zip"
    try:
        is_our_package(folder)  # replace only vrdr-max's own package (its UpgradeCode)
    except InputError as exc:
        raise InputError(f"--out: {folder} exists and is not a package built here ({exc}); "
                         "move it away or choose another folder") from None
    if zip_path.is_symlink() or (zip_path.exists() and not zip_path.is_file()):
        raise InputError(f"--out: {zip_path} exists and is not a file; move it away")
    try:
        out.mkdir(parents=True, exist_ok=True)
        if wheels is None:
            wheels = out / "wheels"
            fetch_wheels(needed, wheels, fetch)
        files, vendored, kind = bundle_files(src, needed, wheels, hashes)
        compiled = add_bytecode(files, interpreters) if bytecode else {}
        _write_outputs(files, out, folder, zip_path)
    except OSError as exc:
        raise InputError(f"cannot build the package in {out}: {exc.strerror or exc}") from None
    return BundleResult(folder, zip_path, zip_path.stat().st_size, len(files), vendored, kind,
                        compiled)


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
