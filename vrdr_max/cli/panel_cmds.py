"""``vrdr panel``: the DR panel in its own window, against the demo scene or a scene file.

Qt is imported only inside the handler, so ``vrdr --help`` and every other command stay Qt-free.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from vrdr_max.errors import InputError, one_line, quote

QT_APIS = ("pyside6", "pyside2", "pyqt6", "pyqt5")
"""The values of ``QT_API`` qtpy accepts (any case)."""
SHOW_NAMES = ("all", "did not answer", "online", "refused", "no answer", "not probed",
              "disabled", "not saved")
"""The table's status filters (``panel.listing.Show``), spelled here so ``--help`` needs no Qt."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``panel``."""
    panel = sub.add_parser(
        "panel", help="the DR panel in its own window (demo scene, or --scene/--cfg)")
    what = panel.add_mutually_exclusive_group(required=True)
    what.add_argument("--demo", action="store_true",
                      help="the demo scene with loopback stand-in render servers")
    what.add_argument("--scene", type=Path, metavar="FILE.json", help="a scene description")
    panel.add_argument("--cfg", type=Path, metavar="PATH", help="the cfg file (with --scene)")
    panel.add_argument("--dr2", action="store_true", help="show the DR2 view (demo)")
    panel.add_argument("--screenshot", type=Path, metavar="FILE.png",
                       help="render offscreen after a probe and a preflight, save, exit")
    panel.add_argument("--servers", type=int, metavar="N",
                       help="the demo with N stand-in servers (8 in 10 answer; at most 2000)")
    panel.add_argument("--farm", action="store_true",
                       help="the demo with a stand-in Deadline farm on loopback for the Farm "
                            "section (with --screenshot: reserve 4 machines first)")
    panel.add_argument("--show", default="all", choices=SHOW_NAMES,
                       help="show only the servers with this status")
    panel.add_argument("--filter", default="", metavar="TEXT",
                       help="show only the servers whose host:port holds TEXT")
    panel.add_argument("--screenshot-dialog", choices=("render", "paste"), metavar="render|paste",
                       help="with --screenshot: picture the Render with DR plan or the paste "
                            "preview instead of the panel")
    panel.add_argument("--theme", choices=("dark", "light"), default="dark",
                       help="palette of the window (3ds Max's default theme is dark)")
    panel.set_defaults(func=cmd_panel)


def cmd_panel(args: argparse.Namespace) -> int:
    """Show the panel; with ``--screenshot`` write the picture and exit."""
    if args.scene is not None and args.cfg is None:
        raise InputError("--scene needs --cfg PATH (the cfg file the panel edits)")
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        raise InputError(f"--screenshot wants a .png file, not {args.screenshot}")
    if args.servers is not None and not args.demo:
        raise InputError("--servers sizes the demo's farm: use it with --demo")
    if args.farm and not args.demo:
        raise InputError("--farm adds a stand-in farm to the demo: use it with --demo")
    if args.screenshot_dialog is not None and args.screenshot is None:
        raise InputError("--screenshot-dialog needs --screenshot FILE.png")
    if args.screenshot is not None:
        from vrdr_max.atomic import check_writable  # noqa: PLC0415

        check_writable(args.screenshot)  # a FIFO there would block the save: refused first
    run_standalone = _import_standalone()
    code = run_standalone(demo=args.demo, scene=args.scene, cfg=args.cfg, dr2=args.dr2,
                          screenshot=args.screenshot, theme=args.theme,
                          screenshot_dialog=args.screenshot_dialog, servers=args.servers,
                          show=args.show, filter_text=args.filter, farm=args.farm)
    if args.screenshot is not None:
        print(one_line(f"wrote {args.screenshot}"))
    return code


def _import_standalone() -> Callable[..., int]:
    """``run_standalone``, or one line on why this environment has no Qt binding to run it.

    Raises:
        InputError: ``QT_API`` names no binding, or no binding is installed.
    """
    api = os.environ.get("QT_API")
    if api is not None and api.lower() not in QT_APIS:
        raise InputError(f"QT_API={quote(api)} names no Qt binding: set it to "
                         f"{', '.join(QT_APIS)} or unset it")
    try:
        from vrdr_max.panel.standalone import run_standalone  # noqa: PLC0415 - Qt only here
    except ImportError as exc:
        if type(exc).__name__ != "QtBindingsNotFoundError":  # qtpy's; anything else is a bug
            raise
        raise InputError("no Qt binding for the panel: install PySide6 "
                         "(pip install 'vrdr-max[qt]')") from None
    return run_standalone
