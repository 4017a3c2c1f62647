"""Subterra application shell: the CLI (no display needed) and the Qt desktop app."""
