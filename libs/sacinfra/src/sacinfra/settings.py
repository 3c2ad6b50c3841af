"""Deployment-wide settings that every deployable reads the same way.

A plain module (stdlib only): the asyncio gateway imports it as well as the nameko
services, so it must not pull in nameko or eventlet.
"""
from __future__ import annotations

import os
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: the municipality's zone when ``SAC_TIMEZONE`` is not set (central Mexico)
DEFAULT_TIMEZONE = "America/Mexico_City"


@lru_cache(maxsize=1)
def municipal_tz() -> ZoneInfo:
    """The municipality's time zone, ``SAC_TIMEZONE`` (an IANA name), read once per process.

    What people read (due dates, exports, "today") and what counts as a day (the
    "today" window, date filters, the business calendar) are in this zone; the
    databases keep UTC. An unknown name fails at start-up rather than at the first
    report. Tests that change the variable call ``municipal_tz.cache_clear()``.
    """
    name = os.environ.get("SAC_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"SAC_TIMEZONE={name!r} no es una zona horaria IANA conocida.") from e
