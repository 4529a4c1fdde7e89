"""Group commit (``samtrygg.core.group_commit``): threads that submit while a batch runs share the next batch, each
gets its own result or exception, and no submission is lost or answered twice."""

import threading

import pytest

from samtrygg.core.group_commit import GroupCommit


def test_alone_a_submission_runs_at_once_in_a_batch_of_its_own():
    seen = []
    group = GroupCommit(lambda items: seen.append(list(items)) or [item * 10 for item in items])
    assert group.submit(1) == 10
    assert group.submit(2) == 20
    assert seen == [[1], [2]]
    assert list(group.batch_sizes) == [1, 1]


def _start(group, items, results):
    threads = []
    for item in items:
        def run(item=item):
            try:
                results[item] = group.submit(item)
            except Exception as exc:
                results[item] = exc
        threads.append(threading.Thread(target=run))
        threads[-1].start()
    return threads


def _wait_until(condition, what):
    for _ in range(500):
        if condition():
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def _first_batch_held(answer, *, max_batch=100):
    """A group whose first batch waits until ``release`` is set; ``answer(items)`` gives a batch's results (or
    raises). Returns the group, the items of every batch run, and ``release``."""
    release, batches = threading.Event(), []

    def run_batch(items):
        batches.append(list(items))
        if len(batches) == 1:
            release.wait(5)
        return answer(items)

    return GroupCommit(run_batch, max_batch=max_batch), batches, release


def _submit_while_first_is_held(group, batches, release, first, rest) -> dict:
    """``first`` starts the first batch; ``rest`` is submitted while it is held and has queued before it ends.
    Returns every submission's result or exception."""
    results = {}
    threads = _start(group, [first], results)
    _wait_until(lambda: batches, "the first batch to start")
    threads += _start(group, rest, results)
    _wait_until(lambda: len(group._queue) == len(rest), f"{len(rest)} submissions to queue")
    release.set()
    for thread in threads:
        thread.join(5)
    return results


def test_submissions_arriving_while_a_batch_runs_share_the_next_batch():
    group, batches, release = _first_batch_held(lambda items: [item * 10 for item in items])
    results = _submit_while_first_is_held(group, batches, release, 0, [1, 2, 3, 4, 5])
    assert batches[0] == [0]
    assert sorted(batches[1]) == [1, 2, 3, 4, 5] and len(batches) == 2
    assert results == {i: i * 10 for i in range(6)}
    assert not group._running and not group._queue


def test_a_batch_is_at_most_max_batch_and_the_rest_follow():
    group, batches, release = _first_batch_held(list, max_batch=3)
    results = _submit_while_first_is_held(group, batches, release, 0, range(1, 8))
    assert [len(batch) for batch in batches] == [1, 3, 3, 1]
    assert results == {i: i for i in range(8)}


def test_a_failing_batch_is_run_again_one_by_one_so_only_the_bad_submission_fails():
    def answer(items):
        if "bad" in items:
            raise ValueError("bad item")
        return [item.upper() for item in items]

    group, batches, release = _first_batch_held(answer)
    results = _submit_while_first_is_held(group, batches, release, "first", ["a", "bad", "b"])
    assert results["first"] == "FIRST" and results["a"] == "A" and results["b"] == "B"
    assert isinstance(results["bad"], ValueError) and str(results["bad"]) == "bad item"
    assert sorted(map(tuple, batches[2:])) == [("a",), ("b",), ("bad",)]  # after the shared attempt


def test_alone_a_failure_is_raised_to_its_caller_once():
    calls = []

    def run_batch(items):
        calls.append(items)
        raise RuntimeError("database gone")

    group = GroupCommit(run_batch)
    with pytest.raises(RuntimeError, match="database gone"):
        group.submit("x")
    assert calls == [["x"]]
    assert group._running is False  # the next submission leads again


def test_many_threads_get_each_their_own_result():
    group = GroupCommit(lambda items: [(item, len(items)) for item in items], max_batch=7)
    results: dict[int, list] = {}

    def client(k):
        results[k] = [group.submit(k * 1000 + i)[0] for i in range(50)]

    threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert all(results[k] == [k * 1000 + i for i in range(50)] for k in range(16))
    assert sum(group.batch_sizes) == 16 * 50 and max(group.batch_sizes) <= 7
    assert not group._running and not group._queue
