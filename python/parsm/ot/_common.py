"""Input handling shared by the POT-compatible functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import as_matrix, as_weights

#: POT's result codes, as returned in ``log["result_code"]``.
RESULT_CODES = {"infeasible": 0, "optimal": 1, "max_iter_reached": 3}
#: POT's ``log["warning"]`` text for each non-optimal status.
WARNINGS = {
    "optimal": None,
    "infeasible": "Problem infeasible. Check that a and b are in the simplex",
    "max_iter_reached": "numItermax reached before optimality. Try to increase numItermax.",
}


def is_sparse(M: Any) -> bool:
    """Whether ``M`` is a scipy sparse matrix or array (without importing scipy)."""
    return hasattr(M, "tocoo") and hasattr(M, "nnz")


def _output_dtype(a: Any, b: Any, m_dtype: np.dtype) -> np.dtype:
    """POT types its results like a, else b, else M (its ``type_as``); floats only."""
    out = m_dtype if np.issubdtype(m_dtype, np.floating) else np.dtype(np.float64)
    for w in (a, b):
        arr = np.asarray(w) if w is not None else np.empty(0)
        if arr.size:
            return arr.dtype if np.issubdtype(arr.dtype, np.floating) else np.dtype(np.float64)
    return out


def problem(a: Any, b: Any, M: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.dtype]:
    """Converts ``(a, b, M)`` like POT: ``[]`` means uniform. Also returns the output dtype."""
    if is_sparse(M):
        raise TypeError(
            "M is a scipy sparse matrix, which only parsm.ot.emd and emd2 accept (its missing "
            "entries are forbidden arcs); pass a dense cost matrix (M.toarray()) here."
        )
    cost = as_matrix(M, "M")
    n1, n2 = cost.shape
    if n1 == 0 or n2 == 0:
        raise ValueError(f"M has shape {cost.shape}; it needs at least one row and one column.")
    out_dtype = _output_dtype(a, b, np.asarray(M).dtype)
    a_arr = as_weights(a, n1, "a")
    b_arr = as_weights(b, n2, "b")
    return a_arr, b_arr, cost, out_dtype


@dataclass(frozen=True)
class SparseCosts:
    """The stored entries of a sparse ``M``: the arcs of the transport graph."""

    shape: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    costs: np.ndarray


def sparse_problem(a: Any, b: Any, M: Any) -> tuple[np.ndarray, np.ndarray, SparseCosts, np.dtype]:
    """:func:`problem` for a scipy sparse ``M``: its stored entries are the allowed arcs (an
    explicitly stored zero is an arc of cost 0), every other pair is forbidden."""
    coo = M.tocoo()
    if not np.issubdtype(coo.data.dtype, np.number) or np.iscomplexobj(coo.data):
        raise TypeError(f"M holds {coo.data.dtype} values; it must hold real numbers.")
    n1, n2 = (int(k) for k in coo.shape)
    arcs = SparseCosts(
        shape=(n1, n2),
        rows=np.ascontiguousarray(coo.row, dtype=np.int64),
        cols=np.ascontiguousarray(coo.col, dtype=np.int64),
        costs=np.ascontiguousarray(coo.data, dtype=np.float64),
    )
    out_dtype = _output_dtype(a, b, coo.data.dtype)
    return as_weights(a, n1, "a"), as_weights(b, n2, "b"), arcs, out_dtype
