"""Alembic glue shared by the SQL services' ``migrations/env.py``.

The URL is, in order: one given by the caller (``config.attributes['url']``, used by
tests), ``DATABASE_URL``, then ``sqlalchemy.url`` of alembic.ini. Migrations run by
their own command (``alembic -c alembic.ini upgrade head``), never at process start.
"""
from __future__ import annotations

import os


def run_migrations() -> None:
    from alembic import context

    from .db import make_engine

    cfg = context.config
    url = cfg.attributes.get("url") or os.environ.get("DATABASE_URL") or cfg.get_main_option("sqlalchemy.url")
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=None)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
