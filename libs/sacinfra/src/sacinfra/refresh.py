"""A service's copy of another service's data, refreshed from a short timer.

An eager timer cannot make an RPC call at start: the worker's reply queue is not consumed
yet, the answer is lost and the worker waits for ever (and blocks shutdown). So a service
ticks a short timer (``@timer(interval=5)``) and lets a :class:`Refresh` decide: the first
tick refreshes, then one tick every ``<every setting>`` seconds; a failure is logged and
tried again on the next tick. Every call to the other service goes through
:meth:`Refresh.ask`, bounded by ``<timeout setting>`` seconds (nameko's proxy would wait
for ever)::

    class StatsService(SqlService):
        catalog = RpcProxy("catalog")
        calendar = Refresh("CALENDAR_REFRESH_SECONDS", source="catalog")

        @timer(interval=5)
        def refresh_calendar(self):
            self.calendar.tick(lambda: handlers.save_calendar(self.db, self.calendar.ask(self.catalog.get_calendar)))
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

import eventlet
from nameko.extensions import DependencyProvider

from .errors import Unavailable, relayed

log = logging.getLogger(__name__)


class Refresh(DependencyProvider):
    """When this process last refreshed one copy, how often it should, and how long it
    waits for the service it copies from (both read from the service's config)."""

    def __init__(self, every_setting: str, *, source: str, default_every: float = 600,
                 timeout_setting: str = "CATALOG_TIMEOUT_SECONDS", default_timeout: float = 5):
        self.every_setting, self.default_every = every_setting, default_every
        self.timeout_setting, self.default_timeout = timeout_setting, default_timeout
        self.source = source
        self.last: float | None = None
        self.every = default_every
        self.timeout = default_timeout

    def setup(self):
        config = self.container.config
        self.every = float(config.get(self.every_setting) or self.default_every)
        self.timeout = float(config.get(self.timeout_setting) or self.default_timeout)
        self.last = None

    def get_dependency(self, worker_ctx):
        return self

    def due(self) -> bool:
        return self.last is None or time.monotonic() - self.last >= self.every

    def ask(self, call: Callable[..., Any], *args, **kwargs) -> Any:
        """``call(*args, **kwargs)``: an RPC to the source, bounded by the timeout setting
        (``bounded``)."""
        return bounded(self.timeout, self.source, call, *args, **kwargs)

    def tick(self, refresh: Callable[[], Any]) -> bool:
        """On a timer tick: ``refresh()`` when due. True when it ran and succeeded; a failure
        (the source not up yet, a timeout) is logged and retried on the next tick."""
        if not self.due():
            return False
        try:
            refresh()
        except Exception as exc:  # the source down: keep the old copy, try again next tick
            log.warning("%s: copia de %s no actualizada: %s", self.every_setting, self.source, exc)
            return False
        self.last = time.monotonic()
        return True


def bounded(seconds: float, source: str, call: Callable[..., Any], *args, **kwargs) -> Any:
    """``call(*args, **kwargs)``, an RPC to the service ``source``, waiting at most
    ``seconds``: nameko's proxy would wait for ever for a service that is down (its queue
    keeps the request). Not answering in time, or not running at all, is
    ``sacinfra.errors.Unavailable`` (the gateway's 503 with Retry-After)."""
    from nameko.exceptions import UnknownService

    message = f"El servicio {source} no respondió en {seconds:g} s; intente de nuevo en unos segundos."
    try:
        with eventlet.Timeout(seconds, Unavailable(message)):
            return call(*args, **kwargs)
    except UnknownService:
        raise Unavailable(message) from None


def asked(seconds: float, source: str, call: Callable[..., Any], *args, **kwargs) -> Any:
    """``bounded``, and a refusal of ``source`` (its ``NotFound``, ``InvalidInput``, …) raised
    as this service's error of the same kind with its code and message
    (``sacinfra.errors.relayed``): what a service that asks another on its caller's behalf
    passes on."""
    from nameko.exceptions import RemoteError

    try:
        return bounded(seconds, source, call, *args, **kwargs)
    except RemoteError as exc:
        raise relayed(exc) from None
