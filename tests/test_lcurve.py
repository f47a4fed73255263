"""lcurve, cv_score, the datasets and the mass path reproduce the paper and agree with POT."""

from __future__ import annotations

import numpy as np
import ot
import pytest
from conftest import assert_feasible, population
from hypothesis import given, settings
from hypothesis import strategies as st

import parsm
from parsm import _core, datasets


def prepared(X, Y):
    return parsm.drop_constant_units(X)[0], parsm.drop_constant_units(Y)[0]


def test_path_and_simplex_curves_agree_with_pot(rng):
    X, Y = population(rng, 20, 17), population(rng, 20, 26)
    grid = np.linspace(0.0, 0.999, 15)
    path = parsm.lcurve(X, Y, grid, elbow="paper")
    simplex = parsm.lcurve(X, Y, grid, method="simplex", elbow="paper")
    np.testing.assert_allclose(path.cost, simplex.cost, rtol=1e-9, atol=1e-12)
    C = parsm.cost_matrix(X, Y)
    a, b = np.full(17, 1 / 17), np.full(26, 1 / 26)
    for s, z in zip(grid[1::4], path.cost[1::4]):
        pot = ot.partial.partial_wasserstein2(a, b, C, m=s, numItermax=10**7)
        assert z == pytest.approx(pot, rel=1e-9, abs=1e-12)
    bs, bz = path.breakpoints
    assert np.all(np.diff(np.diff(bz) / np.diff(bs)) >= -1e-12)  # convex
    assert path.score == pytest.approx(1 - path.cost)
    assert path.unmatched_mass == pytest.approx(1 - path.s0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 25),
    st.integers(1, 25),
    st.sampled_from(parsm.METRICS),
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4),
)
def test_path_equals_the_network_simplex_at_random_masses(seed, nx, ny, metric, masses):
    """Two exact solvers must agree: ζ(s) from the path and the simplex's optimum."""
    rng = np.random.default_rng(seed)
    C = parsm.cost_matrix(population(rng, 12, nx), population(rng, 12, ny), metric)
    path = _core.MassPath(C, 1.0)
    a, b = np.full(nx, 1 / nx), np.full(ny, 1 / ny)
    zeta = path.evaluate(C, np.array(masses))
    for s, z in zip(masses, zeta):
        expected = _core.partial(C, a, b, s).cost
        assert z == pytest.approx(expected, rel=1e-9, abs=1e-12)
        T = path.plan_at(s)
        assert_feasible(T, s)
        assert np.sum(T * C) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_rebuilt_plans_are_optimal_and_masses_only_grow(rng):
    C = parsm.cost_matrix(population(rng, 15, 12), population(rng, 15, 9))
    path = _core.MassPath(C, 1.0)
    prev = np.zeros(C.shape)
    for s in np.linspace(0, 1, 11):
        T = path.plan_at(s)
        assert T.sum() == pytest.approx(s, abs=1e-12)
        assert np.all(T.sum(1) <= 1 / 12 + 1e-12) and np.all(T.sum(0) <= 1 / 9 + 1e-12)
        assert np.sum(T * C) == pytest.approx(
            parsm.ot.partial.partial_wasserstein2([], [], C, m=s), rel=1e-9, abs=1e-12
        )
        assert np.all(T.sum(1) >= prev.sum(1) - 1e-15)
        assert np.all(T.sum(0) >= prev.sum(0) - 1e-15)
        prev = T
    row_entry, row_full, col_entry, col_full = path.unit_masses()
    assert np.all(row_entry <= row_full) and np.all(col_entry <= col_full)


def test_spurious_units_elbow_finds_the_signal_share():
    t = datasets.spurious_units_task(0)
    X, Y = prepared(t.X, t.Y)
    lc = parsm.lcurve(X, Y, 100)
    assert lc.elbow == "heldout"
    assert abs(lc.s0 - 100 / 190) < 0.02
    assert abs(parsm.lcurve(X, Y, 100, elbow="plateau").s0 - 100 / 190) < 0.05


def test_model_selection_reproduces_the_paper():
    """Over 20 seeds: SM 0.339 / 0.415 and partial 0.715 / 0.645 (paper), 5-fold CV.

    The notebook rule jumps to s ~ 0.99 on some seeds (here 1/20 for Ya, 6/20 for Yb, four of
    them among seeds 0-4); on the others it gives the paper's partial scores. The default
    held-out rule gives them on every seed (measured: 0.721 / 0.639, Ya on 20/20), and its s0
    is close to the true shares 100/160 and 80/100.
    """
    rows = []
    for seed in range(20):
        m = datasets.model_selection_task(seed)
        row = []
        for Y in (m.Ya, m.Yb):
            X, Y = prepared(m.X, Y)
            notebook = parsm.lcurve(X, Y, 200, elbow="notebook", cv=5)
            default = parsm.lcurve(X, Y, 200, cv=5)
            row += [parsm.cv_score(X, Y, 1.0, cv=5), notebook.s0, notebook.score_s0]
            row += [default.score_s0, default.s0]
        rows.append(row)
    sm_a, nb_s0_a, nb_a, pl_a, s0_a, sm_b, nb_s0_b, nb_b, pl_b, s0_b = np.array(rows).T
    assert np.mean(sm_a) == pytest.approx(0.339, abs=0.03)
    assert np.mean(sm_b) == pytest.approx(0.415, abs=0.03)
    assert np.all(sm_b > sm_a)  # SM prefers the wrong model on every seed
    assert np.mean(nb_a[nb_s0_a < 0.95]) == pytest.approx(0.715, abs=0.03)
    assert np.mean(nb_b[nb_s0_b < 0.95]) == pytest.approx(0.645, abs=0.03)
    assert np.sum(nb_s0_a < 0.95) >= 15 and np.sum(nb_s0_b < 0.95) >= 10
    assert np.mean(pl_a) == pytest.approx(0.715, abs=0.03)
    assert np.mean(pl_b) == pytest.approx(0.645, abs=0.03)
    assert np.sum(pl_a > pl_b) >= 19  # the default rule prefers Ya
    assert np.median(np.abs(s0_a - 100 / 160)) < 0.03
    assert np.median(np.abs(s0_b - 80 / 100)) < 0.05


def test_drop_constant_units_and_rejection_by_default():
    X = np.array([[1.0, 0.0, 2.0, 4.0], [3.0, 0.0, 2.0, 4.0], [5.0, 0.0, 1.0, 4.0]])
    with pytest.raises(ValueError, match=r"indices \[1, 3\]"):
        parsm.cost_matrix(X, X)
    kept_X, kept = parsm.drop_constant_units(X)
    assert kept.tolist() == [0, 2] and kept_X.shape == (3, 2)


def test_bad_lcurve_arguments(rng):
    X, Y = population(rng, 10, 5), population(rng, 10, 6)
    with pytest.raises(ValueError, match="at least 3 points"):
        parsm.lcurve(X, Y, 2)
    with pytest.raises(ValueError, match="strictly increasing"):
        parsm.lcurve(X, Y, [0.5, 0.2, 0.9])
    with pytest.raises(ValueError, match=r"within \[0, 1\]"):
        parsm.lcurve(X, Y, [0.1, 0.5, 1.5])
    with pytest.raises(ValueError, match="elbow must be one of"):
        parsm.lcurve(X, Y, elbow="knee")
    with pytest.raises(ValueError, match="method must be"):
        parsm.lcurve(X, Y, method="sinkhorn")
    with pytest.raises(ValueError, match="cv must be an integer >= 2"):
        parsm.lcurve(X, Y, cv=1)


def test_lcurve_plot_renders(tmp_path, rng):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    lc = parsm.lcurve(population(rng, 30, 20), population(rng, 30, 25), 50)
    ax = lc.plot()
    out = tmp_path / "lcurve.png"
    ax.figure.savefig(out)
    assert out.stat().st_size > 5000
    assert ax.get_lines()[0].get_xydata().shape == (50, 2)


def test_elbow_knots_of_a_longer_path_equal_a_truncated_solve(rng):
    """lcurve solves the in-sample path to s = 1 (so soft matching comes from it too), and
    fits the elbow on exactly the knots a solve up to the grid's end would have."""
    from parsm.curve import elbow_knots

    for nx, ny in ((7, 7), (12, 30), (41, 19), (1, 5)):
        C = rng.random((nx, ny))
        full = _core.MassPath(C, 1.0)
        for s_max in (0.0, 0.37, 0.5, 0.999, 1.0):
            ks, kv = _core.MassPath(C, s_max).breakpoints()
            ek, ev = elbow_knots(full, s_max)
            np.testing.assert_array_equal(ek, ks)
            np.testing.assert_allclose(ev, kv, rtol=1e-12, atol=1e-15)


def test_cross_validated_curve_is_exact_and_thread_independent(rng):
    """The folds' paths are solved in parallel; the curve equals the simplex sweep's and does
    not depend on the thread count."""
    X, Y = population(rng, 60, 14), population(rng, 60, 19)
    grid = np.linspace(0.0, 0.999, 12)
    path = parsm.lcurve(X, Y, grid, cv=3, elbow="paper")
    simplex = parsm.lcurve(X, Y, grid, cv=3, elbow="paper", method="simplex")
    np.testing.assert_allclose(path.cost, simplex.cost, rtol=1e-9, atol=1e-12)
    one = parsm.lcurve(X, Y, grid, cv=3, elbow="paper", n_threads=1)
    np.testing.assert_array_equal(path.cost, one.cost)
