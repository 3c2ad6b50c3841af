"""``python -m stats.rebuild``: empties every read model of stats and rebuilds it from the
append-only event log in stats' own database (``DATABASE_URL``). New statistics are added
by a migration and a rebuild. Safe while the service runs: projections wait on the same
lock, then continue on the rebuilt models."""
from __future__ import annotations

import argparse
import os
import sys
import time

import sacinfra  # noqa: F401  (PSYCOPG_IMPL=python before psycopg is imported)
from sacinfra.db import UnitOfWork, make_engine

from . import handlers


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Reconstruye los modelos de lectura de stats desde su bitácora de eventos.")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL",
                                                            "postgresql+psycopg://postgres@127.0.0.1:5432/stats"))
    args = p.parse_args(argv)
    engine = make_engine(args.database_url)
    started = time.perf_counter()
    n = handlers.rebuild(UnitOfWork(engine, "stats"))
    engine.dispose()
    print(f"stats: {n} eventos reaplicados en {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
