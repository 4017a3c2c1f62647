"""Owners to notify (权属单位): each feature's owner read from the project, grouped per owner."""
from __future__ import annotations

import numpy as np
import pandas as pd

from gis import layers as registry
from gis.policy import WITHHELD
from gis.report.mapextract import SEVERITIES, severity_codes
from gis.report.model import OwnerGroup

OWNED_LAYERS = [name for name, layer in registry.LAYERS.items() if "owner" in layer.field_names]
WHERE_IN_LIMIT = 2000     # up to this many ids per layer are read with an IN list, beyond it the whole layer


def involved_features(findings: pd.DataFrame) -> pd.DataFrame:
    """(row, layer, id, code) per finding side on an owned layer; code 0 critical .. 3 info.

    Withheld sides (sensitive, not included) are left out.
    """
    codes = severity_codes(findings["severity"].to_numpy()) if len(findings) else np.zeros(0, np.int64)
    parts = []
    for side in ("a", "b"):
        part = pd.DataFrame({"row": np.arange(len(findings)), "layer": findings[f"{side}_layer"].astype(object).to_numpy(),
                             "id": findings[f"{side}_id"].astype(object).to_numpy(), "code": codes})
        owned = part["layer"].isin(OWNED_LAYERS)
        parts.append(part[owned & part["id"].notna() & (part["id"] != WITHHELD)])
    return pd.concat(parts, ignore_index=True)


def owner_lookup(project, layer: str, ids: np.ndarray) -> pd.Series:
    """Owner per feature id of ``layer`` ("" when not recorded), indexed by id."""
    id_field = registry.get(layer).id_field
    if len(ids) <= WHERE_IN_LIMIT:
        frames = []
        for start in range(0, len(ids), 500):
            quoted = ",".join("'" + str(i).replace("'", "''") + "'" for i in ids[start:start + 500])
            frames.append(project.read(layer, columns=[id_field, "owner"], where=f"{id_field} IN ({quoted})"))
        table = pd.concat(frames, ignore_index=True)
    else:
        table = project.read(layer, columns=[id_field, "owner"])
    owner = table["owner"].astype(object).where(table["owner"].notna(), "")
    return pd.Series(owner.to_numpy(), index=table[id_field].astype(object).to_numpy()).groupby(level=0).first()


def owner_groups(project, findings: pd.DataFrame, max_features: int) -> list[OwnerGroup]:
    """Owners with the features of theirs involved, worst severity first (unrecorded owner last)."""
    feats = involved_features(findings)
    if not len(feats):
        return []
    grouped = feats.groupby(["layer", "id"], sort=False)
    fcode = grouped.ngroup().to_numpy()                    # feature of each finding side
    per = grouped["code"].agg(["min", "size"]).reset_index()
    per["owner"] = ""
    for layer, idx in per.groupby("layer").groups.items():
        lookup = owner_lookup(project, layer, per.loc[idx, "id"].to_numpy(dtype=object))
        per.loc[idx, "owner"] = per.loc[idx, "id"].map(lookup).fillna("").to_numpy()
    ocode, owners = pd.factorize(per["owner"])
    # findings per owner: distinct (finding, owner) pairs
    pairs = pd.unique(feats["row"].to_numpy() * np.int64(len(owners)) + ocode[fcode])
    counts = np.bincount(pairs % len(owners), minlength=len(owners))
    per["ocode"] = ocode
    per = per.sort_values(["ocode", "min", "size", "layer", "id"], ascending=[True, True, False, True, True])
    groups = []
    for k, g in per.groupby("ocode", sort=False):
        listed = g.head(max_features)
        groups.append(OwnerGroup(
            owner=str(owners[k]), worst=SEVERITIES[int(g["min"].min())], findings=int(counts[k]),
            features=[(r.layer, str(r.id), SEVERITIES[int(r.min)], int(r.size)) for r in listed.itertuples()],
            total_features=len(g)))
    groups.sort(key=lambda o: (o.owner == "", SEVERITIES.index(o.worst), -o.findings, o.owner))
    return groups
