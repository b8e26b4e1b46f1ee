"""evalkit.workers: the one fan-out over forked processes (clean's disclosure batches, analyse's fits)."""

import os

import pytest

from evalkit import workers


def _square_and_pid(i: int) -> tuple[int, int]:
    return i * i, os.getpid()


def _fail_on_three(i: int) -> int:
    if i == 3:
        raise ValueError(f"piece {i}")
    return i


def _die(i: int) -> int:
    os._exit(1)


def test_results_come_back_in_the_items_order_from_forked_processes():
    out = list(workers.fork_map(_square_and_pid, range(12), 2))
    assert [v for v, _ in out] == [i * i for i in range(12)]
    assert os.getpid() not in {pid for _, pid in out}  # run in workers, not here


@pytest.mark.parametrize("n, items", [(1, range(5)), (4, [7])])
def test_one_worker_or_one_item_runs_here(n, items):
    out = list(workers.fork_map(_square_and_pid, items, n))
    assert [v for v, _ in out] == [i * i for i in items]
    assert {pid for _, pid in out} == {os.getpid()}


def test_a_failing_piece_raises_its_own_error():
    with pytest.raises(ValueError, match="piece 3"):
        list(workers.fork_map(_fail_on_three, range(8), 2))


def test_a_dead_worker_raises_instead_of_hanging():
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool):
        list(workers.fork_map(_die, range(4), 2))


def test_cores_is_at_least_one():
    assert 1 <= workers.cores() <= (os.cpu_count() or 1)
