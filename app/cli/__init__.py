"""The `subterra` command line.  Runs with no display; the same functions as the app.

Each command lives in its own module with ``register(subparsers)``; adding a
command is adding its module to ``COMMAND_MODULES``.  Exit codes (CLI.md):
0 success, 1 usage error, 2 input rejected, 3 violations / rows rejected,
4 internal error.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = (
    "app.cli.cmd_gui",
    "app.cli.cmd_project",
    "app.cli.cmd_demo",
    "app.cli.cmd_gnss",
    "app.cli.cmd_render",
    "app.cli.cmd_import",
    "app.cli.cmd_profile",
    "app.cli.cmd_check",
    "app.cli.cmd_trace",
)


class _Parser(argparse.ArgumentParser):
    """argparse with CLI.md's exit code 1 for usage errors."""

    def error(self, message: str):  # noqa: D102 - argparse API
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(1)


def build_parser(modules: tuple[str, ...] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The parser with the commands of ``modules`` (default: every registered command)."""
    parser = _Parser(prog="subterra", description="Subterra: underground-space GIS")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in modules:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `subterra` console script and `python -m app`."""
    from app.cli.output import run_command

    argv = sys.argv[1:] if argv is None else argv
    if not argv or (argv[0].endswith(".gpkg") and len(argv) == 1):
        argv = ["gui", *argv]
    # The app starts without loading the other commands (their register() may import heavy modules).
    args = build_parser(("app.cli.cmd_gui",) if argv[0] == "gui" else COMMAND_MODULES).parse_args(argv)
    if not getattr(args, "func", None):
        build_parser().print_help(sys.stderr)
        return 1
    return run_command(args)
