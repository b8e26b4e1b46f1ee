"""How many processes run at once, and the one way evalkit spreads independent work over them.

`evalkit clean` solves its disclosure batches, `evalkit analyse` its fits and `evalkit build` its
reports one process per core (:func:`cores`). Clean and analyse hand numbered pieces of one job to
forked processes with :func:`fork_map`: forked, so that the workers share the parent's tables and
imported modules as they are (nothing is pickled but a piece's number and its result); results come
back in the pieces' order, so the output is the same for any number of workers. The build runs its
reports in its own engine (:mod:`evalkit.build.isolate`), which also isolates hung and crashing
reports.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator


def cores() -> int:
    """Processes to run at once by default: one per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def fork_map(fn: Callable, items: Iterable, workers: int) -> Iterator:
    """``fn(item)`` for each of ``items``, yielded in the items' order.

    With ``workers`` ≤ 1 or fewer than two items, here, one after another. Otherwise in a pool of
    ``workers`` forked processes (never more than there are items), handed out in the order given
    (list the longest first). A worker that dies (out of memory, killed) raises
    ``BrokenProcessPool`` here instead of leaving the run waiting, as ``multiprocessing.Pool``
    would; after a failure, items not yet started are not run.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    items = list(items)
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield fn(item)
        return
    pool = ProcessPoolExecutor(min(workers, len(items)), mp_context=multiprocessing.get_context("fork"))
    try:
        yield from pool.map(fn, items)
    finally:
        pool.shutdown(cancel_futures=True)
