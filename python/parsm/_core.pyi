"""Type stubs of the native module ``parsm._core`` (PyO3 bindings of the Rust core)."""

from typing import Callable, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "__version__",
    "METRICS",
    "ParsmError",
    "NonFiniteError",
    "EmptyInputError",
    "StimulusMismatchError",
    "ConstantUnitsError",
    "UnknownMetricError",
    "MassError",
    "MarginalError",
    "ShapeError",
    "ThreadCountError",
    "cost_matrix",
    "PreparedPopulation",
    "cost_matrix_between",
    "pairs_numbers",
    "pair_work",
    "unit_factors",
    "emd",
    "emd_sparse",
    "assignment",
    "partial",
    "available_memory",
    "pool_size",
    "default_dummies",
    "partial_sweep",
    "ablation_deltas",
    "subset_costs",
    "elbow",
    "elbow_paper",
    "elbow_notebook",
    "elbow_plateau",
    "held_out_corners",
    "MassPath",
    "Problem",
    "mass_paths",
    "path_solves_transposed",
    "Solution",
]

__version__: str
#: The metric names of the core's ``Metric`` enum, the default first.
METRICS: tuple[str, ...]

class ParsmError(ValueError): ...
class NonFiniteError(ParsmError): ...
class EmptyInputError(ParsmError): ...
class StimulusMismatchError(ParsmError): ...
class ConstantUnitsError(ParsmError): ...
class UnknownMetricError(ParsmError): ...
class MassError(ParsmError): ...
class MarginalError(ParsmError): ...
class ShapeError(ParsmError): ...
class ThreadCountError(ParsmError): ...

#: ``progress(done, total)``, called about ten times a second while a native call runs.
_Progress = Callable[[int, int], object] | None

@final
class Solution:
    """A solved transport problem. A solve that missed its optimum raises instead
    (``MarginalError`` when infeasible, ``RuntimeError`` when the certificate fails); only a
    caller's ``max_iter`` cap returns ``status="max_iter_reached"``."""

    @property
    def plan(self) -> npt.NDArray[np.float64]:
        """The ``nx x ny`` plan, or for :func:`emd_sparse` the flow on each given arc."""
    @property
    def cost(self) -> float:
        """``<plan, cost>``."""
    @property
    def u(self) -> npt.NDArray[np.float64]:
        """Row potentials (dummy rows last for partial transport)."""
    @property
    def v(self) -> npt.NDArray[np.float64]:
        """Column potentials (dummy columns last for partial transport)."""
    @property
    def status(self) -> str:
        """``"optimal"`` or ``"max_iter_reached"``."""
    @property
    def iterations(self) -> int:
        """Network-simplex pivots (0 for the assignment solver)."""

#: A cost matrix as the path solver takes it: float64, or float32 (exact for the stored values).
_Cost = npt.NDArray[np.float64] | npt.NDArray[np.float32]

def cost_matrix(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    metric: str,
    n_threads: int | None = None,
    progress: _Progress = None,
    dtype: str = "float64",
    constant_units: str = "reject",
) -> _Cost:
    """Cost between the columns of ``x`` (M x Nx) and ``y`` (M x Ny), stored as ``dtype``.

    ``constant_units="uncorrelated"`` gives units whose correlation (cosine) is undefined cost 1
    to every unit instead of an error."""

def unit_factors(
    z: npt.NDArray[np.float64], metric: str = "correlation"
) -> npt.NDArray[np.float64]:
    """The units of ``z`` (stimuli x units) prepared as ``metric`` prepares them, units x
    stimuli; constant units are zero rows."""

@final
class PreparedPopulation:
    """A population's unit factors for a metric (units x stimuli), checked and packed for the
    product kernel once, for every cost matrix it is a side of; pickles as its factors."""

    def __new__(
        cls, z: npt.NDArray[np.float64], metric: str = "correlation"
    ) -> PreparedPopulation: ...
    @staticmethod
    def from_factors(units: npt.NDArray[np.float64], metric: str) -> PreparedPopulation: ...
    @property
    def shape(self) -> tuple[int, int]: ...
    @property
    def metric(self) -> str: ...
    def factors(self) -> npt.NDArray[np.float64]: ...

def cost_matrix_between(
    a: PreparedPopulation,
    b: PreparedPopulation,
    n_threads: int | None = None,
    progress: _Progress = None,
    dtype: str = "float64",
) -> _Cost:
    """``cost_matrix`` between two prepared populations (rows ``a``'s units), the same bits as
    from their responses."""

def pairs_numbers(
    populations: list[PreparedPopulation],
    pairs: list[tuple[int, int]],
    s: float,
    with_soft: bool,
    match_tol: float,
    dtype: str = "float64",
    n_threads: int | None = None,
    progress: _Progress = None,
) -> list[tuple[float, int, int, float | None]]:
    """What ``pairwise`` reports of each pair ``(i, j)`` of ``populations`` (X first) at mass
    ``s``: ``(cost, matched units of X, matched units of Y, soft-matching cost or None)``,
    the pairs solved one after another in one call without the GIL."""

def pair_work(na: int, nb: int, m: int, with_soft: bool) -> int:
    """A pair's work (``na x nb`` units over ``m`` stimuli, roughly in multiply-adds): what
    ``pairwise`` cuts its pairs into chunks of equal work by."""

def emd(
    cost: npt.NDArray[np.float64],
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    max_iter: int | None = None,
    progress: _Progress = None,
) -> Solution:
    """Balanced transport."""

def emd_sparse(
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    costs: npt.NDArray[np.float64],
    shape: tuple[int, int],
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    max_iter: int | None = None,
    progress: _Progress = None,
) -> Solution:
    """Balanced transport on the arcs ``(rows[k], cols[k])`` only (every other pair is
    forbidden); the plan is the flow on each arc."""

def assignment(
    cost: npt.NDArray[np.float64], progress: _Progress = None
) -> tuple[npt.NDArray[np.uintp], float, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Exact optimal assignment of a square matrix: ``(col_of_row, total_cost, u, v)``."""

def partial(
    cost: npt.NDArray[np.float64],
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    m: float,
    n_dummies: int | None = None,
    max_iter: int | None = None,
    progress: _Progress = None,
) -> Solution:
    """Exact partial transport of mass ``m``.

    ``u`` and ``v`` cover the augmented problem: real nodes first, then the dummy points.
    """

def default_dummies(nx: int, ny: int) -> int:
    """Number of dummy points ``partial`` uses when ``n_dummies`` is None."""

def pool_size(n_threads: int | None = None) -> int:
    """The threads a call given ``n_threads`` runs on: ``n_threads``, or for None rayon's
    default (all cores, or ``RAYON_NUM_THREADS``)."""

def available_memory() -> int | None:
    """Bytes of memory available to this process (``MemAvailable``, or what the cgroup limit
    leaves if less); None where the platform does not say."""

_Vector = npt.NDArray[np.float64]

def partial_sweep(
    cost: npt.NDArray[np.float64],
    grid: _Vector,
    other_cost: npt.NDArray[np.float64] | None = None,
    n_threads: int | None = None,
    progress: _Progress = None,
) -> tuple[_Vector, _Vector]:
    """Network simplex at every mass of ``grid`` in parallel: ``(costs, <T(s), other_cost>)``."""

def ablation_deltas(
    cost: npt.NDArray[np.float64], n_threads: int | None = None, progress: _Progress = None
) -> tuple[_Vector, _Vector]:
    """Brute-force importance ``score_without - score_full`` of every unit of X and of Y."""

def subset_costs(
    cost: npt.NDArray[np.float64],
    subsets: list[tuple[list[int], list[int]]],
    n_threads: int | None = None,
    progress: _Progress = None,
) -> _Vector:
    """Balanced soft-matching cost of every ``(rows, cols)`` sub-population pair."""

def elbow(
    rule: str, grid: _Vector, cost: _Vector, knots_s: _Vector, knots_v: _Vector
) -> tuple[float, int | None]:
    """``(s0, grid index)`` by an in-sample rule ("paper", "notebook", "plateau" on the knots;
    index None for a knot)."""

def elbow_paper(cost: _Vector) -> int | None:
    """Index of argmax |second difference| (compact stencil); None below 3 points."""

def elbow_notebook(cost: _Vector) -> int | None:
    """Index of the authors' notebook rule (np.gradient twice, argmax, + 1, clamped)."""

def elbow_plateau(s: _Vector, cost: _Vector) -> int | None:
    """Knot index where a ramp-then-plateau fit of the slopes breaks; None if too few knots."""

def held_out_corners(
    gains: npt.NDArray[np.float64], sd: npt.NDArray[np.float64], z: float
) -> npt.NDArray[np.uintp]:
    """For each gain curve (a row of ``gains``), the first grid index after which no point
    rises above it by more than ``z * sd[i, j] + 1e-12``."""

@final
class MassPath:
    """The exact optimal-cost path ζ(s) of partial transport with uniform marginals."""

    def __new__(cls, cost: _Cost, s_max: float = 1.0, progress: _Progress = None) -> MassPath: ...
    @property
    def s_max(self) -> float:
        """Largest mass reached."""
    @property
    def n_augmentations(self) -> int:
        """Number of augmenting paths."""
    @property
    def shape(self) -> tuple[int, int]:
        """``(Nx, Ny)`` of the cost matrix the path was solved on."""
    def augmentation_ends(self) -> _Vector:
        """The mass at the end of each augmentation: between two (and from 0 to the first)
        the optimal plan is linear in the mass."""
    def breakpoints(self) -> tuple[_Vector, _Vector]:
        """``(s_k, zeta_k)``: the breakpoints of the optimal cost."""
    def breakpoints_to(self, s_max: float) -> tuple[_Vector, _Vector]:
        """The breakpoints up to ``s_max``, as a path solved only to ``s_max`` has them."""
    def evaluate(self, other: _Cost, grid: _Vector) -> _Vector:
        """``<T(s), other>`` for every ``s`` in ``grid``."""
    def project(
        self, left: npt.NDArray[np.float64], right: npt.NDArray[np.float64], grid: _Vector
    ) -> npt.NDArray[np.float64]:
        """``left.T @ T(s) @ right`` for every ``s`` in ``grid``: shape (len(grid), p, q)."""
    def inner(
        self, left: npt.NDArray[np.float64], right: npt.NDArray[np.float64], grid: _Vector
    ) -> _Vector:
        """``<T(s), left @ right.T>`` for every ``s`` in ``grid``."""
    def masses_at(self, s: float) -> tuple[_Vector, _Vector]:
        """``(row_masses, col_masses)`` of the optimal plan at ``s``, without the dense plan."""
    def plan_at(self, s: float) -> npt.NDArray[np.float64]:
        """The exact optimal plan at mass ``s``."""
    def unit_masses(self) -> list[_Vector]:
        """``[row_entry, row_full, col_entry, col_full]``; NaN beyond ``s_max``."""

@final
class Problem:
    """One solved comparison: the cost matrix (the array given, not copied), its metric and
    its mass path, checked to belong together, answering every question about them."""

    def __new__(
        cls, cost: _Cost, metric: str, s_max: float = 1.0, progress: _Progress = None
    ) -> Problem: ...
    @staticmethod
    def with_path(cost: _Cost, metric: str, path: MassPath) -> Problem:
        """The problem of ``cost`` with a path already solved on it (``ShapeError`` when the
        shapes differ)."""
    @property
    def cost(self) -> _Cost:
        """The cost matrix."""
    @property
    def metric(self) -> str:
        """The metric the costs were computed with."""
    @property
    def shape(self) -> tuple[int, int]:
        """``(Nx, Ny)``."""
    @property
    def s_max(self) -> float:
        """The largest mass the path reaches."""
    @property
    def path(self) -> MassPath:
        """The mass path (shared)."""
    def curve(self, grid: _Vector) -> _Vector:
        """The optimal cost at every mass of ``grid``."""
    def curve_on(self, other: _Cost, grid: _Vector) -> _Vector:
        """The plans at ``grid`` costed on ``other`` (same shape; held-out stimuli)."""
    def cost_at(self, s: float) -> float:
        """The optimal cost at ``s``."""
    def plan_at(self, s: float) -> npt.NDArray[np.float64]:
        """The exact optimal plan at ``s``."""
    def match_at(self, s: float) -> tuple[npt.NDArray[np.float64], float]:
        """``(plan, cost)`` at ``s``."""
    def soft_match(self, progress: _Progress = None) -> tuple[npt.NDArray[np.float64], float]:
        """``(plan, cost)`` of balanced soft matching (from the path when it reaches 1)."""
    def soft_cost(self, progress: _Progress = None) -> float:
        """The cost of balanced soft matching, without its plan."""
    def masses_at(self, s: float) -> tuple[_Vector, _Vector]:
        """``(row_masses, col_masses)`` at ``s``, without a dense plan."""
    def matched_at(self, s: float, tol: float) -> tuple[int, int]:
        """``(matched units of X, of Y)`` at ``s``: their mass exceeds ``tol`` of their own."""
    def unit_masses(self) -> list[_Vector]:
        """``[row_entry, row_full, col_entry, col_full]``."""
    def breakpoints_to(self, s_max: float) -> tuple[_Vector, _Vector]:
        """The breakpoints up to ``s_max``, as a path solved only to ``s_max`` has them."""
    def ranking(
        self, method: str, s: float
    ) -> tuple[npt.NDArray[np.uintp], npt.NDArray[np.uintp], _Vector, _Vector]:
        """``(order_x, order_y, values_x, values_y)``, best aligned first, by ``"path"``
        (entry masses) or ``"plan"`` (matched fractions at ``s``)."""
    def elbow(
        self, rule: str, grid: _Vector, curve: _Vector | None = None
    ) -> tuple[float, int | None]:
        """``(s0, index)`` by an in-sample rule of ``curve`` (default: the own curve)."""
    def ablation_deltas(
        self, n_threads: int | None = None, progress: _Progress = None
    ) -> tuple[_Vector, _Vector]:
        """Brute-force importance ``score_without - score_full`` of every unit."""

def mass_paths(
    costs: list[_Cost],
    s_max: float = 1.0,
    n_threads: int | None = None,
    progress: _Progress = None,
) -> list[MassPath]:
    """The mass paths of several cost matrices, solved in parallel (GIL released)."""

def path_solves_transposed(nx: int, ny: int) -> bool:
    """Whether the mass path of an ``nx x ny`` cost matrix is solved on a transposed copy (one
    more matrix while it is solved): with the longer side as rows from a ratio of 2 on, with
    the shorter below, never when ``nx == ny``; both orders of a pair then give the same
    path."""
