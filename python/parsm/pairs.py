"""Many populations at once: every pair compared as :func:`parsm.compare` compares one.

:func:`pairwise` runs the pairs through joblib. On one machine they run in threads (each pair's
solves release the GIL), and under ``joblib.parallel_config(backend="dask")`` with a
``dask.distributed.Client`` (or Ray's joblib backend) on a cluster, unchanged; the populations
are then sent to the workers once (joblib's Dask backend scatters large arguments and reuses
them across tasks), not once per pair.

At a given ``s`` without ``cv`` each population is prepared once (``_core.PreparedPopulation``)
and the pairs are solved by native calls (``_core.pairs_numbers``) that take the GIL once each:
where joblib would run its tasks in this process's threads (its default here, or the
threading backend), every pair in one call whose threads share them pair by pair; on other
backends (Dask, Ray, loky) in chunks of about 20 ms of work a thread. With ``s="auto"`` or
``cv`` each pair is a task of its own.
"""

from __future__ import annotations

import signal
import threading
import warnings
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from . import _core
from ._memory_gate import admitted, fits_now, pair_bytes
from ._progress import (
    Progress,
    active,
    cancel_all,
    cancellable,
    portion_of,
    reset_cancel,
    wait_stopped,
)
from ._validation import (
    as_mass_or_auto,
    as_n_jobs,
    as_n_threads,
    as_population,
    check_stimulus_labels,
)
from .comparison import scored_matchings, summary_of
from .crossval import keep_fold_costs
from .curve import lcurve_on, mass_grid, share_on
from .errors import ConstantUnitsError, NonFiniteError, StimulusMismatchError
from .matching import _check_metric, as_dtype, cost_matrix
from .preprocessing import constant_units
from .results import FIELDS, MATCH_TOL, Pair, PairwiseResult, ShareEstimate
from .share import ShareWarning

__all__ = ["PairwiseResult", "pairwise", "FIELDS"]


def _named(populations: Mapping[Any, Any] | Sequence[Any]) -> tuple[list[str], list[np.ndarray]]:
    if isinstance(populations, Mapping):
        items = list(populations.items())
    elif isinstance(populations, (str, bytes)) or not isinstance(populations, Sequence):
        raise TypeError(
            "populations must be a mapping name -> array or a sequence of arrays; got "
            f"{type(populations).__name__}."
        )
    else:
        items = list(enumerate(populations))
    if len(items) < 2:
        raise ValueError(f"pairwise needs at least two populations; got {len(items)}.")
    names = [str(k) for k, _ in items]
    if len(set(names)) != len(names):
        clash = next(n for n in names if names.count(n) > 1)
        keys = ", ".join(repr(k) for k, _ in items if str(k) == clash)
        raise ValueError(
            f"population names must be distinct as strings; {keys} are all {clash!r}. Rename them."
        )
    labels = [f"population {n!r}" for n in names]
    check_stimulus_labels([(v, label) for (_, v), label in zip(items, labels)])
    arrays = [as_population(v, label) for (_, v), label in zip(items, labels)]
    stimuli = [a.shape[0] for a in arrays]
    if len(set(stimuli)) != 1:
        counts = ", ".join(f"{n}: {m}" for n, m in zip(names, stimuli))
        # The count most populations share; a population with that many columns instead is
        # likely units x stimuli.
        common = max(set(stimuli), key=stimuli.count)
        flipped = [
            n for n, a in zip(names, arrays) if a.shape[0] != common and a.shape[1] == common
        ]
        hint = (
            f" {', '.join(map(repr, flipped))} {'has' if len(flipped) == 1 else 'have'} "
            f"{common} columns, as many as the others have stimuli: if units x stimuli, "
            "transpose (.T; parsm pairwise --transpose reads every file so)."
            if flipped
            else ""
        )
        raise StimulusMismatchError(
            f"every population must be recorded on the same stimuli (rows); got {counts}.{hint}"
        )
    return names, arrays


def _check_populations(names: list[str], arrays: list[np.ndarray], metric: str) -> None:
    """Raises, naming the population, what a pair's solve would raise naming only X or Y:
    non-finite values, and units for which ``metric`` is undefined (constant ones for
    correlation, all-zero ones for cosine). Each population is checked once, before any pair
    runs."""
    for name, a in zip(names, arrays):
        bad = int(a.size - np.count_nonzero(np.isfinite(a)))
        if bad:
            raise NonFiniteError(
                f"population {name!r} contains {bad} NaN or infinite value(s); remove or impute "
                "them before comparing populations."
            )
        if metric == "correlation":
            undefined, kind = constant_units(a), "constant"
        elif metric == "cosine":
            undefined, kind = np.flatnonzero(~np.any(a != 0, axis=0)), "all-zero"
        else:
            continue
        if undefined.size:
            shown = ", ".join(str(k) for k in undefined[:20])
            more = f" and {undefined.size - 20} more" if undefined.size > 20 else ""
            raise ConstantUnitsError(
                f"population {name!r} has {undefined.size} {kind} unit(s) at column indices "
                f"[{shown}{more}], for which the {metric} distance is undefined; drop them (for "
                "example with parsm.drop_constant_units) or use metric='sqeuclidean'."
            )


def _pair_list(names: list[str], pairs: Sequence[tuple[Any, Any]] | None) -> list[tuple[int, int]]:
    if pairs is None:
        n = len(names)
        return [(i, j) for i in range(n) for j in range(i + 1, n)]
    index = {n: k for k, n in enumerate(names)}
    out: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"each pair must be (name, name); got {pair!r}.")
        missing = [str(p) for p in pair if str(p) not in index]
        if missing:
            raise ValueError(
                f"pair {tuple(pair)!r} names unknown population(s) {', '.join(missing)}; "
                f"the populations are {', '.join(names)}."
            )
        i, j = index[str(pair[0])], index[str(pair[1])]
        if (i, j) in seen or (j, i) in seen:
            raise ValueError(
                f"pair {tuple(pair)!r} is listed twice (in either order); each unordered pair "
                "fills both cells of the score matrix, so list it once."
            )
        seen.add((i, j))
        out.append((i, j))
    if not out:
        raise ValueError("pairs is empty; pass None for every pair.")
    return out


def compare_pair(
    x: np.ndarray,
    y: np.ndarray,
    *,
    s: float | str,
    metric: str,
    cv: int | None,
    n_threads: int | None,
    dtype: str,
    soft_matching: bool = True,
) -> dict[str, Any]:
    """The numbers :func:`parsm.compare` reports for one pair of responses (validated inputs,
    stimuli x units), computed the same way, without its plans' outputs; cancellable by
    :func:`parsm._progress.cancel_all`. ``soft_matching=False`` leaves the soft-matching
    numbers NaN without solving it. (Pairs at a given ``s`` without ``cv`` are solved by
    :func:`_prepared_chunk` instead.)"""
    return _record(*_response_matchings(x, y, s, metric, cv, n_threads, dtype, soft_matching))


def _response_matchings(
    x: np.ndarray,
    y: np.ndarray,
    s: float | str,
    metric: str,
    cv: int | None,
    n_threads: int | None,
    dtype: str,
    with_soft: bool,
) -> tuple[dict[str, Any], dict[str, Any] | None, ShareEstimate | None]:
    """:func:`compare_pair`'s matchings of two populations' responses (stimuli x units), with
    the share estimate where ``s="auto"``."""
    peak = pair_bytes(
        x.shape[1], y.shape[1], x.shape[0], s=s, cv=cv, itemsize=np.dtype(dtype).itemsize
    )
    # Inside a pairwise task, its bar (see _response_task): the cost matrix moves it through
    # the first of PAIR_STEPS steps, the solves through the next ones, the matchings the last.
    bar = active()
    with admitted(peak), cancellable(), keep_fold_costs():
        c = cost_matrix(x, y, metric, n_threads=n_threads, dtype=dtype)
        if bar is not None:
            bar.advance()
        solves = bar.within(PAIR_STEPS - 2) if bar is not None else None
        share = None
        if s == "auto" and cv is None:
            # The estimate and the in-sample path only as far as s0 (not the L-curve's whole
            # path to s = 1), with the same s0 and interval as compare's.
            share, problem = share_on(x, y, c, metric=metric, n_threads=n_threads, into=solves)
            s_value, at_s0 = share.s0, None
        elif s == "auto":
            lc, problem = lcurve_on(
                x,
                y,
                c,
                mass_grid(200),
                metric=metric,
                cv=cv,
                n_threads=n_threads,
                progress=False,
                warn=False,
                into=solves,
            )
            share, s_value = lc.share, lc.s0
            at_s0 = lc.score_s0 if cv is not None else None
        else:
            with Progress("parsm pair", 1, False, into=solves) as own:
                problem = _core.Problem(c, metric, float(s), own.step())
            s_value, at_s0 = float(s), None
        if bar is not None:
            bar.advance(PAIR_STEPS - 2)
        partial, soft_summary = scored_matchings(
            Pair(x, y, problem), s_value, cv, at_s0, n_threads, with_soft
        )
    return partial, soft_summary, share


def _record(
    partial: dict[str, Any], soft: dict[str, Any] | None, share: ShareEstimate | None
) -> dict[str, Any]:
    """A pair's record: its matchings' summaries and share estimate, under pairwise's names
    (the soft-matching numbers NaN where it was not solved)."""
    nan = float("nan")
    interval = share.interval if share is not None else (nan, nan)
    if soft is None:
        soft = {"score": nan, "mean_correlation": None}
    return {
        "s": partial["s"],
        "s0": share.s0 if share is not None else nan,
        "s0_low": interval[0],
        "s0_high": interval[1],
        "s0_identifiable": None if share is None else share.identifiable,
        "unmatched_mass": 1.0 - partial["s"],
        "score": partial["score"],
        "mean_correlation": nan
        if partial["mean_correlation"] is None
        else partial["mean_correlation"],
        "matched_a": partial["matched_x"],
        "matched_b": partial["matched_y"],
        "n_a": partial["n_x"],
        "n_b": partial["n_y"],
        "score_sm": soft["score"],
        "mean_correlation_sm": nan
        if soft["mean_correlation"] is None
        else soft["mean_correlation"],
        "cv_score": partial.get("cv_score", nan),
        "cv_score_sm": soft.get("cv_score", nan),
    }


#: Steps of a pair's bar in a pairwise task (see :func:`_response_matchings`): the cost
#: matrix one, the share estimate or the solves eight (on the bench's pairs with
#: ``s="auto"``: 10 %, 85 % and 5 % of a pair's time), the matchings one.
PAIR_STEPS = 10


def _response_task(
    k: int, x: np.ndarray, y: np.ndarray, options: dict, bar: str | None
) -> list[tuple[int, dict[str, Any]]]:
    """Pair ``k`` of two populations' responses: one task (with ``s="auto"`` or ``cv`` a pair
    takes tenths of a second or more), which moves the bar shared under ``bar`` as it goes."""
    with portion_of(bar, 1) as report:
        with Progress("parsm pair", PAIR_STEPS, False, into=report):
            return [(k, compare_pair(x, y, **options))]


#: Work (in multiply-adds, roughly) a chunk of pairs of prepared populations is given for each
#: thread it runs on: about 20 ms of one core. One native call solves a chunk, so the GIL is
#: taken and released once a chunk, not five times a pair: on 40 populations of 30 units
#: (0.1 ms a pair) two threads were three times slower than one when each pair was a task.
CHUNK_WORK = 1.2e9

#: Chunks per worker at least, so that the last chunks do not leave workers idle.
CHUNKS_PER_WORKER = 4


def _chunks(
    todo: list[tuple[int, int]],
    units: list[int],
    m: int,
    workers: int,
    threads: int = 1,
    with_soft: bool = True,
) -> list[range]:
    """``todo``'s pairs cut, in order, into runs of equal work, :data:`CHUNKS_PER_WORKER` for
    each of ``workers`` (a larger pair is a chunk of its own), each pair's work as the core
    weighs it (``_core.pair_work``: its product kernel, path and, ``with_soft``, soft
    matching); for tasks of one thread, runs of at most :data:`CHUNK_WORK`. A task of several
    ``threads`` shares its chunk among them pair by pair, so that a thread waits at the end of
    each chunk for the last pairs of the others: on the bench's 780 pairs of 200-800 units,
    two threads in chunks of ``2 * CHUNK_WORK`` (about 8 pairs) ran 260-280 pairs/s, in four
    chunks 330-337 and in one 324-329 (alternated). In the default order consecutive pairs
    share their first population, so a chunk holds few populations."""
    work = [_core.pair_work(units[i], units[j], m, with_soft) for i, j in todo]
    target = sum(work) / (CHUNKS_PER_WORKER * max(workers, 1))
    if threads == 1:
        target = min(target, CHUNK_WORK)
    out, start, acc = [], 0, 0.0
    for k, w in enumerate(work):
        if k > start and acc + w > target:
            out.append(range(start, k))
            start, acc = k, 0.0
        acc += w
    out.append(range(start, len(todo)))
    return out


#: Responses (stimuli x units entries, all populations together) from which :func:`_prepared`
#: shares the populations among threads: below, starting the threads costs more than it saves.
PREPARE_IN_THREADS_FROM = 2_000_000


def _prepared(
    arrays: Sequence[np.ndarray], used: list[int], metric: str, threads: int
) -> list[Any]:
    """The populations ``used`` of ``arrays`` prepared for ``metric``, in order, on up to
    ``threads`` threads (each preparation runs without the GIL): the bench's 40 populations of
    200-800 units over 300 stimuli took 62 ms on one thread, about 2 % of the grid at s = 0.5
    on two."""

    def prepare(k: int) -> Any:
        return _core.PreparedPopulation(np.asarray(arrays[k], dtype=np.float64), metric)

    entries = sum(arrays[k].size for k in used)
    if threads < 2 or len(used) < 2 or entries < PREPARE_IN_THREADS_FROM:
        return [prepare(k) for k in used]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(threads, len(used))) as pool:
        return list(pool.map(prepare, used))


def _peak(
    pairs: Sequence[tuple[int, int]], sides: Sequence[Any], s: float, itemsize: int, threads: int
) -> int:
    """The peak memory of a native call solving ``pairs`` of prepared ``sides`` at ``s`` on
    ``threads`` threads (one pair a thread): its ``threads`` largest pairs at once, each with
    its cost matrix computed the way round its path is solved (no transposed copy)."""
    peaks = []
    for i, j in pairs:
        (na, m), nb = sides[i].shape, sides[j].shape[0]
        rows, cols = (nb, na) if na > nb and _core.path_solves_transposed(na, nb) else (na, nb)
        peaks.append(pair_bytes(rows, cols, m, s=s, cv=None, itemsize=itemsize))
    at_once = threads if len(peaks) > 1 else 1
    return sum(sorted(peaks)[-at_once:])


def _active_backend() -> Any:
    """The backend ``joblib.Parallel(prefer="threads")`` would run its tasks on here, as joblib
    itself answers (None where it cannot say)."""
    try:
        from joblib.parallel import get_active_backend

        backend, _ = get_active_backend(prefer="threads")
    except (ImportError, TypeError):
        return None
    return backend


def _in_threads_here(backend: Any) -> bool:
    """Whether joblib's ``backend`` runs its tasks in this process's threads (the threading or
    sequential one); False where joblib could not say (other backends run tasks elsewhere)."""
    if backend is None:
        return False
    from joblib.parallel import SequentialBackend, ThreadingBackend

    return isinstance(backend, (ThreadingBackend, SequentialBackend))


def _prepared_chunk(
    ks: list[int],
    pairs: list[tuple[int, int]],
    options: dict,
    bar: str | None,
    *sides: _core.PreparedPopulation,
) -> list[tuple[int, dict[str, Any]]]:
    """The records of pairs ``ks`` (``pairs`` indexing ``sides``, the populations prepared
    for the metric) at a given ``s``: one native call for the chunk, its pairs shared among
    ``options["n_threads"]`` threads, which runs only while the memory gate admits its largest
    pairs, one a thread, moves the progress bar shared under ``bar`` (in this process) through
    ``len(ks)`` steps as its pairs go, and stops on :func:`parsm._progress.cancel_all`. The
    numbers are :func:`compare_pair`'s (see ``parsm_core::pair``); the sides are separate
    arguments so that Dask scatters each once."""
    s, metric, dtype = float(options["s"]), options["metric"], options["dtype"]
    threads = _core.pool_size(options["n_threads"])
    peak = _peak(pairs, sides, s, np.dtype(dtype).itemsize, threads)
    with admitted(peak), cancellable(), portion_of(bar, len(ks)) as report:
        numbers = _core.pairs_numbers(
            list(sides),
            pairs,
            s,
            options["soft_matching"],
            MATCH_TOL,
            dtype,
            options["n_threads"],
            report,
        )
    out = []
    for k, (i, j), (cost, mx, my, soft) in zip(ks, pairs, numbers):
        shape = (sides[i].shape[0], sides[j].shape[0])
        partial = summary_of(s, metric, cost, (mx, my), shape, None)
        full = None if soft is None else summary_of(1.0, metric, soft, shape, shape, None)
        out.append((k, _record(partial, full, None)))
    return out


def _prepared_task(
    chunk: range, todo: list[tuple[int, int]], sides: list[Any], options: dict, bar: str | None
) -> Any:
    """The delayed call of :func:`_prepared_chunk` for pairs ``chunk`` of ``todo``, each
    population it reads passed once, moving the bar shared under ``bar``."""
    import joblib

    used = sorted({p for k in chunk for p in todo[k]})
    local = {p: n for n, p in enumerate(used)}
    pairs = [(local[todo[k][0]], local[todo[k][1]]) for k in chunk]
    return joblib.delayed(_prepared_chunk)(
        list(chunk), pairs, options, bar, *(sides[p] for p in used)
    )


def pairwise(
    populations: Mapping[Any, npt.ArrayLike] | Sequence[npt.ArrayLike],
    *,
    s: float | str = "auto",
    metric: str = "correlation",
    cv: int | None = None,
    pairs: Sequence[tuple[Any, Any]] | None = None,
    n_jobs: int | None = None,
    n_threads: int | None = None,
    progress: bool | None = None,
    dtype: str = "float64",
    soft_matching: bool = True,
) -> PairwiseResult:
    """Compares every pair of populations (or the given ``pairs``) as :func:`parsm.compare`
    does, in parallel.

    Mass, plan and ``s`` in plain words: see :func:`parsm.partial_soft_match`.

    Parameters
    ----------
    populations : mapping name -> array_like, or sequence of array_like
        Responses (stimuli x units), all on the same stimuli in the same order. A sequence's
        populations are named ``"0"``, ``"1"``, ...
    s : float in [0, 1] or "auto", default "auto"
        The matched mass; ``"auto"`` takes each pair's held-out share estimate ``s0`` (with
        its interval), as :func:`parsm.compare` does.
    metric : str, default "correlation"
    cv : int, optional
        Also report scores cross-validated over this many folds of stimuli.
    pairs : sequence of (name, name), optional
        The pairs to compare; default every unordered pair. The first name of a pair is X.
    n_jobs : int, optional
        Pairs run at once, as in scikit-learn: None means 1 unless inside a
        ``joblib.parallel_config`` context, -1 all cores. On one machine the pairs run in
        threads; under ``joblib.parallel_config(backend="dask")`` they run on the Dask
        cluster (Ray's joblib backend works the same way), and joblib's process backends
        (loky, multiprocessing) work too.
    n_threads : int, optional
        Threads inside each task, for parsm's solvers and for numpy's BLAS (through
        threadpoolctl, while the pairs run); default 1 when pairs run in parallel, else all
        cores. At a given ``s`` without ``cv`` the pairs run in this process's threads as
        one native call on ``n_jobs * n_threads`` threads that share the pairs one at a time
        (so ``pairwise(pops, s=0.5)`` uses every core even with ``n_jobs=None``), and on
        other backends as chunks of pairs that a task's threads share; otherwise a task is
        one pair. Results do not depend on either.
    progress : bool, optional
        One progress bar over pairs on stderr (default: on a terminal only); it moves inside
        each running pair too (its cost matrix, path or share estimate, then its matchings),
        except for pairs run in other processes (Dask), which count as they end. Ctrl-C stops
        the running pairs within a second and raises ``KeyboardInterrupt``.
    dtype : {"float64", "float32"}, default "float64"
        Storage of each pair's cost matrices (see :func:`parsm.cost_matrix`).
    soft_matching : bool, default True
        Also solve each pair's balanced soft matching (``s = 1``) for ``score_sm``,
        ``mean_correlation_sm`` and, with ``cv``, ``cv_score_sm``. False leaves those NaN and
        skips the solve: at a given ``s`` it is 35-40 % of a pair's time (the bench's
        populations of 200-800 units over 300 stimuli), at ``s="auto"`` too little to
        measure (the share estimate's folds take the time). The other numbers are the same
        either way.

    Returns
    -------
    PairwiseResult
        Each pair's numbers are :func:`parsm.compare`'s for it (the soft-matching ones to
        rounding when ``s`` is given, as they then come from the balanced solver): ``score``,
        ``mean_correlation`` and the matched counts at ``s``, ``s0`` and its interval,
        ``unmatched_mass``, the soft-matching score (unless ``soft_matching=False``), and
        with ``cv`` the cross-validated scores.

    Notes
    -----
    Memory: a pair's cost matrices exist only while it is solved. One pair's peak is
    ``k · Na · Nb · 8`` bytes, with ``k`` = 1, plus 1 when ``Nb >= 2 Na`` (the path is solved
    on a transposed copy; with ``s="auto"`` or ``cv`` also when ``Nb < Na < 2 Nb``), plus 5 with
    ``s="auto"`` (its folds; 3 or 2 above 40 million unit pairs); with ``cv`` folds, at least
    ``2 · cv + 3`` (two of them dense float64 plans; the cost matrices take half with
    ``dtype="float32"``). At most ``n_jobs`` pairs are in flight (at a given ``s`` without
    ``cv``, ``n_jobs · n_threads``, one a thread), and fewer when their peaks would not fit
    together: a task starts only while the tasks running in its process leave room for it
    within 90 % of the memory available (for a chunk of pairs, its largest pairs, one a
    thread; a task larger than that runs alone, and raises ``MemoryError`` with a remedy if
    it cannot fit at all). At a given ``s`` in this process's threads, the pairs run as one
    native call only where its ``n_jobs · n_threads`` largest pairs fit at once, else as
    tasks of one thread that the memory gate admits one by one. Add
    the populations themselves (and, at a given ``s`` without ``cv``, the prepared unit
    factors of those in ``pairs``, as large in float64, held once, packed for the product
    kernel, which the pairs read instead, so that each population is prepared once).

    Examples
    --------
    >>> import numpy as np, parsm
    >>> rng = np.random.default_rng(0)
    >>> base = rng.standard_normal((100, 40))
    >>> pops = {f"p{k}": base + rng.standard_normal((100, 40)) for k in range(3)}
    >>> res = parsm.pairwise(pops, s=0.5, n_jobs=2)
    >>> res.names, len(res.pairs)
    (['p0', 'p1', 'p2'], 3)
    >>> bool(np.isnan(res.score[0, 0])), bool(res.score[0, 1] == res.score[1, 0])
    (True, True)
    """
    import joblib

    s = as_mass_or_auto(s)
    metric = _check_metric(metric)
    dtype = as_dtype(dtype)
    n_jobs = as_n_jobs(n_jobs)
    if cv is not None and (isinstance(cv, bool) or not isinstance(cv, (int, np.integer))):
        raise TypeError(f"cv must be an int (folds) or None; got {cv!r}.")
    if cv is not None and cv < 2:
        raise ValueError(f"cv must be an integer >= 2 (number of folds); got {cv}.")
    if not isinstance(soft_matching, (bool, np.bool_)):
        raise TypeError(f"soft_matching must be True or False; got {soft_matching!r}.")
    names, arrays = _named(populations)
    _check_populations(names, arrays, metric)
    todo = _pair_list(names, pairs)
    backend = _active_backend()
    inner = as_n_threads(n_threads)
    if inner is None and joblib.effective_n_jobs(n_jobs) > 1:
        inner = 1
    # numpy's BLAS (the share estimate's and cv's products) gets the same threads a pair's
    # solvers get: on its default of all cores in each of n_jobs threads, s="auto" on two
    # cores ran 1.6x slower (66 pairs of the bench's populations: 6.9 s against 4.3 s). Pairs
    # of prepared populations use no BLAS, and skip threadpoolctl's scan (a millisecond).
    uses_blas = s == "auto" or cv is not None
    blas = (
        threadpool_limits(inner, user_api="blas")
        if inner is not None and uses_blas
        else nullcontext()
    )
    # At a given s without cv a pair reads its populations only through their unit factors:
    # prepare each population once (not once per pair it is in: checked and packed for the
    # product kernel once), and send the workers those. Only the populations some pair reads:
    # a few pairs out of many populations neither wait for nor hold the others' factors.
    prepared = s != "auto" and cv is None
    sides: list[Any] = list(arrays)
    if prepared:
        used = sorted({k for pair in todo for k in pair})
        for k, side in zip(used, _prepared(arrays, used, metric, _core.pool_size(inner))):
            sides[k] = side
    options = {
        "s": s,
        "metric": metric,
        "cv": cv,
        "n_threads": inner,
        "dtype": dtype,
        "soft_matching": bool(soft_matching),
    }
    if prepared:
        units, m = [a.shape[1] for a in arrays], arrays[0].shape[0]
        workers, threads = joblib.effective_n_jobs(n_jobs), _core.pool_size(inner)
        if _in_threads_here(backend):
            # joblib would run the tasks in this process's threads. Every pair in one native
            # call instead, on as many threads as the tasks would have had together, which
            # share the pairs one at a time (no thread waits at the end of a chunk, no task
            # goes through joblib's queue), where that many of the largest pairs fit in
            # memory at once; else one-thread tasks, which the memory gate lets run only
            # while they fit.
            threads *= workers
            itemsize = np.dtype(dtype).itemsize
            if fits_now(_peak(todo, sides, float(s), itemsize, threads)):
                options["n_threads"], n_jobs = threads, 1
                chunks = [range(len(todo))]
            else:
                options["n_threads"], n_jobs = 1, threads
                chunks = _chunks(todo, units, m, threads, 1, bool(soft_matching))
        else:
            chunks = _chunks(todo, units, m, workers, threads, bool(soft_matching))
    results: list[dict[str, Any] | None] = [None] * len(todo)
    reset_cancel()
    previous = _install_interrupt_handler()
    try:
        with blas, Progress("parsm pairwise", len(todo), progress) as bar:
            # Each task moves the bar as it goes, so that a large pair moves it too.
            key = bar.share()
            tasks = (
                (_prepared_task(c, todo, sides, options, key) for c in chunks)
                if prepared
                else (
                    joblib.delayed(_response_task)(k, sides[i], sides[j], options, key)
                    for k, (i, j) in enumerate(todo)
                )
            )
            # Records as tasks end, where the backend can hand them over so (threads, loky,
            # Dask); else all at the end (multiprocessing, sequential).
            unordered = getattr(backend, "supports_return_generator", False)
            parallel = joblib.Parallel(
                n_jobs=n_jobs,
                prefer="threads",
                return_as="generator_unordered" if unordered else "list",
            )
            running = parallel(tasks)
            try:
                for done in running:
                    # Each record is built here, while the workers solve the next pairs.
                    for k, out in done:
                        i, j = todo[k]
                        results[k] = {"a": names[i], "b": names[j], **out}
                    bar.advance(len(done))
            except KeyboardInterrupt:
                # Stop the running pairs and wait until none is inside a native call: a worker
                # thread still there when the interpreter exits aborts the process. Pairs still
                # queued stop at their start.
                cancel_all()
                if hasattr(running, "close"):
                    running.close()
                wait_stopped()
                raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    records = [r for r in results if r is not None]
    unclear = [f"{r['a']}-{r['b']}" for r in records if r["s0_identifiable"] is False]
    if unclear:
        shown = ", ".join(unclear[:5]) + (", ..." if len(unclear) > 5 else "")
        warnings.warn(
            f"{len(unclear)} of {len(records)} pairs have no clear corner in their held-out gain "
            f"curve ({shown}); report their s0 intervals (s0_low, s0_high).",
            ShareWarning,
            stacklevel=2,
        )
    return _result(names, todo, records, metric, cv)


def _install_interrupt_handler() -> Any:
    """On the main thread, a SIGINT handler that stops the worker threads' native calls before
    ``KeyboardInterrupt`` unwinds joblib (which waits for running pairs); returns the previous
    handler, or None where none can be installed."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        return None

    def handler(signum: int, frame: Any) -> None:
        cancel_all()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    return previous


def _result(
    names: list[str],
    todo: list[tuple[int, int]],
    records: list[dict[str, Any]],
    metric: str,
    cv: int | None,
) -> PairwiseResult:
    n = len(names)
    fields = ("score", "s", "s0", "unmatched_mass", "score_sm", "mean_correlation")
    mats = {f: np.full((n, n), np.nan) for f in (*fields, "cv_score", "cv_score_sm")}
    rows, cols = (np.array(side, dtype=np.intp) for side in zip(*todo))
    for f, m in mats.items():
        values = np.array([r[f] for r in records], dtype=np.float64)
        m[rows, cols] = m[cols, rows] = values
        m.setflags(write=False)
    return PairwiseResult(
        names=names,
        pairs=[(names[i], names[j]) for i, j in todo],
        records=records,
        metric=metric,
        cv=cv,
        **mats,
    )
