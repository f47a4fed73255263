"""The scenarios of ``benches/share_estimation.py``: populations with a planted share of units
that have a counterpart, and the true matched share.

Every scenario is a function ``(seed) -> (X, Y, truth)``. A scenario plants *true edges*
between units of X and units of Y (one-to-one pairs, or one-to-many copies); the truth is the
largest mass a plan with row sums ``1/Nx`` and column sums ``1/Ny`` can carry on true edges
(a max-flow; for ``k`` one-to-one pairs it is ``min(k/Nx, k/Ny)``). Units without an edge
respond to things the other population does not see.

Tuning families:

- ``gauss``: Gaussian latent signals; a pair shares one signal, each unit adds its own noise
  so that the pair's correlation is ``rho``.
- ``t3``: the same with Student-t (3 degrees of freedom) signals and noise: heavy tails.
- ``relu``: the same passed through ``max(z - 1, 0)``: sparse, non-negative responses, with
  units that are silent on many stimuli.
- ``vonmises``: smooth tuning to an angle. Paired units share a preferred angle of one
  stimulus variable; unpaired units of X and of Y are tuned to two other, independent
  variables (so unpaired units are strongly correlated with each other within a population).
- ``lowrank``: Gaussian pairs, and unpaired units driven by a rank-3 noise shared within their
  population (independent between X and Y).
- ``paper``: the paper's latent recipe (``parsm.datasets``), noise units appended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Population = tuple[np.ndarray, np.ndarray, float]


def max_share(edges: np.ndarray) -> float:
    """The largest mass a plan with uniform marginals can carry on the true ``edges``
    (a boolean Nx x Ny matrix): ``1 - W`` for the balanced transport cost ``W`` of
    ``1 - edges``."""
    import ot

    nx, ny = edges.shape
    cost = 1.0 - edges.astype(np.float64)
    return float(1.0 - ot.emd2(np.full(nx, 1.0 / nx), np.full(ny, 1.0 / ny), cost))


def _draw(kind: str, rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    if kind == "t3":
        return rng.standard_t(3, shape) / np.sqrt(3.0)
    return rng.standard_normal(shape)


def _unpaired(kind: str, rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    if kind == "lowrank":
        return rng.standard_normal((m, 3)) @ rng.standard_normal((3, n)) + 0.5 * (
            rng.standard_normal((m, n))
        )
    return _draw(kind, rng, (m, n))


def _finish(kind: str, z: np.ndarray) -> np.ndarray:
    return np.maximum(z - 1.0, 0.0) if kind == "relu" else z


def planted(
    seed: int,
    *,
    m: int,
    nx: int,
    ny: int,
    k: int,
    rho: float | tuple[float, float] = 0.6,
    kind: str = "gauss",
    copies: int = 1,
) -> Population:
    """``k`` units of X, each with ``copies`` counterparts in Y (the first ``k * copies``
    units of Y), correlated at ``rho`` (or at a level drawn uniformly from the range ``rho``
    per unit: graded similarity). Columns of Y are shuffled."""
    rng = np.random.default_rng(seed)
    if kind == "vonmises":
        return _vonmises(rng, m=m, nx=nx, ny=ny, k=k, copies=copies)
    if isinstance(rho, tuple):
        r = rng.uniform(rho[0], rho[1], size=k)
    else:
        r = np.full(k, float(rho))
    signal = _draw(kind, rng, (m, k))

    def noisy(s: np.ndarray) -> np.ndarray:
        # corr(x, y) = rho when both are sqrt(rho) s + sqrt(1 - rho) noise.
        return np.sqrt(r) * s + np.sqrt(1.0 - r) * _draw(kind, rng, s.shape)

    x = np.hstack([noisy(signal), _unpaired(kind, rng, m, nx - k)])
    y_paired = np.hstack([noisy(signal) for _ in range(copies)])
    y = np.hstack([y_paired, _unpaired(kind, rng, m, ny - k * copies)])
    edges = np.zeros((nx, ny), dtype=bool)
    for c in range(copies):
        edges[np.arange(k), c * k + np.arange(k)] = True
    perm = rng.permutation(ny)
    return _finish(kind, x), _finish(kind, y)[:, perm], max_share(edges[:, perm])


def _vonmises(
    rng: np.random.Generator, *, m: int, nx: int, ny: int, k: int, copies: int
) -> Population:
    angles = rng.uniform(0, 2 * np.pi, size=(m, 3))

    def tuned(var: int, pref: np.ndarray, kappa: float = 2.0, noise: float = 0.25) -> np.ndarray:
        base = np.exp(kappa * (np.cos(angles[:, [var]] - pref[None, :]) - 1.0))
        return base + noise * rng.standard_normal((m, len(pref)))

    pref = rng.uniform(0, 2 * np.pi, size=k)
    x = np.hstack([tuned(0, pref), tuned(1, rng.uniform(0, 2 * np.pi, nx - k))])
    y = np.hstack(
        [tuned(0, pref) for _ in range(copies)]
        + [tuned(2, rng.uniform(0, 2 * np.pi, ny - k * copies))]
    )
    # Every unit tuned to the shared variable can carry mass to every other one.
    edges = np.zeros((nx, ny), dtype=bool)
    edges[:k, : k * copies] = True
    perm = rng.permutation(ny)
    return x, y[:, perm], max_share(edges[:, perm])


def copy_of_x(seed: int, *, m: int = 200, n: int = 300) -> Population:
    """Y is X with its units permuted: full correspondence, exactly."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((m, n))
    return x, x[:, rng.permutation(n)], 1.0


def shuffled_structure(seed: int, *, m: int = 300, n: int = 200) -> Population:
    """Two populations of the paper's latent recipe (rich shared structure), the stimuli of
    Y shuffled: no correspondence, strongly correlated units within each population."""
    from parsm import datasets

    rng = np.random.default_rng(seed)
    structure = datasets.latent_structure(n, n_stimuli=m, rng=rng)
    x = datasets.synthetic_population(structure, rng)
    y = datasets.synthetic_population(structure, rng)[rng.permutation(m)]
    keep_x, keep_y = x.std(axis=0) > 0, y.std(axis=0) > 0
    return x[:, keep_x], y[:, keep_y], 0.0


def structured_share(
    seed: int, *, m: int = 300, n: int = 150, k: int = 60, noise: float = 0.8, shuffled: bool
) -> Population:
    """Structured populations like real networks' (the paper's latent recipe: a few dozen shared
    factors, so units are strongly correlated within a population). Y holds noisy copies
    (``noise`` 0.8: correlation about 0.6) of ``k`` units of X; its other units are either X's
    remaining units with Y's stimuli shuffled (``shuffled``: same response statistics, no
    correspondence) or a population of an independent latent structure."""
    from parsm import datasets

    rng = np.random.default_rng(seed)
    structure = datasets.latent_structure(n, n_stimuli=m, rng=rng)
    x = datasets.synthetic_population(structure, rng)
    x = x[:, x.std(axis=0) > 0]
    x = x / x.std(axis=0)
    n = x.shape[1]
    copies = x[:, :k] + noise * rng.standard_normal((m, k))
    if shuffled:
        rest = x[rng.permutation(m), k:]
    else:
        other = datasets.latent_structure(n - k, n_stimuli=m, rng=rng)
        rest = datasets.synthetic_population(other, rng)
        rest = rest[:, rest.std(axis=0) > 0]
    y = np.hstack([copies, rest])
    return x, y[:, rng.permutation(y.shape[1])], min(k / n, k / y.shape[1])


def _paper(task: str) -> Callable[[int], Population]:
    def make(seed: int) -> Population:
        import parsm
        from parsm import datasets

        if task == "spurious":
            t = datasets.spurious_units_task(seed)
            x, y, truth = t.X, t.Y, 100 / 190
        else:
            t = datasets.model_selection_task(seed)
            x, truth = t.X, (100 / 160 if task == "Ya" else 80 / 100)
            y = t.Ya if task == "Ya" else t.Yb
        return parsm.drop_constant_units(x)[0], parsm.drop_constant_units(y)[0], truth

    return make


@dataclass(frozen=True)
class Scenario:
    """A named scenario and its group (``null``, ``full`` or ``partial``)."""

    name: str
    group: str
    make: Callable[[int], Population]


def _p(name: str, group: str, **kw: object) -> Scenario:
    return Scenario(name, group, lambda seed: planted(seed, **kw))  # type: ignore[arg-type]


SCENARIOS: list[Scenario] = [
    # No correspondence: the answer is 0.
    _p("null gauss M=30", "null", m=30, nx=200, ny=200, k=0),
    _p("null gauss M=100", "null", m=100, nx=100, ny=100, k=0),
    _p("null gauss M=500", "null", m=500, nx=300, ny=300, k=0),
    _p("null gauss M=1000 400x100", "null", m=1000, nx=400, ny=100, k=0),
    _p("null t3 M=100", "null", m=100, nx=200, ny=200, k=0, kind="t3"),
    _p("null relu M=100", "null", m=100, nx=200, ny=200, k=0, kind="relu"),
    _p("null vonmises M=200", "null", m=200, nx=200, ny=200, k=0, kind="vonmises"),
    _p("null lowrank M=100", "null", m=100, nx=200, ny=200, k=0, kind="lowrank"),
    _p("null 50x500 M=100", "null", m=100, nx=50, ny=500, k=0),
    Scenario("null shuffled structure M=300", "null", shuffled_structure),
    # Full correspondence: the answer is 1.
    Scenario("copy of X", "full", copy_of_x),
    _p("full gauss rho=0.8 M=100", "full", m=100, nx=200, ny=200, k=200, rho=0.8),
    _p("full gauss rho=0.5 M=300", "full", m=300, nx=300, ny=300, k=300, rho=0.5),
    _p("full gauss rho=0.9 M=30", "full", m=30, nx=100, ny=100, k=100, rho=0.9),
    _p("full t3 rho=0.7 M=100", "full", m=100, nx=200, ny=200, k=200, rho=0.7, kind="t3"),
    _p("full relu rho=0.8 M=200", "full", m=200, nx=200, ny=200, k=200, rho=0.8, kind="relu"),
    _p("full vonmises M=100", "full", m=100, nx=150, ny=150, k=150, kind="vonmises"),
    _p("full one-to-three M=200", "full", m=200, nx=100, ny=300, k=100, rho=0.7, copies=3),
    # Partial correspondence.
    _p("gauss rho=0.5 M=100 share 0.5", "partial", m=100, nx=100, ny=100, k=50, rho=0.5),
    _p("gauss rho=0.7 M=200 share 0.2", "partial", m=200, nx=300, ny=300, k=60, rho=0.7),
    _p("gauss rho=0.7 M=200 share 0.8", "partial", m=200, nx=300, ny=300, k=240, rho=0.7),
    _p("gauss rho=0.9 M=1000 share 0.3", "partial", m=1000, nx=200, ny=200, k=60, rho=0.9),
    _p("weak rho=0.3 M=1000 share 0.5", "partial", m=1000, nx=300, ny=300, k=150, rho=0.3),
    _p("weak rho=0.4 M=300 share 0.4", "partial", m=300, nx=250, ny=250, k=100, rho=0.4),
    _p(
        "graded rho 0.4-0.9 M=200 share 0.6",
        "partial",
        m=200,
        nx=200,
        ny=200,
        k=120,
        rho=(0.4, 0.9),
    ),
    _p(
        "graded rho 0.3-0.9 M=1000 share 0.4",
        "partial",
        m=1000,
        nx=250,
        ny=250,
        k=100,
        rho=(0.3, 0.9),
    ),
    _p("t3 rho=0.6 M=100 share 0.5", "partial", m=100, nx=200, ny=200, k=100, rho=0.6, kind="t3"),
    _p(
        "relu rho=0.7 M=100 share 0.5",
        "partial",
        m=100,
        nx=200,
        ny=200,
        k=100,
        rho=0.7,
        kind="relu",
    ),
    _p(
        "relu rho=0.8 M=300 share 0.3", "partial", m=300, nx=300, ny=300, k=90, rho=0.8, kind="relu"
    ),
    _p("vonmises M=200 share 0.5", "partial", m=200, nx=200, ny=200, k=100, kind="vonmises"),
    _p("vonmises M=100 share 0.7", "partial", m=100, nx=150, ny=150, k=105, kind="vonmises"),
    _p(
        "lowrank noise M=100 share 0.5",
        "partial",
        m=100,
        nx=200,
        ny=200,
        k=100,
        rho=0.7,
        kind="lowrank",
    ),
    _p("M=30 rho=0.8 share 0.5", "partial", m=30, nx=200, ny=200, k=100, rho=0.8),
    _p("M=50 rho=0.7 share 0.6", "partial", m=50, nx=150, ny=150, k=90, rho=0.7),
    _p("Nx<<Ny 100x800 all of X paired", "partial", m=100, nx=100, ny=800, k=100, rho=0.6),
    _p("Nx<<Ny 100x400 half of X paired", "partial", m=200, nx=100, ny=400, k=50, rho=0.6),
    _p("Nx>>Ny 800x100 all of Y paired", "partial", m=300, nx=800, ny=100, k=100, rho=0.6),
    _p("Nx>>Ny 400x200 all of Y paired", "partial", m=200, nx=400, ny=200, k=200, rho=0.6),
    _p("one-to-two 60 of 150 M=200", "partial", m=200, nx=150, ny=300, k=60, rho=0.7, copies=2),
    Scenario(
        "structured, rest stimulus-shuffled",
        "partial",
        lambda seed: structured_share(seed, shuffled=True),
    ),
    Scenario(
        "structured, rest another structure",
        "partial",
        lambda seed: structured_share(seed, shuffled=False),
    ),
    Scenario(
        "structured M=80 rho=0.5, rest shuffled",
        "partial",
        lambda seed: structured_share(seed, m=80, k=90, noise=1.0, shuffled=True),
    ),
    Scenario("paper spurious units", "partial", _paper("spurious")),
    Scenario("paper model selection Ya", "partial", _paper("Ya")),
    Scenario("paper model selection Yb", "partial", _paper("Yb")),
]
