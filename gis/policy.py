"""Output policy for sensitive layers: the one place deciding what an output may contain.

Every output path (render, export, report, CLI listings of features) asks
:func:`allowed_layers` which layers it may use, and records a use of
sensitive layers with :func:`record_sensitive_use` (audit_log).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gis import layers as registry
from gis.errors import UsageError

if TYPE_CHECKING:
    from gis.store import Project


def allowed_layers(requested: Iterable[str] | None, include_sensitive: bool,
                   candidates: Iterable[str] | None = None) -> list[str]:
    """The layers an output may contain, in the order asked for.

    ``requested`` None means "every candidate" (``candidates``, default the
    whole registry); sensitive layers are then left out silently unless
    ``include_sensitive``.  A layer named explicitly must exist and, when it
    is sensitive, needs ``include_sensitive``: otherwise UsageError says so.
    """
    pool = list(registry.LAYERS) if candidates is None else list(candidates)
    if requested is None:
        return [name for name in pool if include_sensitive or not registry.LAYERS[name].sensitive]
    out: list[str] = []
    for name in requested:
        if name not in registry.LAYERS:
            raise UsageError(f"unknown layer {name!r}; known layers: {', '.join(registry.LAYERS)}")
        if name not in pool:
            raise UsageError(f"layer {name!r} cannot be used here; possible: {', '.join(pool)}")
        if registry.LAYERS[name].sensitive and not include_sensitive:
            raise UsageError(f"layer {name!r} is sensitive; add --include-sensitive to use it "
                             "(the use is written to the audit log)")
        if name not in out:
            out.append(name)
    return out


def sensitive_in(layers: Iterable[str]) -> list[str]:
    """The sensitive layers among ``layers``."""
    return [name for name in layers if registry.get(name).sensitive]


def record_sensitive_use(project: "Project", layers: Iterable[str], purpose: str, detail: dict) -> None:
    """Write one audit_log row per sensitive layer an output used (nothing when none did).

    Call it before the output is written: a project that cannot take the
    audit row (read-only) then stops the output.
    """
    used = sensitive_in(layers)
    if not used:
        return
    with project.transaction() as txn:
        for name in used:
            txn.audit(name, None, f"sensitive_output:{purpose}", None, detail)


WITHHELD = "[敏感 withheld]"
"""What an output shows in place of a sensitive feature's id."""
WITHHELD_COLUMNS = ("x", "y", "z", "actual_m", "deficit_m", "plan_m", "vertical_m", "owners", "note")
"""Finding columns that describe the feature (location, measured values, owners, note)."""


def withhold_sensitive(findings, include_sensitive: bool):
    """Findings as an output may list them, and the sensitive layers they touch.

    A finding on a feature of a sensitive layer stays listed (id, check,
    kind, severity, rule) but, unless ``include_sensitive``, loses that
    feature's id, its location, the measured values, owners and note.  The
    returned layer list is what :func:`record_sensitive_use` needs when they
    are included.  ``findings`` is a frame with a_layer/b_layer/a_id/b_id.
    """
    touched = set()
    masks = {}
    for side in ("a", "b"):
        layers = findings[f"{side}_layer"].astype(object)
        hit = layers.isin(registry.SENSITIVE_LAYERS)
        masks[side] = hit.to_numpy(dtype=bool)
        touched.update(layers[hit].unique())
    used = [name for name in registry.SENSITIVE_LAYERS if name in touched]
    if include_sensitive or not used:
        return findings, used
    out = findings.copy()
    any_side = masks["a"] | masks["b"]
    for side, mask in masks.items():
        out[f"{side}_id"] = out[f"{side}_id"].astype(object).mask(mask, WITHHELD)
    for col in WITHHELD_COLUMNS:
        if col in out:
            s = out[col]
            out[col] = s.mask(any_side) if s.dtype.kind == "f" else s.astype(object).mask(any_side, None)
    return out, used
