"""`subterra gui [PROJECT.gpkg]`: the desktop app (default command)."""
from __future__ import annotations


def register(sub) -> None:
    """Add the gui command."""
    p = sub.add_parser("gui", help="open the desktop app (default: the bundled demo district)")
    p.add_argument("project", nargs="?", help="project to open")
    p.add_argument("--smoke-test", action="store_true",
                   help="exit once both views show the project (0) or it fails to open (1): checks an install")
    p.set_defaults(func=cmd_gui)


def cmd_gui(args) -> int:
    """Start the Qt app (imported lazily so the CLI needs no display)."""
    from app.gui.main import run_gui

    return run_gui(args.project, smoke_test=args.smoke_test)
