"""The solved-problem object: one Rust object owns the cost matrix, its metric and its path."""

from __future__ import annotations

import numpy as np
import ot
import pytest
from conftest import population

import parsm
from parsm import _core


@pytest.fixture
def costs(rng):
    X, Y = population(rng, 40, 23), population(rng, 40, 31)
    return parsm.cost_matrix(X, Y)


def test_the_problem_owns_the_cost_matrix_and_answers_from_one_path(costs) -> None:
    p = _core.Problem(costs, "correlation")
    assert p.cost is costs and p.shape == costs.shape and p.metric == "correlation"
    grid = np.linspace(0, 1, 11)
    np.testing.assert_array_equal(p.curve(grid), p.path.evaluate(costs, grid))
    plan, cost = p.match_at(0.4)
    assert plan.sum() == pytest.approx(0.4, abs=1e-12)
    assert cost == pytest.approx(float(np.sum(plan * costs)), abs=1e-14)
    a, b = np.full(23, 1 / 23), np.full(31, 1 / 31)
    assert cost == pytest.approx(ot.partial.partial_wasserstein2(a, b, costs, m=0.4), abs=1e-10)
    rows, cols = p.masses_at(0.4)
    np.testing.assert_allclose(rows, plan.sum(1), atol=1e-15)
    np.testing.assert_allclose(cols, plan.sum(0), atol=1e-15)


@pytest.mark.parametrize("s_max", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("shape", [(23, 31), (60, 60), (230, 250)])
def test_soft_matching_is_the_same_optimum_from_the_path_or_the_balanced_solver(
    rng, shape, s_max
) -> None:
    # (60, 60): the assignment solver; (230, 250): the simplex's candidate pricing.
    nx, ny = shape
    costs = parsm.cost_matrix(population(rng, 40, nx), population(rng, 40, ny))
    problem = _core.Problem(costs, "correlation", s_max)
    plan, cost = problem.soft_match()
    assert cost == pytest.approx(ot.emd2([], [], costs), abs=1e-12)
    np.testing.assert_allclose(plan.sum(1), 1 / nx, atol=1e-12)
    np.testing.assert_allclose(plan.sum(0), 1 / ny, atol=1e-12)
    # The same optimum without building the plan (priced by the path, the simplex may pivot
    # to it in another order: equal to rounding).
    assert problem.soft_cost() == pytest.approx(cost, abs=1e-12)


@pytest.mark.parametrize("kind", ["noise", "identical", "permuted", "tied", "duplicated"])
def test_square_soft_matching_after_a_path_is_the_assignment_optimum(rng, kind) -> None:
    """After a path to s >= 0.5 square soft matching runs on the simplex priced by the path
    (not the assignment solver): the assignment optimum all the same, on tied and degenerate
    costs too."""
    scipy_optimize = pytest.importorskip("scipy.optimize")
    n, m = 300, 60
    X = rng.standard_normal((m, n))
    Y = {
        "noise": rng.standard_normal((m, n)),
        "identical": X,
        "permuted": X[:, rng.permutation(n)],
        "tied": rng.integers(0, 3, (m, n)).astype(float),
        "duplicated": np.repeat(X[:, : n // 2], 2, axis=1),
    }[kind]
    if kind == "tied":
        X = rng.integers(0, 3, (m, n)).astype(float)
    c = parsm.cost_matrix(X, Y)
    r, col = scipy_optimize.linear_sum_assignment(c)
    want = c[r, col].sum() / n
    for s_max in (0.5, 0.8):
        problem = _core.Problem(c, "correlation", s_max)
        assert problem.soft_cost() == pytest.approx(want, abs=1e-12)


def test_a_path_of_another_shape_or_an_unknown_metric_is_refused(costs) -> None:
    path = _core.MassPath(costs[:, :-1])
    with pytest.raises(parsm.ShapeError, match="mass path has shape"):
        _core.Problem.with_path(costs, "correlation", path)
    with pytest.raises(parsm.UnknownMetricError):
        _core.Problem(costs, "manhattan")
    with pytest.raises(TypeError):
        _core.Problem(costs.astype(np.int64), "correlation")
    with pytest.raises(parsm.ShapeError):
        _core.Problem(costs, "correlation").curve_on(costs[1:], np.array([0.5]))


def test_float32_costs_stay_float32_and_the_brute_force_reads_them(rng) -> None:
    X, Y = population(rng, 30, 12), population(rng, 30, 12)
    c32 = parsm.cost_matrix(X, Y, dtype="float32")
    p = _core.Problem(c32, "correlation")
    assert p.cost.dtype == np.float32
    dx, dy = p.ablation_deltas()
    ex, ey = _core.ablation_deltas(c32.astype(np.float64))
    np.testing.assert_array_equal(dx, ex)
    np.testing.assert_array_equal(dy, ey)


@pytest.mark.parametrize("rule", ["paper", "notebook", "plateau"])
def test_the_problem_answers_the_in_sample_elbow_as_lcurve_reports_it(rng, rule) -> None:
    X = rng.standard_normal((60, 40))
    Y = np.hstack([X[:, :25] + 0.4 * rng.standard_normal((60, 25)), rng.standard_normal((60, 15))])
    lc = parsm.lcurve(X, Y, elbow=rule)
    p = _core.Problem(parsm.cost_matrix(X, Y), "correlation")
    s0, idx = p.elbow(rule, lc.s)
    assert s0 == lc.s0 and (idx is None or idx == lc.elbow_index)
    with pytest.raises(ValueError, match="'heldout' needs fold paths"):
        p.elbow("heldout", lc.s)
    with pytest.raises(ValueError, match="at least 3 masses"):
        p.elbow("paper", np.array([0.0, 0.5]))
