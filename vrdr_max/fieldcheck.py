"""The field check: what vrdr assumes about 3ds Max and V-Ray, compared with a running 3ds Max.

Run it inside 3ds Max (MAXScript listener, or a menu item)::

    python.Execute "import vrdr_max.fieldcheck; vrdr_max.fieldcheck.main()"

It reads every fact the project depends on through a ``FieldHost`` and writes a JSON report plus
a short summary, each fact ``confirmed``, ``different`` or ``absent``. The expected side always
comes from the constants the code uses (``renderers.PROPERTY_NAMES``, ``plugin_classes``,
``max_names.MISSING_CLASSES``, ...), so a report that says ``different`` names the constant to
change. docs/field-check.md says what a TD runs and sends back.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, Field

from vrdr_max import host as host_module
from vrdr_max import max_names as names
from vrdr_max.atomic import atomic_write
from vrdr_max.cfgfile import DISPATCHER_KEY, GPU_FILE_KEYS, CfgFile, LineKind, cfg_name
from vrdr_max.errors import VrdrError
from vrdr_max.facts import HiddenBy, RendererFamily, SceneFacts
from vrdr_max.host import FieldHost, StageCase
from vrdr_max.plugin_classes import KNOWN_PLUGIN_CLASSES
from vrdr_max.ports import Engine, Mode
from vrdr_max.renderers import (
    DR2_BUILD_SUFFIX,
    GPU_SETTINGS_OBJECT,
    PROPERTY_NAMES,
    build_mode,
    identify_renderer,
)

REPORT_VERSION = 1
REPORT_NAME = "vrdr-fieldcheck.json"
SUMMARY_NAME = "vrdr-fieldcheck.txt"

# What the adapter reads or calls by name and expects every 3ds Max to have.
CORE_GLOBALS = ("SceneMissingPlugIns", "mapPaths", "renderSceneDialog", "callbacks", "refs",
                "getClassInstances", "getRenderType", "RendererClass", "ATSOps", "fileProperties",
                "hideByCategory", "LayerManager")
# getRenderType() values: Autodesk "Render Setup Dialog" (setRenderType's list) [confirmed].
RENDER_TYPES = frozenset({"view", "selected", "region", "crop", "blowup", "boxselected",
                          "regionselected", "cropselected", "selection"})
FRAME_EVENTS = ("preRenderFrame", "postRenderFrame")

# The start-up script's record (startup_scripts/vrdr_startup.py RECORD_ENV, same name there):
# what it saw when 3ds Max ran it, as JSON in this process's environment.
STARTUP_RECORD_ENV = "VRDR_STARTUP_RECORD"
STARTUP_SOURCE = "startup_scripts/vrdr_startup.py"
# Globals the start-up calls: the headless probes (two spellings [unverified]), the action.
STARTUP_GLOBALS = ("IsNetServer", "GetQuietMode", "maxOps", "macros")
FIRST_MENU_SYSTEM_YEAR = 2025  # menuMan before, #cuiRegisterMenus from 2025 (start-up script)
# The headless probes as the record names them (vrdr_startup.HEADLESS_PROBES).
STARTUP_PROBES = ("IsNetServer", "maxOps.isInNonInteractiveMode", "GetQuietMode")


class FactStatus(str, Enum):
    """How a fact vrdr assumes compares with this 3ds Max."""

    CONFIRMED = "confirmed"
    DIFFERENT = "different"
    ABSENT = "absent"


class FieldFact(BaseModel):
    """One assumption, what was found, and the constant that holds the assumption."""

    id: str
    assumed: str
    found: str
    status: FactStatus
    source: str


class FieldReport(BaseModel):
    """Everything the field check found, for a TD to send back."""

    version: int = REPORT_VERSION
    max_version: int | None = None
    renderer_class: str | None = None
    facts: list[FieldFact] = Field(default_factory=list)
    plugcfg_dir: str | None = None
    cfg_files: dict[str, str] = Field(default_factory=dict)
    renderer_dr_properties: list[str] = Field(default_factory=list)

    def count(self, status: FactStatus) -> int:
        """How many facts have ``status``."""
        return sum(f.status is status for f in self.facts)

    def summary(self) -> str:
        """A few lines: the counts, then every fact that is not confirmed."""
        counts = ", ".join(f"{self.count(s)} {s.value}" for s in FactStatus)
        lines = [f"vrdr field check: 3ds Max {self.max_version}, renderer "
                 f"{self.renderer_class}: {counts}"]
        lines += [f"  {f.status.value:<9} {f.id}: found {f.found} (assumed {f.assumed}; "
                  f"{f.source})" for f in self.facts if f.status is not FactStatus.CONFIRMED]
        return "\n".join(lines)


def _fact(fact_id: str, assumed: str, found: str, status: FactStatus, source: str) -> FieldFact:
    return FieldFact(id=fact_id, assumed=assumed, found=found, status=status, source=source)


def _present(fact_id: str, present: bool, source: str, *, missing: FactStatus) -> FieldFact:
    return _fact(fact_id, "present", "present" if present else "not found",
                 FactStatus.CONFIRMED if present else missing, source)


def _renderer_facts(host: FieldHost) -> list[FieldFact]:
    """Every DR property name on a new instance of the installed V-Ray CPU and GPU classes."""
    current = host.read_renderer().class_name
    installed = host.renderer_classes()
    facts = []
    for engine, table in PROPERTY_NAMES.items():
        ours = [c for c in installed if identify_renderer(c).engine is engine]
        label = f"renderer.{engine.value}"
        if not ours:
            facts.append(_fact(label, f"a V-Ray {engine.value.upper()} renderer class",
                               "none installed", FactStatus.ABSENT, "renderers._PREFIXES"))
            continue
        cls = current if current in ours else ours[0]
        facts.append(_fact(label, f"a V-Ray {engine.value.upper()} renderer class", cls,
                           FactStatus.CONFIRMED, "renderers._PREFIXES"))
        names = list(table.values())
        if any(sub for sub, _name in names):
            names.insert(0, (None, GPU_SETTINGS_OBJECT))
        for prop, has in host.renderer_properties(cls, names).items():
            facts.append(_fact(f"{label}.{prop}", "present", "present" if has else
                               f"not a property of {cls}",
                               FactStatus.CONFIRMED if has else FactStatus.DIFFERENT,
                               "renderers.PROPERTY_NAMES"))
    return facts


def _current_renderer_facts(host: FieldHost) -> list[FieldFact]:
    info = host.read_renderer()
    is_vray = info.family is RendererFamily.VRAY
    facts = [_fact("renderer.current", "V-Ray (CPU or GPU)", info.class_name,
                   FactStatus.CONFIRMED if is_vray else FactStatus.ABSENT,
                   "renderers.identify_renderer")]
    dr2 = build_mode(info.class_name) is Mode.DR2
    facts.append(_fact("renderer.dr2_suffix",
                       f"DR2-only builds end in {DR2_BUILD_SUFFIX} [unverified]",
                       info.class_name if dr2 else f"{info.class_name} (no {DR2_BUILD_SUFFIX})",
                       FactStatus.CONFIRMED if dr2 else FactStatus.ABSENT,
                       "renderers.DR2_BUILD_SUFFIX"))
    return facts


def _class_facts(host: FieldHost) -> list[FieldFact]:
    """Plugin-table classes (absent = not installed), Missing_* and core globals (must exist)."""
    plugin = [p.class_name for p in KNOWN_PLUGIN_CLASSES]
    found = host.globals_defined([*plugin, *names.MISSING_CLASSES, *CORE_GLOBALS])
    facts = [_present(f"class.{n}", found[n], "plugin_classes.KNOWN_PLUGIN_CLASSES",
                      missing=FactStatus.ABSENT) for n in plugin]
    facts += [_present(f"class.{n}", found[n], "max_names.MISSING_CLASSES",
                       missing=FactStatus.DIFFERENT) for n in names.MISSING_CLASSES]
    facts += [_present(f"global.{n}", found[n], "fieldcheck.CORE_GLOBALS",
                       missing=FactStatus.DIFFERENT) for n in CORE_GLOBALS]
    checks = [(cls, prop, "max_names.ASSET_SOURCES") for cls, prop, _kind in names.ASSET_SOURCES]
    checks += [(cls, prop, "max_names.LIGHT_SWITCH") for cls, prop in names.LIGHT_SWITCH.items()]
    for cls, prop, source in checks:
        has = host.instance_properties(cls, [prop])
        if has is None:
            facts.append(_fact(f"property.{cls}.{prop}", "present", "no instance in this scene",
                               FactStatus.ABSENT, source))
        else:
            facts.append(_present(f"property.{cls}.{prop}", has[prop], source,
                                  missing=FactStatus.DIFFERENT))
    layer = host.layer_properties([names.LAYER_HIDDEN])[names.LAYER_HIDDEN]
    facts.append(_present(f"property.layer.{names.LAYER_HIDDEN}", layer, "max_names.LAYER_HIDDEN",
                          missing=FactStatus.DIFFERENT))
    used = host.file_property_items(names.USED_PLUGINS)
    facts.append(_fact(f"fileProperties.{names.USED_PLUGINS}", "the DLLs the saved scene uses",
                       "undefined (scene never saved?)" if used is None else
                       f"{len(used)} DLL(s): {', '.join(used[:5])}",
                       FactStatus.ABSENT if used is None else FactStatus.CONFIRMED,
                       "max_names.USED_PLUGINS"))
    return facts


def _runtime_facts(host: FieldHost) -> list[FieldFact]:
    version = host.vray_version()
    render_type = (host.read_scene().render_type or "").lower().lstrip("#")
    callable_ok = host.accepts_python_callback()
    return [
        _fact("function.vrayVersion", "#(version, build)",
              "not defined" if version is None else "#(" + ", ".join(version) + ")",
              FactStatus.ABSENT if version is None else FactStatus.CONFIRMED,
              "max_host.PymxsHost.vray_version"),
        _fact("render_type", "one of " + " ".join(sorted(RENDER_TYPES)), render_type or "none",
              FactStatus.CONFIRMED if render_type in RENDER_TYPES else FactStatus.DIFFERENT,
              "fieldcheck.RENDER_TYPES"),
        _fact("callbacks.python_callable", "callbacks.addScript takes a Python callable",
              "accepted" if callable_ok else "refused",
              FactStatus.CONFIRMED if callable_ok else FactStatus.DIFFERENT,
              "max_host.PymxsHost.add_callback"),
    ]


def _plugcfg_facts(host: FieldHost, report: FieldReport) -> list[FieldFact]:
    """``getDir #plugcfg`` is a folder; each cfg there reads (its text goes into the report)."""
    folder = host.plugcfg_dir()
    report.plugcfg_dir = str(folder)
    is_dir = folder.is_absolute() and folder.is_dir()
    facts = [_fact("plugcfg.folder", "an existing folder", str(folder),
                   FactStatus.CONFIRMED if is_dir else FactStatus.DIFFERENT,
                   "max_host.PymxsHost.plugcfg_dir")]
    for engine in Engine:
        name = cfg_name(engine)
        path = folder / name
        if not (is_dir and path.is_file()):
            facts.append(_fact(f"plugcfg.{name}", "readable by vrdr", "no such file",
                               FactStatus.ABSENT, "cfgfile"))
            continue
        facts += _read_cfg(path, engine, report)
    return facts


def gpu_keys_fact(cfg: CfgFile) -> FieldFact:
    """The option keys of the ``vrayrt_dr.cfg`` V-Ray GPU wrote, against ``GPU_FILE_KEYS``.

    A key beyond them means V-Ray GPU keeps more options in its file than the panel offers
    (``panel.controller.GPU_OPTIONS``); a file without option lines settles nothing.
    """
    keys = sorted({line.key for line in cfg.document.lines
                   if line.kind is LineKind.OPTION and line.key} - {DISPATCHER_KEY})
    unknown = sum(line.kind is LineKind.UNKNOWN for line in cfg.document.lines)
    found = ", ".join(keys) or "no option line"
    if unknown:
        found += f" and {unknown} line(s) vrdr does not know (in the report's cfg text)"
    status = (FactStatus.DIFFERENT if set(keys) - GPU_FILE_KEYS or unknown
              else FactStatus.CONFIRMED if keys else FactStatus.ABSENT)
    return _fact(f"plugcfg.{cfg_name(Engine.GPU)}.keys",
                 "only " + ", ".join(sorted(GPU_FILE_KEYS)) + " [unverified]", found, status,
                 "cfgfile.GPU_FILE_KEYS")


def _read_cfg(path: Path, engine: Engine, report: FieldReport) -> list[FieldFact]:
    # Read as vrdr reads it (regular file, bounded, non-blocking), so "readable" means that.
    try:
        cfg = CfgFile.load(path, engine)
    except VrdrError as exc:
        return [_fact(f"plugcfg.{path.name}", "readable by vrdr", str(exc),
                      FactStatus.DIFFERENT, "cfgfile")]
    data = cfg.snapshot.data or b""
    report.cfg_files[path.name] = data.decode("utf-8", errors="replace")
    facts = [_fact(f"plugcfg.{path.name}", "readable by vrdr",
                   f"{len(cfg.settings.servers)} server(s)", FactStatus.CONFIRMED, "cfgfile")]
    return [*facts, gpu_keys_fact(cfg)] if engine is Engine.GPU else facts


def _startup_record(text: str | None, pid: int) -> tuple[dict[str, object] | None, str]:
    """The start-up's record if it is this process's, else None and why."""
    if not text:
        return None, ("no record: the start-up script did not run in this 3ds Max (not "
                      "installed as a package, or skipped as headless)")
    try:
        record = json.loads(text)
    except ValueError:
        return None, f"unreadable record: {text[:60]!r}"
    if not isinstance(record, dict):
        return None, f"unreadable record: {text[:60]!r}"
    if record.get("pid") != pid:
        return None, (f"a record of process {record.get('pid')} (inherited from the 3ds Max "
                      "that started this one)")
    return record, str(record.get("result", "no result"))


def startup_facts(host: FieldHost, record_text: str | None = None,
                  pid: int | None = None) -> list[FieldFact]:
    """What the start-up script saw (its record) and the globals it calls.

    Args:
        host: 3ds Max.
        record_text: the record; ``os.environ[STARTUP_RECORD_ENV]`` when None.
        pid: this process's id (``os.getpid()`` when None): a record from another process is
            not this 3ds Max's.
    """
    year = host.max_version()
    wanted = [*STARTUP_GLOBALS, *(["menuMan"] if year < FIRST_MENU_SYSTEM_YEAR else [])]
    found = host.globals_defined(wanted)
    facts = [_present(f"startup.global.{n}", found[n], f"{STARTUP_SOURCE} ({n})",
                      missing=FactStatus.DIFFERENT) for n in wanted]
    text = os.environ.get(STARTUP_RECORD_ENV) if record_text is None else record_text
    record, summary = _startup_record(text, os.getpid() if pid is None else pid)
    facts.append(_fact("startup.record", "the start-up ran in this 3ds Max", summary,
                       FactStatus.CONFIRMED if record is not None else FactStatus.ABSENT,
                       f"{STARTUP_SOURCE} RECORD_ENV"))
    if record is None:
        return facts
    # Informational: the start-up no longer depends on either (start() runs unconditionally,
    # the script finds itself through its code object); nothing public says what they are.
    facts.append(_fact("startup.__name__", "recorded [unverified: no public source]",
                       repr(record.get("name")), FactStatus.CONFIRMED, f"{STARTUP_SOURCE} start()"))
    facts.append(_fact("startup.__file__", "recorded [unverified: no public source]",
                       "set" if record.get("file_set") else "not set", FactStatus.CONFIRMED,
                       f"{STARTUP_SOURCE} _script_path"))
    probes = record.get("probes")
    probes = probes if isinstance(probes, dict) else {}
    for name in STARTUP_PROBES:
        seen = str(probes.get(name, "not recorded"))
        facts.append(_fact(f"startup.probe.{name}", "a function returning true or false",
                           seen, FactStatus.CONFIRMED if seen in ("true", "false")
                           else FactStatus.DIFFERENT, f"{STARTUP_SOURCE} HEADLESS_PROBES"))
    macro = str(record.get("macros_new", "not recorded"))
    facts.append(_fact("startup.macros.new", "defines the action", macro,
                       FactStatus.DIFFERENT if macro.startswith(("error", "not")) else
                       FactStatus.CONFIRMED, f"{STARTUP_SOURCE} _register_action"))
    menu, manager = str(record.get("menu", "not recorded")), record.get("menu_manager")
    if year >= FIRST_MENU_SYSTEM_YEAR:
        built = menu == "built in #cuiRegisterMenus"
        facts.append(_fact("startup.menu", "built in #cuiRegisterMenus with the CuiMenuMgr "
                           "from callbacks.notificationParam()", f"{menu} ({manager})",
                           FactStatus.CONFIRMED if built else FactStatus.DIFFERENT,
                           f"{STARTUP_SOURCE} _register_menu_2025"))
    else:
        made = menu.startswith("menuMan:")
        facts.append(_fact("startup.menu", "menuMan menu before Help", f"{menu} ({manager})",
                           FactStatus.CONFIRMED if made else FactStatus.DIFFERENT,
                           f"{STARTUP_SOURCE} _register_menu_2024"))
    return facts


def cancel_fact(host: FieldHost) -> FieldFact:
    """Render once; the TD presses Cancel while the (single) frame renders.

    Compares the frames that started with those that sent ``#postRenderFrame`` against
    ``host.CANCEL_SKIPS_FRAME_EVENT`` ([unverified]).
    """
    events = host.render_events(FRAME_EVENTS)
    started, finished = events.count(FRAME_EVENTS[0]), events.count(FRAME_EVENTS[1])
    skipped = finished < started
    assumed = host_module.CANCEL_SKIPS_FRAME_EVENT
    return _fact("render.cancel_skips_post_frame",
                 "a cancelled frame sends no #postRenderFrame" if assumed
                 else "a cancelled frame still sends #postRenderFrame",
                 f"{started} frame(s) started, {finished} sent #postRenderFrame",
                 FactStatus.CONFIRMED if skipped == assumed else FactStatus.DIFFERENT,
                 "host.CANCEL_SKIPS_FRAME_EVENT")


# -- the scene beyond the node tree (issue 15) -------------------------------------------------

DR_PROPERTY_WORDS = ("dispatch", "dr2")  # renderer property names a TD sends back (DR2 builds)


def _branch_facts(host: FieldHost, report: FieldReport) -> list[FieldFact]:
    """The branches of ``rootScene`` and their objects; the renderer's DR2-ish names."""
    branches = host.scene_branches()
    wanted = (*names.EDITOR_BRANCHES, *names.NODE_BRANCHES)
    lower = {k.lower(): v for k, v in branches.items()}
    missing = [b for b in wanted if b.lower() not in lower]
    undefined = [b for b in names.EDITOR_BRANCHES if lower.get(b.lower()) == "undefined"]
    found = ", ".join(f"{k}: {v}" for k, v in branches.items()) or "none"
    facts = [_fact("scene.branches", "rootScene holds " + ", ".join(f"#{b}" for b in wanted)
                   + " with objects getClassInstances can target [unverified]", found,
                   FactStatus.DIFFERENT if missing or undefined else FactStatus.CONFIRMED,
                   "max_names.EDITOR_BRANCHES")]
    props = [n for n in host.renderer_property_names()
             if any(word in n.lower() for word in DR_PROPERTY_WORDS)]
    report.renderer_dr_properties = props
    facts.append(_fact("renderer.dispatcher_properties",
                       "no renderer property names a DR2 dispatcher (none is public)",
                       ", ".join(props) or "none",
                       FactStatus.DIFFERENT if props else FactStatus.CONFIRMED,
                       "vray-dr.md §15.1 (send these names back)"))
    return facts


def _staged(host: FieldHost, case: StageCase, value: str) -> tuple[SceneFacts, list[str]] | str:
    """Stage a case, read the scene (and Asset Tracking's list), take the case out again."""
    try:
        take_out = host.stage(case, value)
    except VrdrError as exc:
        return str(exc)
    try:
        return host.read_scene(), host.asset_tracking_files()
    finally:
        take_out()


def _staged_facts(host: FieldHost) -> list[FieldFact]:
    """Cases built for a moment, then taken out: the scene read must see them as vrdr says."""
    folder = host.plugcfg_dir()
    probe = str(folder / "vrdr-fieldcheck-missing-map.exr")  # a file that does not exist
    output = str(folder / "vrdr-fieldcheck-output_.exr")
    facts = []
    for fact_id, case, value, assumed in (
            ("scene.environment_map", StageCase.ENVIRONMENT_MAP, probe,
             "a missing environment map is a missing map"),
            ("scene.render_element_map", StageCase.RENDER_ELEMENT_MAP, probe,
             "a missing map in a render element is a missing map"),
            ("scene.render_output", StageCase.RENDER_OUTPUT, output,
             "a render output is never read as an input"),
            ("scene.child_of_hidden_layer", StageCase.NESTED_HIDDEN_LAYER, names.PROBE_NAME,
             "a light in a child layer of a hidden layer is hidden")):
        result = _staged(host, case, value)
        if isinstance(result, str):
            facts.append(_fact(fact_id, assumed, result, FactStatus.ABSENT,
                               "max_host.PymxsHost.stage"))
            continue
        facts.append(_fact(fact_id, assumed, *_judge_staged(case, value, *result)))
    return facts


def _judge_staged(case: StageCase, value: str, read: SceneFacts,
                  tracked: list[str]) -> tuple[str, FactStatus, str]:
    """What the scene read made of a staged case: (found, status, source)."""
    key = value.replace("/", "\\").lower()
    asset = next((a for a in read.assets if a.path.replace("/", "\\").lower() == key), None)
    if case is StageCase.NESTED_HIDDEN_LAYER:
        light = next((lt for lt in read.lights if lt.name == value), None)
        ok = light is not None and light.hidden_by is HiddenBy.LAYER
        found = "not read" if light is None else f"hidden by {light.hidden_by}"
        source = "max_names.LAYER_PARENT"
    elif case is StageCase.RENDER_OUTPUT:
        listed = any(t.replace("/", "\\").lower() == key for t in tracked)
        ok = asset is None
        found = (f"Asset Tracking {'lists' if listed else 'does not list'} it; "
                 f"the scene read {'leaves it out' if ok else 'reads it as an input'}")
        source = "max_names.RENDER_OUTPUT"
    else:
        ok = asset is not None and asset.missing
        found = "not read" if asset is None else f"read, missing={asset.missing}"
        source = "max_names.EDITOR_BRANCHES"
    return found, FactStatus.CONFIRMED if ok else FactStatus.DIFFERENT, source


def run(host: FieldHost, *, cancel_test: bool = False, staged: bool = True) -> FieldReport:
    """Read every fact; with ``cancel_test`` also render once for a manual cancel.

    With ``staged`` (the default) it also builds four cases in the open scene for a moment (a
    missing environment map, a render element's map, a render output, a light on a child of a
    hidden layer), reads the scene with each, and takes each out again at once.

    A group of look-ups that raises (a 3ds Max that differs more than expected) becomes one
    ``different`` fact naming the error, and the other groups still run.
    """
    report = FieldReport(max_version=host.max_version(),
                         renderer_class=host.read_renderer().class_name)
    collectors: list[tuple[str, Callable[[], list[FieldFact]]]] = [
        ("renderer.current", lambda: _current_renderer_facts(host)),
        ("renderer", lambda: _renderer_facts(host)),
        ("classes", lambda: _class_facts(host)),
        ("runtime", lambda: _runtime_facts(host)),
        ("plugcfg", lambda: _plugcfg_facts(host, report)),
        ("startup", lambda: startup_facts(host)),
        ("scene", lambda: _branch_facts(host, report)),
    ]
    if staged:
        collectors.append(("scene.staged", lambda: _staged_facts(host)))
    if cancel_test:
        collectors.append(("render.cancel", lambda: [cancel_fact(host)]))
    for group, collect in collectors:
        try:
            report.facts += collect()
        except Exception as exc:  # noqa: BLE001 - a field tool reports what it could not read
            report.facts.append(_fact(f"{group}.error", "readable", f"{type(exc).__name__}: "
                                      f"{exc}", FactStatus.DIFFERENT, "fieldcheck.run"))
    return report


def write_report(report: FieldReport, folder: Path) -> tuple[Path, Path]:
    """Write the JSON report and the summary into ``folder``; return both paths."""
    json_path, text_path = folder / REPORT_NAME, folder / SUMMARY_NAME
    # Our own output: an earlier report is simply replaced (no check, no backup).
    atomic_write(json_path, (report.model_dump_json(indent=2) + "\n").encode("utf-8"),
                 expected=None, backup_suffix=None)
    atomic_write(text_path, (report.summary() + "\n").encode("utf-8"), expected=None,
                 backup_suffix=None)
    return json_path, text_path


def main(folder: str | None = None, *, cancel_test: bool = False, staged: bool = True) -> Path:
    """Inside 3ds Max: run the field check, write the report, print the summary.

    Args:
        folder: where to write; the system temp folder when None.
        cancel_test: render once and record what a cancel sends (press Cancel at once).
        staged: build four scene cases for a moment and read the scene with each (see run).

    Returns:
        The JSON report's path.
    """
    from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists only inside 3ds Max

    report = run(PymxsHost(), cancel_test=cancel_test, staged=staged)
    json_path, _text = write_report(report, Path(folder or tempfile.gettempdir()))
    print(f"{report.summary()}\nreport: {json_path}")  # noqa: T201 - the listener is the UI
    return json_path

