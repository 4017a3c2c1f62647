"""`python -m app` runs the Subterra command line (no arguments: the desktop app)."""
import sys

from app.cli import main

sys.exit(main())
