"""`evalkit analyse` runs its independent fits in a pool of forked processes: the same numbers for
any number of workers, and no fork where a child could not fit."""

import json
import os
import subprocess
import sys

import pytest

from evalkit import results

# Runs in a fresh interpreter: pytest's own process may have fitted with pyfixest already, and
# then run_plans (rightly) does not fork, so the test would compare the serial path with itself.
SCRIPT = r"""
import json, os, pickle
from functools import partial
import numpy as np
from evalkit import data, geography, results
from evalkit.analysis import effects, robustness, synth

published = data.published_tidy()[0]
indicator = "ekonomiskt_bistand"
boroughs = geography.programme_boroughs()[:2]
first = effects.first_treatment(effects.cohorts())
panel, controls = effects.earlier_work(effects.panel(published, indicator), first)
tasks = [partial(synth.programme_borough_synth, published, indicator, b, transform="log") for b in boroughs]
tasks += [partial(robustness.rank_intervals, robustness.Prepared(published), 2020, level=level, n_boot=50, seed=1)
          for level in ("stadsdel", "stadsdelsomrade")]
tasks += [partial(results.programme_effect, panel, None, controls, wild=False), os.getpid]
plan = results.Plan(tasks, lambda done: done)
two = results.run_plans([plan], 2)[0]
one = results.run_plans([plan], 1)[0]
forked = two[-1] != os.getpid() and one[-1] == os.getpid()
def same(x, y):
    # equal to the last bit: values (as bytes where numeric), index, columns and dtypes
    from pandas.testing import assert_frame_equal, assert_series_equal
    check = assert_frame_equal if hasattr(x, "columns") else assert_series_equal
    try:
        check(x, y, check_exact=True)
    except AssertionError:
        return False
    num = x.select_dtypes("floating") if hasattr(x, "columns") else x
    return num.to_numpy().tobytes() == (y[num.columns] if hasattr(y, "columns") else y).to_numpy().tobytes()
fields = ("weights", "observed", "synthetic", "gap", "placebos", "placebo_gaps")
same_synth = all(same(getattr(a, f), getattr(b, f)) and (a.p_value, a.p_value_gap, a.pre_rmspe, a.ratio)
                 == (b.p_value, b.p_value_gap, b.pre_rmspe, b.ratio) for a, b in zip(one[:2], two[:2]) for f in fields)
same_ranks = all(same(a, b) for a, b in zip(one[2:4], two[2:4]))
row1, ri1, _ = one[4]
row2, ri2, _ = two[4]
same_ri = ri1.distribution.tobytes() == ri2.distribution.tobytes() and ri1.estimates.tobytes() == ri2.estimates.tobytes()
# pyfixest's standard errors can differ in the last digits with the process's heap layout (see
# benchmarks/README.md, i29-analyse): a fit in a forked child works and agrees to 1e-6
close_fit = bool(np.isclose(row1["se"], row2["se"], rtol=1e-6, atol=0)
                 and np.isclose(row1["estimate"], row2["estimate"], rtol=1e-9, atol=0))
print(json.dumps({"forked": forked, "synth": same_synth, "ranks": same_ranks, "ri": same_ri, "fit": close_fit}))
"""


def test_the_results_are_the_same_with_one_and_two_workers(processed):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got == {"forked": True, "synth": True, "ranks": True, "ri": True, "fit": True}, got


def test_tasks_come_back_in_task_order_whatever_their_length():
    import time
    from functools import partial

    def slow(i):
        time.sleep(0.05 * max(3 - i, 0))  # the first task ends last
        return i

    plan = results.Plan([partial(slow, i) for i in range(4)], lambda done: done)
    assert results.run_plans([plan, results.Plan([partial(slow, 9)], sum)], 2) == [[0, 1, 2, 3], 9]


def test_no_fork_after_a_fit_in_this_process(monkeypatch):
    """A pyfixest fit starts its Rust core's thread pool; a forked child fitting again would wait
    for threads the fork did not copy, so run_plans stays in the process."""
    from evalkit.analysis import effects

    monkeypatch.setattr(effects, "_FITTED", True)
    plan = results.Plan([os.getpid, os.getpid], lambda done: done)
    assert results.run_plans([plan], 2) == [[os.getpid(), os.getpid()]]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_task_stops_the_run(workers):
    def boom():
        raise ValueError("fel i en uppgift")

    with pytest.raises(ValueError, match="fel i en uppgift"):
        results.run_plans([results.Plan([os.getpid, boom], lambda done: done)], workers)
