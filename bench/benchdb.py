"""What the PostgreSQL benchmarks share: a database of their own, migrated for a service
and filled once (or reused with --keep when it already holds the rows), and percentiles."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import psycopg

from sacinfra import testing


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile of ``values`` (seconds), in milliseconds."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def count(url_pg: str, table: str = "assignments") -> int:
    try:
        with psycopg.connect(url_pg) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except psycopg.Error:
        return -1


def prepare(db: str, service: Path, rows: int, keep: bool, fill: Callable[[str], None],
            what: str = "") -> tuple[str, str]:
    """``db`` migrated with ``service``'s migrations and filled by ``fill(url_pg)``, unless
    ``keep`` and it already holds ``rows``; returns its SQLAlchemy and libpq URLs."""
    url = testing.database_url(db)
    url_pg = url.replace("postgresql+psycopg://", "postgresql://")
    if keep and count(url_pg) == rows:
        print(f"reusing {db} ({rows} reports)")
        return url, url_pg
    testing.drop_database(db)
    testing.create_database(db)
    testing.migrate(service, url)
    started = time.perf_counter()
    fill(url_pg)
    print(f"loaded {rows} reports{what} in {time.perf_counter() - started:.1f} s")
    return url, url_pg


def finish(db: str, keep: bool) -> None:
    if not keep:
        testing.drop_database(db)
