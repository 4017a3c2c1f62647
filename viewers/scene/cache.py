"""A built plan scene kept on disk and reused while its source file and the scene code are unchanged.

Building even a small scene pulls in pyogrio, pandas, geopandas and rasterio
(about a second of imports); a saved one loads with numpy and VTK alone.
:func:`save_scene` writes an untiled :class:`ProjectScene` as plain arrays
(an uncompressed ``.npz``, written aside and renamed into place) under a key;
:func:`load_scene` gives it back only when the key matches.  The key
(:func:`scene_key`) covers the source file (path, size, modification time),
the build settings, VTK's version and the source code of every module that
shapes a scene, so a changed project, setting or builder means a rebuild.
Tiled scenes (city scale) are never saved: their tiles are built on demand.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

FORMAT = 1
#: modules whose code decides what a scene holds (a package: every module in its folder)
SCENE_CODE = ("viewers.scene", "viewers.styles", "gis.layers", "gis.utilities", "gis.sections",
              "gis.terrain", "gis.policy")
_CELLS = ("verts", "lines", "polys", "strips")


def code_fingerprint() -> str:
    """SHA-256 of the source of :data:`SCENE_CODE` (a frozen app without sources: of its executable's
    size and time, which change with every build)."""
    digest = hashlib.sha256()
    for name in SCENE_CODE:
        origin = Path(importlib.util.find_spec(name).origin or "")
        files = sorted(origin.parent.glob("*.py")) if origin.name == "__init__.py" else [origin]
        for path in files:
            digest.update(path.name.encode())
            try:
                digest.update(path.read_bytes())
            except OSError:
                st = os.stat(sys.executable)
                digest.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()


def scene_key(source: str | os.PathLike, **settings) -> str:
    """The key a scene of ``source`` built with ``settings`` is saved under."""
    from vtkmodules.vtkCommonCore import vtkVersion

    st = os.stat(source)
    return json.dumps({"format": FORMAT, "source": [os.path.abspath(source), st.st_size, st.st_mtime_ns],
                       "settings": settings, "vtk": vtkVersion.GetVTKVersion(), "code": code_fingerprint()},
                      sort_keys=True, default=str)


def save_scene(scene, path: str | os.PathLike, key: str) -> bool:
    """Write ``scene`` to ``path`` under ``key``; False (nothing written) for a tiled scene."""
    if scene.tiled:
        return False
    arrays: dict[str, np.ndarray] = {}
    meshes = list(scene.layers.values()) + ([scene.ground] if scene.ground is not None else [])
    for i, mesh in enumerate(meshes):
        arrays.update(_polydata_arrays(mesh.polydata, f"{i}/"))
        arrays[f"{i}/ids"] = np.asarray([str(v) for v in mesh.ids], dtype=str)
    meta = {"key": key, "layers": [m.layer for m in meshes], "ground": scene.ground is not None,
            "exaggeration": scene.exaggeration, "bbox": scene.bbox, "kind": scene.kind, "length": scene.length}
    arrays["meta"] = np.array(json.dumps(meta))
    arrays["origin"] = np.asarray(scene.origin, dtype=np.float64)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True


def load_scene(path: str | os.PathLike, key: str):
    """The scene saved at ``path`` under ``key``; None when there is none, another key or an unreadable file."""
    from viewers.scene.project_scene import LayerMesh, ProjectScene

    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("key") != key:
                return None
            meshes = [LayerMesh(name, _polydata(data, f"{i}/"), data[f"{i}/ids"].astype(object))
                      for i, name in enumerate(meta["layers"])]
            origin = data["origin"]
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None
    ground = meshes.pop() if meta["ground"] else None
    bbox = tuple(meta["bbox"]) if meta["bbox"] is not None else None
    return ProjectScene(origin, {m.layer: m for m in meshes}, ground, meta["exaggeration"], bbox,
                        meta["kind"], meta["length"])


def _polydata_arrays(pd, prefix: str) -> dict[str, np.ndarray]:
    """Points, cells and named point/cell data arrays of a vtkPolyData as numpy arrays."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    out = {f"{prefix}points": vtk_to_numpy(pd.GetPoints().GetData())}
    for kind in _CELLS:
        cells = getattr(pd, f"Get{kind.capitalize()}")()
        if cells.GetNumberOfCells():
            out[f"{prefix}{kind}/offsets"] = vtk_to_numpy(cells.GetOffsetsArray())
            out[f"{prefix}{kind}/connectivity"] = vtk_to_numpy(cells.GetConnectivityArray())
    for where, data in (("point", pd.GetPointData()), ("cell", pd.GetCellData())):
        normals = data.GetNormals()
        for j in range(data.GetNumberOfArrays()):
            arr = data.GetArray(j)
            role = "normals" if normals is not None and arr.GetName() == normals.GetName() else "data"
            out[f"{prefix}{where}/{role}/{arr.GetName()}"] = vtk_to_numpy(arr)
    return out


def _polydata(data, prefix: str):
    """The vtkPolyData :func:`_polydata_arrays` wrote under ``prefix``."""
    from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

    pd = vtkPolyData()
    points = vtkPoints()
    points.SetData(numpy_to_vtk(data[f"{prefix}points"], deep=True))
    pd.SetPoints(points)
    for kind in _CELLS:
        if f"{prefix}{kind}/offsets" in data:
            cells = vtkCellArray()
            cells.SetData(numpy_to_vtkIdTypeArray(data[f"{prefix}{kind}/offsets"], deep=True),
                          numpy_to_vtkIdTypeArray(data[f"{prefix}{kind}/connectivity"], deep=True))
            getattr(pd, f"Set{kind.capitalize()}")(cells)
    for name in data.files:
        if not name.startswith(prefix) or name.count("/") != 3:
            continue
        where, role, array_name = name[len(prefix):].split("/")
        arr = numpy_to_vtk(data[name], deep=True)
        arr.SetName(array_name)
        target = pd.GetPointData() if where == "point" else pd.GetCellData()
        if role == "normals":
            target.SetNormals(arr)
        else:
            target.AddArray(arr)
    return pd
