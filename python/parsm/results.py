"""Every result type parsm's public functions return, in one place: matchings, L-curves and
their share estimate, rankings, comparisons of one pair and of many. The functions that
compute them live in their own modules (:mod:`parsm.matching`, :mod:`parsm.curve`,
:mod:`parsm.share`, :mod:`parsm.ranking`, :mod:`parsm.comparison`, :mod:`parsm.pairs`), which
re-export their types under the same names."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, NamedTuple, Union

import numpy as np

from ._validation import as_fraction

__all__ = [
    "MATCH_TOL",
    "PartialMatch",
    "Pair",
    "ShareEstimate",
    "LCurve",
    "Amount",
    "UnitSelection",
    "UnitRanking",
    "KeepCurve",
    "Comparison",
    "FIELDS",
    "PairwiseResult",
]

#: A fraction of a side (float in [0, 1]) or a number of units (int).
Amount = Union[float, int]


def fraction_count(frac: float, n: int) -> int:
    """Units a fraction ``frac`` of ``n`` selects: rounded, at least one when positive."""
    return 0 if frac == 0 else min(n, max(1, int(round(frac * n))))


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
    """Two validated populations (stimuli x units) and their solved problem: the
    :class:`parsm._core.Problem` that owns their cost matrix, its metric and its mass path,
    and answers the curve, plan, match and ranking questions."""

    x: np.ndarray
    y: np.ndarray
    problem: Any

    @property
    def metric(self) -> str:
        """The metric of the cost matrix."""
        return str(self.problem.metric)


@dataclass(frozen=True, eq=False)
class ShareEstimate:
    """The held-out estimate of the matched share ``s0`` (see :mod:`parsm.share`).

    Attributes
    ----------
    s0 : float
        The smallest mass after which the held-out gain stops rising significantly; 0 means
        "no shared mass beyond chance", 1 "everything has a counterpart".
    interval : (float, float)
        90 % interval of ``s0`` (5th-95th percentile over perturbed gain curves).
    identifiable : bool
        False when the interval is wider than 0.1 (no clear corner).
    grid, gain : ndarray
        The held-out gain ``E(s)`` (mean held-out correlation mass of the fold plans, summed
        over pairs) on the grid of masses.
    gain_sd : ndarray
        The bound on the standard deviation of ``E(s) - E(0)`` under the null.
    folds : int
        Folds solved (of ``n_folds``).
    n_folds : int
    z : float
    """

    s0: float
    interval: tuple[float, float]
    identifiable: bool
    grid: np.ndarray
    gain: np.ndarray
    gain_sd: np.ndarray
    folds: int
    n_folds: int
    z: float

    def __repr__(self) -> str:
        lo, hi = self.interval
        clear = "" if self.identifiable else ", no clear corner"
        return (
            f"ShareEstimate(s0={self.s0:.3f}, 90% interval [{lo:.3f}, {hi:.3f}]{clear}; "
            f"{self.folds} of {self.n_folds} folds)"
        )


@dataclass(frozen=True, eq=False)
class LCurve:
    """An L-curve: the transport cost over a grid of matched masses, and its elbow ``s0``.

    Attributes
    ----------
    s : ndarray
        The grid of masses.
    cost : ndarray
        ``λ(s) = <T(s), C>``; with ``cv``, the cost of the training-fold plans on the held-out
        stimuli, averaged over folds.
    score : ndarray
        ``1 - cost``: the paper's score at every ``s``.
    mean_correlation : ndarray
        ``(s - cost) / s``: the mean Pearson r of the matched mass (NaN at ``s = 0`` and for
        Euclidean metrics).
    curvature : ndarray
        The centred second difference ``cost[i+1] - 2 cost[i] + cost[i-1]`` (NaN at the ends).
    elbow : str
        The rule that chose ``s0``: ``"heldout"``, ``"plateau"``, ``"paper"`` or
        ``"notebook"``.
    elbow_index : int
        The grid index of the elbow (the closest grid point for ``"plateau"``, whose ``s0``
        is an exact breakpoint of ζ, and for ``"heldout"``).
    s0 : float
        The matched share: the mass with a counterpart (see ``elbow``).
    cost_s0, score_s0 : float
        The (cross-validated, with ``cv``) cost and score at ``s0``: the numbers the paper
        reports for partial soft matching.
    unmatched_mass : float
        ``1 - s0``. The paper's Fig. 2 value "≈ 0.47" is this number (``s0 ≈ 0.53``).
    breakpoints : tuple of ndarray or None
        ``(s_k, ζ_k)``: the exact breakpoints of the in-sample optimal cost ζ, a convex
        piecewise-linear function (``method="path"`` only).
    metric, method : str
    cv : int or None
    s0_interval : (float, float) or None
        With ``elbow="heldout"``: the 90 % interval of ``s0`` (see :mod:`parsm.share`).
    s0_identifiable : bool or None
        With ``elbow="heldout"``: False when the curve has no clear corner (the interval is
        wider than 0.1); :func:`lcurve` then also warns (:class:`parsm.ShareWarning`).
    share : ShareEstimate or None
        With ``elbow="heldout"``: the held-out gain curve behind ``s0``.
    """

    s: np.ndarray
    cost: np.ndarray
    score: np.ndarray
    mean_correlation: np.ndarray
    curvature: np.ndarray
    elbow: str
    elbow_index: int
    s0: float
    cost_s0: float
    score_s0: float
    unmatched_mass: float
    breakpoints: tuple[np.ndarray, np.ndarray] | None
    metric: str
    method: str
    cv: int | None
    s0_interval: tuple[float, float] | None = None
    s0_identifiable: bool | None = None
    share: ShareEstimate | None = None

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draws the curve with its elbow; see :func:`parsm.plot.plot_lcurve`."""
        from .plot import plot_lcurve

        return plot_lcurve(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        cv = f", cv={self.cv}" if self.cv else ""
        interval = ""
        if self.s0_interval is not None:
            lo, hi = self.s0_interval
            interval = f" [{lo:.3f}, {hi:.3f}]" + ("" if self.s0_identifiable else " unclear")
        return (
            f"LCurve({len(self.s)} points, metric={self.metric!r}{cv}, elbow={self.elbow!r}: "
            f"s0={self.s0:.4f}{interval}, score_s0={self.score_s0:.4f}, "
            f"unmatched_mass={self.unmatched_mass:.4f})"
        )


class UnitSelection(NamedTuple):
    """Units picked on each side: positional indices (or labels), in ranking order."""

    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True, eq=False)
class UnitRanking:
    """The units of X and of Y ordered from best to worst aligned.

    Attributes
    ----------
    method : str
        ``"path"``, ``"plan"``, ``"bruteforce"`` or ``"correlation"`` (see :func:`rank_units`).
    metric : str
        The unit-to-unit cost.
    s : float
        The mass at which ``matched_x`` / ``matched_y`` are taken (the L-curve elbow ``s0``
        for ``s="auto"``).
    order_x, order_y : ndarray of int
        Unit indices, best aligned first.
    rank_x, rank_y : ndarray of int
        The position of every unit in the order (0 = best); the inverse of ``order_*``.
    values_x, values_y : ndarray of float
        What the order sorts, per unit: the entry mass (``"path"``, ascending), the matched
        fraction of the unit at ``s`` (``"plan"``, descending), the score change when the unit
        is removed, ``score_without - score_full`` (``"bruteforce"``, ascending: removing an
        important unit lowers the score), or the Pearson r between the unit and its
        transported counterpart (``"correlation"``, descending).
    entry_mass_x, entry_mass_y : ndarray of float
        The total mass ``s`` at which the unit starts to be matched along the exact mass path.
        A unit is matched at ``s`` exactly when its entry mass is below ``s``. Units with the
        lowest entry mass are the best aligned; this is the ``"path"`` ranking.
    full_mass_x, full_mass_y : ndarray of float
        The mass at which the unit becomes fully matched (all its capacity used).
    matched_x, matched_y : ndarray of bool
        Units matched by the exact partial plan at ``s``: their mass exceeds ``MATCH_TOL``
        (1e-6) times their capacity ``1/Nx`` or ``1/Ny``.
    labels_x, labels_y : ndarray
        Unit labels (voxel ids, channel names); the positional indices when none were given.
    """

    method: str
    metric: str
    s: float
    order_x: np.ndarray
    order_y: np.ndarray
    rank_x: np.ndarray
    rank_y: np.ndarray
    values_x: np.ndarray
    values_y: np.ndarray
    entry_mass_x: np.ndarray
    entry_mass_y: np.ndarray
    full_mass_x: np.ndarray
    full_mass_y: np.ndarray
    matched_x: np.ndarray
    matched_y: np.ndarray
    labels_x: np.ndarray
    labels_y: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """``(Nx, Ny)``."""
        return len(self.order_x), len(self.order_y)

    def counts(self, amount: Amount) -> tuple[int, int]:
        """How many units ``amount`` selects on each side: a float in [0, 1] is a fraction of
        the side (rounded, at least one unit when positive), an int is a count (capped)."""
        nx, ny = self.shape
        if isinstance(amount, (bool, np.bool_)):
            raise TypeError("amount must be a fraction (float in [0, 1]) or a count (int).")
        if isinstance(amount, numbers.Integral):
            if amount < 0:
                raise ValueError(f"the number of units must be >= 0; got {amount}.")
            return min(int(amount), nx), min(int(amount), ny)
        frac = as_fraction(amount, "frac")
        return fraction_count(frac, nx), fraction_count(frac, ny)

    def top(self, amount: Amount, *, labels: bool = False) -> UnitSelection:
        """The best-aligned units of each side, best first.

        Parameters
        ----------
        amount : float or int
            A fraction of each side (``0.1`` = the top 10 %) or a number of units.
        labels : bool, default False
            Return the units' labels instead of their positional indices.
        """
        kx, ky = self.counts(amount)
        return self._pick(self.order_x[:kx], self.order_y[:ky], labels)

    def bottom(self, amount: Amount, *, labels: bool = False) -> UnitSelection:
        """The worst-aligned units of each side, worst first; see :meth:`top`."""
        kx, ky = self.counts(amount)
        nx, ny = self.shape
        return self._pick(self.order_x[nx - kx :][::-1], self.order_y[ny - ky :][::-1], labels)

    def _pick(self, ix: np.ndarray, iy: np.ndarray, labels: bool) -> UnitSelection:
        if labels:
            return UnitSelection(self.labels_x[ix], self.labels_y[iy])
        return UnitSelection(ix.copy(), iy.copy())

    def __repr__(self) -> str:
        nx, ny = self.shape
        return (
            f"UnitRanking(method={self.method!r}, metric={self.metric!r}, s={self.s:.4f}, "
            f"matched_x={int(self.matched_x.sum())}/{nx}, "
            f"matched_y={int(self.matched_y.sum())}/{ny})"
        )


@dataclass(frozen=True, eq=False)
class KeepCurve:
    """Soft-matching score after keeping only the top fraction of each side's ranking.

    Attributes
    ----------
    fractions : ndarray
        The kept fractions.
    score : ndarray
        ``1 - cost`` of balanced soft matching refit on the kept units (the paper's Fig. 5/6).
    n_x, n_y : ndarray of int
        Number of units kept on each side.
    method, metric : str
        The ranking's method and the cost.
    """

    fractions: np.ndarray
    score: np.ndarray
    n_x: np.ndarray
    n_y: np.ndarray
    method: str
    metric: str

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draws the curve; see :func:`parsm.plot.plot_keep_curve`."""
        from .plot import plot_keep_curve

        return plot_keep_curve([self], ax=ax, **kwargs)


@dataclass(frozen=True, eq=False)
class Comparison:
    """The results of :func:`compare` and their JSON-ready ``summary``.

    Attributes
    ----------
    lcurve : LCurve
        The L-curve (the optimal transport cost against the matched mass ``s``) and the
        matched share ``s0`` with its interval.
    soft : PartialMatch
        Balanced soft matching (``s = 1``: every unit matched).
    partial : PartialMatch
        Partial soft matching at ``s`` (``s0`` with ``s="auto"``).
    ranking : UnitRanking
        Both populations' units from best to worst aligned, and which are matched at ``s``.
    summary : dict
        Everything ``summary.json`` holds: versions, inputs, shape, metric, ``s`` and its
        source, the unmatched mass, the L-curve's ``s0`` and interval, both matchings' scores,
        mean correlations and matched counts (and cross-validated scores with ``cv``).
    s0, s0_interval, s0_identifiable
        Shortcuts to the L-curve's share estimate (see :func:`parsm.lcurve`).
    """

    lcurve: LCurve
    soft: PartialMatch
    partial: PartialMatch
    ranking: UnitRanking
    summary: dict[str, Any]

    @property
    def s0(self) -> float:
        """The matched share: the mass with a counterpart beyond chance."""
        return self.lcurve.s0

    @property
    def s0_interval(self) -> tuple[float, float] | None:
        """The 90 % interval of ``s0`` (None for the in-sample elbow rules)."""
        return self.lcurve.s0_interval

    @property
    def s0_identifiable(self) -> bool | None:
        """False when the held-out gain curve has no clear corner."""
        return self.lcurve.s0_identifiable


#: The numbers each pair gets, as ``PairwiseResult.to_frame`` columns (after ``a`` and ``b``).
FIELDS = (
    "s",
    "s0",
    "s0_low",
    "s0_high",
    "s0_identifiable",
    "unmatched_mass",
    "score",
    "mean_correlation",
    "matched_a",
    "matched_b",
    "n_a",
    "n_b",
    "score_sm",
    "mean_correlation_sm",
    "cv_score",
    "cv_score_sm",
)


@dataclass(frozen=True, eq=False)
class PairwiseResult:
    """The comparisons of :func:`pairwise`.

    Attributes
    ----------
    names : list of str
        The populations, in input order; rows and columns of every matrix.
    pairs : list of (str, str)
        The pairs compared, as asked (``a`` is the first population of a pair, X in
        :func:`parsm.compare`).
    score, s, s0, unmatched_mass, score_sm, mean_correlation, cv_score, cv_score_sm : ndarray
        Square ``len(names) x len(names)`` matrices, symmetric, NaN where a pair was not
        compared (the diagonal, unless asked for). ``score`` is the partial soft-matching
        score at ``s``, ``s0`` the held-out share estimate (NaN when ``s`` was given),
        ``score_sm`` balanced soft matching, ``cv_*`` the cross-validated scores (NaN
        without ``cv``).
    records : list of dict
        One dict per pair: ``a``, ``b`` and every field of :data:`FIELDS`.
    metric : str
    cv : int or None
    """

    names: list[str]
    pairs: list[tuple[str, str]]
    score: np.ndarray
    s: np.ndarray
    s0: np.ndarray
    unmatched_mass: np.ndarray
    score_sm: np.ndarray
    mean_correlation: np.ndarray
    cv_score: np.ndarray
    cv_score_sm: np.ndarray
    records: list[dict[str, Any]]
    metric: str
    cv: int | None

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per pair (``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(
                "to_frame needs pandas; install it with pip install 'parsm[pandas]'."
            ) from exc
        return pd.DataFrame.from_records(self.records, columns=["a", "b", *FIELDS])

    def plot(self, *, what: str = "score", **kwargs: Any) -> Any:
        """Heatmap of a matrix (``what``, default the score) with the populations' names, and
        a classical MDS map of the populations from ``1 - score``; see
        :func:`parsm.plot.plot_pairwise`."""
        from .plot import plot_pairwise

        return plot_pairwise(self, what=what, **kwargs)

    def __repr__(self) -> str:
        return (
            f"PairwiseResult({len(self.names)} populations, {len(self.pairs)} pairs, "
            f"metric={self.metric!r}" + (f", cv={self.cv}" if self.cv else "") + ")"
        )
