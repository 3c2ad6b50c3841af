"""Micro-batching of concurrent calls into one RPC.

POSTs that arrive together are sent to intake as one ``create_reports`` call: one
message each way and one nameko worker for the lot, instead of one per report. At most
``max_in_flight`` batches travel at once; a batch is cut when a slot is free, so while
the slots are busy the queue grows and the next batch carries everything that waited
(up to ``max_batch``). Alone, a request leaves at once."""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable


class CallBatcher:
    def __init__(self, send: Callable[[list], Awaitable[list]], max_batch: int = 100, max_in_flight: int = 4):
        self.send = send
        self.max_batch = max_batch
        self.max_in_flight = max_in_flight
        self._queue: list[tuple[Any, asyncio.Future]] = []
        self._wakeup: asyncio.Event | None = None
        self._slots: asyncio.Semaphore | None = None
        self._loop_task: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()

    async def submit(self, item) -> Any:
        if self._loop_task is None or self._loop_task.done():
            self._wakeup = asyncio.Event()
            self._slots = asyncio.Semaphore(self.max_in_flight)
            self._loop_task = asyncio.ensure_future(self._run())
        fut = asyncio.get_running_loop().create_future()
        self._queue.append((item, fut))
        self._wakeup.set()
        return await fut

    async def _run(self):
        while True:
            await self._wakeup.wait()
            await self._slots.acquire()
            await asyncio.sleep(0)  # requests arriving in this same moment join the batch
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
            if not self._queue:
                self._wakeup.clear()
            if not batch:
                self._slots.release()
                continue
            task = asyncio.ensure_future(self._send(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(self, batch):
        try:
            answers = await self.send([item for item, _ in batch])
        except BaseException as exc:  # ApiError (service down, timeout) for every caller
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        finally:
            self._slots.release()
        for (_, fut), answer in zip(batch, answers):
            if not fut.done():
                fut.set_result(answer)

    async def close(self):
        if self._loop_task is not None:
            self._loop_task.cancel()
