"""``python -m catalog.geo_seed``: load the official colonias shipped in ``geodata/``
(Cuauhtémoc, SEDUVI; see geodata/README.md) as the demo municipality's geography
(``--if-missing``: only when no colonia layer is in force, as ``make up`` runs it).

A catalog without geography checks no coordinates; once loaded, reports need points
inside Cuauhtémoc (or, without coordinates, one of its colonias by name)."""
import argparse
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


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Carga las colonias oficiales de Cuauhtémoc (SEDUVI) como geografía.")
    p.add_argument("--if-missing", action="store_true", help="solo si no hay una capa de colonias vigente")
    args = p.parse_args(argv)
    engine = make_engine(os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/catalog"))
    try:
        if args.if_missing and geo.geography_versions(Store(UnitOfWork(engine, "catalog")), "colonias"):
            print("catalog geography: a colonia layer is already in force; nothing loaded")
            return
        print("catalog geography:", load_official(engine))
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
