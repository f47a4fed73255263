"""Reporting: the summary text, tables, CSV/JSON files and figures that ``parsm compare`` and
``parsm pairwise`` write. Nothing here computes a matching; it reads the result types of
:mod:`parsm.results`.

:func:`write_outputs` writes one comparison's ``summary.json``, ``units_x.csv``,
``units_y.csv``, the sparse ``plan.npz`` and its figures into a folder; :func:`write_pairwise`
writes ``pairs.csv``, ``score_matrix.csv`` and the heatmap of many.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from .results import FIELDS, Comparison, PairwiseResult

__all__ = ["format_summary", "unit_table", "write_outputs", "write_pairwise"]

#: The columns of ``units_x.csv`` / ``units_y.csv``, in order.
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


def write_pairwise(res: PairwiseResult, out: Any, *, figures: bool = True) -> list[str]:
    """Writes ``pairs.csv`` (one row per pair, the columns of :meth:`PairwiseResult.to_frame`),
    ``score_matrix.csv`` (names as header and first column; empty where not compared) and,
    with matplotlib, ``pairwise.png`` (heatmap and MDS map) into the folder ``out``; returns
    the file names written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "pairs.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", *FIELDS])
        for r in res.records:
            w.writerow([r["a"], r["b"], *(_cell(r[k]) for k in FIELDS)])
    with open(out / "score_matrix.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["", *res.names])
        for name, row in zip(res.names, res.score):
            w.writerow([name, *(_cell(v) for v in row)])
    written = ["pairs.csv", "score_matrix.csv"]
    if figures:
        from .plot import _pyplot, pairwise_figsize

        plt = _pyplot()
        fig, axes = plt.subplots(1, 2, figsize=pairwise_figsize(len(res.names)))
        try:
            res.plot(axes=axes)
            fig.tight_layout()
            fig.savefig(out / "pairwise.png", dpi=150)
        finally:
            plt.close(fig)
        written.append("pairwise.png")
    return written


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    return "" if np.isnan(v) else repr(v)
