"""Transient is not poison.

An error is *transient* when the code was fine but something it needs was away: the
service's own database (connection refused, reset, server closed the connection), the
broker, or a service it called by RPC (no queue, no reply in time, or that service's own
database away). Anything else is *deterministic*: retrying the same message gives the
same error, so it belongs in the dead-letter queue.

Consumers keep a message that failed transiently **unacked** and run it again after a
backoff (0.2 s doubling to 5 s) until the dependency is back: in a quorum queue every
requeue spends one delivery of the policy's limit, a message held unacked spends none,
and the prefetch window fills so the consumer stops taking more. While any worker waits,
``/readyz`` answers 503 naming the cause (``Degraded``)."""
from __future__ import annotations

import errno
import logging
import socket
import sys
import time

from .errors import Unavailable

log = logging.getLogger(__name__)

BACKOFF_FIRST = 0.2
BACKOFF_MAX = 5.0

#: names of exception classes that mean "a dependency was away", wherever they come
#: from (a remote error names its class only)
TRANSIENT_NAMES = frozenset({
    "OperationalError", "InterfaceError",             # DBAPI / sqlalchemy: connection lost or refused
    "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError",
    "BrokenPipeError", "TimeoutError", "socket.timeout",
    "RecoverableConnectionError", "ConnectionForced", "AMQPConnectionError", "OperationalErrorKombu",
    "RpcTimeout", "UnknownService",                   # nameko: the service called is away or silent
    "ServiceUnavailable", "PoolTimeout", "TimeoutErrorPool",
    "Unavailable",                                    # sacinfra.errors: a service we asked did not answer in time
})

_CONNECTION_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE,
                      errno.ETIMEDOUT, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENOTCONN}


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _one_is_transient(exc: BaseException) -> bool:
    try:
        import sqlalchemy.exc as sa_exc
        if isinstance(exc, sa_exc.DBAPIError) and (exc.connection_invalidated or isinstance(
                exc, (sa_exc.OperationalError, sa_exc.InterfaceError))):
            return True
        if isinstance(exc, sa_exc.TimeoutError):  # pool exhausted while connections hang
            return True
    except ImportError:  # pragma: no cover
        pass
    try:
        import psycopg
        if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
            return True
    except ImportError:  # pragma: no cover
        pass
    if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError, Unavailable)):
        return True
    if isinstance(exc, OSError) and exc.errno in _CONNECTION_ERRNOS:
        return True
    # broker and nameko errors: only if those libraries are loaded (an exception cannot
    # come from a module nobody imported; the gateway must not import eventlet for this)
    if "kombu" in sys.modules:
        from amqp.exceptions import ConnectionForced, RecoverableConnectionError
        from kombu.exceptions import OperationalError as KombuOperationalError
        if isinstance(exc, (RecoverableConnectionError, ConnectionForced, KombuOperationalError)):
            return True
    if "aiormq" in sys.modules:  # the gateway's broker client: a channel closed under a call
        from aiormq.exceptions import ChannelInvalidStateError, ConnectionClosed
        if isinstance(exc, (ChannelInvalidStateError, ConnectionClosed)):
            return True
    if "nameko" in sys.modules:
        from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
        if isinstance(exc, (RpcTimeout, UnknownService)):
            return True
        if isinstance(exc, RemoteError):  # the called service's own dependency was away
            return exc.exc_type in TRANSIENT_NAMES
    return False


def is_transient(exc: BaseException | None) -> bool:
    """True if ``exc`` (or an exception it was raised from) means a dependency was away."""
    if exc is None:
        return False
    return any(_one_is_transient(e) for e in _chain(exc))


def backoff_delay(attempt: int, first: float = BACKOFF_FIRST, cap: float = BACKOFF_MAX) -> float:
    """0.2, 0.4, 0.8, … seconds, capped at 5 (attempt counts from 1)."""
    return min(cap, first * (2 ** max(0, attempt - 1)))


class Degraded:
    """What a container is waiting for: ``waiting(key, cause)`` while a worker backs off,
    ``recovered(key)`` when it succeeded; ``/readyz`` is not ready while anything waits.
    One per container (``for_container``)."""

    def __init__(self):
        self._waiting: dict[object, tuple[str, float]] = {}

    def waiting(self, key, cause: BaseException | str) -> None:
        if key not in self._waiting:
            log.warning("a dependency is unavailable; holding the work and retrying: %s", cause)
        self._waiting[key] = (f"{type(cause).__name__}: {cause}" if isinstance(cause, BaseException)
                              else str(cause), time.monotonic())

    def recovered(self, key) -> None:
        self._waiting.pop(key, None)

    def causes(self) -> list[str]:
        return sorted({cause for cause, _ in self._waiting.values()})

    @property
    def ok(self) -> bool:
        return not self._waiting


_by_container: dict[int, Degraded] = {}


def for_container(container) -> Degraded:
    return _by_container.setdefault(id(container), Degraded())


def safely(action, what: str) -> bool:
    """Run a broker action (ack, requeue) that may meet a dead channel: the broker then
    redelivers the message by itself, so the error is logged, never raised (raising from
    a result handler kills the nameko container)."""
    try:
        action()
        return True
    except Exception as exc:
        log.warning("%s failed (%s: %s); the broker will redeliver", what, type(exc).__name__, exc)
        return False
