"""Every kind of bad input gets a TypeError/ValueError that says what is wrong."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import population

import parsm


@pytest.fixture
def XY(rng):
    return population(rng, 20, 8), population(rng, 20, 6)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_responses(XY, bad):
    X, Y = XY
    Y = Y.copy()
    Y[3, 2] = bad
    with pytest.raises(ValueError, match="Y contains 1 NaN or infinite value"):
        parsm.partial_soft_match(X, Y, 0.5)


def test_one_dimensional_array(XY):
    X, Y = XY
    with pytest.raises(ValueError, match=r"X must be a 2-D array .* got a 1-D array.*reshape"):
        parsm.partial_soft_match(X[:, 0], Y, 0.5)


def test_three_dimensional_array(XY):
    X, Y = XY
    with pytest.raises(ValueError, match="Y must be a 2-D array .* got a 3-D array"):
        parsm.partial_soft_match(X, Y[:, :, None], 0.5)


def test_different_stimulus_counts(XY):
    X, Y = XY
    with pytest.raises(ValueError, match="X has 20 stimuli .* but Y has 19"):
        parsm.partial_soft_match(X, Y[:19], 0.5)


def test_zero_units(XY):
    X, Y = XY
    with pytest.raises(ValueError, match="Y has zero units"):
        parsm.partial_soft_match(X, Y[:, :0], 0.5)


def test_fewer_than_two_stimuli(XY):
    X, Y = XY
    with pytest.raises(ValueError, match="at least 2 stimuli"):
        parsm.partial_soft_match(X[:1], Y[:1], 0.5)


@pytest.mark.parametrize("s", [-0.1, 1.0001, float("nan"), float("inf")])
def test_s_outside_unit_interval(XY, s):
    X, Y = XY
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        parsm.partial_soft_match(X, Y, s)


def test_s_of_wrong_type(XY):
    X, Y = XY
    with pytest.raises(TypeError, match="s must be a real number"):
        parsm.partial_soft_match(X, Y, "0.5")


@pytest.mark.parametrize("metric", ["correlation", "cosine"])
def test_zero_variance_or_all_zero_units_are_named(XY, metric):
    X, Y = XY
    X = X.copy()
    X[:, 2] = 0.0
    X[:, 5] = 0.0
    with pytest.raises(ValueError, match=r"X has constant .* indices \[2, 5\].*drop"):
        parsm.partial_soft_match(X, Y, 0.5, metric)


def test_constant_unit_under_correlation(XY):
    X, Y = XY
    Y = Y.copy()
    Y[:, 4] = 3.7
    with pytest.raises(ValueError, match=r"Y has constant .* indices \[4\]"):
        parsm.cost_matrix(X, Y)
    assert parsm.cost_matrix(X, Y, "cosine").shape == (8, 6)  # defined for cosine


def test_unknown_metric(XY):
    with pytest.raises(ValueError, match="unknown metric 'manhattan'"):
        parsm.partial_soft_match(*XY, 0.5, metric="manhattan")


def test_non_numeric_input(XY):
    X, Y = XY
    with pytest.raises(TypeError, match="must hold real numbers"):
        parsm.cost_matrix(X.astype(str), Y)
    with pytest.raises(TypeError, match="must hold real numbers"):
        parsm.cost_matrix(X + 1j, Y)


def test_ragged_input(XY):
    with pytest.raises(TypeError, match="could not be converted"):
        parsm.cost_matrix([[1.0, 2.0], [3.0]], XY[1])


def test_object_arrays_of_numbers_are_numbers(XY):
    """An object array of Python numbers (a mixed-type DataFrame column, Decimals) is read as
    numbers, None in it is a missing value (reported as such), and other objects are refused."""
    from decimal import Decimal

    X, Y = XY
    as_objects = X.astype(object)
    as_objects[0, 0] = Decimal(float(X[0, 0]))
    assert np.array_equal(parsm.cost_matrix(as_objects, Y), parsm.cost_matrix(X, Y))
    as_objects[1, 1] = None
    with pytest.raises(ValueError, match="NaN"):
        parsm.cost_matrix(as_objects, Y)
    as_objects[1, 1] = "a"
    with pytest.raises(TypeError, match="not real numbers"):
        parsm.cost_matrix(as_objects, Y)
    as_objects[1, 1] = 1 + 2j
    with pytest.raises(TypeError, match="could not be converted"):
        parsm.cost_matrix(as_objects, Y)


def test_bad_n_threads(XY):
    with pytest.raises(ValueError, match="n_threads must be >= 1"):
        parsm.cost_matrix(*XY, n_threads=0)
    with pytest.raises(TypeError, match="n_threads must be a positive int"):
        parsm.cost_matrix(*XY, n_threads=1.5)


@pytest.mark.parametrize("w", [[0.5, -0.1, 0.6], [0.5, np.nan, 0.5], [0.5, np.inf, 0.5]])
def test_negative_or_non_finite_marginals(w):
    M = np.ones((3, 3))
    with pytest.raises(ValueError, match="negative or non-finite weight at index 1"):
        parsm.ot.emd(w, [], M)
    with pytest.raises(ValueError, match="negative or non-finite weight at index 1"):
        parsm.ot.partial.partial_wasserstein([], w, M, m=0.1)


def test_marginals_with_different_sums():
    with pytest.raises(ValueError, match="a and b vector must have the same sum"):
        parsm.ot.emd([0.5, 0.5], [0.5, 0.6], np.ones((2, 2)))


def test_marginal_of_wrong_length():
    with pytest.raises(ValueError, match="has 3 weights but the cost matrix has 2"):
        parsm.ot.emd([0.2, 0.3, 0.5], [], np.ones((2, 2)))


def test_mass_larger_than_available():
    with pytest.raises(ValueError, match="m should lower or equal than min"):
        parsm.ot.partial.partial_wasserstein([0.5, 0.5], [0.25, 0.25], np.ones((2, 2)), m=0.6)
    with pytest.raises(ValueError, match="m should be greater than 0"):
        parsm.ot.partial.partial_wasserstein([], [], np.ones((2, 2)), m=-0.1)


def test_non_finite_cost_matrix():
    M = np.ones((3, 3))
    M[1, 1] = np.nan
    with pytest.raises(ValueError, match="the cost matrix contains 1 NaN"):
        parsm.ot.emd([], [], M)
    with pytest.raises(ValueError, match="the cost matrix contains 1 NaN"):
        parsm.ot.partial.partial_wasserstein2([], [], M, m=0.5)


def test_ot_dist_rejects_zero_rows_where_pot_returns_nan(rng):
    x = rng.standard_normal((5, 3))
    x[2] = 0.0
    with pytest.raises(ValueError, match=r"x1 has all-zero row\(s\) at indices \[2\]"):
        parsm.ot.dist(x, metric="cosine")
    x[4] = 7.0
    with pytest.raises(ValueError, match=r"x2 has constant row\(s\) at indices \[2, 4\]"):
        parsm.ot.dist(x[:2], x, metric="correlation")


def test_cv_score_with_mismatched_stimuli(XY):
    X, Y = XY
    with pytest.raises(ValueError, match="X has 20 stimuli .* but Y has 19"):
        parsm.cv_score(X, Y[:19])


@pytest.mark.parametrize("metric", ["sqeuclidean", "euclidean"])
def test_euclidean_distances_that_overflow_are_named_not_zeroed(XY, metric):
    X, Y = XY
    # Finite responses whose squares are not: an error that says to rescale, wherever the
    # costs are computed (before, NaN from inf - inf was clamped to a distance of 0).
    for run in (
        lambda: parsm.cost_matrix(X * 1e300, Y, metric),
        lambda: parsm.partial_soft_match(X * 1e300, X[:, :1] * 1e300, 0.5, metric=metric),
        lambda: parsm.pairwise([X * 1e200, Y * 1e200], s=0.5, metric=metric),
    ):
        with pytest.raises(parsm.NonFiniteError, match=f"the {metric} distances overflow.*rescale"):
            run()
    assert np.isfinite(parsm.cost_matrix(X * 1e150, Y * 1e150, metric)).all()


def test_cv_folds_too_small_to_correlate_are_refused_before_any_is_solved():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((3, 5)), rng.standard_normal((3, 6))
    # Two folds of three stimuli: the second holds one (the first trains on one).
    for run in (
        lambda: parsm.cv_score(x, y, s=0.5, cv=2),
        lambda: parsm.compare(x, y, s=0.5, cv=2, progress=False),
    ):
        with pytest.raises(ValueError, match="leaves 1 held-out stimulus in a fold of 3 stimuli"):
            run()
    x, y = rng.standard_normal((40, 5)), rng.standard_normal((40, 6))
    assert np.isfinite(parsm.cv_score(x, y, s=0.5, cv=20))
    with pytest.raises(ValueError, match="leaves 1 held-out stimulus in a fold of 40"):
        parsm.cv_score(x, y, s=0.5, cv=40)


def test_core_errors_have_their_own_classes_under_parsm_error():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((20, 4)), rng.standard_normal((20, 5))
    bad = X.copy()
    bad[0, 0] = np.nan
    cases = [
        (lambda: parsm.cost_matrix(bad, Y), parsm.NonFiniteError),
        (lambda: parsm.cost_matrix(X, Y[:-1]), parsm.StimulusMismatchError),
        (lambda: parsm.cost_matrix(np.ones((20, 2)), Y), parsm.ConstantUnitsError),
        (lambda: parsm._core.cost_matrix(X, Y, "manhattan"), parsm.UnknownMetricError),
        (lambda: parsm._core.MassPath(np.ones((3, 3)), 1.5), parsm.MassError),
        (lambda: parsm._core.MassPath(np.where(np.eye(3), np.nan, 1.0), 0.5), parsm.NonFiniteError),
        (
            lambda: parsm._core.emd(np.ones((2, 2)), np.array([0.5, 0.5]), np.array([1.0, 1.0])),
            parsm.MarginalError,
        ),
        (
            lambda: parsm._core.MassPath(np.ones((3, 3))).evaluate(
                np.ones((2, 3)), np.array([0.5])
            ),
            parsm.ShapeError,
        ),
    ]
    for call, cls in cases:
        with pytest.raises(cls) as exc:
            call()
        assert isinstance(exc.value, parsm.ParsmError) and isinstance(exc.value, ValueError)
        assert type(exc.value).__module__ == "parsm"


def test_solver_results_cross_as_a_typed_solution_and_a_pivot_cap_is_reported() -> None:
    rng = np.random.default_rng(3)
    C = rng.random((30, 40))
    a, b = np.full(30, 1 / 30), np.full(40, 1 / 40)
    sol = parsm._core.emd(C, a, b)
    assert isinstance(sol, parsm._core.Solution)
    assert sol.status == "optimal" and sol.plan.shape == (30, 40)
    assert sol.cost == pytest.approx(float(np.sum(sol.plan * C)), rel=1e-12)
    assert np.all(C - sol.u[:, None] - sol.v[None, :] >= -1e-12)
    assert "status='optimal'" in repr(sol).replace('"', "'")
    capped = parsm._core.emd(C, a, b, max_iter=1)
    assert capped.status == "max_iter_reached" and capped.iterations == 1
    with pytest.raises(AttributeError):
        sol.cost = 0.0  # frozen
