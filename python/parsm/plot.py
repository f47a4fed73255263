"""Figures (matplotlib is an optional extra: ``pip install 'parsm[plot]'``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .results import KeepCurve, LCurve, PairwiseResult, UnitRanking

__all__ = [
    "plot_lcurve",
    "plot_plan",
    "plot_ranking",
    "plot_keep_curve",
    "plot_pairwise",
    "pairwise_figsize",
    "classical_mds",
    "save_figure",
]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "plotting needs matplotlib; install it with pip install 'parsm[plot]'."
        ) from exc
    return plt


def plot_lcurve(lc: LCurve, ax: Any = None, *, slope: bool = False, **kwargs: Any) -> Any:
    """Plots the L-curve ``cost`` against the matched mass ``s`` with its elbow ``s0`` (and,
    for the held-out share, its 90 % interval as a band).

    Parameters
    ----------
    lc : LCurve
        The result of :func:`parsm.lcurve`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure's axes by default.
    slope : bool, default False
        Also draw the slope of the curve (the marginal cost of matching more mass) on a
        second y axis.
    **kwargs
        Passed to ``ax.plot`` for the curve.

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(4.8, 3.6), layout="constrained")
    ax.plot(lc.s, lc.cost, **{"color": "C0", "lw": 1.5, "label": "cost", **kwargs})
    if lc.s0_interval is not None:
        lo, hi = lc.s0_interval
        ax.axvspan(lo, hi, color="C3", alpha=0.15, lw=0, label=f"90% interval [{lo:.2f}, {hi:.2f}]")
    ax.axvline(lc.s0, color="C3", ls="--", lw=1)
    ax.plot([lc.s0], [lc.cost_s0], "o", color="C3", label=f"s0 = {lc.s0:.3f} ({lc.elbow})")
    ax.set_xlabel("matched mass s")
    ax.set_ylabel("transport cost" + (" (cross-validated)" if lc.cv else ""))
    ax.set_title(f"L-curve ({lc.metric})")
    if slope:
        twin = ax.twinx()
        mid = (lc.s[1:] + lc.s[:-1]) / 2
        twin.plot(mid, np.diff(lc.cost) / np.diff(lc.s), color="0.5", ls=":", lw=1.2)
        twin.set_ylabel("slope (marginal cost)", color="0.4")
        ax.plot([], [], color="0.5", ls=":", label="slope")
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_plan(
    plan: Any,
    ranking: UnitRanking | None = None,
    ax: Any = None,
    *,
    floor: float = 1e-6,
    max_cells: int = 400,
    **kwargs: Any,
) -> Any:
    """Draws a transport plan as a heatmap on a log colour scale, units sorted by rank.

    Parameters
    ----------
    plan : PartialMatch or array_like of shape (Nx, Ny)
        The plan (or a result holding one).
    ranking : UnitRanking, optional
        Reorders rows and columns best-aligned first, so the matched block sits top-left.
    ax : matplotlib Axes, optional
        Where to draw; a new figure's axes by default.
    floor : float, default 1e-6
        Entries below ``floor`` times the largest one are left blank (the plan is sparse).
    max_cells : int, default 400
        Above this many units a side, the (sorted) plan is summed into blocks of units so
        that a 20,000-unit plan shows as a readable picture of where the mass goes, not a
        handful of sub-pixel dots; the title says the block size.
    **kwargs
        Passed to ``ax.imshow``.

    Returns
    -------
    matplotlib Axes
    """
    plt = _pyplot()
    from matplotlib.colors import LogNorm

    t = np.asarray(getattr(plan, "plan", plan), dtype=np.float64)
    if t.ndim != 2:
        raise ValueError(f"plan must be 2-D (Nx x Ny); got shape {t.shape}.")
    if ranking is not None:
        if ranking.shape != t.shape:
            raise ValueError(f"the ranking is for {ranking.shape} units but the plan is {t.shape}.")
        t = t[np.ix_(ranking.order_x, ranking.order_y)]
    nx, ny = t.shape
    block = max(1, -(-max(nx, ny) // max_cells))
    if block > 1:
        t = _block_sums(t, block)
    top = t.max() if t.size and t.max() > 0 else 1.0
    shown = np.ma.masked_less_equal(t, floor * top)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 3.8), layout="constrained")
    nonzero = shown.compressed()
    # Equal masses (a one-to-one plan) read best on a linear scale; spread ones on a log one.
    equal = nonzero.size > 0 and nonzero.min() >= 0.5 * nonzero.max()
    norm = None if equal else LogNorm(vmin=floor * top, vmax=top)
    extent = (-0.5, ny - 0.5, nx - 0.5, -0.5)
    im = ax.imshow(
        shown,
        **{
            "aspect": "auto",
            "interpolation": "nearest",
            "cmap": "magma_r",
            "norm": norm,
            "vmin": 0.0 if equal else None,
            "extent": extent,
            **kwargs,
        },
    )
    label = "transported mass" + (f" per {block} x {block} block" if block > 1 else "")
    ax.figure.colorbar(im, ax=ax, label=label)
    sorted_by = " (sorted by rank)" if ranking is not None else ""
    ax.set_xlabel(f"units of Y{sorted_by}")
    ax.set_ylabel(f"units of X{sorted_by}")
    s = float(np.asarray(getattr(plan, "plan", plan)).sum())
    ax.set_title(f"plan at s = {s:.3f}" + (f" ({block} units per cell)" if block > 1 else ""))
    return ax


def _block_sums(t: np.ndarray, block: int) -> np.ndarray:
    """``t`` summed over blocks of ``block x block`` entries (the last ones smaller)."""
    nx, ny = t.shape
    bx, by = -(-nx // block), -(-ny // block)
    padded = np.zeros((bx * block, by * block))
    padded[:nx, :ny] = t
    return padded.reshape(bx, block, by, block).sum(axis=(1, 3))


def plot_ranking(
    ranking: UnitRanking,
    side: str = "y",
    ax: Any = None,
    *,
    highlight: Any = None,
    names: tuple[str, str] = ("signal", "noise"),
) -> Any:
    """Draws one side's ranking: each unit's value in rank order, coloured.

    The value is what the ranking sorts (the entry mass for ``method="path"``); the dashed line
    marks the mass ``s`` at which units count as matched.

    Parameters
    ----------
    ranking : UnitRanking
    side : {"x", "y"}, default "y"
    ax : matplotlib Axes, optional
    highlight : array_like of bool, optional
        Colours units where it is True with ``names[0]`` (e.g. known signal units) and the
        others with ``names[1]``. By default, matched and unmatched units at ``s``.
    names : (str, str)
        Legend labels for ``highlight``.

    Returns
    -------
    matplotlib Axes
    """
    plt = _pyplot()
    if side not in ("x", "y"):
        raise ValueError(f"side must be 'x' or 'y'; got {side!r}.")
    order = getattr(ranking, f"order_{side}")
    values = getattr(ranking, f"values_{side}")[order]
    if highlight is None:
        mask = getattr(ranking, f"matched_{side}")[order]
        names = ("matched at s", "unmatched")
    else:
        mask = np.asarray(highlight, dtype=bool)
        if mask.shape != order.shape:
            raise ValueError(f"highlight must have one entry per unit of {side.upper()}.")
        mask = mask[order]
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 3.6), layout="constrained")
    pos = np.arange(1, len(order) + 1)  # ranks from 1, as in units_x.csv / units_y.csv
    ax.scatter(pos[mask], values[mask], s=8, color="C0", marker="o", label=names[0])
    ax.scatter(pos[~mask], values[~mask], s=10, color="C3", marker="x", label=names[1])
    ax.set_title(f"ranking of the units of {side.upper()}")
    if ranking.method == "path":
        ax.axhline(ranking.s, color="0.4", ls="--", lw=1, label=f"s = {ranking.s:.3f}")
        ax.set_ylabel("entry mass (lower = better aligned)")
    else:
        ax.set_ylabel(f"{ranking.method} value")
    ax.set_xlabel(f"rank of the units of {side.upper()} ({ranking.method})")
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_keep_curve(curves: KeepCurve | Sequence[KeepCurve], ax: Any = None) -> Any:
    """Draws the score after keeping the top fraction of units, one line per ranking (the
    paper's Fig. 5/6 comparison of path, brute force and correlation rankings).

    Parameters
    ----------
    curves : KeepCurve or sequence of KeepCurve
        From :func:`parsm.keep_score_curve`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    plt = _pyplot()
    from .ranking import KeepCurve

    if isinstance(curves, KeepCurve):
        curves = [curves]
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 3.6), layout="constrained")
    styles = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D")]
    for k, curve in enumerate(curves):
        ls, marker = styles[k % len(styles)]
        ax.plot(
            curve.fractions,
            curve.score,
            ls=ls,
            marker=marker,
            ms=3.5,
            color=f"C{k}",
            label=curve.method,
        )
    ax.set_title("score of the kept units")
    ax.set_xlabel("fraction of units kept (best first)")
    ax.set_ylabel("soft-matching score of the kept units")
    ax.legend(frameon=False)
    return ax


def classical_mds(d: np.ndarray, dims: int = 2) -> np.ndarray:
    """Classical (Torgerson) multidimensional scaling of a symmetric dissimilarity matrix:
    ``n x dims`` coordinates whose distances approximate ``d``."""
    d = np.asarray(d, dtype=np.float64)
    n = d.shape[0]
    j = np.eye(n) - 1.0 / n
    b = -0.5 * j @ (d**2) @ j
    w, v = np.linalg.eigh(b)
    top = np.argsort(w)[::-1][:dims]
    return v[:, top] * np.sqrt(np.clip(w[top], 0.0, None))


def plot_pairwise(res: PairwiseResult, *, what: str = "score", axes: Any = None) -> Any:
    """Heatmap of one of the result's matrices (``what``: ``"score"``, ``"s0"``,
    ``"unmatched_mass"``, ``"score_sm"``, ``"mean_correlation"``, ``"cv_score"`` ...) with the
    populations' names, and beside it a classical MDS map of the populations from the
    dissimilarity ``1 - score`` (only when every pair was compared).

    Parameters
    ----------
    res : PairwiseResult
    what : str, default "score"
    axes : pair of matplotlib Axes, optional
        Where to draw; a new two-panel figure by default.

    Returns
    -------
    array of two matplotlib Axes
    """
    m = getattr(res, what, None)
    if not isinstance(m, np.ndarray) or m.ndim != 2:
        raise ValueError(f"what must name one of the result's matrices; got {what!r}.")
    if not np.isfinite(m).any():
        raise ValueError(
            f"{what} is NaN for every pair: nothing to plot. The cross-validated scores need "
            "pairwise(cv=...), s0 needs s='auto', the soft-matching numbers "
            "soft_matching=True, the mean correlations metric 'correlation' or 'cosine'."
        )
    n = len(res.names)
    if axes is None:
        _, axes = _pyplot().subplots(1, 2, figsize=pairwise_figsize(n), layout="constrained")
    ax, ax_map = axes
    im = ax.imshow(np.ma.masked_invalid(m), cmap="viridis")
    ax.figure.colorbar(im, ax=ax, label=what.replace("_", " "))
    # Every name where they fit at 7 pt (about 9 pt of axis a name), else every k-th.
    fig = ax.figure
    height_pt = ax.get_position().height * fig.get_figheight() * 72.0
    step = max(1, int(np.ceil(n * 9.0 / max(height_pt, 1.0))))
    ticks = np.arange(n)[::step]
    names = [res.names[k] for k in ticks]
    ax.set_xticks(ticks, names, rotation=90, fontsize=7)
    ax.set_yticks(ticks, names, fontsize=7)
    ax.set_title(f"{what.replace('_', ' ')} ({res.metric})")
    d = 1.0 - np.asarray(res.score, dtype=np.float64)
    np.fill_diagonal(d, 0.0)
    if np.all(np.isfinite(d)):
        xy = classical_mds(np.clip((d + d.T) / 2, 0.0, None))
        ax_map.scatter(xy[:, 0], xy[:, 1], s=18, color="C0")
        for k, name in enumerate(res.names):
            ax_map.annotate(name, xy[k], fontsize=7, xytext=(3, 2), textcoords="offset points")
        ax_map.set_title("populations, MDS of 1 - score")
        ax_map.set_xlabel("MDS 1")
        ax_map.set_ylabel("MDS 2")
    else:
        ax_map.set_axis_off()
        ax_map.text(0.5, 0.5, "MDS needs every pair", ha="center", va="center")
    return axes


def pairwise_figsize(n: int) -> tuple[float, float]:
    """The size in inches of :func:`plot_pairwise`'s two panels for ``n`` populations: 10 x 4.2
    up to about 25, then growing so that every name fits beside the heatmap (up to 16 inches
    high; beyond that only every k-th name is shown)."""
    height = float(min(16.0, max(4.2, 0.17 * n)))
    return (height * 2.4, height)


def save_figure(
    path: Any,
    draw: Any,
    *,
    ncols: int = 1,
    size: tuple[float, float] = (4.8, 3.6),
    dpi: int = 150,
) -> Any:
    """Draws ``draw(axes)`` on a new figure of ``ncols`` panels and saves it to ``path`` in
    the format its suffix names (``.png``, ``.pdf``, ``.svg``), with constrained layout so
    that no label is cut off. ``axes`` is one Axes for ``ncols=1``, else an array of them.
    Returns ``path``."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, ncols, figsize=(size[0] * ncols, size[1]), layout="constrained")
    try:
        draw(axes)
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return path


def save_png(
    path: Any, draw: Any, *, ncols: int = 1, size: tuple[float, float] = (4.8, 3.6)
) -> Any:
    """:func:`save_figure` at 150 dpi (kept for the PNG-only callers)."""
    return save_figure(path, draw, ncols=ncols, size=size)
