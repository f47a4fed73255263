"""parsm.plot: every figure renders with the Agg backend and draws what it says."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import population

import parsm

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from parsm import plot  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(3)
    X, Y = population(rng, 40, 15), population(rng, 40, 22)
    r = parsm.rank_units(X, Y, s=0.5)
    return X, Y, r, parsm.partial_soft_match(X, Y, 0.5)


def _saved(ax, path):
    ax.figure.savefig(path)
    plt.close(ax.figure)
    assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 5000
    return path


def test_plot_plan_sorts_by_rank(fitted, tmp_path):
    _X, _Y, r, m = fitted
    ax = plot.plot_plan(m, r)
    shown = ax.images[0].get_array()
    np.testing.assert_allclose(
        shown.filled(0.0),
        np.where(
            m.plan[np.ix_(r.order_x, r.order_y)] > 1e-6 * m.plan.max(),
            m.plan[np.ix_(r.order_x, r.order_y)],
            0.0,
        ),
    )
    _saved(ax, tmp_path / "plan.png")
    with pytest.raises(ValueError, match="2-D"):
        plot.plot_plan(np.ones(3))


def test_plot_ranking_colours_the_given_units(fitted, tmp_path):
    _X, _Y, r, _m = fitted
    signal = np.arange(22) < 10
    fig, ax = plt.subplots()
    assert plot.plot_ranking(r, "y", ax=ax, highlight=signal) is ax
    first, second = ax.collections[:2]
    assert len(first.get_offsets()) == 10 and len(second.get_offsets()) == 12
    _saved(ax, tmp_path / "ranking.png")
    with pytest.raises(ValueError, match="side"):
        plot.plot_ranking(r, "z")


def test_plot_keep_curve_draws_one_line_per_ranking(fitted, tmp_path):
    X, Y, r, _m = fitted
    curves = [
        parsm.keep_score_curve(X, Y, parsm.rank_units(X, Y, 0.5, method=m), [0.3, 0.6, 1.0])
        for m in ("path", "correlation")
    ]
    ax = plot.plot_keep_curve(curves)
    assert [line.get_label() for line in ax.get_lines()] == ["path", "correlation"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), curves[0].score)
    _saved(ax, tmp_path / "keep.png")
    _saved(curves[1].plot(), tmp_path / "keep1.png")


def test_a_large_plan_is_drawn_in_blocks_on_a_linear_scale():
    n = 2000
    plan = np.eye(n) / n  # a one-to-one matching: every entry the same mass
    ax = plot.plot_plan(plan)
    shown = ax.images[0].get_array()
    assert shown.shape == (400, 400)  # 5 units per cell
    np.testing.assert_allclose(shown.filled(0.0).sum(), 1.0)
    assert not isinstance(ax.images[0].norm, mpl.colors.LogNorm)
    assert "5 units per cell" in ax.get_title()
    plt.close(ax.figure)
    spread = np.random.default_rng(0).random((50, 40)) ** 8
    ax = plot.plot_plan(spread / spread.sum())
    assert isinstance(ax.images[0].norm, mpl.colors.LogNorm)
    plt.close(ax.figure)


def test_figures_have_titles_ranks_from_one_styles_and_formats(fitted, tmp_path):
    X, Y, r, _m = fitted
    lc = parsm.lcurve(X, Y)
    ax = plot.plot_lcurve(lc, slope=True)
    assert ax.get_title().startswith("L-curve") and len(ax.figure.axes) >= 2
    plt.close(ax.figure)
    ax = plot.plot_ranking(r, "y")
    xs = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections])
    assert xs.min() == 1 and xs.max() == len(r.order_y)
    plt.close(ax.figure)
    curves = [
        parsm.keep_score_curve(X, Y, parsm.rank_units(X, Y, method=k))
        for k in ("path", "correlation")
    ]
    ax = plot.plot_keep_curve(curves)
    assert len({line.get_linestyle() for line in ax.get_lines()}) == 2
    plt.close(ax.figure)
    for fmt, magic in (("pdf", b"%PDF"), ("svg", b"<?xml")):
        path = plot.save_figure(tmp_path / f"l.{fmt}", lambda a: plot.plot_lcurve(lc, ax=a))
        assert path.read_bytes()[:5].startswith(magic)
