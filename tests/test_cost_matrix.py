"""cost_matrix and parsm.ot.dist agree with scipy's cdist and POT's dist."""

from __future__ import annotations

import numpy as np
import ot
import pytest
from conftest import population
from scipy.spatial.distance import cdist

import parsm


@pytest.mark.parametrize("metric", parsm.METRICS)
def test_matches_scipy_cdist(rng, metric):
    X = population(rng, 40, 90)
    Y = population(rng, 40, 70)
    Y[:, 3] = X[:, 8]  # a duplicate: distance exactly 0 after clamping
    C = parsm.cost_matrix(X, Y, metric)
    ref = np.maximum(cdist(X.T, Y.T, metric), 0.0)
    np.testing.assert_allclose(C, ref, rtol=1e-12, atol=1e-12)
    assert C.min() >= 0.0
    assert C[8, 3] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("metric", parsm.METRICS)
def test_ot_dist_matches_pot(rng, metric):
    x1 = rng.standard_normal((50, 7))
    x2 = rng.standard_normal((60, 7))
    np.testing.assert_allclose(
        parsm.ot.dist(x1, x2, metric=metric), ot.dist(x1, x2, metric=metric), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(parsm.ot.dist(x1), ot.dist(x1), rtol=1e-12, atol=1e-12)


def test_ot_dist_falls_back_to_scipy_for_other_metrics(rng):
    x1 = rng.standard_normal((20, 4))
    x2 = rng.standard_normal((30, 4))
    np.testing.assert_allclose(
        parsm.ot.dist(x1, x2, metric="cityblock"), ot.dist(x1, x2, metric="cityblock")
    )
    np.testing.assert_allclose(
        parsm.ot.dist(x1, x2, metric="minkowski", p=3), ot.dist(x1, x2, metric="minkowski", p=3)
    )


def test_large_offsets_do_not_lose_digits(rng):
    # |x|^2 + |y|^2 - 2 x.y cancels catastrophically for nearby far-from-origin units.
    X = 1e4 + rng.standard_normal((30, 5))
    Y = X + 1e-6 * rng.standard_normal((30, 5))
    np.testing.assert_allclose(
        parsm.cost_matrix(X, Y, "sqeuclidean"), cdist(X.T, Y.T, "sqeuclidean"), rtol=1e-9
    )


def test_thread_count_does_not_change_results_over_several_blocks():
    """Row blocks of 256 and column tiles of 256: 700 x 600 units span several of each, so the
    parallel split really differs between 1 and 2 threads."""
    rng = np.random.default_rng(11)
    X, Y = rng.standard_normal((50, 700)), rng.standard_normal((50, 600))
    for metric in ("correlation", "cosine", "sqeuclidean", "euclidean"):
        one = parsm.cost_matrix(X, Y, metric, n_threads=1)
        two = parsm.cost_matrix(X, Y, metric, n_threads=2)
        np.testing.assert_array_equal(one, two)
    costs = [parsm.cost_matrix(X[:, :300], Y[:, :250]), parsm.cost_matrix(X[:, 300:], Y[:, 250:])]
    one = parsm._core.mass_paths(costs, 1.0, 1)
    two = parsm._core.mass_paths(costs, 1.0, 2)
    for a, b in zip(one, two):
        for u, v in zip(a.breakpoints(), b.breakpoints()):
            np.testing.assert_array_equal(u, v)


def test_the_correlation_cost_is_one_minus_the_products_of_the_unit_factors(rng) -> None:
    # The held-out share estimate reads these factors: they must be the cost's own.
    X = rng.standard_normal((25, 9)) * 1e150
    Y = rng.standard_normal((25, 7))
    Y[:, 3] = 2.0  # constant: a zero row, as constant_units="uncorrelated" costs it
    ux = parsm._core.unit_factors(X)
    uy = parsm._core.unit_factors(Y)
    assert ux.shape == (9, 25) and ux.flags.c_contiguous
    assert not uy[3].any()
    C = parsm.cost_matrix(X, Y, constant_units="uncorrelated")
    np.testing.assert_allclose(C, 1.0 - ux @ uy.T, atol=1e-12)
    with pytest.raises(parsm.NonFiniteError):
        parsm._core.unit_factors(np.full((3, 2), np.nan))


@pytest.mark.parametrize("metric", ["correlation", "cosine", "sqeuclidean", "euclidean"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_prepared_populations_give_the_same_cost_matrix(metric, dtype):
    """pairwise prepares each population once (its unit factors, checked and packed) and builds
    each pair's costs from those: the same bits as from the responses, also after a pickle
    round trip (how Dask's workers get them)."""
    import pickle
    import sys

    from parsm import _core

    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((60, 45)), 50.0 * rng.standard_normal((60, 70)) - 3.0
    want = parsm.cost_matrix(x, y, metric, dtype=dtype)
    px, py = _core.PreparedPopulation(x, metric), _core.PreparedPopulation(y, metric)
    assert px.shape == (45, 60) and px.metric == metric
    np.testing.assert_array_equal(px.factors(), _core.unit_factors(x, metric))
    got = _core.cost_matrix_between(px, py, None, None, dtype)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    px2, py2 = pickle.loads(pickle.dumps((px, py)))
    again = _core.cost_matrix_between(px2, py2, None, None, dtype)
    assert again.tobytes() == want.tobytes()
    # Large enough for Dask's joblib backend to scatter once (it does above 1,000 bytes).
    assert sys.getsizeof(py) >= 8 * 70 * 60

    fewer = _core.PreparedPopulation(y[:-1], metric)
    with pytest.raises(parsm.StimulusMismatchError, match="stimuli"):
        _core.cost_matrix_between(px, fewer)
    other = "cosine" if metric != "cosine" else "correlation"
    with pytest.raises(parsm.ParsmError, match="different metrics"):
        _core.cost_matrix_between(px, _core.PreparedPopulation(y, other))
    with pytest.raises(parsm.NonFiniteError, match="unit factors"):
        _core.PreparedPopulation.from_factors(np.full((3, 4), np.inf), metric)
