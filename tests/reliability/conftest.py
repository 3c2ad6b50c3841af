"""Fixtures for the reliability tests: a load of reports filed through the gateway while
services are killed and restarted."""
import collections
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import Workers  # noqa: E402


class Load(Workers):
    """Files ``report`` from a few threads until stopped; keeps the folios answered 201 and
    counts the failures by status code or exception."""

    def __init__(self, base: str, headers: dict, report: dict, workers: int = 4):
        self.base = base
        self.headers = headers
        self.report = report
        self.accepted: list[int] = []
        self.failed = collections.Counter()
        super().__init__(workers)

    def _run(self):
        s = requests.Session()
        s.headers.update(self.headers)
        while not self._stop.is_set():
            try:
                r = s.post(self.base + "/v1/reports", json=self.report, timeout=30)
                if r.status_code == 201:
                    with self._lock:
                        self.accepted.append(r.json()["folio"])
                else:
                    self.failed[r.status_code] += 1
            except requests.RequestException as exc:
                self.failed[type(exc).__name__] += 1
                time.sleep(0.05)

    def event_ids_by_folio(self, subscriber, timeout: float) -> dict[int, set[str]]:
        """The event ids ``subscriber`` received per folio, once it holds every folio
        accepted (or ``timeout`` seconds have passed)."""
        def by_folio():
            out = collections.defaultdict(set)
            for m in list(subscriber.messages):
                out[m["data"]["folio"]].add(m["event_id"])
            return out

        accepted = set(self.accepted)
        deadline = time.monotonic() + timeout
        while not accepted <= set(by_folio()) and time.monotonic() < deadline:
            time.sleep(0.5)
        return by_folio()


@pytest.fixture(scope="session")
def report_load():
    """``with report_load(base, headers, report) as load:`` files reports until the block ends."""
    return Load
