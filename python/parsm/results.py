"""Result types returned by parsm's public functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PartialMatch", "MATCH_TOL", "Pair"]

#: A unit counts as matched when it sends (or receives) more than this fraction of its own
#: capacity (``1/Nx`` for a unit of X, ``1/Ny`` for a unit of Y). The authors' code used
#: absolute thresholds between 1e-8 and 1e-4; a relative one does not depend on Nx or Ny.
MATCH_TOL = 1e-6


@dataclass(frozen=True, eq=False)
class PartialMatch:
    """An exact (partial) soft matching between the units of two populations.

    Attributes
    ----------
    s : float
        The mass transported, in [0, 1]. ``s = 1`` is the balanced soft-matching distance.
    metric : str
        The cost used: ``"correlation"``, ``"cosine"``, ``"sqeuclidean"`` or ``"euclidean"``.
    plan : ndarray of shape (Nx, Ny)
        The optimal plan ``T``: ``T >= 0``, row sums ``<= 1/Nx``, column sums ``<= 1/Ny`` and
        ``T.sum() == s``. ``T[i, j]`` is the mass unit ``i`` of X sends to unit ``j`` of Y.
    cost : float
        The optimal transport cost ``<T, C>``. It grows with ``s`` (convexly), so costs at
        different ``s`` measure different amounts of matching.
    score : float
        ``1 - cost``, the number the paper and the authors' code report (e.g. SM 0.339 vs
        partial 0.715). It is **not** divided by ``s``: for the correlation cost it equals
        ``(1 - s) + sum(T * r)``, which tends to 1 as ``s -> 0``. Compare scores only at the
        same ``s`` (or at each pair's own L-curve elbow, as the paper does).
    mean_correlation : float
        ``sum(T * r) / s``: the mean Pearson r (cosine similarity for ``metric="cosine"``) of
        the matched mass. This is the number to compare **across different s**: it asks how
        similar the matched parts are, whatever their size. NaN when ``s = 0`` and for the
        Euclidean metrics.
    row_mass : ndarray of shape (Nx,)
        Mass sent by each unit of X (``plan.sum(1)``), in ``[0, 1/Nx]``.
    col_mass : ndarray of shape (Ny,)
        Mass received by each unit of Y (``plan.sum(0)``), in ``[0, 1/Ny]``.
    matched_x : ndarray of bool, shape (Nx,)
        Units of X whose mass exceeds ``MATCH_TOL`` (1e-6) times their capacity ``1/Nx``.
    matched_y : ndarray of bool, shape (Ny,)
        Units of Y whose mass exceeds ``MATCH_TOL`` times their capacity ``1/Ny``.
    """

    s: float
    metric: str
    plan: np.ndarray
    cost: float
    score: float
    mean_correlation: float
    row_mass: np.ndarray
    col_mass: np.ndarray
    matched_x: np.ndarray
    matched_y: np.ndarray

    @classmethod
    def from_plan(cls, s: float, metric: str, plan: np.ndarray, cost: float) -> PartialMatch:
        """Builds the result from an optimal plan and its cost ``<T, C>``."""
        nx, ny = plan.shape
        row_mass = plan.sum(axis=1)
        col_mass = plan.sum(axis=0)
        if metric in ("correlation", "cosine") and s > 0:
            # sum(T * r) = sum(T * (1 - C)) = sum(T) - <T, C>
            mean_corr = (float(plan.sum()) - cost) / s
        else:
            mean_corr = float("nan")
        arrays = {
            "plan": plan,
            "row_mass": row_mass,
            "col_mass": col_mass,
            "matched_x": row_mass > MATCH_TOL / nx,
            "matched_y": col_mass > MATCH_TOL / ny,
        }
        for a in arrays.values():
            a.setflags(write=False)
        return cls(
            s=s,
            metric=metric,
            cost=cost,
            score=1.0 - cost,
            mean_correlation=mean_corr,
            **arrays,
        )

    def __repr__(self) -> str:
        nx, ny = self.plan.shape
        return (
            f"PartialMatch(s={self.s:.4g}, metric={self.metric!r}, score={self.score:.6f}, "
            f"cost={self.cost:.6f}, mean_correlation={self.mean_correlation:.6f}, "
            f"matched_x={int(self.matched_x.sum())}/{nx}, "
            f"matched_y={int(self.matched_y.sum())}/{ny})"
        )


@dataclass(frozen=True)
class Pair:
    """Two validated populations, their cost matrix and its mass path solved to s = 1."""

    x: np.ndarray
    y: np.ndarray
    c: np.ndarray
    path: Any
    metric: str
