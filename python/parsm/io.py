"""Reading response matrices (stimuli x units) from files, safely.

Formats: ``.npy``, ``.npz`` (pick the array with ``key``), ``.csv`` / ``.tsv`` / ``.txt`` (an
optional, detected header row of unit names and index column, one row per stimulus; the
separator detected: commas, semicolons with decimal commas as spreadsheets write them in much
of Europe, tabs, or spaces as ``np.savetxt`` writes them; ``#`` lines are comments; also
gzip-compressed, ``.csv.gz``), ``.h5`` / ``.hdf5`` / ``.nwb`` (pick the dataset with
``dataset``, a path into groups; needs ``h5py``, the ``[io]`` extra) and ``.mat`` (MATLAB v5
through scipy, v7.3 through h5py; pick the variable with ``key``: ``S.field`` for a struct's
field, ``cells{k}`` for a cell; sparse matrices are read dense). NumPy files are read with
``allow_pickle=False``: parsm never unpickles anything.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any, Union

import numpy as np

__all__ = ["load_responses", "load_populations", "drop_missing_stimuli", "FORMATS"]

#: File suffixes :func:`load_responses` reads (text files also gzip-compressed, as
#: ``.csv.gz``).
FORMATS = (".npy", ".npz", ".csv", ".tsv", ".txt", ".h5", ".hdf5", ".nwb", ".mat")
_TEXT = (".csv", ".tsv", ".txt")

PathLike = Union[str, "os.PathLike[str]"]


def load_responses(
    path: PathLike,
    *,
    key: str | None = None,
    dataset: str | None = None,
    transpose: bool = False,
    header: bool | None = None,
    index_col: bool | None = None,
    notes: list[str] | None = None,
    stimuli: list[str] | None = None,
) -> tuple[np.ndarray, list[str] | None]:
    """Reads a response matrix and its unit names (when the file has them).

    Parameters
    ----------
    path : str or path-like
        A ``.npy``, ``.npz``, ``.csv``, ``.tsv``, ``.txt``, ``.h5``, ``.hdf5``, ``.nwb`` or
        ``.mat`` file; text files may be gzip-compressed (``.csv.gz``, ``.tsv.gz``,
        ``.txt.gz``, as pandas and ``np.savetxt`` write them). Text files may separate values
        by commas, semicolons (then decimal commas are read as points), tabs or spaces
        (detected from the first lines; ``.tsv`` is always tabs); a separator ending every
        line is ignored; lines starting with ``#`` are comments, and the last one before the
        data names the units when it splits into one name per column (``np.savetxt``'s
        ``header``).
    key : str, optional
        The array to read from a ``.npz`` or ``.mat`` file (a MATLAB struct's field as
        ``struct.field``, nested too; a cell array's cell as ``cells{k}``, or ``cells{i,j}``
        in a 2-D cell array; a sparse matrix is read dense); optional when it holds exactly
        one array, or exactly one 2-D array that is not a scalar or a vector (which MATLAB
        also stores 2-D) beside others such as stimulus ids.
    dataset : str, optional
        The dataset path to read from an HDF5/NWB file, e.g. ``"responses"`` or
        ``"processing/ophys/Fluorescence/RoiResponseSeries/data"``; optional when the file
        holds exactly one 2-D numeric dataset, or exactly one that is not a vector (n x 1 or
        1 x n) among them (the error lists them otherwise).
    transpose : bool, default False
        The file is units x stimuli: transpose it. A CSV's unit names then come from its
        index column (first column), not from the header.
    header : bool, optional
        Text files only: whether the first row names the units. Default: detected; a first row
        that parses entirely as numbers is data (and ``notes`` says so), except ``0, 1, ...,
        n - 1`` over three or more columns: pandas' default column names.
    index_col : bool, optional
        Text files only: whether the first column is an index (stimulus labels; unit names with
        ``transpose``) rather than data. Default: detected, as pandas writes one (an empty
        first header cell over 0, 1, 2, ...), or a column of text beside numbers.
    notes : list, optional
        Receives one line for each guess the reader made (header, index, encoding,
        separator, decimal commas, comment lines).
    stimuli : list, optional
        Receives a text file's stimulus labels when it has them (its index column; with
        ``transpose``, its header), so that files can be checked to list their stimuli in
        one order.

    Returns
    -------
    data : ndarray
        The array as stored (transposed if asked); empty CSV cells and ``NA``, ``NaN``,
        ``null``, ``None``, ``n/a`` are NaN.
    units : list of str or None
        The unit names (CSV header, or the index column with ``transpose``), or None.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        Unknown format, a pickle or another format under a ``.npy`` name, an empty or
        corrupt file, a folder, a missing key or dataset (the message lists what the file
        holds), a ragged or non-numeric CSV. Every message names the file.
    ImportError
        An HDF5 or MATLAB file without h5py or scipy installed.
    """
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"{p} is a folder, not a file.")
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    if p.stat().st_size == 0:
        raise ValueError(f"{p} is empty (0 bytes).")
    suffix = p.suffix.lower()
    compressed = suffix == ".gz" and Path(p.stem).suffix.lower() in _TEXT
    if compressed:
        suffix = Path(p.stem).suffix.lower()
    if suffix in _TEXT:
        data, names, labels = _load_delimited(
            p,
            "\t" if suffix == ".tsv" else None,
            compressed=compressed,
            header=header,
            index_col=index_col,
            notes=notes,
        )
        # Rows are stimuli, columns units; transposed, the other way round.
        units, stimulus_labels = (labels, names) if transpose else (names, labels)
        if stimuli is not None and stimulus_labels is not None:
            stimuli.extend(stimulus_labels)
        return (data.T if transpose else data), units
    if suffix == ".npy":
        data = _load_npy(p)
    elif suffix == ".npz":
        data = _load_npz(p, key)
    elif suffix in (".h5", ".hdf5", ".nwb"):
        data = _load_hdf5(p, dataset)
    elif suffix == ".mat":
        data = _load_mat(p, key)
    elif suffix in (".xlsx", ".xls", ".ods"):
        raise ValueError(
            f"{p}: unknown format {suffix!r}; save the sheet as .csv (one row per stimulus, one "
            "column per unit, unit names in the first row) and read that."
        )
    elif suffix in (".parquet", ".feather", ".pkl", ".pickle"):
        raise ValueError(
            f"{p}: unknown format {suffix!r}; save the table as .csv (df.to_csv(path)) or "
            ".npy, or read it with pandas and pass the DataFrame to parsm in Python."
        )
    else:
        raise ValueError(f"{p}: unknown format {suffix!r}; use one of {', '.join(FORMATS)}.")
    if transpose:
        data = np.asarray(data).T
    return data, None


def file_stem(path: str | Path) -> str:
    """A file's name without its suffix, and without the text suffix of a gzip-compressed text
    file too (``V1.csv.gz`` -> ``V1``, as :func:`load_responses` reads it): how a population
    read from one file is named."""
    p = Path(path)
    if p.suffix.lower() == ".gz" and Path(p.stem).suffix.lower() in _TEXT:
        return Path(p.stem).stem
    return p.stem


def drop_missing_stimuli(arrays: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """The populations without the stimuli (rows) where any of them has a NaN, and how many
    stimuli were dropped (``--missing drop-stimuli``)."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    rows = {a.shape[0] for a in arrays}
    if len(rows) != 1 or any(a.ndim != 2 for a in arrays):
        return arrays, 0  # the shape checks report this
    bad = np.zeros(rows.pop(), dtype=bool)
    for a in arrays:
        bad |= np.isnan(a).any(axis=1)
    return [a[~bad] for a in arrays], int(bad.sum())


def _no_pickles(p: Path) -> ValueError:
    return ValueError(
        f"{p}: the file holds Python objects (a pickle), which parsm never loads; save a "
        "numeric array instead, e.g. np.save(path, responses.astype(float))."
    )


def _load_npy(p: Path) -> np.ndarray:
    with open(p, "rb") as f:
        magic = f.read(6)
    if magic != b"\x93NUMPY":
        raise ValueError(
            f"{p} is not a NumPy .npy file (it lacks NumPy's header); is it another format "
            "(CSV, text) under a .npy name?"
        )
    try:
        return np.load(p, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise _no_pickles(p) from None
        raise ValueError(f"{p}: not a readable .npy file ({exc}).") from None
    except (OSError, EOFError) as exc:
        raise ValueError(f"{p}: not a readable .npy file ({exc or 'truncated'}).") from None


def _load_npz(p: Path, key: str | None) -> np.ndarray:
    import zipfile

    if not zipfile.is_zipfile(p):
        raise ValueError(f"{p} is not a NumPy .npz archive (not a zip file).")
    try:
        with np.load(p, allow_pickle=False) as archive:
            keys = list(archive.files)
            if key is None and len(keys) == 1:
                key = keys[0]
            elif key is None:
                # Stimulus ids, a sampling rate ... beside the responses: the one matrix
                # (2-D, no dimension of 1) is the responses.
                shapes = {k: archive[k].shape for k in keys}
                matrices = _responses_among(shapes)
                if len(matrices) != 1:
                    listing = _listing(shapes)
                    raise ValueError(
                        f"{p} holds {len(keys)} arrays ({listing}); choose one with --key "
                        "(key= in Python)."
                    )
                key = matrices[0]
            if key not in keys:
                raise ValueError(f"{p} has no array {key!r}; it holds: {', '.join(keys)}.")
            return archive[key]
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise _no_pickles(p) from None
        raise


_MISSING = {"", "na", "nan", "null", "none", "n/a"}


def _number(cell: str) -> float:
    text = cell.strip()
    if text.lower() in _MISSING:
        return np.nan
    return float(text)


def _listing(shapes: dict[str, tuple[int, ...]], most: int = 12) -> str:
    """``name shape, ...`` for an error message: the first ``most`` and how many more."""
    shown = [f"{k} {shape}" for k, shape in list(shapes.items())[:most]]
    if len(shapes) > most:
        shown.append(f"... and {len(shapes) - most} more")
    return ", ".join(shown) or "none"


def _is_vector(shape: tuple[int, ...]) -> bool:
    """Whether a 2-D shape is a row or column vector (or a scalar), as MATLAB stores those."""
    return 1 in shape


def _responses_among(shapes: dict[str, tuple[int, ...]]) -> list[str]:
    """The arrays of a file (name -> shape) that can be the responses when none is named: the
    2-D ones that are not vectors (stimulus ids, timestamps, a sampling rate beside them), or,
    if there are none, every 2-D one. The caller takes it when it is the only one."""
    two_d = [k for k, shape in shapes.items() if len(shape) == 2]
    return [k for k in two_d if not _is_vector(shapes[k])] or two_d


def _all_numbers(cells: list[str]) -> bool:
    """Whether every cell is a number or a missing value: one ``float`` map over the row
    first (in C), cell by cell only where that fails."""
    try:
        list(map(float, cells))
        return True
    except ValueError:
        return all(_is_number(c) for c in cells)


def _decimal_point(cell: str) -> str:
    """A number written with a decimal comma (``1,5``, ``-1.234,5``) as Python reads it; any
    other cell (a name holding a comma) as it is."""
    if "," not in cell:
        return cell
    number = cell.replace(".", "").replace(",", ".")
    return number if _is_number(number) else cell


def _separator(lines: list[str]) -> str | None:
    """The separator of a text file whose suffix does not fix it, from its first two lines:
    ``;`` where a line has at least as many semicolons as commas (a spreadsheet's export with
    decimal commas), ``,`` where it has commas, a tab where it has tabs, else None (runs of
    spaces, as ``np.savetxt`` writes by default) when both lines split into the same number of
    fields, else ``,`` (one column)."""
    head = lines[:2]
    for line in head:
        semis, commas = line.count(";"), line.count(",")
        if semis and semis >= commas:
            return ";"
        if commas:
            return ","
        if "\t" in line:
            return "\t"
    widths = {len(line.split()) for line in head}
    return None if len(widths) == 1 and widths.pop() > 1 else ","


def _without_trailing_separator(
    p: Path, rows: list[list[str]], notes: list[str] | None
) -> list[list[str]]:
    """The rows without the empty last field that a separator at the end of every line (as
    some spreadsheets export) adds; on the data rows only where the first row lacks it."""
    if len(rows) < 2 or any(len(r) < 2 or r[-1].strip() for r in rows[1:]):
        return rows
    width = len(rows[1])
    if any(len(r) != width for r in rows[1:]):
        return rows
    first = rows[0]
    if len(first) == width and not first[-1].strip():
        first = first[:-1]
    elif len(first) != width - 1:
        return rows
    if notes is not None:
        notes.append(f"{p}: every line ends with a separator; the empty last column is ignored")
    return [first] + [r[:-1] for r in rows[1:]]


def _is_number(cell: str) -> bool:
    try:
        _number(cell)
    except ValueError:
        return False
    return True


def _load_delimited(
    p: Path,
    delimiter: str | None,
    *,
    compressed: bool = False,
    header: bool | None,
    index_col: bool | None,
    notes: list[str] | None,
) -> tuple[np.ndarray, list[str] | None, list[str] | None]:
    """The numbers of a text file (gzip-compressed where ``compressed``), the names in its
    header row and the labels in its index column (None where it has none)."""
    raw = p.read_bytes()
    if compressed:
        import gzip
        import zlib

        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{p}: not a readable gzip file ({exc or 'truncated'}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        if notes is not None:
            notes.append(f"{p} is not UTF-8 text; it was read as Latin-1")
    lines = [line for line in text.splitlines() if line.strip()]
    comments = [line for line in lines if line.lstrip().startswith("#")]
    lines = [line for line in lines if not line.lstrip().startswith("#")]
    if delimiter is None:
        delimiter = _separator(lines)
        if notes is not None and delimiter != ",":
            named = {";": "semicolons", "\t": "tabs", None: "spaces"}[delimiter]
            decimal = " (decimal commas read as points)" if delimiter == ";" else ""
            notes.append(f"{p}: values are separated by {named}{decimal}")
    if delimiter is None:
        rows = [line.split() for line in lines]
    else:
        rows = [r for r in csv.reader(lines, delimiter=delimiter) if r]
    if delimiter == ";":
        rows = [[_decimal_point(c) for c in r] for r in rows]
    if delimiter is not None:
        rows = _without_trailing_separator(p, rows, notes)
    if comments and notes is not None:
        notes.append(f"{p}: {len(comments)} line(s) starting with # skipped as comments")
    if comments and header is None and rows:
        # np.savetxt(..., header="a,b,c") writes the unit names as the last comment line.
        named = comments[-1].lstrip()[1:].strip()
        cells = (
            named.split()
            if delimiter is None
            else next(csv.reader([named], delimiter=delimiter), [])
        )
        cells = [c.strip() for c in cells]
        if len(cells) == len(rows[0]) > 0 and not all(_is_number(c) for c in cells):
            rows.insert(0, cells)
            if notes is not None:
                notes.append(f"{p}: the unit names come from the comment line {comments[-1]!r}")
    if not rows:
        raise ValueError(f"{p} is empty; expected rows of numbers (and a header of names).")
    first = [c.strip() for c in rows[0]]
    if header is None:
        # pandas' default column names, written without an index: 0, 1, ..., n - 1. From three
        # units on, no row of responses reads so.
        numbered = len(first) >= 3 and first == [str(k) for k in range(len(first))]
        header = numbered or not all(c != "" and _is_number(c) for c in first)
        if notes is not None and numbered:
            notes.append(
                f"{p}: the first row is 0, 1, ..., {len(first) - 1} (pandas' default column "
                "names), so it is a header; pass header=False (--no-header) if it is data"
            )
        elif notes is not None and not header:
            notes.append(f"{p}: the first row is all numbers, so it is data, not unit names")
    names = first if header else None
    body = rows[1:] if header else rows
    if not body:
        raise ValueError(f"{p} has a header row but no data rows.")
    if index_col is None:
        pandas_index = (
            bool(header)
            and first[0] == ""
            and all(r[0].strip() == str(k) for k, r in enumerate(body))
        )
        text_column = not all(_is_number(r[0]) for r in body) and all(
            _all_numbers(r[1:]) for r in body
        )
        index_col = pandas_index or text_column
        if index_col and notes is not None:
            what = "a pandas index" if pandas_index else "labels, not numbers"
            notes.append(f"{p}: the first column holds {what}, so it is an index, not data")
    labels = [r[0].strip() for r in body] if index_col else None
    if index_col:
        body = [r[1:] for r in body]
        names = names[1:] if names is not None else None
    width = len(names) if names is not None else len(body[0])
    data = np.empty((len(body), width))
    skip = int(bool(index_col))
    for n, row in enumerate(body):
        line = n + (2 if header else 1)
        if len(row) != width:
            raise ValueError(
                f"{p}, line {line}: {len(row) + skip} fields but "
                f"{'the header has' if header else 'the first row has'} {width + skip}; "
                "every row needs one value per unit."
            )
        try:
            # A row of numbers in one call (float() over the row, in C: 5x faster than a
            # Python loop at 10,000 units); a row with a missing value or a bad cell goes cell
            # by cell, to read or name it.
            data[n] = list(map(float, row))
            continue
        except ValueError:
            pass
        for k, cell in enumerate(row):
            try:
                data[n, k] = _number(cell)
            except ValueError:
                col = repr(names[k]) if names is not None else str(k + 1 + skip)
                raise ValueError(
                    f"{p}, line {line}, column {col}: {cell!r} is not a number."
                ) from None
    return data, names, labels


def _open_h5(p: Path) -> Any:
    try:
        import h5py
    except ImportError:
        raise ImportError(
            f"reading {p.suffix} files needs h5py; install it with pip install 'parsm[io]'."
        ) from None
    try:
        return h5py.File(p, "r")
    except OSError as exc:
        raise ValueError(f"{p}: not a readable HDF5 file ({exc}).") from None


def _datasets(f: Any) -> list[tuple[str, tuple[int, ...]]]:
    """Every dataset anywhere in an open HDF5 file, as ``(path, shape)``."""
    import h5py

    found: list[tuple[str, tuple[int, ...]]] = []

    def visit(name: str, node: Any) -> None:
        if isinstance(node, h5py.Dataset):
            found.append((name, node.shape))

    f.visititems(visit)
    return found


def _datasets_2d(f: Any) -> list[tuple[str, tuple[int, ...]]]:
    """The 2-D numeric datasets anywhere in an open HDF5 file, as ``(path, shape)``."""
    return [
        (n, shape) for n, shape in _datasets(f) if len(shape) == 2 and f[n].dtype.kind in "fiub"
    ]


def _load_hdf5(p: Path, dataset: str | None) -> np.ndarray:
    import h5py

    with _open_h5(p) as f:
        candidates = _datasets_2d(f)
        listing = _listing(dict(candidates))
        if dataset is None:
            # Timestamps stored n x 1 and the like beside the responses.
            matrices = _responses_among(dict(candidates))
            if len(matrices) != 1:
                raise ValueError(
                    f"{p} has {len(candidates)} 2-D numeric datasets ({listing}); choose one "
                    "with --dataset (dataset= in Python)."
                )
            dataset = matrices[0]
        node: Any = f.get(dataset)
        if not isinstance(node, h5py.Dataset):
            raise ValueError(f"{p} has no dataset {dataset!r}; its 2-D datasets: {listing}.")
        return node[()]


def _load_mat(p: Path, key: str | None) -> np.ndarray:
    arrays = _mat_arrays(p)
    listing = _listing({k: v.shape for k, v in arrays.items()})
    if key is None:
        # MATLAB stores every scalar and vector as a 2-D array.
        matrices = _responses_among({k: v.shape for k, v in arrays.items()})
        if len(matrices) != 1:
            raise ValueError(
                f"{p} holds {len(arrays)} 2-D numeric variables ({listing}); choose one with "
                "--key (key= in Python; a struct's field as struct.field, a cell as cells{k})."
            )
        key = matrices[0]
    key = key.replace("/", ".")  # a v7.3 struct's field as an HDF5 path names it too
    if key not in arrays:
        raise ValueError(f"{p} has no 2-D variable {key!r}; it holds: {listing}.")
    return np.asarray(arrays[key])


def _mat_arrays(p: Path) -> dict[str, np.ndarray]:
    """The 2-D numeric variables of a MATLAB file (v5 through scipy, v7.3 through h5py), in
    file order, oriented as MATLAB shows them: a struct's fields (nested too) as
    ``struct.field``, a cell array's cells as ``cells{k}`` (MATLAB's linear index, from 1;
    ``cells{i,j}`` in a 2-D cell array), sparse matrices made dense."""
    with open(p, "rb") as f:
        head = f.read(128)
    arrays: dict[str, np.ndarray] = {}
    if b"MATLAB 7.3" in head or head[:8] == b"\x89HDF\r\n\x1a\n":
        with _open_h5(p) as f:
            try:
                for name, node in f.items():
                    if not name.startswith("#"):  # "#refs#" holds the cells' contents
                        _mat73_variable(name, node, f, arrays)
            except (KeyError, IndexError, TypeError, ValueError, OSError) as exc:
                raise ValueError(f"{p}: not a readable MATLAB v7.3 file ({exc}).") from None
        return arrays
    try:
        import scipy.io
    except ImportError:
        raise ImportError(
            f"reading {p.name} needs scipy; install it with pip install scipy."
        ) from None
    try:
        content = scipy.io.loadmat(p)
    except Exception as exc:  # scipy raises several types for bad files
        raise ValueError(f"{p}: not a readable MATLAB file ({exc}).") from None
    for k, v in content.items():
        if not k.startswith("__"):
            _mat_variable(k, v, arrays)
    return arrays


def _cell_names(name: str, shape: tuple[int, ...]) -> list[str]:
    """MATLAB's names of a cell array's cells in column-major order: ``c{k}`` for a row or
    column of cells, ``c{i,j}`` otherwise."""
    if len(shape) == 2 and not _is_vector(shape):
        return [f"{name}{{{i + 1},{j + 1}}}" for j in range(shape[1]) for i in range(shape[0])]
    return [f"{name}{{{k + 1}}}" for k in range(int(np.prod(shape)))]


def _mat_variable(name: str, v: Any, into: dict[str, np.ndarray]) -> None:
    """Adds ``v`` (as scipy reads a v5 variable) to ``into`` as ``name`` when it is a 2-D
    numeric array (sparse too), its fields as ``name.field`` when it is a (1 x 1) struct, and
    its cells as ``name{k}`` when it is a cell array."""
    if hasattr(v, "toarray") and getattr(v, "ndim", 0) == 2:  # scipy.sparse
        v = v.toarray()
    if not isinstance(v, np.ndarray):
        return
    if v.dtype.names is not None:
        if v.size == 1:
            record = v.reshape(-1)[0]
            for field in v.dtype.names:
                _mat_variable(f"{name}.{field}", record[field], into)
        return
    if v.dtype == object:
        for cell_name, cell in zip(_cell_names(name, v.shape), v.reshape(-1, order="F")):
            _mat_variable(cell_name, cell, into)
        return
    if v.ndim == 2 and v.dtype.kind in "fiub":
        into[name] = v


def _mat73_variable(
    name: str, node: Any, f: Any, into: dict[str, np.ndarray], depth: int = 0
) -> None:
    """:func:`_mat_variable` for MATLAB v7.3 (HDF5) nodes: a struct is a group, a sparse
    matrix a group of ``data``, ``ir`` and ``jc`` (compressed columns), a cell array a dataset
    of references; MATLAB stores arrays column-major, so h5py sees them transposed. Nesting
    deeper than 32 levels (references that loop, which MATLAB never writes) is an error."""
    import h5py

    if depth > 32:
        raise ValueError(f"{name} is nested more than 32 levels deep")

    matlab_class = node.attrs.get("MATLAB_class", b"")
    if isinstance(matlab_class, bytes):
        matlab_class = matlab_class.decode("ascii", "replace")
    if isinstance(node, h5py.Group):
        if "MATLAB_sparse" in node.attrs:
            jc = node["jc"][()].ravel().astype(np.int64)
            dense = np.zeros((int(node.attrs["MATLAB_sparse"]), len(jc) - 1))
            if "data" in node:  # an all-zero sparse matrix has none
                data, ir = node["data"][()].ravel(), node["ir"][()].ravel().astype(np.int64)
                if not len(data) == len(ir) == jc[-1]:
                    raise ValueError(f"sparse matrix {name} has inconsistent data, ir and jc")
                dense[ir, np.repeat(np.arange(len(jc) - 1), np.diff(jc))] = data
            into[name] = dense
            return
        for field, child in node.items():
            _mat73_variable(f"{name}.{field}", child, f, into, depth + 1)
        return
    if not isinstance(node, h5py.Dataset) or matlab_class == "char":
        return
    if h5py.check_ref_dtype(node.dtype) is not None:
        refs = node[()].T  # as MATLAB shows the cell array
        for cell_name, ref in zip(_cell_names(name, refs.shape), refs.reshape(-1, order="F")):
            if ref:
                _mat73_variable(cell_name, f[ref], f, into, depth + 1)
        return
    if len(node.shape) == 2 and node.dtype.kind in "fiub":
        into[name] = node[()].T


def load_populations(
    path: PathLike, *, transpose: bool = False, notes: list[str] | None = None
) -> dict[str, np.ndarray]:
    """Every population stored in one ``.npz``, MATLAB (``.mat``, v5 or v7.3) or HDF5/NWB
    file: ``{name: array}``, one entry per 2-D numeric array (``.npz`` keys; MATLAB variable
    names, a cell array's cells as ``cells{k}``; HDF5 dataset paths, searched through groups),
    in file order. Row and column vectors
    (a dimension of 1, as MATLAB stores every vector and scalar, such as stimulus ids) are not
    populations and are left out; so are arrays that are not 2-D (and, in HDF5, datasets that
    are not numeric). ``notes``, when given, gets one line naming what was left out.

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
        with _open_h5(p) as f:
            for name, _shape in _datasets_2d(f):
                found[name] = f[name][()]
            other += [f"{n} {shape}" for n, shape in _datasets(f) if n not in found]
    elif suffix == ".mat":
        found = {k: np.asarray(v) for k, v in _mat_arrays(p).items()}
    else:
        raise ValueError(
            f"{p}: one file holds several populations only as .npz, MATLAB .mat or HDF5 (.h5, "
            ".hdf5, .nwb); pass one file per population instead."
        )
    vectors = [k for k, v in found.items() if _is_vector(v.shape)]
    other += [f"{k} {found.pop(k).shape}" for k in vectors]
    if len(found) < 2:
        held = ", ".join(f"{k} {v.shape}" for k, v in found.items()) or "none"
        rest = f"; not populations (vectors or not 2-D): {', '.join(other)}" if other else ""
        raise ValueError(
            f"{p} holds {len(found)} population array(s) ({held}{rest}); comparing populations "
            "needs at least two 2-D arrays (one per population, stimuli x units)."
        )
    if other and notes is not None:
        kinds = "vectors, not 2-D or not numeric"
        notes.append(f"{p}: left out, not populations ({kinds}): {', '.join(other)}")
    return {k: (v.T if transpose else v) for k, v in found.items()}
