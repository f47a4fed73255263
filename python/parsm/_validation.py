"""Conversion and checking of user input before it reaches the Rust core.

Everything here turns array-likes into C-contiguous float64 numpy arrays (float32, integer,
boolean, Fortran-ordered and strided inputs are all accepted) and raises ``TypeError`` or
``ValueError`` with a message that says what to do. Checks that need a pass over the data
(NaN/inf, constant units) run in Rust.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

__all__ = [
    "columns_of",
    "as_matrix",
    "as_population",
    "as_weights",
    "as_fraction",
    "as_mass_or_auto",
    "as_n_threads",
]


def _as_real_array(a: Any, name: str) -> np.ndarray:
    if np.ma.isMaskedArray(a):
        # Masked entries are missing values: NaN, which the checks then report.
        a = np.ma.filled(np.ma.asarray(a).astype(np.float64), np.nan)
    elif hasattr(a, "to_numpy") and hasattr(a, "columns"):
        # pandas DataFrame, nullable dtypes included (pd.NA becomes NaN).
        try:
            a = a.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}: the DataFrame has non-numeric columns ({exc}).") from exc
    try:
        with warnings.catch_warnings():  # numpy < 1.24 only warns on ragged lists
            warnings.simplefilter("ignore", getattr(np, "VisibleDeprecationWarning", Warning))
            arr = np.asarray(a)
    except Exception as exc:  # ragged lists, exotic objects
        raise TypeError(f"{name} could not be converted to a numeric array: {exc}") from exc
    if arr.dtype == object:
        # Python numbers in an object array (a column of mixed pandas types, Decimals, None
        # for a missing value, which becomes NaN) are numbers; anything else is not.
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} could not be converted to a numeric array: it holds Python objects "
                f"that are not real numbers, or rows of different lengths ({exc}). Pass a "
                "rectangular array of numbers."
            ) from exc
    if not (
        np.issubdtype(arr.dtype, np.integer)
        or np.issubdtype(arr.dtype, np.floating)
        or arr.dtype == np.bool_
    ):
        raise TypeError(
            f"{name} must hold real numbers (float or int); got dtype {arr.dtype}. "
            "Convert it with np.asarray(..., dtype=float)."
        )
    return arr


def columns_of(a: Any) -> list[Any] | None:
    """A pandas DataFrame's column labels (unit names), else None."""
    if hasattr(a, "to_numpy") and hasattr(a, "columns"):
        return list(a.columns)
    return None


def as_matrix(a: Any, name: str) -> np.ndarray:
    """A 2-D float64 C-contiguous copy-or-view of ``a``."""
    arr = _as_real_array(a, name)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array; got a {arr.ndim}-D array of shape {arr.shape}."
        )
    return np.ascontiguousarray(arr, dtype=np.float64)


def as_populations(X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both populations of a comparison, as :func:`as_population` reads each, after checking
    that labelled rows (pandas) do not pair different stimuli."""
    check_stimulus_labels([(X, "X"), (Y, "Y")])
    return as_population(X, "X"), as_population(Y, "Y")


def check_stimulus_labels(items: list[tuple[Any, str]]) -> None:
    """Refuses populations whose row labels (a pandas index other than 0, 1, ..., n - 1) name
    the same stimuli in different orders: parsm pairs rows by position, so those would be
    compared stimulus against other stimulus, a silently wrong number."""
    labelled = [
        (list(a.index), name)
        for a, name in items
        if hasattr(a, "index") and hasattr(a, "columns") and not _default_labels(a.index)
    ]
    check_stimulus_order(labelled, "for example with df.loc[first.index] (pandas)")


def check_stimulus_order(labelled: list[tuple[list[Any], str]], remedy: str) -> None:
    """Refuses populations whose stimulus labels (``(labels, name)``, the first as the
    reference) are the same set in a different order, saying what to do (``remedy``)."""
    for labels, name in labelled[1:]:
        first, first_name = labelled[0]
        if len(labels) == len(first) and labels != first and set(labels) == set(first):
            raise ValueError(
                f"{first_name} and {name} label the same stimuli (rows) in different orders, "
                f"and rows are paired by position; put them in one order first, {remedy}."
            )


def _default_labels(index: Any) -> bool:
    """Whether a pandas index is the default 0, 1, ..., n - 1 (no stimulus labels)."""
    values = np.asarray(index)
    if values.dtype.kind not in "iu":  # text, dates, tuples ...: labels
        return False
    return bool(np.array_equal(values, np.arange(len(values))))


def as_population(a: Any, name: str) -> np.ndarray:
    """Responses of one population: 2-D (stimuli x units), at least 2 stimuli and 1 unit."""
    arr = _as_real_array(a, name)
    if arr.ndim != 2:
        # Advice in code where the name is a variable (X), in words where it is a label.
        var = name if name.isidentifier() else "the array"
        hint = (
            f" For a single unit use {var}.reshape(-1, 1)."
            if arr.ndim == 1
            else f" Flatten the extra axes into units, e.g. {var}.reshape({var}.shape[0], -1)."
        )
        raise ValueError(
            f"{name} must be a 2-D array of shape (stimuli, units); got a {arr.ndim}-D array "
            f"of shape {arr.shape}.{hint}"
        )
    n_stim, n_units = arr.shape
    if n_units == 0:
        raise ValueError(
            f"{name} has zero units (shape {arr.shape}); it needs at least one column."
        )
    if n_stim < 2:
        raise ValueError(
            f"{name} has {n_stim} stimuli (shape {arr.shape}); at least 2 stimuli (rows) are "
            "needed to compare tuning curves. Arrays are (stimuli, units): transpose if needed."
        )
    return np.ascontiguousarray(arr, dtype=np.float64)


def as_weights(w: Any, n: int, name: str) -> np.ndarray:
    """A marginal of length ``n``; an empty one (``[]`` or ``None``) means uniform ``1/n``."""
    if w is None:
        return np.full(n, 1.0 / n)
    arr = _as_real_array(w, name)
    if arr.size == 0:
        return np.full(n, 1.0 / n)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {arr.shape}.")
    if arr.shape[0] != n:
        raise ValueError(
            f"{name} has {arr.shape[0]} weights but the cost matrix has {n} along that axis; "
            "give one weight per row (a) or column (b)."
        )
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} has a negative or non-finite weight at index {i} ({arr[i]}); "
            "weights must be finite and >= 0."
        )
    return arr


def as_fraction(s: Any, name: str = "s") -> float:
    """A mass fraction in [0, 1]."""
    if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Real):
        raise TypeError(f"{name} must be a real number in [0, 1]; got {type(s).__name__}.")
    value = float(s)
    if not (0.0 <= value <= 1.0):  # also catches NaN
        raise ValueError(
            f"{name} = {value} is outside [0, 1]; {name} is the fraction of mass to transport."
        )
    return value


def as_mass_or_auto(s: Any) -> float | str:
    """``"auto"`` (the L-curve elbow) or a mass fraction in [0, 1]."""
    if isinstance(s, str):
        if s == "auto":
            return s
        raise ValueError(f"s must be 'auto' or a mass in [0, 1]; got {s!r}.")
    return as_fraction(s, "s")


def as_n_jobs(n_jobs: int | None) -> int | None:
    """``None`` or a count of jobs as scikit-learn takes it: positive, or negative for all
    cores but ``-n_jobs - 1`` (-1 all cores)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(f"n_jobs must be an int or None; got {n_jobs!r}.")
    if n_jobs == 0:
        raise ValueError(
            "n_jobs must be a positive number of pairs at once, or -1 for all cores (-2 for "
            "all but one); got 0."
        )
    return int(n_jobs)


def as_n_threads(n_threads: int | None) -> int | None:
    """``None`` (all cores, or ``RAYON_NUM_THREADS``) or a positive thread count."""
    if n_threads is None:
        return None
    if isinstance(n_threads, bool) or not isinstance(n_threads, numbers.Integral):
        raise TypeError(f"n_threads must be a positive int or None; got {n_threads!r}.")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1 (got {n_threads}); pass None to use all cores.")
    return int(n_threads)
