"""Figures (matplotlib is an optional extra: ``pip install 'parsm[plot]'``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .lcurve import LCurve

__all__ = ["plot_lcurve"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "plotting needs matplotlib; install it with pip install 'parsm[plot]'."
        ) from exc
    return plt


def plot_lcurve(lc: LCurve, ax: Any = None, **kwargs: Any) -> Any:
    """Plots the L-curve ``cost`` against the matched mass ``s`` with its elbow ``s0``.

    Parameters
    ----------
    lc : LCurve
        The result of :func:`parsm.lcurve`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure's axes by default.
    **kwargs
        Passed to ``ax.plot`` for the curve.

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(4.5, 3.5))
    ax.plot(lc.s, lc.cost, **{"color": "C0", "lw": 1.5, **kwargs})
    ax.axvline(lc.s0, color="C3", ls="--", lw=1)
    ax.plot([lc.s0], [lc.cost_s0], "o", color="C3", label=f"s0 = {lc.s0:.3f} ({lc.elbow})")
    ax.set_xlabel("matched mass s")
    ax.set_ylabel("transport cost" + (" (cross-validated)" if lc.cv else ""))
    ax.legend(frameon=False)
    return ax
