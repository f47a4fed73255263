"""Input handling shared by the POT-compatible functions."""

from __future__ import annotations

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


def problem(a: Any, b: Any, M: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.dtype]:
    """Converts ``(a, b, M)`` like POT: ``[]`` means uniform. Also returns the output dtype."""
    if hasattr(M, "tocoo") and hasattr(M, "nnz"):
        raise TypeError(
            "M is a scipy sparse matrix; POT reads its missing entries as forbidden arcs, which "
            "parsm does not support yet. Pass a dense cost matrix (M.toarray()) instead."
        )
    cost = as_matrix(M, "M")
    n1, n2 = cost.shape
    if n1 == 0 or n2 == 0:
        raise ValueError(f"M has shape {cost.shape}; it needs at least one row and one column.")
    # POT returns results typed like a, else b, else M (its ``type_as``).
    raw_m = np.asarray(M)
    out_dtype = raw_m.dtype if np.issubdtype(raw_m.dtype, np.floating) else np.dtype(np.float64)
    for w in (a, b):
        arr = np.asarray(w) if w is not None else np.empty(0)
        if arr.size:
            out_dtype = arr.dtype if np.issubdtype(arr.dtype, np.floating) else np.dtype(np.float64)
            break
    a_arr = as_weights(a, n1, "a")
    b_arr = as_weights(b, n2, "b")
    return a_arr, b_arr, cost, out_dtype
