"""A thread-safe checkout pool of nameko standalone RPC proxies.

``ClusterRpcProxy`` is not thread-safe: each proxy is used by one thread at a time.
Callers run in plain (threadpool) functions, never inside ``async def``.
"""
from __future__ import annotations

import logging
import queue
import threading
from contextlib import contextmanager
from typing import Iterator

from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

log = logging.getLogger(__name__)


class RpcPool:
    def __init__(self, config: dict, size: int = 16, timeout: float = 10.0):
        self.config = config
        self.size = size
        self.timeout = timeout
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()
        self._closed = False

    def _create(self):
        standalone = ClusterRpcProxy(self.config, timeout=self.timeout)
        return standalone, standalone.start()

    def _take(self):
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._created < self.size:
                self._created += 1
                try:
                    return self._create()
                except Exception:
                    self._created -= 1
                    raise
        return self._idle.get(timeout=self.timeout)

    def _discard(self, item) -> None:
        with self._lock:
            self._created -= 1
        try:
            item[0].stop()
        except Exception:
            pass

    @contextmanager
    def proxy(self, context: dict | None = None) -> Iterator:
        """Check out a proxy; ``context`` (e.g. trace headers) rides on every call."""
        item = self._take()
        standalone, proxy = item
        data = standalone._worker_ctx.data
        data.clear()
        if context:
            data.update(context)
        healthy = True
        try:
            yield proxy
        except RemoteError:
            raise
        except Exception:
            healthy = False
            raise
        finally:
            data.clear()
            if healthy and not self._closed:
                self._idle.put(item)
            else:
                self._discard(item)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                item = self._idle.get_nowait()
            except queue.Empty:
                break
            self._discard(item)
