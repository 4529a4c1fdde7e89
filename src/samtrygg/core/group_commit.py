"""Group commit: calls made at the same time by the threads of one process share one batch (one transaction).

A thread that calls :meth:`GroupCommit.submit` while no batch is running runs one at once, of its own item and
whatever else is waiting; threads that call while a batch runs wait, and when it ends the first of them runs the
next batch, of all that queued meanwhile. Alone, a call runs its item at once, as a direct call would; under
load, the cost per item that a batch shares (statements, the commit, locks held until it) is paid once per batch.

If a batch fails, each of its items is run again on its own, so each caller gets its own result or exception,
as without batching. Written here because the standard library's executors run items one by one, and a batch
must run on a caller's thread (Django's database connections belong to the thread that opened them).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(eq=False)
class _Call(Generic[Item]):
    item: Item
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to run the next batch, not with a result
    result: Any = None
    error: BaseException | None = None


class GroupCommit(Generic[Item, Result]):
    def __init__(self, run_batch: Callable[[list[Item]], Sequence[Result]], *, max_batch: int = 100):
        self.run_batch = run_batch
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Call[Item]] = []
        self._running = False
        self.batch_sizes: deque[int] = deque(maxlen=1000)  # the last batches' sizes (tests look at them)

    def submit(self, item: Item) -> Result:
        call = _Call(item)
        with self._lock:
            self._queue.append(call)
            lead = not self._running
            self._running = True
        while True:
            if lead:
                self._run_next()
                lead = False
            if call.done.is_set() and not call.lead:
                break
            call.done.wait()
            if call.lead:  # the previous batch ended with this call first in the queue: run the next one
                call.lead, lead = False, True
                call.done.clear()
        if call.error is not None:
            raise call.error
        return call.result

    def _run_next(self) -> None:
        with self._lock:
            batch = self._queue[:self.max_batch]
            del self._queue[:self.max_batch]
        try:
            self._run(batch)
        finally:
            with self._lock:
                if self._queue:
                    follower = self._queue[0]
                    follower.lead = True
                    follower.done.set()
                else:
                    self._running = False
            for call in batch:
                call.done.set()

    def _run(self, batch: list[_Call[Item]]) -> None:
        self.batch_sizes.append(len(batch))
        try:
            results = self.run_batch([call.item for call in batch])
        except BaseException as exc:
            if not isinstance(exc, Exception):  # interrupted (SystemExit, KeyboardInterrupt): no outcome for any
                for call in batch:
                    call.error = exc
                raise
            if len(batch) == 1:
                batch[0].error = exc
                return
            for call in batch:  # one of them spoiled the batch: each on its own, with its own outcome
                try:
                    call.result = self.run_batch([call.item])[0]
                except Exception as own:
                    call.error = own
            return
        for call, result in zip(batch, results, strict=True):
            call.result = result
