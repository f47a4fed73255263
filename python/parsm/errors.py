"""parsm's exceptions.

Errors found by the Rust core are raised as subclasses of :class:`ParsmError`, which is a
``ValueError`` (so ``except ValueError`` still catches them):

======================== ===========================================================
``NonFiniteError``        NaN or infinite values
``EmptyInputError``       no stimuli or no units
``StimulusMismatchError`` the populations have different numbers of stimuli
``ConstantUnitsError``    units whose correlation or cosine is undefined
``UnknownMetricError``    a metric parsm does not know
``MassError``             a mass ``s`` (or ``m``) outside what the problem allows
``MarginalError``         negative, mis-sized or unbalanced marginal weights
``ShapeError``            an array of the wrong shape, an index out of range
``ThreadCountError``      a bad thread count
======================== ===========================================================

A matrix that cannot fit in memory raises ``MemoryError``; a failed optimality certificate
(a bug) raises ``RuntimeError``; :class:`parsm.ShareWarning` warns when the matched share has no
clear corner.
"""

from __future__ import annotations

from ._core import (
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

__all__ = [
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
