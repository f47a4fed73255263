"""scikit-learn-style estimators: fit a matching on training stimuli, score held-out ones.

They follow sklearn's conventions (constructor parameters stored as given, ``get_params`` /
``set_params``, fitted attributes with a trailing underscore) without depending on it, so they
fit into netrep- and sklearn-style cross-validation loops over stimuli.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core
from ._validation import as_mass_or_auto, as_n_threads, as_populations
from .curve import DEFAULT_ELBOW, LCurve, check_elbow, lcurve_on, mass_grid
from .matching import _check_metric, cost_matrix, match_on
from .ranking import labels_of, rank_on
from .results import Pair

__all__ = ["PartialSoftMatching", "SoftMatching"]


class PartialSoftMatching:
    """Partial soft matching as an estimator.

    Parameters
    ----------
    s : float in [0, 1] or "auto", default "auto"
        The matched mass; ``"auto"`` takes the elbow ``s0`` of the training L-curve.
    metric : str, default "correlation"
        The unit-to-unit cost (see :func:`parsm.cost_matrix`).
    grid : int, default 200
        Points of the L-curve grid.
    elbow : str, default "heldout"
        The rule for ``s0`` with ``s="auto"`` (see :func:`parsm.lcurve`); ``"heldout"`` splits
        the training stimuli into folds once more.
    n_threads : int, optional
        Threads for the cost matrices.

    Attributes
    ----------
    s_ : float
        The matched mass used.
    plan_ : ndarray of shape (Nx, Ny)
        The optimal plan on the training stimuli.
    match_ : PartialMatch
        The full training result (cost, score, masses, masks).
    lcurve_ : LCurve
        The training L-curve.
    ranking_ : UnitRanking
        The units ranked on the training stimuli (path method, masks at ``s_``).

    Examples
    --------
    >>> import numpy as np, parsm
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 30))
    >>> Y = np.hstack([X[:, :20] + 0.5 * rng.standard_normal((200, 20)),
    ...                rng.standard_normal((200, 10))])
    >>> est = parsm.PartialSoftMatching(s=2 / 3).fit(X[:150], Y[:150])
    >>> bool(est.score(X[150:], Y[150:]) > parsm.SoftMatching().fit_score(
    ...     X[:150], Y[:150], X[150:], Y[150:]))
    True
    """

    def __init__(
        self,
        s: float | str = "auto",
        metric: str = "correlation",
        grid: int = 200,
        elbow: str = DEFAULT_ELBOW,
        n_threads: int | None = None,
    ) -> None:
        self.s = s
        self.metric = metric
        self.grid = grid
        self.elbow = elbow
        self.n_threads = n_threads

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters (sklearn convention)."""
        return {k: getattr(self, k) for k in ("s", "metric", "grid", "elbow", "n_threads")}

    def set_params(self, **params: Any) -> PartialSoftMatching:
        """Sets constructor parameters (sklearn convention)."""
        for k, v in params.items():
            if k not in self.get_params():
                raise ValueError(f"unknown parameter {k!r} for {type(self).__name__}.")
            setattr(self, k, v)
        return self

    def __sklearn_tags__(self) -> Any:
        """Tags for scikit-learn >= 1.6 (only sklearn calls this, so it is installed): Y is a
        required two-dimensional target, and nothing is a classifier or regressor."""
        from sklearn.utils import Tags, TargetTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=True, two_d_labels=True, single_output=False),
        )

    def fit(self, X: npt.ArrayLike, Y: npt.ArrayLike) -> PartialSoftMatching:
        """Fits the plan on the responses ``X`` (M x Nx) and ``Y`` (M x Ny); returns self.

        One cost matrix and one mass-path solve give the L-curve, the plan at ``s_`` and the
        ranking.
        """
        s_param = as_mass_or_auto(self.s)
        check_elbow(self.elbow)
        grid = mass_grid(self.grid)
        x, y, c, metric, n_threads = self._prepare(X, Y)
        lc, problem = lcurve_on(
            x,
            y,
            c,
            grid,
            metric=metric,
            elbow=self.elbow,
            n_threads=n_threads,
            progress=False,
            warn=s_param == "auto",  # a given s does not depend on the share estimate
        )
        s = lc.s0 if s_param == "auto" else float(s_param)
        return self._set_fitted(Pair(x, y, problem), s, lc)

    def _prepare(
        self, X: npt.ArrayLike, Y: npt.ArrayLike
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, str, int | None]:
        metric = _check_metric(self.metric)
        x, y = as_populations(X, Y)
        n_threads = as_n_threads(self.n_threads)
        return x, y, cost_matrix(x, y, metric, n_threads=n_threads), metric, n_threads

    def _set_fitted(self, pair: Pair, s: float, lc: LCurve | None) -> PartialSoftMatching:
        n_threads = as_n_threads(self.n_threads)
        self.match_ = match_on(pair.problem, s)
        self.plan_ = self.match_.plan
        self.s_ = s
        self.lcurve_ = lc
        nx, ny = pair.problem.shape
        self.ranking_ = rank_on(
            pair,
            s,
            labels=(labels_of(None, nx, "labels_x"), labels_of(None, ny, "labels_y")),
            n_threads=n_threads,
        )
        return self

    def score(self, X: npt.ArrayLike, Y: npt.ArrayLike) -> float:
        """The fitted plan's score ``1 - <T, C>`` on (held-out) stimuli ``X`` and ``Y``.

        The cost matrix is recomputed on these stimuli (the correlation cost re-centres them
        with their own means), as the paper's cross-validation does. The units must be those
        of the fit, in the same order.
        """
        if not hasattr(self, "plan_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet; call fit(X, Y) first.")
        x, y = as_populations(X, Y)
        if (x.shape[1], y.shape[1]) != self.plan_.shape:
            raise ValueError(
                f"the estimator was fit on {self.plan_.shape[0]} x {self.plan_.shape[1]} units "
                f"but X and Y have {x.shape[1]} and {y.shape[1]}; score the same units "
                "(rows of X and Y are stimuli)."
            )
        c = cost_matrix(x, y, self.metric, n_threads=self.n_threads)
        return float(1.0 - np.sum(self.plan_ * c))

    def fit_score(
        self,
        X_train: npt.ArrayLike,
        Y_train: npt.ArrayLike,
        X_test: npt.ArrayLike,
        Y_test: npt.ArrayLike,
    ) -> float:
        """Fits on the training stimuli and scores the test stimuli."""
        return self.fit(X_train, Y_train).score(X_test, Y_test)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"


class SoftMatching(PartialSoftMatching):
    """Balanced soft matching (every unit matched, ``s = 1``) as an estimator.

    Same interface and fitted attributes as :class:`PartialSoftMatching`, with ``s_ = 1``
    and ``lcurve_ = None``.
    """

    def __init__(self, metric: str = "correlation", n_threads: int | None = None) -> None:
        super().__init__(s=1.0, metric=metric, n_threads=n_threads)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"metric": self.metric, "n_threads": self.n_threads}

    def fit(self, X: npt.ArrayLike, Y: npt.ArrayLike) -> SoftMatching:
        """Fits the balanced plan; returns self."""
        x, y, c, metric, _n_threads = self._prepare(X, Y)
        self._set_fitted(Pair(x, y, _core.Problem(c, metric, 1.0)), 1.0, None)
        return self
