"""Synthetic populations and the paper's simulation tasks (Kapoor et al., ICLR 2026, §3, A1.3).

The recipe follows the authors' description (see ``shared/reference/authors-code.md``): a shared
orthonormal latent basis ``F`` (QR of a stimuli x factors Gaussian matrix), a shared sparse
uniform mask ``S = U(0, 1) > 0.9`` over factors x units, and for each population fresh
Gaussian weights ``W``: a population is ``F @ (S * W)``. Noise units are standard-normal columns
appended to a population. The published generator draws the mask as ``randn > 0.9``, which
does *not* reproduce the paper's numbers; the uniform mask does.

A unit whose mask column is empty is all zero; parsm rejects such units under the correlation
cost. Use :func:`parsm.drop_constant_units` before comparing, as the authors do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "LatentStructure",
    "latent_structure",
    "synthetic_population",
    "add_noise_units",
    "ModelSelectionTask",
    "model_selection_task",
    "SpuriousUnitsTask",
    "spurious_units_task",
]


@dataclass(frozen=True)
class LatentStructure:
    """What populations of one simulation share.

    Attributes
    ----------
    basis : ndarray of shape (n_stimuli, n_factors)
        Orthonormal latent responses ``F``.
    mask : ndarray of bool, shape (n_factors, n_units)
        Which factors drive each unit, ``S``.
    """

    basis: np.ndarray
    mask: np.ndarray


def latent_structure(
    n_units: int = 100,
    *,
    n_stimuli: int = 1000,
    n_factors: int = 50,
    density: float = 0.1,
    rng: np.random.Generator | int | None = None,
) -> LatentStructure:
    """Draws the shared basis ``F`` and mask ``S`` (a unit uses each factor with probability
    ``density``)."""
    rng = np.random.default_rng(rng)
    basis, _ = np.linalg.qr(rng.standard_normal((n_stimuli, n_factors)))
    mask = rng.uniform(size=(n_factors, n_units)) > 1.0 - density
    return LatentStructure(basis=basis, mask=mask)


def synthetic_population(
    structure: LatentStructure, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """One population ``F @ (S * W)`` with fresh standard-normal weights ``W``.

    Returns
    -------
    ndarray of shape (n_stimuli, n_units)
    """
    rng = np.random.default_rng(rng)
    weights = rng.standard_normal(structure.mask.shape)
    return structure.basis @ (structure.mask * weights)


def add_noise_units(
    X: np.ndarray, n_noise: int, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """Appends ``n_noise`` standard-normal units (columns) to ``X``."""
    rng = np.random.default_rng(rng)
    return np.hstack([X, rng.standard_normal((X.shape[0], n_noise))])


@dataclass(frozen=True)
class ModelSelectionTask:
    """The paper's model-selection task: which of ``Ya`` and ``Yb`` is closer to ``X``?

    ``X`` has 100 signal units. ``Ya`` holds a counterpart for every unit of X (100 signal units)
    plus 60 noise units; ``Yb`` holds counterparts for only 80 of them (the last 80 signal units
    of a fresh population) plus 20 noise units. ``Ya`` is the right answer: balanced soft
    matching picks ``Yb`` (paper: 0.339 vs 0.415), partial matching at the L-curve elbow picks
    ``Ya`` (0.715 vs 0.645).
    """

    X: np.ndarray
    Ya: np.ndarray
    Yb: np.ndarray


def model_selection_task(seed: int = 0) -> ModelSelectionTask:
    """Draws one instance of the model-selection task (1000 stimuli, 50 factors)."""
    rng = np.random.default_rng(seed)
    structure = latent_structure(100, rng=rng)
    X = synthetic_population(structure, rng)
    Ya = add_noise_units(synthetic_population(structure, rng), 60, rng)
    Yb = add_noise_units(synthetic_population(structure, rng)[:, 20:], 20, rng)
    return ModelSelectionTask(X=X, Ya=Ya, Yb=Yb)


@dataclass(frozen=True)
class SpuriousUnitsTask:
    """The paper's spurious-units task (Fig. 2): X = 100 signal + 20 noise units, Y = 100
    signal + 90 noise units. The true matched share of Y's mass is 100/190 ≈ 0.526.

    Attributes
    ----------
    X, Y : ndarray
        Responses (1000 stimuli x units); signal units first.
    signal_x, signal_y : ndarray of bool
        Which units carry signal.
    """

    X: np.ndarray
    Y: np.ndarray
    signal_x: np.ndarray
    signal_y: np.ndarray


def spurious_units_task(
    seed: int = 0, n_noise_x: int = 20, n_noise_y: int = 90
) -> SpuriousUnitsTask:
    """Draws one instance of the spurious-units task."""
    rng = np.random.default_rng(seed)
    structure = latent_structure(100, rng=rng)
    X = add_noise_units(synthetic_population(structure, rng), n_noise_x, rng)
    Y = add_noise_units(synthetic_population(structure, rng), n_noise_y, rng)
    signal_x = np.arange(X.shape[1]) < 100
    signal_y = np.arange(Y.shape[1]) < 100
    return SpuriousUnitsTask(X=X, Y=Y, signal_x=signal_x, signal_y=signal_y)
