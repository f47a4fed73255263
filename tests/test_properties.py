"""Doctests of every module, and properties every answer must have: permuting units permutes
the answer, swapping the populations transposes it, the elbow does not move under positive
affine maps of the costs, and files read back what was written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsm

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(parsm.__path__, "parsm.")
    if not m.name.endswith(("_core", "__main__"))
)


@pytest.mark.parametrize("name", MODULES)
def test_doctests_of_every_module(name):
    module = importlib.import_module(name)
    failures, _tried = doctest.testmod(module, raise_on_error=False, verbose=False)
    assert failures == 0, name


def test_doctests_exist():
    tried = sum(doctest.testmod(importlib.import_module(n), verbose=False)[1] for n in MODULES)
    assert tried >= 10


def _pair(seed, m, nx, ny):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((m, max(nx, ny)))
    x = base[:, :nx] + 0.5 * rng.standard_normal((m, nx))
    y = base[:, :ny][:, ::-1] + 0.5 * rng.standard_normal((m, ny))
    return x, y, rng


cases = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cases
@given(st.integers(0, 10**6), st.integers(8, 40), st.integers(2, 12), st.integers(2, 12))
def test_swapping_populations_transposes_the_costs_and_keeps_the_optimum(seed, m, nx, ny):
    x, y, _ = _pair(seed, m, nx, ny)
    for metric in parsm.METRICS:
        np.testing.assert_allclose(
            parsm.cost_matrix(x, y, metric), parsm.cost_matrix(y, x, metric).T, atol=1e-12
        )
    for s in (0.3, 1.0):
        a, b = parsm.partial_soft_match(x, y, s), parsm.partial_soft_match(y, x, s)
        assert a.cost == pytest.approx(b.cost, abs=1e-12)


@cases
@given(st.integers(0, 10**6), st.integers(8, 40), st.integers(2, 12), st.integers(2, 12))
def test_permuting_units_permutes_the_plan_and_the_ranking(seed, m, nx, ny):
    x, y, rng = _pair(seed, m, nx, ny)
    px, py = rng.permutation(nx), rng.permutation(ny)
    s = 0.5
    a = parsm.partial_soft_match(x, y, s)
    b = parsm.partial_soft_match(x[:, px], y[:, py], s)
    assert a.cost == pytest.approx(b.cost, abs=1e-12)
    # Row and column masses follow the units (the plan itself may differ only under ties).
    ra = parsm.rank_units(x, y, s=s)
    rb = parsm.rank_units(x[:, px], y[:, py], s=s)
    np.testing.assert_allclose(rb.entry_mass_x, ra.entry_mass_x[px], atol=1e-12)
    np.testing.assert_allclose(rb.entry_mass_y, ra.entry_mass_y[py], atol=1e-12)


@cases
@given(
    st.integers(0, 10**6),
    st.floats(0.1, 50.0),
    st.floats(-5.0, 5.0),
    st.sampled_from(["plateau", "paper", "notebook"]),
)
def test_the_elbow_does_not_move_under_positive_affine_maps_of_the_costs(seed, a, b, rule):
    from parsm.curve import find_elbow, mass_grid

    rng = np.random.default_rng(seed)
    c = rng.random((9, 11))
    grid = mass_grid(40)
    path, moved = parsm._core.MassPath(c, 1.0), parsm._core.MassPath(a * c + b, 1.0)
    s0, _ = find_elbow(grid, path.evaluate(c, grid), path.breakpoints_to(1.0), rule)
    s1, _ = find_elbow(grid, moved.evaluate(a * c + b, grid), moved.breakpoints_to(1.0), rule)
    assert s0 == pytest.approx(s1, abs=1e-12)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([".npy", ".npz", ".csv", ".tsv", ".h5", ".mat"]))
def test_files_read_back_what_was_written(tmp_path_factory, seed, suffix):
    from parsm.io import load_responses

    rng = np.random.default_rng(seed)
    data = rng.standard_normal((int(rng.integers(3, 30)), int(rng.integers(1, 8))))
    names = [f"u{k}" for k in range(data.shape[1])]
    path = tmp_path_factory.mktemp("rt") / f"r{suffix}"
    if suffix == ".npy":
        np.save(path, data)
    elif suffix == ".npz":
        np.savez(path, responses=data)
    elif suffix in (".csv", ".tsv"):
        sep = "," if suffix == ".csv" else "\t"
        rows = [sep.join(names)] + [sep.join(repr(v) for v in r) for r in data.tolist()]
        path.write_text("\n".join(rows) + "\n")
    elif suffix == ".h5":
        h5py = pytest.importorskip("h5py")
        with h5py.File(path, "w") as f:
            f["responses"] = data
    else:
        pytest.importorskip("scipy.io").savemat(path, {"responses": data})
    got, units = load_responses(path)
    np.testing.assert_array_equal(got, data)
    if suffix in (".csv", ".tsv"):
        assert units == names
