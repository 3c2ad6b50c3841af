"""``python -m catalog.seed``: load the demo catalog into catalog's database."""
import os

import sacinfra  # noqa: F401
from sacinfra.db import UnitOfWork, make_engine

from . import demo_catalog, handlers
from .store import Store
from .calendar import BusinessCalendar


def seed_demo(engine) -> dict:
    demo_catalog.validate()
    cal = BusinessCalendar(extra_days_off=frozenset(demo_catalog.MUNICIPAL_DAYS_OFF))
    return handlers.seed(Store(UnitOfWork(engine, "catalog")), demo_catalog.AGENCIES, demo_catalog.DEPARTMENTS,
                         demo_catalog.PETITION_TYPES, demo_catalog.CHANNELS, cal)


def main() -> None:
    engine = make_engine(os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/catalog"))
    print("catalog demo data:", seed_demo(engine))
    engine.dispose()


if __name__ == "__main__":
    main()
