"""Exact partial optimal transport with POT 0.9.7's ``ot.partial`` signatures."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ._common import RESULT_CODES, WARNINGS, problem

__all__ = ["partial_wasserstein", "partial_wasserstein2"]


def partial_wasserstein(
    a: Any,
    b: Any,
    M: Any,
    m: float | None = None,
    nb_dummies: int = 1,
    log: bool = False,
    **kwargs: Any,
) -> np.ndarray | tuple[np.ndarray, dict[str, Any]]:
    r"""Solves the partial optimal transport problem and returns the plan.

    .. math::
        \gamma = \arg\min_\gamma \langle \gamma, M \rangle_F \quad
        \text{s.t.}\ \gamma 1 \le a,\ \gamma^T 1 \le b,\ 1^T \gamma^T 1 = m,\ \gamma \ge 0

    Same call as ``ot.partial.partial_wasserstein`` (POT 0.9.7), solved exactly.

    Parameters
    ----------
    a : (dim_a,) array_like
        Unnormalised source histogram (uniform if ``[]``).
    b : (dim_b,) array_like
        Unnormalised target histogram (uniform if ``[]``).
    M : (dim_a, dim_b) array_like
        Cost matrix. Any finite values: zero, negative and huge costs are all solved exactly.
    m : float, optional
        Mass to transport, in ``[0, min(|a|_1, |b|_1)]``. None transports all of it. A value
        that exceeds the available mass only by rounding (``m = 1`` with uniform weights whose
        float sum is ``0.9999999999999999``) is clamped instead of rejected.
    nb_dummies : int, optional
        POT's number of dummy points. The optimum does not depend on it; parsm uses at least
        its own default (about sqrt(n)) because a single dummy point makes the simplex slow.
    log : bool, optional
        If True, also return a dict with ``cost``, ``u``, ``v``, ``warning``,
        ``result_code`` and ``partial_w_dist``.
    **kwargs
        ``numItermax`` and the other ``emd`` options are accepted and ignored: parsm always
        solves to optimality.

    Returns
    -------
    gamma : (dim_a, dim_b) ndarray
        Optimal partial transport plan.
    log : dict, optional
        Only if ``log`` is True. ``u`` and ``v`` are the dual potentials of the real points.

    Raises
    ------
    ValueError
        ``m < 0`` or ``m > min(|a|_1, |b|_1)`` (POT's messages), NaN/inf anywhere (where POT
        returns a NaN cost), negative weights, and shape mismatches.
    """
    del kwargs
    a, b, M, dtype = problem(a, b, M)
    if m is None:
        m = float(min(a.sum(), b.sum()))
    m = float(m)
    n_dummies = max(int(nb_dummies), _core.default_dummies(*M.shape))
    try:
        sol = _core.partial(M, a, b, m, n_dummies)
    except _core.MassError as err:  # the core's range check (and slack), in POT's words
        if m < 0:
            raise _core.MassError(
                "Problem infeasible. Parameter m should be greater than 0."
            ) from err
        if m > 0:
            available = float(min(a.sum(), b.sum()))
            raise _core.MassError(
                "Problem infeasible. Parameter m should lower or equal than min(|a|_1, |b|_1)."
                f" (m = {m}, min(|a|_1, |b|_1) = {available})"
            ) from err
        raise
    plan, u, v, status = sol.plan.astype(dtype, copy=False), sol.u, sol.v, sol.status
    if not log:
        return plan
    cost = float(np.vdot(plan, M))  # <G, M> without an n x n temporary
    return plan, {
        "cost": cost,
        "u": u[: M.shape[0]].astype(dtype, copy=False),
        "v": v[: M.shape[1]].astype(dtype, copy=False),
        "warning": WARNINGS[status],
        "result_code": RESULT_CODES[status],
        "partial_w_dist": cost,
    }


def partial_wasserstein2(
    a: Any,
    b: Any,
    M: Any,
    m: float | None = None,
    nb_dummies: int = 1,
    log: bool = False,
    **kwargs: Any,
) -> float | tuple[float, dict[str, Any]]:
    """Solves the partial optimal transport problem and returns the loss ``<gamma, M>``.

    Same call as ``ot.partial.partial_wasserstein2`` (POT 0.9.7). Parameters as in
    :func:`partial_wasserstein`; with ``log=True`` the dict also holds the plan as ``"T"``.
    """
    plan, log_w = partial_wasserstein(a, b, M, m, nb_dummies, log=True, **kwargs)
    cost = log_w["partial_w_dist"]
    log_w["T"] = plan
    if log:
        return cost, log_w
    return cost
