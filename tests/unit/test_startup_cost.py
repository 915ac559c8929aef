"""`import vrdr_max` and `vrdr --help` load neither pydantic nor asyncio nor Qt (issue 11.1).

Each case runs in a fresh interpreter: the test process itself has loaded everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import vrdr_max
from vrdr_max import discovery, probe
from vrdr_max.cli import net_cmds

HEAVY = ("pydantic", "pydantic_core", "asyncio", "qtpy", "PySide6", "PySide2", "PyQt5", "PyQt6",
         "shiboken6", "shiboken2")

REPORT = (f"import json, sys; print(json.dumps(sorted(m for m in {HEAVY!r} "
          "if m in sys.modules)))")


def heavy_modules_after(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", f"{code}\n{REPORT}"], capture_output=True,
                          text=True, check=True, timeout=120)
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


@pytest.mark.parametrize("code", [
    "import vrdr_max",
    "import vrdr_max.errors",
    "import vrdr_max.cli.main",
    "from vrdr_max.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    "from vrdr_max.cli.main import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n"
    "    pass",
])
def test_start_up_imports_nothing_heavy(code: str) -> None:
    assert heavy_modules_after(code) == []


# What reading and writing cfg lines may not load (issue 18.5): pydantic and its models, the
# file-lock library (flock is taken directly), dataclasses and typing (with inspect behind them),
# and the re-match of untracked server lists (the commands save tracked edits: without bytecode
# every module loaded is compiled at each start).
CFG_PATH_HEAVY = ("pydantic", "pydantic_core", "vrdr_max.models", "filelock", "dataclasses",
                  "inspect", "typing", "asyncio", "importlib.metadata", "shutil", "secrets",
                  "vrdr_max.cfgmatch")


@pytest.mark.parametrize("argv", [
    ["cfg", "show"], ["cfg", "show", "--json"], ["servers", "list"],
    ["servers", "add", "10.9.9.9", "render07:20205"], ["servers", "remove", "render01"],
    ["servers", "disable", "render01", "10.0.0.2"], ["servers", "enable", "10.0.0.2"],
    ["--help"], ["--version"],
])
def test_cfg_commands_load_no_models_no_filelock(tmp_path: Path, argv: list[str]) -> None:
    cfg = tmp_path / "vray_dr.cfg"
    cfg.write_bytes(b"render01 1 20204\r\n10.0.0.2 0 20204\r\nrestart_slaves 0\r\n")
    if argv[0] in ("cfg", "servers"):
        argv = [*argv[:2], "--cfg", str(cfg), *argv[2:]]
    code = (f"import sys\nfrom vrdr_max.cli.main import main\ntry:\n    code = main({argv!r})\n"
            "except SystemExit as exc:\n    code = exc.code\nassert code == 0, code\n"
            f"print(sorted(m for m in {CFG_PATH_HEAVY!r} if m in sys.modules))\n"
            # The re-match's code itself: not in any module they load (compiled for nothing).
            "print(sorted(n for n, m in list(sys.modules.items()) if n.startswith('vrdr_max')"
            " and hasattr(m, '_match_servers')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.splitlines()[-2:] == ["[]", "[]"]
    if argv[0].startswith("--"):
        unused, unrun = HELP_PATH_UNUSED, READ_PATH_UNRUN
    elif argv[:2] in (["cfg", "show"], ["servers", "list"]):
        unused = READ_PATH_UNUSED
        unrun = tuple(n for n in READ_PATH_UNRUN if "--json" not in argv or n not in JSON_CODE)
    else:
        unused, unrun = EDIT_PATH_UNUSED, EDIT_PATH_UNRUN
    assert modules_after(argv, cfg, unused) == []
    assert code_loaded(argv, cfg, unrun) == []
    if argv[0] == "servers" and argv[1] != "list":
        assert sorted(p.name for p in tmp_path.iterdir()) == ["vray_dr.cfg",
                                                              "vray_dr.cfg.vrdr.bak"]


# Without bytecode every module a command loads is compiled at each start (issue 18.5), so the
# commands that only read a cfg load its reader (cfgread) and none of the editing model
# (cfgfile, cfgedit, cfgfields), the writer (atomic, and contextlib behind it) or the server
# list; no cfg command loads the live progress line of the commands that wait on the network,
# nor contextlib (0.7 ms at every start: the writer's context managers are small classes), nor
# importlib (0.5 ms: the group module is imported with __import__); the reading commands load no
# math (a shared library: 0.3 ms to load; the writer uses it); names and dotted quads need no
# IPv6 or odd-IPv4 checks (iptext).
READ_PATH_UNUSED = ("vrdr_max.cfgfile", "vrdr_max.cfgedit", "vrdr_max.cfgfields",
                    "vrdr_max.atomic", "vrdr_max.server_list", "vrdr_max.cli.progress",
                    "contextlib", "importlib", "math", "vrdr_max.iptext")
EDIT_PATH_UNUSED = ("vrdr_max.cli.progress", "contextlib", "importlib", "vrdr_max.iptext")
# Code a command does not run, by name: no module it loads defines or imports it (each sat in a
# module the command loads for something else). Reading a cfg runs no endpoint parsing or port
# check, no loopback rule, no Windows plugcfg folder rule, no editing verb and no probe; the
# JSON document only with --json; the editing verbs parse endpoints (hostport) but run the rest
# neither.
JSON_CODE = ("emit_json", "json_for_terminal")
READ_PATH_UNRUN = ("split_endpoint", "parse_endpoint", "validate_port", "is_loopback",
                   "names_this_machine", "windows_plugcfg_dir", "language_folders",
                   "cmd_servers_edit", "probe_with_progress", *JSON_CODE)
EDIT_PATH_UNRUN = ("is_loopback", "names_this_machine", "windows_plugcfg_dir", "language_folders",
                   "probe_with_progress", *JSON_CODE)
# `vrdr --help` names no file: no pathlib (with urllib.parse and ipaddress behind it).
HELP_PATH_UNUSED = (*READ_PATH_UNUSED, "vrdr_max.cfgread", "pathlib")


def modules_after(argv: list[str], cfg: Path, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` the command ``argv`` (its cfg options given) has loaded.

    A standard module that the ones every such command needs bring along on this Python
    (contextlib comes with pathlib on 3.13) is not the command's doing and is not counted.
    """
    needed = "argparse, re" if argv[0].startswith("--") else "argparse, pathlib, re"
    code = (f"import json, sys\nbare = set(sys.modules)\nimport {needed}\n"
            "brought = set(sys.modules) - bare\n"
            f"from vrdr_max.cli.main import main\ntry:\n    main({argv!r})\n"
            "except SystemExit:\n    pass\n"
            f"print(json.dumps(sorted(m for m in {names!r} if m in sys.modules "
            "and m not in brought)))")
    cfg.write_bytes(b"render01 1 20204\r\n10.0.0.2 0 20204\r\nrestart_slaves 0\r\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def code_loaded(argv: list[str], cfg: Path, names: tuple[str, ...]) -> list[str]:
    """``module.name`` for each of ``names`` a vrdr module loaded by ``argv`` defines or imports."""
    code = (f"import json, sys\nfrom vrdr_max.cli.main import main\ntry:\n    main({argv!r})\n"
            "except SystemExit:\n    pass\n"
            "print(json.dumps(sorted(f'{m}.{n}' for m, module in list(sys.modules.items())"
            f" if m.startswith('vrdr_max') for n in {names!r} if n in vars(module))))")
    cfg.write_bytes(b"render01 1 20204\r\n10.0.0.2 0 20204\r\nrestart_slaves 0\r\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_a_cfg_command_builds_only_its_own_verb() -> None:
    """`vrdr servers add` builds the parser of `add` alone; its neighbours are listed by name
    (each verb's options cost argparse's formatter and translation look-ups at every start)."""
    import argparse

    from vrdr_max.cli.main import build_parser

    def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return dict(action.choices)

    groups = subparsers(build_parser(["--debug", "servers", "add", "--cfg", "x", "r1"]))
    assert list(groups) == ["servers"]
    verbs = subparsers(groups["servers"])
    assert list(verbs) == ["list", "add", "remove", "enable", "disable"]
    options = {verb: {o for a in p._actions for o in a.option_strings}
               for verb, p in verbs.items()}
    assert {"--cfg", "--disabled", "--dr2"} <= options["add"]
    assert all(options[verb] == {"-h", "--help", "--debug"} for verb in verbs if verb != "add")
    every = subparsers(subparsers(build_parser(["servers", "--help"]))["servers"])
    assert all("--cfg" in {o for a in p._actions for o in a.option_strings}
               for p in every.values())


def test_lazy_exports_resolve_every_name_of_all() -> None:
    for name in vrdr_max.__all__:
        assert getattr(vrdr_max, name) is not None, name
    assert vrdr_max.numa_servers.__name__ == "server_entries"
    assert set(vrdr_max.__all__) <= set(dir(vrdr_max))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = vrdr_max.nothing_here  # type: ignore[attr-defined]


def test_probe_help_defaults_match_the_probe_module() -> None:
    assert net_cmds.HELP_DEFAULT_TIMEOUT == probe.DEFAULT_TIMEOUT
    assert net_cmds.HELP_DEFAULT_SECONDS == discovery.DEFAULT_SECONDS
    assert net_cmds.HELP_DEFAULT_BIND == discovery.DEFAULT_BIND


def test_demo_and_reporting_do_not_import_the_cli() -> None:
    code = ("import sys, vrdr_max.demo, vrdr_max.reporting\n"
            "print(sorted(m for m in sys.modules if m.startswith('vrdr_max.cli')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"


def test_the_probe_module_leaves_asyncio_to_probe_async() -> None:
    """`vrdr probe` and the panel's worker use the blocking probe: no event loop to import."""
    assert heavy_modules_after("import vrdr_max.probe") == []


# What `vrdr check` on a scene needs no module of when no cfg, manifest or studio/user file is
# given (issue 18.7): the probe (and its thread pool), the settings and sidecar stores, the
# manifest reader, the farm URL parser and the JSON file reader.
CHECK_PATH_UNUSED = ("vrdr_max.probe", "vrdr_max.settings_store", "vrdr_max.sidecar",
                     "vrdr_max.manifest", "vrdr_max.farm.urls", "vrdr_max.jsonfiles",
                     "vrdr_max.spawner", "concurrent.futures", "asyncio")
STUDIO_MODELS = ("NumaHost", "Pool", "Defaults", "StudioDefaults", "FarmLayer", "FarmSettings",
                 "ConfigFile", "Effective")


# Models whose validators `vrdr check` without a cfg or studio/user file never needs: the
# studio's (the built-in defaults are constructed), the settings' and their servers' (the
# default settings are constructed), the whole scene snapshot (the adapter constructs it from
# typed values) and the NUMA options.
UNBUILT_MODELS = (*(f"studio.{m}" for m in STUDIO_MODELS),
                  "models.DRSettings", "models.RenderServer", "models.Dispatcher",
                  "facts.SceneFacts", "numa.NumaOptions")


def test_check_without_a_cfg_loads_only_what_it_uses(tmp_path: Path) -> None:
    """No probe, stores or manifest reader; no validator of a model it does not validate.

    Models build their validators on first use: a check without a cfg or a studio or user
    file validates none of the studio's or the settings' models, nor the scene snapshot.
    """
    code = (f"import sys\nfrom vrdr_max.cli.main import main\n"
            f"code = main(['check', '--scene', 'clean', '--json'])\nassert code == 0, code\n"
            f"print(sorted(m for m in {CHECK_PATH_UNUSED!r} if m in sys.modules))\n"
            f"print(sorted(m for m in {UNBUILT_MODELS!r} if getattr(sys.modules["
            "'vrdr_max.' + m.split('.')[0]], m.split('.')[1]).__pydantic_complete__))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VRDR_")}
    env["VRDR_USER_CONFIG"] = str(tmp_path / "absent.json")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120, env=env)
    loaded, built = done.stdout.splitlines()[-2:]
    assert loaded == "[]"
    assert built == "[]"
