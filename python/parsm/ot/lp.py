"""Balanced exact transport: ``emd`` and ``emd2`` with POT 0.9.7's signatures."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ._common import RESULT_CODES, WARNINGS, SparseCosts, is_sparse, problem, sparse_problem

__all__ = ["emd", "emd2", "center_ot_dual"]


def center_ot_dual(
    alpha0: np.ndarray, beta0: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Shifts dual potentials by a constant so that ``<alpha, a> = <beta, b>`` (as POT does)."""
    c = (np.sum(b * beta0) - np.sum(a * alpha0)) / (np.sum(a) + np.sum(b))
    return alpha0 + c, beta0 - c


def _check_balance(a: np.ndarray, b: np.ndarray, check_marginals: bool) -> np.ndarray:
    sa, sb = float(a.sum()), float(b.sum())
    if check_marginals and abs(sa - sb) >= 1.5e-6:  # POT's assert_almost_equal(decimal=6)
        raise ValueError(
            f"a and b vector must have the same sum (sum(a) = {sa}, sum(b) = {sb}); normalise "
            "them, or use parsm.ot.partial.partial_wasserstein to move only part of the mass."
        )
    if sb == 0.0:
        raise ValueError("b sums to 0; the marginals must carry positive mass.")
    return b * (sa / sb)


def _solve(
    a: np.ndarray, b: np.ndarray, M: np.ndarray, center_dual: bool
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray, str]:
    sol = _core.emd(M, a, b)
    plan, u, v, status = sol.plan, sol.u, sol.v, sol.status
    if center_dual:
        u, v = center_ot_dual(u, v, a, b)
    # <G, M> on the caller's costs (the solver's own sum agrees to rounding).
    cost = float(np.vdot(plan, M))  # <G, M> without an n x n temporary
    return plan, cost, u, v, status


def _solve_sparse(
    a: np.ndarray, b: np.ndarray, M: SparseCosts, center_dual: bool, dtype: np.dtype
) -> tuple[Any, float, np.ndarray, np.ndarray, str]:
    """:func:`_solve` on the arcs of a sparse ``M``; the plan is a ``scipy.sparse.coo_array``
    holding the arcs that carry flow."""
    from scipy.sparse import coo_array

    sol = _core.emd_sparse(M.rows, M.cols, M.costs, M.shape, a, b)
    flow, cost, u, v, status = sol.plan, sol.cost, sol.u, sol.v, sol.status
    if center_dual:
        u, v = center_ot_dual(u, v, a, b)
    keep = flow > 0
    plan = coo_array(
        (flow[keep].astype(dtype, copy=False), (M.rows[keep], M.cols[keep])), shape=M.shape
    )
    return plan, float(cost), u, v, status


def _solved(
    a: Any, b: Any, M: Any, center_dual: bool, check_marginals: bool
) -> tuple[Any, float, np.ndarray, np.ndarray, str, np.dtype]:
    """What :func:`emd` and :func:`emd2` share: the inputs checked as POT checks them, solved
    on a dense ``M`` or on the arcs of a sparse one, the plan in the output dtype."""
    if is_sparse(M):
        a, b, arcs, dtype = sparse_problem(a, b, M)
        b = _check_balance(a, b, check_marginals)
        plan, cost, u, v, status = _solve_sparse(a, b, arcs, center_dual, dtype)
        return plan, cost, u, v, status, dtype
    a, b, M, dtype = problem(a, b, M)
    b = _check_balance(a, b, check_marginals)
    plan, cost, u, v, status = _solve(a, b, M, center_dual)
    return plan.astype(dtype, copy=False), cost, u, v, status, dtype


def _log(cost: float, u: np.ndarray, v: np.ndarray, status: str, dtype: np.dtype) -> dict:
    return {
        "cost": cost,
        "u": u.astype(dtype, copy=False),
        "v": v.astype(dtype, copy=False),
        "warning": WARNINGS[status],
        "result_code": RESULT_CODES[status],
    }


def emd(
    a: Any,
    b: Any,
    M: Any,
    numItermax: int = 100000,
    log: bool = False,
    center_dual: bool = True,
    numThreads: int | str = 1,
    check_marginals: bool = True,
    potentials_init: tuple[Any, Any] | None = None,
) -> np.ndarray | tuple[np.ndarray, dict[str, Any]]:
    r"""Solves the earth mover's distance problem and returns the OT plan.

    .. math::
        \gamma = \arg\min_\gamma \langle \gamma, M \rangle_F \quad
        \text{s.t.}\ \gamma 1 = a,\ \gamma^T 1 = b,\ \gamma \ge 0

    Same call as ``ot.emd`` (POT 0.9.7), solved by parsm's exact network simplex.

    Parameters
    ----------
    a : (ns,) array_like
        Source histogram (uniform weights if ``[]``).
    b : (nt,) array_like
        Target histogram (uniform weights if ``[]``).
    M : (ns, nt) array_like or scipy sparse matrix
        Loss matrix (converted to float64). A scipy sparse matrix (any format) is a sparse
        graph, as in POT: its stored entries are the allowed arcs and every other pair is
        forbidden; the plan is then a ``scipy.sparse.coo_array`` of the arcs that carry flow.
    numItermax : int, optional
        Accepted for compatibility and **ignored**: parsm always solves to optimality.
    log : bool, optional
        If True, also return a dict with the cost, the dual potentials and the solver status.
    center_dual : bool, optional
        If True, centre the dual potentials as POT does (``<u, a> = <v, b>``).
    numThreads : int or "max", optional
        Ignored, as in POT 0.9.7 (the solver is sequential).
    check_marginals : bool, optional
        If True, require ``a.sum() == b.sum()`` to 6 decimals. In all cases ``b`` is rescaled
        to ``a``'s total, as POT does.
    potentials_init : tuple of arrays, optional
        Accepted for compatibility and ignored (a warm start cannot change the optimum).

    Returns
    -------
    gamma : (ns, nt) ndarray
        Optimal transport plan, in the dtype of ``a`` (or ``b``) when it is a float type,
        float64 otherwise (parsm never truncates a plan to integers).
    log : dict, optional
        Only if ``log`` is True: ``cost`` (``<gamma, M>``), ``u``, ``v`` (dual potentials,
        ``u_i + v_j <= M_ij``), ``warning`` (None when optimal) and ``result_code``
        (1 = optimal).

    Raises
    ------
    ValueError
        NaN/inf in ``M`` or the weights, negative weights, shape mismatches, and marginals
        whose sums differ (POT raises ``AssertionError`` there).

    Notes
    -----
    Zero weights are kept in the solve (POT drops them and re-estimates their duals); the
    returned potentials are dual feasible for every row and column.
    """
    del numItermax, numThreads, potentials_init
    plan, cost, u, v, status, dtype = _solved(a, b, M, center_dual, check_marginals)
    if log:
        return plan, _log(cost, u, v, status, dtype)
    return plan


def emd2(
    a: Any,
    b: Any,
    M: Any,
    processes: int = 1,
    numItermax: int = 100000,
    log: bool = False,
    return_matrix: bool = False,
    center_dual: bool = True,
    numThreads: int | str = 1,
    check_marginals: bool = True,
    potentials_init: tuple[Any, Any] | None = None,
) -> float | list[Any]:
    r"""Solves the earth mover's distance problem and returns the loss ``<gamma, M>``.

    Same call as ``ot.emd2`` (POT 0.9.7). See :func:`emd` for the shared parameters.

    Parameters
    ----------
    a : (ns,) array_like
        Source histogram (uniform weights if ``[]``).
    b : (nt,) or (nt, nb) array_like
        Target histogram(s). With a 2-D ``b``, one problem is solved per column and a list of
        results is returned.
    M : (ns, nt) array_like or scipy sparse matrix
        Loss matrix; a sparse one is a graph of allowed arcs, as in :func:`emd`.
    processes : int, optional
        Ignored (deprecated in POT).
    numItermax : int, optional
        Ignored: parsm always solves to optimality.
    log : bool, optional
        If True, return ``[cost, log]`` with the keys of :func:`emd`.
    return_matrix : bool, optional
        If True, ``log["G"]`` holds the plan (and ``[cost, log]`` is returned).

    Returns
    -------
    W : float, or list
        The optimal cost; ``[W, log]`` when ``log`` or ``return_matrix``; a list of those for
        a 2-D ``b``.
    """
    del processes, numItermax, numThreads, potentials_init
    b_arr = np.asarray(b) if b is not None else np.empty(0)
    if b_arr.ndim == 2:
        return [
            emd2(
                a,
                b_arr[:, k],
                M,
                log=log,
                return_matrix=return_matrix,
                center_dual=center_dual,
                check_marginals=check_marginals,
            )
            for k in range(b_arr.shape[-1])  # ndim 2: the columns
        ]
    plan, cost, u, v, status, dtype = _solved(a, b, M, center_dual, check_marginals)
    if log or return_matrix:
        log_dict = _log(cost, u, v, status, dtype)
        if return_matrix:
            log_dict["G"] = plan
        return [cost, log_dict]
    return cost
