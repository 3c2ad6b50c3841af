"""``python -m catalog.geo_seed``: load the official colonias shipped in ``geodata/``
(Cuauhtémoc, SEDUVI; see geodata/README.md) as the demo municipality's geography.

Optional: a catalog without geography checks no coordinates (León's demo reports keep
working); once loaded, reports need points inside Cuauhtémoc."""
import json
import os
from pathlib import Path

import sacinfra  # noqa: F401
from sacinfra.actor import Actor
from sacinfra.db import UnitOfWork, make_engine

from . import geo
from .store import Store

OFFICIAL_COLONIAS = Path(__file__).parent / "geodata" / "cuauhtemoc_colonias.geojson"
SOURCE = "SEDUVI, catálogo de colonias de la Ciudad de México (11/2022): alcaldía Cuauhtémoc"


def official_colonias() -> dict:
    return json.loads(OFFICIAL_COLONIAS.read_text(encoding="utf-8"))


def load_official(engine) -> dict:
    return geo.load_geography(Store(UnitOfWork(engine, "catalog")), Actor.system_process("catalog-geo-seed").to_dict(),
                              "colonias", official_colonias(), SOURCE)


def main() -> None:
    engine = make_engine(os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/catalog"))
    print("catalog geography:", load_official(engine))
    engine.dispose()


if __name__ == "__main__":
    main()
