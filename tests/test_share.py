"""The held-out share estimate s0 (``elbow="heldout"``, the default): it says 0 on nulls and 1
on copies, finds planted shares, comes with an interval and a warning, handles units constant
within a fold, and its permutation variance is exact."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import parsm
from parsm import _core, share
from parsm._folds import kfold


def planted(seed, m, nx, ny, k, rho=0.7, kind="gauss"):
    """k units of X with one counterpart each in Y (correlation rho); the rest independent.
    Returns X, Y and the true share min(k/nx, k/ny)."""
    rng = np.random.default_rng(seed)
    draw = (lambda s: rng.standard_t(3, s)) if kind == "t3" else rng.standard_normal
    signal = draw((m, k))
    x = np.hstack([np.sqrt(rho) * signal + np.sqrt(1 - rho) * draw((m, k)), draw((m, nx - k))])
    y = np.hstack([np.sqrt(rho) * signal + np.sqrt(1 - rho) * draw((m, k)), draw((m, ny - k))])
    if kind == "relu":
        x, y = np.maximum(x - 1.0, 0.0), np.maximum(y - 1.0, 0.0)
    return x, y[:, rng.permutation(ny)], min(k / nx, k / ny)


def quiet_lcurve(x, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", parsm.ShareWarning)
        return parsm.lcurve(x, y, **kw)


@pytest.mark.parametrize(
    "m, nx, ny, kind",
    [
        (30, 150, 150, "gauss"),
        (100, 100, 100, "gauss"),
        (100, 120, 120, "t3"),
        (100, 150, 150, "relu"),
        (300, 40, 400, "gauss"),
    ],
)
def test_no_correspondence_gives_no_share(m, nx, ny, kind):
    for seed in range(3):
        x, y, _ = planted(seed, m, nx, ny, 0, kind=kind)
        lc = quiet_lcurve(x, y)
        assert lc.elbow == "heldout"
        assert lc.s0 <= 0.05, (seed, lc)
        assert lc.s0_interval[0] <= lc.s0 <= lc.s0_interval[1]


def test_shuffled_structured_populations_give_no_share():
    """Two populations of the paper's latent recipe, Y's stimuli shuffled: strongly correlated
    units within each population, no correspondence between them."""
    rng = np.random.default_rng(3)
    structure = parsm.datasets.latent_structure(150, n_stimuli=200, rng=rng)
    x = parsm.drop_constant_units(parsm.datasets.synthetic_population(structure, rng))[0]
    y = parsm.datasets.synthetic_population(structure, rng)[rng.permutation(200)]
    y = parsm.drop_constant_units(y)[0]
    assert quiet_lcurve(x, y).s0 <= 0.05
    # The in-sample rules find a corner that is not there.
    assert parsm.lcurve(x, y, elbow="plateau").s0 > 0.5


def test_a_copy_gives_exactly_one(rng):
    x = rng.standard_normal((60, 80))
    for y in (x, x[:, ::-1], x[:, rng.permutation(80)]):
        lc = parsm.lcurve(x, y)
        assert lc.s0 == 1.0 and lc.unmatched_mass == 0.0
        assert lc.s0_interval[0] >= 0.95 and lc.s0_interval[1] == 1.0 and lc.s0_identifiable


@pytest.mark.parametrize(
    "m, nx, ny, k, rho, kind",
    [
        (200, 200, 200, 100, 0.7, "gauss"),
        (100, 200, 200, 60, 0.7, "t3"),
        (200, 100, 400, 100, 0.6, "gauss"),
        (300, 300, 100, 100, 0.6, "gauss"),
        (300, 200, 200, 200, 0.6, "gauss"),
        (40, 150, 150, 75, 0.85, "gauss"),
    ],
)
def test_planted_shares_are_found(m, nx, ny, k, rho, kind):
    x, y, truth = planted(11, m, nx, ny, k, rho, kind)
    lc = quiet_lcurve(x, y)
    assert abs(lc.s0 - truth) <= 0.05, lc
    lo, hi = lc.s0_interval
    assert lo - 0.01 <= truth <= hi + 0.01
    if truth == 1.0:
        assert lc.s0 >= 0.95


def test_paper_spurious_units_share(prepared_spurious):
    x, y = prepared_spurious
    lc = parsm.lcurve(x, y, 100)
    assert abs(lc.s0 - 100 / 190) < 0.02
    assert lc.s0_identifiable


@pytest.fixture
def prepared_spurious():
    t = parsm.datasets.spurious_units_task(0)
    return parsm.drop_constant_units(t.X)[0], parsm.drop_constant_units(t.Y)[0]


def test_no_clear_corner_warns_and_reports_a_wide_interval():
    """Graded, mostly weak counterparts at 60 stimuli: the last pairs cannot be told from
    chance, and the estimate says so."""
    x, y, _ = planted(0, 60, 80, 80, 40, rho=0.3)
    with pytest.warns(parsm.ShareWarning, match="no clear corner"):
        lc = parsm.lcurve(x, y)
    lo, hi = lc.s0_interval
    assert not lc.s0_identifiable and hi - lo > share.CLEAR_WIDTH
    assert "unclear" in repr(lc)


def test_share_curve_and_fields(prepared_spurious):
    x, y = prepared_spurious
    lc = parsm.lcurve(x, y)
    est = lc.share
    assert isinstance(est, parsm.ShareEstimate)
    assert est.grid[0] == 0.0 and est.grid[-1] == 1.0
    assert est.gain[0] == 0.0 and est.gain_sd[0] == 0.0
    assert est.folds == est.n_folds == 5 and est.z == share.Z
    assert np.all(est.gain_sd[1:] > 0)
    # The gain rises with slope < 1 (a correlation) up to s0 and no further.
    i0 = int(np.argmin(np.abs(est.grid - est.s0)))
    assert est.gain[i0] > 0.2 and np.max(est.gain) - est.gain[i0] < 3 * est.gain_sd[-1]
    with pytest.raises(ValueError):
        est.gain[0] = 1.0
    # Other rules carry no interval.
    other = parsm.lcurve(x, y, elbow="plateau")
    assert other.s0_interval is None and other.share is None


def test_estimate_is_thread_independent(prepared_spurious):
    x, y = prepared_spurious
    one = parsm.lcurve(x, y, n_threads=1).share
    two = parsm.lcurve(x, y, n_threads=2).share
    assert one.s0 == two.s0 and one.interval == two.interval
    np.testing.assert_array_equal(one.gain, two.gain)
    np.testing.assert_array_equal(one.gain_sd, two.gain_sd)


def test_cv_reuses_its_folds_for_the_share(prepared_spurious):
    x, y = prepared_spurious
    with_cv = parsm.lcurve(x, y, cv=5)
    plain = parsm.lcurve(x, y)
    assert with_cv.s0 == plain.s0
    np.testing.assert_allclose(with_cv.share.gain, plain.share.gain, rtol=1e-12, atol=1e-15)
    three = quiet_lcurve(x, y, cv=3)
    assert three.share.n_folds == 3


def test_permutation_variance_is_exact(rng):
    """For a fixed training plan, permuting Y's held-out stimuli gives gains whose variance
    is the formula's ‖Zx ΔT Zyᵀ‖² / (n - 1)."""
    x, y, _ = planted(5, 40, 30, 25, 10, rho=0.6)
    train, test = kfold(40, 5)[0]
    path = _core.MassPath(parsm.cost_matrix(x[train], y[train]), 1.0)
    zx = share.held_out_factors(x[test])
    gain, var = share._fold_gain_and_variance(path, zx, share.held_out_factors(y[test]), 0)
    i, j = 20, 150
    draws = []
    for _ in range(4000):
        zy = share.held_out_factors(y[test][rng.permutation(len(test))])
        g = path.inner(zx, zy, share.GRID[[i, j]])
        draws.append(g[1] - g[0])
    assert np.mean(draws) == pytest.approx(0.0, abs=4 * np.sqrt(var[i, j] / 4000))
    assert np.var(draws) == pytest.approx(var[i, j], rel=0.08)
    # And the gain is the held-out correlation mass of the plan.
    r = 1.0 - parsm.cost_matrix(x[test], y[test])
    assert gain[j] == pytest.approx(np.sum(path.plan_at(share.GRID[j]) * r), abs=1e-12)


def test_projection_equals_dense_plans(rng):
    c = rng.random((9, 13))
    path = _core.MassPath(c, 1.0)
    left, right = rng.standard_normal((9, 3)), rng.standard_normal((13, 4))
    grid = np.array([0.0, 0.31, 0.77, 1.0])
    proj = path.project(left, right, grid)
    for g, s in enumerate(grid):
        np.testing.assert_allclose(proj[g], left.T @ path.plan_at(s) @ right, atol=1e-13)
    with pytest.raises(ValueError, match="shape"):
        path.project(left[:5], right, grid)


def test_grid_gram_from_the_augmentation_ends_equals_the_grids(monkeypatch):
    """Between the ends of the path's augmentations the plan, and so each fold's projected
    held-out products, are linear in s: their Gram matrix over the grid taken at the ends and
    carried to the grid equals the grid's own, to rounding. The ends: increasing, the last at
    the path's s_max, one per augmentation."""
    x, y, _ = planted(6, 60, 30, 35, 12, rho=0.6)
    train, test = kfold(60, 5)[0]
    zx, zy = share.held_out_factors(x[test]), share.held_out_factors(y[test])
    for s_max in (1.0, 0.6):
        path = _core.MassPath(parsm.cost_matrix(x[train], y[train]), s_max)
        ends = path.augmentation_ends()
        assert len(ends) == path.n_augmentations and np.all(np.diff(ends) > 0)
        assert ends[-1] == path.s_max
    path = _core.MassPath(parsm.cost_matrix(x[train], y[train]), 1.0)
    assert path.n_augmentations < share.KNOT_GRAM  # the ends' way
    q = path.project(zx, zy, share.GRID).reshape(len(share.GRID), -1)
    direct = q @ q.T
    via_ends = share._grid_gram(path, zx, zy)
    np.testing.assert_allclose(via_ends, direct, rtol=0, atol=1e-13 * np.abs(direct).max())
    monkeypatch.setattr(share, "KNOT_GRAM", 0)  # the grid's way
    np.testing.assert_array_equal(share._grid_gram(path, zx, zy), direct)


def test_units_constant_within_a_fold_are_uncorrelated_there():
    """Sparse responses: many units are silent on some fold's stimuli. Within a fold such a unit
    gets cost 1 (correlation 0) to every unit; on all stimuli it is still an error."""
    x, y, truth = planted(2, 100, 150, 150, 75, rho=0.8, kind="relu")
    silent = [
        (x[te] == x[te][0]).all(axis=0).sum() + (x[tr] == x[tr][0]).all(axis=0).sum()
        for tr, te in kfold(100, 5)
    ]
    assert sum(silent) > 0  # the premise: some units are constant within a fold
    lc = quiet_lcurve(x, y, cv=5)
    assert abs(lc.s0 - truth) <= 0.1 and np.all(np.isfinite(lc.cost))
    assert np.isfinite(parsm.cv_score(x, y, 0.5, cv=5))
    tr, _ = kfold(100, 5)[int(np.argmax(silent))]
    c = parsm.cost_matrix(x[tr], y[tr], constant_units="uncorrelated")
    flat = np.flatnonzero((x[tr] == x[tr][0]).all(axis=0))
    if len(flat):
        assert np.all(c[flat] == 1.0)
    zero = np.zeros((10, 2))
    zero[:, 1] = np.arange(10)
    with pytest.raises(ValueError, match="constant"):
        parsm.cost_matrix(zero, zero)
    np.testing.assert_array_equal(
        parsm.cost_matrix(zero, zero, constant_units="uncorrelated")[0], [1.0, 1.0]
    )
    with pytest.raises(ValueError, match="constant_units must be"):
        parsm.cost_matrix(zero, zero, constant_units="drop")


def test_correlation_and_cosine_costs_do_not_depend_on_scale(rng):
    x, y = rng.standard_normal((50, 6)), rng.standard_normal((50, 7))
    for metric in ("correlation", "cosine"):
        ref = parsm.cost_matrix(x, y, metric)
        for scale in (1e-170, 1e-100, 1e100, 1e160):
            np.testing.assert_allclose(
                parsm.cost_matrix(x * scale, y, metric), ref, rtol=1e-12, atol=1e-13
            )
            np.testing.assert_allclose(
                parsm.cost_matrix(x * scale, y / scale, metric), ref, rtol=1e-12, atol=1e-13
            )


def test_too_few_stimuli_for_the_estimate_say_what_to_do_everywhere():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((3, 20)), rng.standard_normal((3, 25))
    for auto in (
        lambda: parsm.compare(x, y, progress=False),
        lambda: parsm.lcurve(x, y),
        lambda: parsm.pairwise([x, y], progress=False),
        lambda: parsm.rank_units(x, y),
    ):
        with pytest.raises(ValueError, match=r"at least 4 stimuli; there are 3\. Give s a mass"):
            auto()
    # With a given s, compare still compares: its curve's s0 is then the in-sample corner.
    with pytest.warns(parsm.ShareWarning, match="3 stimuli are too few"):
        c = parsm.compare(x, y, s=0.5, progress=False)
    assert c.lcurve.elbow == "plateau" and c.summary["lcurve"]["elbow"] == "plateau"
    assert c.partial.cost == pytest.approx(parsm.partial_soft_match(x, y, 0.5).cost, abs=1e-12)
    assert parsm.lcurve(x, y, elbow="plateau").s0 == c.lcurve.s0


def test_few_stimuli_and_fold_counts():
    assert share.share_folds(200) == 5 and share.share_folds(7) == 3
    with pytest.raises(ValueError, match="at least 4 stimuli"):
        share.share_folds(3)
    assert share.folds_used(2000, 2000, 5) == 5
    assert share.folds_used(8000, 8000, 5) == 3
    assert share.folds_used(20000, 20000, 5) == 2
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    # Two held-out stimuli per fold cannot show a correlation beyond chance ...
    lc = quiet_lcurve(x, np.hstack([x[:, :2], y[:, 2:]]) + 0.01 * y)
    assert lc.share.n_folds == 3 and lc.s0 == 0.0
    # ... but identical units are matched at cost 0 in-sample, which chance does not do.
    for m in (6, 20):
        x, y = rng.standard_normal((m, 5)), rng.standard_normal((m, 5))
        assert quiet_lcurve(x, x[:, ::-1]).s0 == 1.0
        assert quiet_lcurve(x, np.hstack([3 * x[:, :2], y[:, 2:]])).s0 >= 0.4


def test_compare_reports_the_interval(tmp_path, prepared_spurious):
    from parsm.report import format_summary, write_outputs

    x, y = prepared_spurious
    c = parsm.compare(x, y)
    lo, hi = c.lcurve.s0_interval
    assert c.s0 == c.lcurve.s0 and c.s0_interval == (lo, hi) and c.s0_identifiable
    assert c.summary["lcurve"]["s0_interval"] == [lo, hi]
    assert c.summary["lcurve"]["s0_identifiable"] is True
    assert "held-out share, 90% interval" in format_summary(c)
    write_outputs(c, tmp_path, figures=False)
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["lcurve"]["s0_interval"] == [lo, hi]
    assert saved["s"] == c.lcurve.s0


def test_rank_units_after_lcurve_reuses_the_share(prepared_spurious, monkeypatch):
    """The fold paths are solved once: rank_units(s="auto") after lcurve on the same data takes
    the kept estimate (mass_paths is not called again) and the same s0."""
    x, y = prepared_spurious
    parsm._path_cache.clear()
    lc = parsm.lcurve(x, y)
    key = parsm._path_cache.key(x, y, "correlation", "float64")
    assert parsm._path_cache.get_share(key, 5) is lc.share

    def no_solve(*args, **kwargs):
        raise AssertionError("the fold paths were solved again")

    monkeypatch.setattr(_core, "mass_paths", no_solve)
    r = parsm.rank_units(x, y)
    assert r.s == lc.s0
    parsm._path_cache.clear()
    assert parsm._path_cache.get_share(key, 5) is None


def test_compare_with_cv_computes_each_fold_matrix_once(prepared_spurious, monkeypatch):
    x, y = prepared_spurious
    calls = []
    real = _core.cost_matrix

    def counting(*args, **kwargs):
        calls.append(args[0].shape)
        return real(*args, **kwargs)

    monkeypatch.setattr(_core, "cost_matrix", counting)
    parsm._path_cache.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", parsm.ShareWarning)
        c = parsm.compare(x, y, cv=5)
    # One in-sample matrix, then a training and a held-out matrix per fold: 11, not 21.
    assert len(calls) == 11
    assert c.summary["soft_matching"]["cv_score"] == pytest.approx(parsm.cv_score(x, y, 1.0))


def _corners_by_numpy(gains, sd, z):
    """The corner rule as numpy states it: the first i with no j > i where e[j] - e[i] rises
    above z * sd[i, j] + 1e-12."""
    g = gains.shape[1]
    later = np.triu(np.ones((g, g), dtype=bool), 1)
    threshold = z * sd + 1e-12
    return np.array(
        [int(np.argmin(((e[None, :] - e[:, None] > threshold) & later).any(axis=1))) for e in gains]
    )


def test_corners_in_the_core_equal_the_numpy_rule(rng):
    for trial in range(200):
        g, b = int(rng.integers(1, 60)), int(rng.integers(1, 20))
        gains = np.cumsum(rng.standard_normal((b, g)) * rng.random(), axis=1)
        if trial % 3 == 0:
            gains = np.round(gains, 1)  # ties at the threshold
        sd = np.abs(rng.standard_normal((g, g)))
        z = float(rng.choice([0.0, 1.0, share.Z]))
        got = _core.held_out_corners(gains, (sd + sd.T) / 2, z)
        np.testing.assert_array_equal(got, _corners_by_numpy(gains, (sd + sd.T) / 2, z))
    with pytest.raises(ValueError, match="sd g x g"):
        _core.held_out_corners(np.zeros((2, 5)), np.zeros((4, 4)), 2.5)
    with pytest.raises(ValueError, match="z must be finite"):
        _core.held_out_corners(np.zeros((2, 5)), np.zeros((5, 5)), float("nan"))
