"""One-call comparison of two populations, as ``parsm compare`` runs it, and its outputs.

:func:`compare` computes the L-curve, balanced and partial soft matching and the unit ranking;
:func:`write_outputs` writes ``summary.json``, ``units_x.csv``, ``units_y.csv``, the sparse
``plan.npz`` and the figures into a folder.
"""

from __future__ import annotations

import csv
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import __version__
from ._validation import as_mass_or_auto, as_n_threads, as_population, columns_of
from .crossval import cv_score, keep_fold_costs
from .curve import LCurve, lcurve_on, mass_grid
from .matching import _check_metric, cost_matrix, match_from_path, soft_match_on
from .ranking import UnitRanking, labels_of, rank_on
from .results import MATCH_TOL, Pair, PartialMatch

__all__ = [
    "Comparison",
    "compare",
    "format_summary",
    "scored_matchings",
    "unit_table",
    "write_outputs",
]


@dataclass(frozen=True, eq=False)
class Comparison:
    """The results of :func:`compare` and their JSON-ready ``summary``.

    Attributes
    ----------
    lcurve : LCurve
        The L-curve (the optimal transport cost against the matched mass ``s``) and the
        matched share ``s0`` with its interval.
    soft : PartialMatch
        Balanced soft matching (``s = 1``: every unit matched).
    partial : PartialMatch
        Partial soft matching at ``s`` (``s0`` with ``s="auto"``).
    ranking : UnitRanking
        Both populations' units from best to worst aligned, and which are matched at ``s``.
    summary : dict
        Everything ``summary.json`` holds: versions, inputs, shape, metric, ``s`` and its
        source, the unmatched mass, the L-curve's ``s0`` and interval, both matchings' scores,
        mean correlations and matched counts (and cross-validated scores with ``cv``).
    s0, s0_interval, s0_identifiable
        Shortcuts to the L-curve's share estimate (see :func:`parsm.lcurve`).
    """

    lcurve: LCurve
    soft: PartialMatch
    partial: PartialMatch
    ranking: UnitRanking
    summary: dict[str, Any]

    @property
    def s0(self) -> float:
        """The matched share: the mass with a counterpart beyond chance."""
        return self.lcurve.s0

    @property
    def s0_interval(self) -> tuple[float, float] | None:
        """The 90 % interval of ``s0`` (None for the in-sample elbow rules)."""
        return self.lcurve.s0_interval

    @property
    def s0_identifiable(self) -> bool | None:
        """False when the held-out gain curve has no clear corner."""
        return self.lcurve.s0_identifiable


def _match_summary(m: PartialMatch, cv: float | None) -> dict[str, Any]:
    nx, ny = m.plan.shape
    out = {
        "s": m.s,
        "score": m.score,
        "cost": m.cost,
        "mean_correlation": None if np.isnan(m.mean_correlation) else m.mean_correlation,
        "matched_x": int(m.matched_x.sum()),
        "matched_y": int(m.matched_y.sum()),
        "n_x": nx,
        "n_y": ny,
    }
    if cv is not None:
        out["cv_score"] = cv
    return out


def scored_matchings(
    pair: Pair, s: float, cv: int | None, cv_at_s: float | None, n_threads: int | None
) -> tuple[PartialMatch, PartialMatch, dict[str, Any], dict[str, Any]]:
    """Partial soft matching at ``s`` (from the pair's path, solved at least to ``s``) and soft
    matching (from the path when it reaches ``s = 1``, as in :func:`compare`; else as
    :func:`parsm.soft_match` solves it, the same optimum), and their summaries; with ``cv`` the
    cross-validated scores (``cv_at_s`` when already known, the L-curve's at its own ``s0``),
    computed with ``n_threads``. ``compare`` and ``pairwise`` both report these, so their
    numbers are the same."""
    partial = match_from_path(pair.path, pair.c, s, pair.metric)
    if pair.path.s_max >= 1.0:  # the path already holds soft matching: no second solve or copy
        soft = match_from_path(pair.path, pair.c, 1.0, pair.metric)
    else:
        soft = soft_match_on(pair.c, pair.metric)
    cv_soft = None
    if cv is not None:
        if cv_at_s is None:
            cv_at_s = cv_score(pair.x, pair.y, s, pair.metric, cv=cv, n_threads=n_threads)
        cv_soft = cv_score(pair.x, pair.y, 1.0, pair.metric, cv=cv, n_threads=n_threads)
    return partial, soft, _match_summary(partial, cv_at_s), _match_summary(soft, cv_soft)


def compare(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    *,
    s: float | str = "auto",
    metric: str = "correlation",
    cv: int | None = None,
    grid: int = 200,
    labels_x: Sequence[Any] | None = None,
    labels_y: Sequence[Any] | None = None,
    n_threads: int | None = None,
    progress: bool | None = None,
    sources: tuple[str, str] | None = None,
    dtype: str = "float64",
) -> Comparison:
    """L-curve, soft matching, partial soft matching at ``s`` and the ranking, in one call.

    In plain words: every unit carries an equal share of its population's **mass**
    (``1/Nx`` or ``1/Ny``); the **plan** says how much of each unit's mass goes to each unit of
    the other population; and ``s`` is the share of the mass, equally weighted, that gets a
    partner (``s = 0.6``: 60 % of the units' weight is matched, the rest left out).

    Parameters
    ----------
    X, Y : array_like of shape (M, Nx) and (M, Ny)
        Responses (stimuli x units).
    s : float in [0, 1] or "auto", default "auto"
        The matched mass; ``"auto"`` takes the held-out share estimate ``s0`` with its
        interval (see :func:`parsm.lcurve`, ``elbow="heldout"``).
    metric : str, default "correlation"
    cv : int, optional
        Also report scores cross-validated over this many folds of stimuli.
    grid : int, default 200
        L-curve grid points.
    labels_x, labels_y : sequence, optional
        Unit names, carried into the ranking and the unit tables.
    n_threads : int, optional
    progress : bool, optional
        Progress bar on stderr for long runs (default: on a terminal only). Ctrl-C stops the
        computation within a second either way.
    sources : (str, str), optional
        Where X and Y came from, recorded in the summary.
    dtype : {"float64", "float32"}, default "float64"
        Storage of the cost matrix (see :func:`parsm.cost_matrix`).

    Returns
    -------
    Comparison
    """
    s = as_mass_or_auto(s)
    metric = _check_metric(metric)
    x = as_population(X, "X")
    y = as_population(Y, "Y")
    n_threads = as_n_threads(n_threads)
    lab_x = labels_of(columns_of(X) if labels_x is None else labels_x, x.shape[1], "labels_x")
    lab_y = labels_of(columns_of(Y) if labels_y is None else labels_y, y.shape[1], "labels_y")
    # One cost matrix and one path solve give the curve, both matchings and the ranking.
    c = cost_matrix(x, y, metric, n_threads=n_threads, dtype=dtype)
    with keep_fold_costs():  # the cv curve and the cv scores share their fold matrices
        lc, path = lcurve_on(
            x, y, c, mass_grid(grid), metric=metric, cv=cv, n_threads=n_threads, progress=progress
        )
        s_value = lc.s0 if s == "auto" else float(s)
        at_s0 = lc.score_s0 if s == "auto" and cv is not None else None
        partial, soft, partial_summary, soft_summary = scored_matchings(
            Pair(x, y, c, path, metric), s_value, cv, at_s0, n_threads
        )
    ranking = rank_on(
        Pair(x, y, c, path, metric), s_value, labels=(lab_x, lab_y), n_threads=n_threads
    )
    summary = {
        "parsm": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "inputs": {"X": sources[0], "Y": sources[1]} if sources else None,
        "shape": {
            "stimuli": x.shape[0],
            "n_x": partial.plan.shape[0],
            "n_y": partial.plan.shape[1],
        },
        "metric": metric,
        "s": partial.s,
        "s_source": _s_source(lc) if s == "auto" else "given",
        "unmatched_mass": 1.0 - partial.s,
        "lcurve": {
            "s0": lc.s0,
            "s0_interval": None if lc.s0_interval is None else list(lc.s0_interval),
            "s0_identifiable": lc.s0_identifiable,
            "elbow": lc.elbow,
            "grid": len(lc.s),
            "cv": cv,
            "share_folds": None if lc.share is None else lc.share.folds,
        },
        "partial": partial_summary,
        "soft_matching": soft_summary,
        "match_tol": MATCH_TOL,
    }
    return Comparison(lcurve=lc, soft=soft, partial=partial, ranking=ranking, summary=summary)


def _s_source(lc: LCurve) -> str:
    if lc.s0_interval is None:
        return f"L-curve elbow ({lc.elbow})"
    lo, hi = lc.s0_interval
    clear = "" if lc.s0_identifiable else "; no clear corner, report the interval"
    return f"held-out share, 90% interval [{lo:.3f}, {hi:.3f}]{clear}"


def format_summary(c: Comparison) -> str:
    """The human-readable summary ``parsm compare`` prints."""
    p, sm = c.summary["partial"], c.summary["soft_matching"]
    shape = c.summary["shape"]
    cv = c.summary["lcurve"]["cv"]
    lines = [
        f"{shape['stimuli']} stimuli; X has {shape['n_x']} units, Y has {shape['n_y']}; "
        f"metric {c.summary['metric']}",
        f"s = {c.summary['s']:.4f} ({c.summary['s_source']}); unmatched mass "
        f"{c.summary['unmatched_mass']:.4f}",
        "",
        f"{'':<24}{'score':>8}{'mean r':>9}"
        + (f"{f'cv score ({cv}-fold)':>20}" if cv else "")
        + f"{'matched X':>12}{'matched Y':>12}",
    ]
    for name, d in (("partial soft matching", p), ("soft matching (s = 1)", sm)):
        r = d["mean_correlation"]
        lines.append(
            f"{name:<24}{d['score']:>8.4f}{(f'{r:.4f}' if r is not None else 'n/a'):>9}"
            + (f"{d['cv_score']:>20.4f}" if cv else "")
            + f"{str(d['matched_x']) + '/' + str(d['n_x']):>12}"
            + f"{str(d['matched_y']) + '/' + str(d['n_y']):>12}"
        )
    r = c.ranking
    lines.append("")
    for side in ("x", "y"):
        best = ", ".join(str(u) for u in getattr(r.top(3, labels=True), side))
        worst = ", ".join(str(u) for u in getattr(r.bottom(3, labels=True), side))
        lines += [
            f"best-aligned units of {side.upper()}: {best}",
            f"worst-aligned units of {side.upper()}: {worst}",
        ]
    return "\n".join(lines)


def unit_table(c: Comparison, side: str) -> list[dict[str, Any]]:
    """One row per unit of X (``side="x"``) or Y: its label, rank (from 1), entry and full
    mass along the path, mass at ``s``, matched flag, and its **main partner** in the plan at
    ``s`` (the unit of the other side it sends the most mass to; empty when unmatched) with
    that mass. ``units_x.csv`` / ``units_y.csv`` and ``parsm compare --json`` carry it."""
    r, plan = c.ranking, c.partial.plan
    other = "y" if side == "x" else "x"
    flows = plan if side == "x" else plan.T
    mass = c.partial.row_mass if side == "x" else c.partial.col_mass
    labels, partner_labels = getattr(r, f"labels_{side}"), getattr(r, f"labels_{other}")
    matched = getattr(r, f"matched_{side}")
    best = np.argmax(flows, axis=1) if flows.shape[1] else np.zeros(len(flows), dtype=int)
    rows = []
    for u in range(len(labels)):
        has = bool(matched[u]) and flows.shape[1] > 0
        rows.append(
            {
                "unit": str(labels[u]),
                "rank": int(getattr(r, f"rank_{side}")[u]) + 1,
                "entry_mass": float(getattr(r, f"entry_mass_{side}")[u]),
                "full_mass": float(getattr(r, f"full_mass_{side}")[u]),
                "mass_at_s": float(mass[u]),
                "matched": bool(matched[u]),
                "partner": str(partner_labels[best[u]]) if has else "",
                "partner_mass": float(flows[u, best[u]]) if has else 0.0,
            }
        )
    return rows


_UNIT_COLUMNS = (
    "unit",
    "rank",
    "entry_mass",
    "full_mass",
    "mass_at_s",
    "matched",
    "partner",
    "partner_mass",
)


def _write_units(path: Path, c: Comparison, side: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(_UNIT_COLUMNS)
        for row in unit_table(c, side):
            w.writerow(
                [
                    repr(v) if isinstance(v, float) else int(v) if isinstance(v, bool) else v
                    for v in (row[k] for k in _UNIT_COLUMNS)
                ]
            )


def write_outputs(
    c: Comparison, out: Path, *, figures: bool = True, fmt: str = "png", dpi: int = 150
) -> list[str]:
    """Writes the comparison into ``out``; returns notes for the user (e.g. skipped figures).

    Files: ``summary.json``; ``units_x.csv`` and ``units_y.csv`` (unit, rank from 1, entry
    mass, full mass, mass at ``s``, matched flag, main partner and the mass sent to it; see
    :func:`unit_table`); ``plan.npz`` (the plan at ``s`` in sparse
    COO form: ``row``, ``col``, ``mass``, ``shape``, ``s``); and with matplotlib the figures
    ``lcurve``, ``plan`` and ``ranking`` in ``fmt`` (png, pdf or svg) at ``dpi``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(c.summary, indent=2) + "\n", encoding="utf-8")
    _write_units(out / "units_x.csv", c, "x")
    _write_units(out / "units_y.csv", c, "y")
    rows, cols = np.nonzero(c.partial.plan)
    np.savez_compressed(
        out / "plan.npz",
        row=rows,
        col=cols,
        mass=c.partial.plan[rows, cols],
        shape=np.array(c.partial.plan.shape),
        s=np.array(c.partial.s),
    )
    if not figures:
        return ["figures skipped: install matplotlib with pip install 'parsm[plot]'"]
    from .plot import plot_lcurve, plot_plan, plot_ranking, save_figure

    save_figure(out / f"lcurve.{fmt}", lambda ax: plot_lcurve(c.lcurve, ax=ax), dpi=dpi)
    save_figure(out / f"plan.{fmt}", lambda ax: plot_plan(c.partial, c.ranking, ax=ax), dpi=dpi)

    def rankings(axes: Any) -> None:
        plot_ranking(c.ranking, "x", ax=axes[0])
        plot_ranking(c.ranking, "y", ax=axes[1])

    save_figure(out / f"ranking.{fmt}", rankings, ncols=2, dpi=dpi)
    return []
