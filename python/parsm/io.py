"""Reading response matrices (stimuli x units) from files, safely.

Formats: ``.npy``, ``.npz`` (pick the array with ``key``), ``.csv`` / ``.tsv`` (a header row of
unit names, one row per stimulus) and ``.h5`` / ``.hdf5`` / ``.nwb`` (pick the dataset with
``dataset``; needs ``h5py``, the ``[io]`` extra). NumPy files are read with
``allow_pickle=False``: parsm never unpickles anything.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any, Union

import numpy as np

__all__ = ["load_responses", "load_populations", "FORMATS"]

#: File suffixes :func:`load_responses` reads.
FORMATS = (".npy", ".npz", ".csv", ".tsv", ".h5", ".hdf5", ".nwb")

PathLike = Union[str, "os.PathLike[str]"]


def load_responses(
    path: PathLike,
    *,
    key: str | None = None,
    dataset: str | None = None,
    transpose: bool = False,
) -> tuple[np.ndarray, list[str] | None]:
    """Reads a response matrix and its unit names (when the file has them).

    Parameters
    ----------
    path : str or path-like
        A ``.npy``, ``.npz``, ``.csv``, ``.tsv``, ``.h5``, ``.hdf5`` or ``.nwb`` file.
    key : str, optional
        The array to read from a ``.npz`` file; optional when it holds exactly one.
    dataset : str, optional
        The dataset path to read from an HDF5/NWB file, e.g. ``"responses"`` or
        ``"processing/ophys/Fluorescence/RoiResponseSeries/data"``; optional when the file's
        root holds exactly one dataset.
    transpose : bool, default False
        The file is units x stimuli: transpose it (CSV unit names are then dropped, since the
        header names stimuli).

    Returns
    -------
    data : ndarray
        The array as stored (transposed if asked); its shape is checked by the solvers.
    units : list of str or None
        The CSV header (unit names), or None.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        Unknown format, a pickle in a NumPy file, a missing key or dataset, a ragged or
        non-numeric CSV.
    ImportError
        An HDF5 file without h5py installed.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    suffix = p.suffix.lower()
    units: list[str] | None = None
    if suffix == ".npy":
        data = _load_npy(p)
    elif suffix == ".npz":
        data = _load_npz(p, key)
    elif suffix in (".csv", ".tsv"):
        data, units = _load_delimited(p, "\t" if suffix == ".tsv" else ",")
    elif suffix in (".h5", ".hdf5", ".nwb"):
        data = _load_hdf5(p, dataset)
    else:
        raise ValueError(f"{p}: unknown format {suffix!r}; use one of {', '.join(FORMATS)}.")
    if transpose:
        data = np.asarray(data).T
        units = None
    return data, units


def _no_pickles(p: Path) -> ValueError:
    return ValueError(
        f"{p}: the file holds Python objects (a pickle), which parsm never loads; save a "
        "numeric array instead, e.g. np.save(path, responses.astype(float))."
    )


def _load_npy(p: Path) -> np.ndarray:
    try:
        return np.load(p, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise _no_pickles(p) from None
        raise ValueError(f"{p}: not a readable .npy file ({exc}).") from None


def _load_npz(p: Path, key: str | None) -> np.ndarray:
    try:
        with np.load(p, allow_pickle=False) as archive:
            keys = list(archive.files)
            if key is None:
                if len(keys) != 1:
                    raise ValueError(
                        f"{p} holds {len(keys)} arrays ({', '.join(keys) or 'none'}); choose "
                        "one with --key (key= in Python)."
                    )
                key = keys[0]
            if key not in keys:
                raise ValueError(f"{p} has no array {key!r}; it holds: {', '.join(keys)}.")
            return archive[key]
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise _no_pickles(p) from None
        raise


def _load_delimited(p: Path, delimiter: str) -> tuple[np.ndarray, list[str]]:
    with open(p, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    rows = [r for r in rows if r]  # blank lines
    if not rows:
        raise ValueError(f"{p} is empty; expected a header row of unit names and data rows.")
    header = [h.strip() for h in rows[0]]
    width = len(header)
    data = np.empty((len(rows) - 1, width))
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise ValueError(
                f"{p}, line {n}: {len(row)} fields but the header has {width}; every row "
                "needs one value per unit."
            )
        for k, cell in enumerate(row):
            try:
                data[n - 2, k] = float(cell)
            except ValueError:
                raise ValueError(
                    f"{p}, line {n}, column {header[k]!r}: {cell!r} is not a number."
                ) from None
    return data, header


def _load_hdf5(p: Path, dataset: str | None) -> np.ndarray:
    try:
        import h5py
    except ImportError:
        raise ImportError(
            f"reading {p.suffix} files needs h5py; install it with pip install 'parsm[io]'."
        ) from None
    with h5py.File(p, "r") as f:
        if dataset is None:
            names = [k for k, v in f.items() if isinstance(v, h5py.Dataset)]
            if len(names) != 1:
                raise ValueError(
                    f"{p} has {len(names)} datasets at its root ({', '.join(names) or 'none'});"
                    " choose one with --dataset (dataset= in Python)."
                )
            dataset = names[0]
        node: Any = f.get(dataset)
        if not isinstance(node, h5py.Dataset):
            raise ValueError(f"{p} has no dataset {dataset!r}.")
        return node[()]


def load_populations(path: PathLike, *, transpose: bool = False) -> dict[str, np.ndarray]:
    """Every population stored in one ``.npz`` or HDF5/NWB file: ``{name: array}``, one entry
    per 2-D array (``.npz`` keys; HDF5 dataset paths, searched through groups), in file
    order.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        Another format, a pickle, or fewer than two 2-D arrays (the message lists what the
        file holds).
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    suffix = p.suffix.lower()
    found: dict[str, np.ndarray] = {}
    other: list[str] = []
    if suffix == ".npz":
        try:
            with np.load(p, allow_pickle=False) as archive:
                for name in archive.files:
                    a = archive[name]
                    if a.ndim == 2:
                        found[name] = a
                    else:
                        other.append(f"{name} {a.shape}")
        except ValueError as exc:
            if "allow_pickle" in str(exc):
                raise _no_pickles(p) from None
            raise
    elif suffix in (".h5", ".hdf5", ".nwb"):
        try:
            import h5py
        except ImportError:
            raise ImportError(
                f"reading {p.suffix} files needs h5py; install it with pip install 'parsm[io]'."
            ) from None
        with h5py.File(p, "r") as f:

            def visit(name: str, node: Any) -> None:
                if isinstance(node, h5py.Dataset):
                    if node.ndim == 2:
                        found[name] = node[()]
                    else:
                        other.append(f"{name} {node.shape}")

            f.visititems(visit)
    else:
        raise ValueError(
            f"{p}: one file holds several populations only as .npz or HDF5 (.h5, .hdf5, .nwb); "
            "pass one file per population instead."
        )
    if len(found) < 2:
        held = ", ".join([f"{k} {v.shape}" for k, v in found.items()] + other) or "nothing"
        raise ValueError(
            f"{p} holds {len(found)} 2-D array(s) ({held}); comparing populations needs at "
            "least two (one per population, stimuli x units)."
        )
    return {k: (v.T if transpose else v) for k, v in found.items()}
