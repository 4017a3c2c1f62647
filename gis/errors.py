"""Typed errors that carry their context (file, row, field, value, reason).

The CLI turns them into one line and an exit code; the app into a dialog.
"""
from __future__ import annotations

from dataclasses import dataclass


class SubterraError(Exception):
    """Base of every error Subterra reports to a user (never a traceback)."""

    exit_code = 4


class UsageError(SubterraError):
    """Bad arguments or options (CLI exit 1)."""

    exit_code = 1


class ProjectError(SubterraError):
    """A project file cannot be created, opened or written (CLI exit 2)."""

    exit_code = 2


class NotAGeoPackageError(ProjectError):
    """The file is not a GeoPackage at all."""


class NotAProjectError(ProjectError):
    """A valid GeoPackage that is not a Subterra project."""


class SchemaVersionError(ProjectError):
    """A project written by a newer Subterra (or with a broken schema_version)."""


class ReadOnlyProjectError(ProjectError):
    """The project file or its folder cannot be written."""


class ProjectLockedError(ProjectError):
    """Another program holds a write lock on the project."""


class StoreError(ProjectError):
    """Data handed to the store does not fit the layer registry."""


class Cancelled(SubterraError):
    """Long work stopped because the user pressed Cancel."""

    exit_code = 130


@dataclass
class Problem:
    """One problem found in user input: where it is and why it is wrong."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        value = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{where}: {self.reason}{value}"


class InputRejected(SubterraError):
    """Input failed validation; nothing was written (CLI exit 2)."""

    exit_code = 2

    def __init__(self, problems: list[Problem], message: str | None = None):
        self.problems = problems
        first = str(problems[0]) if problems else "input rejected"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(message or first + more)
