"""The ``parsm`` command line: ``demo``, ``compare``, ``rank`` and ``pairwise``.

Bad files, shapes or values print one line saying what is wrong and exit with status 1
(``--debug`` shows the traceback); usage errors exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .matching import METRICS
from .ranking import RANK_METHODS

__all__ = ["main"]

_DATA_ERRORS = (ValueError, TypeError, OSError, ImportError, MemoryError)
_VALUE_NAMES = {
    "path": "entry mass",
    "plan": "mass at s",
    "bruteforce": "score change",
    "correlation": "pearson r",
}


def _mass(text: str) -> float | str:
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'auto' or a number in [0, 1]; got {text!r}"
        ) from None


def _amount(text: str) -> float | int:
    """``10%`` or ``0.1`` (a fraction) or ``25`` (a count)."""
    try:
        if text.endswith("%"):
            return float(text[:-1]) / 100.0
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected e.g. 10%, 0.1 or 25; got {text!r}") from None


def _add_inputs(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "X",
        type=Path,
        help="responses of population X (.npy .npz .csv .tsv .txt .csv.gz .h5 .nwb .mat)",
    )
    p.add_argument("Y", type=Path, help="responses of population Y, same stimuli in the same order")
    p.add_argument(
        "--key",
        metavar="NAME",
        help="array inside .npz / .mat files (both inputs; a struct field as S.f, a cell as C{2})",
    )
    p.add_argument("--key-x", metavar="NAME", help="array in X's .npz / .mat (overrides --key)")
    p.add_argument("--key-y", metavar="NAME", help="array in Y's .npz / .mat (overrides --key)")
    p.add_argument(
        "--dataset", metavar="PATH", help="dataset path inside .h5/.nwb files (both inputs)"
    )
    p.add_argument(
        "--dataset-x", metavar="PATH", help="dataset path in X's HDF5 file (overrides --dataset)"
    )
    p.add_argument(
        "--dataset-y", metavar="PATH", help="dataset path in Y's HDF5 file (overrides --dataset)"
    )
    p.add_argument(
        "--transpose",
        action="store_true",
        help="the files are units x stimuli, not stimuli x units",
    )
    p.add_argument("--transpose-x", action="store_true", help="X's file is units x stimuli")
    p.add_argument("--transpose-y", action="store_true", help="Y's file is units x stimuli")
    _add_table_options(p)
    p.add_argument("--metric", default="correlation", choices=METRICS, help="unit-to-unit cost")
    p.add_argument(
        "--s",
        type=_mass,
        default="auto",
        metavar="auto|FLOAT",
        help="matched mass: 'auto' (the held-out share estimate s0) or FLOAT",
    )
    p.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    p.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="cost matrix storage; float32 halves memory for voxel-scale inputs",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a human summary")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def _add_table_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-header",
        action="store_true",
        help="CSV/TSV files have no header row of unit names (default: detected)",
    )
    p.add_argument(
        "--index-col",
        action="store_true",
        help="the first CSV/TSV column is an index (stimulus labels), not a unit "
        "(default: detected, e.g. a pandas index)",
    )
    p.add_argument(
        "--missing",
        choices=("error", "drop-stimuli"),
        default="error",
        help="empty or NA cells: an error (default) or drop the stimuli where any is missing",
    )
    p.add_argument(
        "--drop-constant",
        action="store_true",
        help="drop units that are constant over all stimuli (undefined correlation)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parsm",
        description="Exact partial soft matching between two neural populations.",
        epilog=(
            "examples:\n"
            "  parsm demo --out demo\n"
            "  parsm compare V1_subj1.npy V1_subj2.csv --cv 5 --out results\n"
            "  parsm rank layer3_net1.npz layer3_net2.npz --key acts --top 10%\n"
            "files are stimuli x units (--transpose for units x stimuli)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"parsm {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the paper's two simulations (no data needed)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument(
        "--out", type=Path, metavar="DIR", help="write the PNG figures into this folder"
    )
    demo.add_argument("--debug", action="store_true", help="show tracebacks on errors")

    compare = sub.add_parser("compare", help="compare two populations from files")
    _add_inputs(compare)
    compare.add_argument(
        "--cv", type=int, default=None, metavar="K", help="cross-validate over K folds"
    )
    compare.add_argument(
        "--grid", type=int, default=200, metavar="N", help="L-curve grid points (200)"
    )
    compare.add_argument(
        "--out", type=Path, metavar="DIR", help="write summary, unit tables, plan, figures"
    )
    compare.add_argument("--no-progress", action="store_true", help="no progress line")
    compare.add_argument(
        "--format", choices=("png", "pdf", "svg"), default="png", help="figure format (png)"
    )
    compare.add_argument("--dpi", type=int, default=150, metavar="N", help="figure resolution")

    rank = sub.add_parser("rank", help="print the best- and worst-aligned units")
    _add_inputs(rank)
    rank.add_argument(
        "--top",
        type=_amount,
        default=10,
        metavar="AMOUNT",
        help="how many per list: 25, 10%% or 0.1 (default 10)",
    )
    rank.add_argument("--method", choices=RANK_METHODS, default="path", help="ranking method")

    pw = sub.add_parser(
        "pairwise",
        help="compare every pair of several populations",
        description=(
            "Compares every pair of populations. FILE... are one file per population, or one "
            ".npz, MATLAB .mat (variables, struct fields or a cell array's cells) or HDF5 file "
            "holding one 2-D array per population (stimuli x units, all on the same stimuli)."
        ),
    )
    pw.add_argument("files", type=Path, nargs="+", metavar="FILE", help="population files")
    pw.add_argument(
        "--names", nargs="+", metavar="NAME", help="population names (default: file stems)"
    )
    pw.add_argument("--key", metavar="NAME", help="array name inside .npz files")
    pw.add_argument("--dataset", metavar="PATH", help="dataset path inside HDF5/NWB files")
    pw.add_argument("--transpose", action="store_true", help="files are units x stimuli")
    _add_table_options(pw)
    pw.add_argument("--metric", default="correlation", choices=METRICS, help="unit-to-unit cost")
    pw.add_argument(
        "--s",
        type=_mass,
        default="auto",
        metavar="auto|FLOAT",
        help="matched mass: 'auto' (each pair's held-out share estimate s0) or FLOAT",
    )
    pw.add_argument("--cv", type=int, default=None, metavar="K", help="cross-validate over K folds")
    pw.add_argument(
        "--jobs", type=int, default=-1, metavar="N", help="pairs at once (default: all cores)"
    )
    pw.add_argument(
        "--dtype", choices=("float64", "float32"), default="float64", help="cost matrix storage"
    )
    pw.add_argument(
        "--no-soft-matching",
        action="store_true",
        help=(
            "skip each pair's soft matching (s = 1; its columns left empty): 35-40%% less "
            "time at a given --s"
        ),
    )
    pw.add_argument(
        "--out", type=Path, metavar="DIR", help="write pairs.csv, score_matrix.csv, heatmap"
    )
    pw.add_argument("--no-progress", action="store_true", help="no progress bar")
    pw.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return parser


def _note(args: argparse.Namespace, text: str) -> None:
    print(f"parsm {args.command}: note: {text}", file=sys.stderr)


def _read(args: argparse.Namespace, path: Path, transpose: bool, **where: Any) -> Any:
    """``(data, unit names, stimulus labels)`` of one file, its reader's notes printed."""
    from .io import load_responses

    notes: list[str] = []
    stimuli: list[str] = []
    data, units = load_responses(
        path,
        transpose=transpose,
        header=False if args.no_header else None,
        index_col=True if args.index_col else None,
        notes=notes,
        stimuli=stimuli,
        **where,
    )
    for n in notes:
        _note(args, n)
    return data, units, (stimuli or None)


def _check_stimulus_order(files: list[tuple[Path, list[str] | None]]) -> None:
    """Files that label the same stimuli in different orders are an error (rows are paired
    by position)."""
    from ._validation import check_stimulus_order

    labelled = [(labels, str(path)) for path, labels in files if labels is not None]
    check_stimulus_order(labelled, "by sorting the files' rows the same way")


def _load(args: argparse.Namespace, side: str) -> tuple[Any, list[str] | None, Any]:
    path = getattr(args, side)
    key = getattr(args, f"key_{side.lower()}") or args.key
    dataset = getattr(args, f"dataset_{side.lower()}") or args.dataset
    transpose = args.transpose or getattr(args, f"transpose_{side.lower()}")
    return _read(args, path, transpose, key=key, dataset=dataset)


def _load_pair(args: argparse.Namespace) -> tuple[Any, Any, Any, Any]:
    """X and Y with their unit names, after ``--missing`` and ``--drop-constant``."""
    X, units_x, stimuli_x = _load(args, "X")
    Y, units_y, stimuli_y = _load(args, "Y")
    _check_stimulus_order([(args.X, stimuli_x), (args.Y, stimuli_y)])
    (X, Y), (units_x, units_y) = _clean(args, [X, Y], [units_x, units_y], ["X", "Y"])
    return X, units_x, Y, units_y


def _clean(
    args: argparse.Namespace, arrays: list[Any], units: list[Any], names: list[str]
) -> tuple[list[Any], list[Any]]:
    import numpy as np

    from .io import drop_missing_stimuli
    from .preprocessing import drop_constant_units

    if args.missing == "drop-stimuli":
        arrays, dropped = drop_missing_stimuli(arrays)
        if dropped:
            _note(args, f"dropped {dropped} stimuli with missing values (--missing drop-stimuli)")
    if args.drop_constant:
        for k, (a, name) in enumerate(zip(arrays, names)):
            a = np.asarray(a, dtype=np.float64)
            if a.ndim != 2:
                continue
            kept_a, kept = drop_constant_units(a)
            if len(kept) < a.shape[1]:
                _note(args, f"dropped {a.shape[1] - len(kept)} constant units of {name}")
                arrays[k] = kept_a
                if units[k] is not None:
                    units[k] = [units[k][i] for i in kept]
    return arrays, units


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo, save_figures

    if args.out is not None:
        from .plot import _pyplot

        _pyplot()  # fail before computing when matplotlib is missing
        _use_agg()
    result = run_demo(args.seed)
    print(result.text)
    if args.out is not None:
        written = save_figures(result, args.out)
        (args.out / "demo.txt").write_text(result.text + "\n", encoding="utf-8")
        print(f"\nwrote {', '.join(p.name for p in written)} and demo.txt into {args.out}")
    return 0


def _use_agg() -> None:
    import matplotlib

    matplotlib.use("Agg")


def _cmd_compare(args: argparse.Namespace) -> int:
    from .comparison import compare
    from .report import format_summary, unit_table, write_outputs

    X, units_x, Y, units_y = _load_pair(args)
    result = compare(
        X,
        Y,
        s=args.s,
        metric=args.metric,
        cv=args.cv,
        grid=args.grid,
        labels_x=units_x,
        labels_y=units_y,
        n_threads=args.threads,
        progress=False if args.no_progress else None,
        sources=(str(args.X), str(args.Y)),
        dtype=args.dtype,
    )
    if args.out is not None:
        notes = write_outputs(
            result, args.out, figures=_has_matplotlib(), fmt=args.format, dpi=args.dpi
        )
        for note in notes:
            print(note, file=sys.stderr)
    if args.json:
        units = {f"units_{k}": unit_table(result, k) for k in ("x", "y")}
        print(json.dumps({**result.summary, **units}, indent=2))
    else:
        print(format_summary(result))
        if args.out is not None:
            print(f"\noutputs written to {args.out}")
    return 0


def _has_matplotlib() -> bool:
    try:
        _use_agg()
    except ImportError:
        return False
    return True


def _cmd_rank(args: argparse.Namespace) -> int:
    from .ranking import rank_units

    X, units_x, Y, units_y = _load_pair(args)
    r = rank_units(
        X,
        Y,
        s=args.s,
        metric=args.metric,
        method=args.method,
        labels_x=units_x,
        labels_y=units_y,
        n_threads=args.threads,
        dtype=args.dtype,
    )
    top, bottom = r.top(args.top), r.bottom(args.top)
    if args.json:
        out = {
            "method": r.method,
            "metric": r.metric,
            "s": r.s,
            "best_x": [str(u) for u in r.labels_x[top.x]],
            "best_y": [str(u) for u in r.labels_y[top.y]],
            "worst_x": [str(u) for u in r.labels_x[bottom.x]],
            "worst_y": [str(u) for u in r.labels_y[bottom.y]],
        }
        print(json.dumps(out, indent=2))
        return 0
    nx, ny = r.shape
    print(
        f"ranking by {r.method} ({r.metric}); matched at s = {r.s:.3f}: "
        f"{int(r.matched_x.sum())}/{nx} units of X, {int(r.matched_y.sum())}/{ny} of Y"
    )
    for side, name, sel in (("x", "X", top.x), ("y", "Y", top.y)):
        _print_units(r, side, f"best-aligned units of {name}", sel)
    for side, name, sel in (("x", "X", bottom.x), ("y", "Y", bottom.y)):
        _print_units(r, side, f"worst-aligned units of {name}", sel)
    return 0


def _print_units(r: Any, side: str, title: str, sel: Any) -> None:
    labels = getattr(r, f"labels_{side}")
    values = getattr(r, f"values_{side}")
    matched = getattr(r, f"matched_{side}")
    rank = getattr(r, f"rank_{side}")
    total = len(labels)
    shown = f"{len(sel)} of {total}" + ("" if len(sel) == total else "; --top for more")
    print(f"\n{title} ({shown}):")
    print(f"  {'rank':>5}  {'unit':<20}{_VALUE_NAMES[r.method]:>14}  matched")
    for u in sel:
        flag = "yes" if matched[u] else "no"
        print(f"  {rank[u] + 1:>5}  {str(labels[u]):<20}{values[u]:>14.4f}  {flag}")


def _load_populations(args: argparse.Namespace) -> dict[str, Any]:
    from .io import file_stem, load_populations

    if len(args.files) == 1:
        notes: list[str] = []
        pops = load_populations(args.files[0], transpose=args.transpose, notes=notes)
        for n in notes:
            _note(args, n)
    else:
        pops = {}
        names = [file_stem(f) for f in args.files]
        if len(set(names)) != len(names):
            names = [str(f) for f in args.files]
        labels = []
        for name, f in zip(names, args.files):
            pops[name], _, stimuli = _read(
                args, f, args.transpose, key=args.key, dataset=args.dataset
            )
            labels.append((f, stimuli))
        _check_stimulus_order(labels)
    arrays, _ = _clean(args, list(pops.values()), [None] * len(pops), list(pops))
    pops = dict(zip(pops, arrays))
    if args.names is not None:
        if len(args.names) != len(pops):
            raise _UsageError(f"--names gives {len(args.names)} names for {len(pops)} populations.")
        pops = dict(zip(args.names, pops.values()))
    return pops


class _UsageError(ValueError):
    """A command-line usage error (exit status 2)."""


def _check_usage(args: argparse.Namespace) -> None:
    """Option values the computation would reject, checked before any file is read, in the
    command line's terms (a :class:`_UsageError`, exit status 2)."""
    s = getattr(args, "s", "auto")
    if not isinstance(s, str) and not 0.0 <= s <= 1.0:
        raise _UsageError(
            f"--s {s:g} is outside [0, 1]; --s is the share of the mass to match, or 'auto'."
        )
    cv = getattr(args, "cv", None)
    if cv is not None and cv < 2:
        raise _UsageError(f"--cv {cv} needs at least 2 folds.")
    grid = getattr(args, "grid", 200)
    if grid < 3:
        raise _UsageError(f"--grid {grid} needs at least 3 points to find s0.")
    threads = getattr(args, "threads", None)
    if threads is not None and threads < 1:
        raise _UsageError(f"--threads {threads} must be at least 1 (omit it for all cores).")
    jobs = getattr(args, "jobs", -1)
    if jobs == 0 or jobs < -1:
        raise _UsageError(f"--jobs {jobs} must be a positive count or -1 (all cores).")
    top = getattr(args, "top", None)
    if top is not None:
        if isinstance(top, int) and top < 1:
            raise _UsageError(f"--top {top} must be a count of at least 1, or a share like 10%.")
        if isinstance(top, float) and not 0.0 < top <= 1.0:
            raise _UsageError(
                f"--top {top:g} as a share must be in (0, 1] (or (0%, 100%]); give a count "
                "like 25 for a number of units."
            )
    dpi = getattr(args, "dpi", 150)
    if dpi < 10:
        raise _UsageError(f"--dpi {dpi} is too small; use e.g. 150 (screen) or 300 (print).")
    out = getattr(args, "out", None)
    if out is not None and out.exists() and not out.is_dir():
        raise _UsageError(f"--out {out} exists and is not a folder.")


def _cmd_pairwise(args: argparse.Namespace) -> int:
    from .pairs import pairwise
    from .report import write_pairwise

    pops = _load_populations(args)
    res = pairwise(
        pops,
        s=args.s,
        metric=args.metric,
        cv=args.cv,
        n_jobs=args.jobs,
        progress=False if args.no_progress else None,
        dtype=args.dtype,
        soft_matching=not args.no_soft_matching,
    )
    print(_format_pairwise(res))
    if args.out is not None:
        written = write_pairwise(res, args.out, figures=_has_matplotlib())
        print(f"\nwrote {', '.join(written)} into {args.out}")
    return 0


def _format_pairwise(res: Any) -> str:
    cv = res.cv
    # Soft matching's column only where it was solved (not with --no-soft-matching).
    soft = not all(math.isnan(r["score_sm"]) for r in res.records)
    head = f"{'a':<16}{'b':<16}{'s':>7}{'score':>8}{'mean r':>8}" + (f"{'SM':>8}" if soft else "")
    head += f"{f'cv ({cv}-fold)':>14}" if cv else ""
    lines = [f"{len(res.names)} populations, {len(res.pairs)} pairs; metric {res.metric}", head]
    for r in res.records:
        mr = r["mean_correlation"]
        line = (
            f"{str(r['a'])[:15]:<16}{str(r['b'])[:15]:<16}{r['s']:>7.3f}{r['score']:>8.3f}"
            f"{mr:>8.3f}" + (f"{r['score_sm']:>8.3f}" if soft else "")
        )
        if cv:
            line += f"{r['cv_score']:>14.3f}"
        lines.append(line)
    return "\n".join(lines)


#: Library advice and its command-line equivalent.
_CLI_TERMS = (
    ("(for example with parsm.drop_constant_units)", "(with --drop-constant)"),
    ("use metric='sqeuclidean'", "use --metric sqeuclidean"),
    (
        "remove or impute them before comparing populations",
        "fill them in, or drop those stimuli with --missing drop-stimuli",
    ),
    ("--key (key= in Python; a struct's", "--key (a struct's"),
    ("choose one with --key (key= in Python)", "choose one with --key"),
    ("Convert it with np.asarray(..., dtype=float).", "The file must hold real numbers."),
    ("choose one with --dataset (dataset= in Python)", "choose one with --dataset"),
)


def _transposed(args: argparse.Namespace) -> bool:
    return any(getattr(args, k, False) for k in ("transpose", "transpose_x", "transpose_y"))


def _in_cli_terms(message: str) -> str:
    for lib, cli in _CLI_TERMS:
        message = message.replace(lib, cli, 1)
    hint = message.find(" For a single unit use ")
    if hint < 0:
        hint = message.find(" Flatten the extra axes into units")
    if hint >= 0:  # Python reshape advice
        message = message[:hint] + " The file must hold a 2-D array, stimuli x units."
    if "stimuli (rows) but" in message:
        message += " If a file is units x stimuli, add --transpose-x or --transpose-y."
    return message


def _run(command: Any, args: argparse.Namespace) -> int:
    """Runs a command, turning parsm's warnings (no clear corner in a share estimate) into
    one-line notes on stderr."""
    import warnings

    from .share import ShareWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ShareWarning)
        status = command(args)
    for w in caught:
        if issubclass(w.category, ShareWarning):
            print(f"parsm {args.command}: note: {w.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    commands = {
        "demo": _cmd_demo,
        "compare": _cmd_compare,
        "rank": _cmd_rank,
        "pairwise": _cmd_pairwise,
    }
    try:
        _check_usage(args)
        return _run(commands[args.command], args)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"parsm {args.command}: interrupted", file=sys.stderr)
        return 130
    except _UsageError as exc:
        print(f"parsm {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except _DATA_ERRORS as exc:
        if args.debug:
            raise
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        message = _in_cli_terms(message)
        if _transposed(args):
            message = message.replace("stimuli (rows)", "stimuli (file columns, transposed)")
        print(f"parsm {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
