"""Client threads for the reliability tests' loads: ``with SomeLoad(...) as load:`` runs
``_run`` in ``workers`` threads until the block ends (``_stop`` is then set)."""
from __future__ import annotations

import threading


class Workers:
    join_seconds = 60

    def __init__(self, workers: int):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(workers)]

    def _run(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(self.join_seconds)
