"""parsm: exact partial optimal transport for comparing neural populations unit by unit.

The partial soft-matching distance (Kapoor, Williams & Khosla, ICLR 2026) matches a fraction
``s`` of the units of two populations ``X`` (stimuli x Nx) and ``Y`` (stimuli x Ny) at least
cost, leaving units without a counterpart unmatched. parsm solves it exactly in Rust.

Main functions
--------------
partial_soft_match(X, Y, s)   exact partial matching of mass s -> PartialMatch
soft_match(X, Y)              the balanced soft-matching distance (s = 1)
cost_matrix(X, Y, metric)     the unit-to-unit costs
lcurve(X, Y)                  the exact L-curve and the matched share s0 with its interval
cv_score(X, Y, s, cv=5)       the paper's cross-validated score
rank_units(X, Y)              units of both sides from best to worst aligned
keep_score_curve(X, Y, r)     the score after keeping each ranking's top units
compare(X, Y)                 all of the above in one call (what `parsm compare` runs)
pairwise(populations)         every pair of many populations, on threads or a Dask cluster
PartialSoftMatching()         an estimator: fit on training stimuli, score held-out ones

``parsm.ot`` mirrors POT's ``emd``, ``emd2``, ``dist`` and ``partial`` calls.
"""

from . import datasets, ot
from ._core import __version__
from .comparison import Comparison, compare
from .crossval import cv_score
from .curve import DEFAULT_ELBOW, ELBOW_RULES, LCurve, lcurve
from .errors import (
    ConstantUnitsError,
    EmptyInputError,
    MarginalError,
    MassError,
    NonFiniteError,
    ParsmError,
    ShapeError,
    StimulusMismatchError,
    ThreadCountError,
    UnknownMetricError,
)
from .estimators import PartialSoftMatching, SoftMatching
from .io import load_responses
from .matching import METRICS, cost_matrix, partial_soft_match, soft_match
from .pairs import PairwiseResult, pairwise
from .preprocessing import constant_units, drop_constant_units
from .ranking import (
    RANK_METHODS,
    KeepCurve,
    UnitRanking,
    UnitSelection,
    keep_score_curve,
    rank_units,
)
from .results import MATCH_TOL, PartialMatch
from .share import ShareEstimate, ShareWarning

__all__ = [
    "__version__",
    "METRICS",
    "MATCH_TOL",
    "PartialMatch",
    "cost_matrix",
    "partial_soft_match",
    "soft_match",
    "ot",
    "datasets",
    "cv_score",
    "lcurve",
    "LCurve",
    "ELBOW_RULES",
    "DEFAULT_ELBOW",
    "ShareEstimate",
    "ShareWarning",
    "constant_units",
    "drop_constant_units",
    "rank_units",
    "keep_score_curve",
    "UnitRanking",
    "UnitSelection",
    "KeepCurve",
    "RANK_METHODS",
    "PartialSoftMatching",
    "SoftMatching",
    "compare",
    "Comparison",
    "pairwise",
    "PairwiseResult",
    "load_responses",
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
]
