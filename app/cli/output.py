"""Shared CLI plumbing: error reporting, JSON output, a terminal progress bar."""
from __future__ import annotations

import json
import sys
import traceback
from typing import Any

from gis.errors import SubterraError
from gis.progress import Progress


def run_command(args) -> int:
    """Run ``args.func(args)``; turn Subterra errors into one line and an exit code."""
    try:
        return int(args.func(args) or 0)
    except SubterraError as exc:
        print(f"subterra: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("subterra: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence, exit 4 per CLI.md
        print(f"subterra: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if "--debug" in sys.argv:
            traceback.print_exc()
        return 4


def emit_json(obj: Any) -> None:
    """Print one JSON document on stdout (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def terminal_progress() -> Progress:
    """A Progress that draws a bar on stderr when stderr is a terminal, else stays quiet."""
    if not sys.stderr.isatty():
        return Progress()

    def draw(done: int, total: int, message: str) -> None:
        width = 30
        frac = done / total if total else 0.0
        bar = "#" * int(frac * width)
        sys.stderr.write(f"\r{message[:30]:<30} [{bar:<{width}}] {frac:5.1%}")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return Progress(draw)
