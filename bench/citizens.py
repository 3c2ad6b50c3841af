"""bench/citizens: name search over a registry of León's size.

    python bench/citizens.py [--citizens 200000] [--searches 500]

Creates the database `bench_citizens` (dropped first if it exists), migrates it with the
citizens migrations, loads --citizens people with realistic Mexican names by COPY, then
runs --searches name searches (partial names, without accents, mixed case) through
`citizens.handlers.search_citizens` — the function the `search_citizens` RPC runs, access
log included — and prints their latency. Needs PostgreSQL only (no broker, no services).
Last line: `citizens search p50 <x> ms, p95 <y> ms` (goal: p95 ≤ 20 ms).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "libs" / "sacinfra" / "src"), str(ROOT / "services" / "citizens" / "src")]

import psycopg  # noqa: E402

from citizens import handlers, normalize  # noqa: E402
from citizens.store import Store  # noqa: E402
from sacinfra import testing  # noqa: E402
from sacinfra.db import UnitOfWork, make_engine  # noqa: E402

DB = "bench_citizens"
ACTOR = {"kind": "staff", "username": "bench", "role": "operator"}

MALE = ("José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Francisco", "Antonio", "Alejandro", "Jorge",
        "Pedro", "Manuel", "Ricardo", "Fernando", "Roberto", "Eduardo", "Javier", "Sergio", "Raúl", "Arturo",
        "Daniel", "Martín", "Héctor", "Óscar", "Andrés", "Ángel", "Rubén", "Guillermo", "Enrique", "Víctor",
        "Adrián", "Gerardo", "Rafael", "Alberto", "Julio", "Emilio", "Iván", "Ramón", "Tomás", "Agustín",
        "Joaquín", "Salvador", "Ignacio", "Mario", "Gustavo", "Hugo", "Ernesto", "Santiago", "Mateo", "Diego")
FEMALE = ("María", "Guadalupe", "Juana", "Margarita", "Verónica", "Leticia", "Rosa", "Francisca", "Elizabeth",
          "Gabriela", "Patricia", "Alejandra", "Adriana", "Claudia", "Silvia", "Teresa", "Araceli", "Martha",
          "Laura", "Mónica", "Sofía", "Valentina", "Ximena", "Regina", "Camila", "Fernanda", "Daniela", "Andrea",
          "Mariana", "Lucía", "Isabel", "Carmen", "Josefina", "Beatriz", "Yolanda", "Alicia", "Norma", "Irma",
          "Lorena", "Sandra", "Rocío", "Esperanza", "Dolores", "Concepción", "Natalia", "Paola", "Karla",
          "Jimena", "Renata", "Itzel")
SURNAMES = ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez",
            "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez",
            "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez",
            "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina", "Castro", "Vargas", "Guzmán",
            "Velázquez", "Muñoz", "Rojas", "Contreras", "Salazar", "Luna", "Ortega", "Santiago", "Guerrero",
            "Estrada", "Bautista", "Cortés", "Soto", "Alvarado", "Espinoza", "Lara", "Ávila", "Ríos", "Cervantes",
            "Silva", "Delgado", "Vega", "Márquez", "Sandoval", "Fernández", "León", "Carrillo", "Mejía", "Solís",
            "Núñez", "Rosas", "Valdez", "Ibarra", "Campos", "Santos", "Camacho", "Navarro", "Peña", "Maldonado",
            "Rosales", "Acosta", "Miranda", "Trejo", "Valencia", "Nava", "Pacheco", "Huerta", "Padilla",
            "Ibáñez", "Zúñiga", "Orozco", "Cárdenas", "Quintero", "Becerra", "Arellano", "Tapia", "Villanueva",
            "Cuéllar", "Olvera", "Saldaña", "Zavala", "Murguía")
COLONIAS = ("Centro", "León Moderno", "San Juan de Dios", "El Coecillo", "Jardines del Moral", "Las Joyas",
            "San Miguel", "Obregón", "Killian", "Valle del Campestre", "Los Paraísos", "Bellavista", "El Carmen",
            "Piletas", "San Felipe de Jesús", "Lomas de Medina", "Arbide", "Santa María del Granjeno",
            "Villas de San Juan", "Europa")
STREETS = ("Madero", "Hidalgo", "Juárez", "Morelos", "Allende", "Aldama", "Pino Suárez", "Independencia",
           "5 de Mayo", "Insurgentes", "Álvaro Obregón", "López Mateos")
CHANNELS = ("072", "MIÉRCOLES CIUDADANO", "CHATBOT", "WEB", "ANDROID", "PRESENCIAL")


def person(rng: random.Random):
    sex = rng.choice(("female", "male"))
    pool = FEMALE if sex == "female" else MALE
    given = rng.choice(pool) if rng.random() < 0.55 else f"{rng.choice(pool)} {rng.choice(pool)}"
    if sex == "male" and rng.random() < 0.1:
        given = f"José {rng.choice(MALE)}"
    if sex == "female" and rng.random() < 0.15:
        given = f"María {rng.choice(FEMALE)}"
    first = rng.choice(SURNAMES)
    second = rng.choice(SURNAMES) if rng.random() < 0.93 else None
    return given, first, second, sex


def load(url_pg: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    cols = ("given_names", "first_surname", "second_surname", "name_norm", "sex", "birth_date", "phones",
            "colonia", "colonia_norm", "street", "ext_number", "postal_code", "consent", "privacy_notice_version",
            "channel", "created_by")
    types = ("text", "text", "text", "text", "text", "date", "text[]", "text", "text", "text", "text", "text",
             "bool", "text", "text", "text")
    start = date(1940, 1, 1)
    with psycopg.connect(url_pg) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY citizens ({', '.join(cols)}) FROM STDIN") as copy:
            copy.set_types(types)
            for i in range(n):
                given, first, second, sex = person(rng)
                colonia = rng.choice(COLONIAS)
                copy.write_row((given, first, second, normalize.full_name_key(given, first, second), sex,
                                start + timedelta(days=rng.randrange(365 * 66)),
                                [f"477{rng.randrange(10**7):07d}"] if rng.random() < 0.9 else [],
                                colonia, normalize.name_key(colonia), rng.choice(STREETS), str(rng.randrange(1, 2000)),
                                f"37{rng.randrange(1000):03d}", True, "2026-01", rng.choice(CHANNELS), "bench"))
        cur.execute("ANALYZE citizens")


def queries(rng: random.Random, count: int) -> list[str]:
    """Partial names, without accents, in mixed case, as operators type them."""
    out = []
    for _ in range(count):
        given, first, second, _ = person(rng)
        plain = [normalize.name_key(p) for p in (given.split()[0], first, second or first)]
        kind = rng.randrange(5)
        if kind == 0:    # «guadalupe hern»
            q = f"{plain[0]} {plain[1][:rng.randint(4, len(plain[1]))]}"
        elif kind == 1:  # «hernan lopez»: both surnames, partial
            q = f"{plain[1][:rng.randint(4, len(plain[1]))]} {plain[2]}"
        elif kind == 2:  # full name without accents
            q = " ".join(plain)
        elif kind == 3:  # one surname and a piece of the given name
            q = f"{plain[0][:3]} {plain[1]}"
        else:            # a surname alone
            q = plain[1]
        out.append("".join(ch.upper() if rng.random() < 0.3 else ch for ch in q))
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--citizens", type=int, default=200_000)
    ap.add_argument("--searches", type=int, default=500)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", action="store_true", help="leave the database for inspection")
    args = ap.parse_args()

    testing.drop_database(DB)
    url = testing.create_database(DB)
    try:
        testing.migrate(ROOT / "services" / "citizens", url)
        url_pg = url.replace("postgresql+psycopg://", "postgresql://")
        started = time.perf_counter()
        load(url_pg, args.citizens, args.seed)
        print(f"loaded {args.citizens} citizens in {time.perf_counter() - started:.1f} s")

        rng = random.Random(args.seed + 1)
        engine = make_engine(url, pool_size=1)
        timings, found = [], 0
        with Store(UnitOfWork(engine, "citizens")) as uow:
            for q in queries(rng, 20):  # warm-up: caches, connection, plans
                handlers.search_citizens(uow, ACTOR, q, "bench warm-up")
            for q in queries(rng, args.searches):
                t0 = time.perf_counter()
                out = handlers.search_citizens(uow, ACTOR, q, "bench: búsqueda por nombre")
                timings.append(time.perf_counter() - t0)
                found += bool(out["items"])
        engine.dispose()
        slowest = sorted(timings)[-1] * 1000
        print(f"{args.searches} searches, {found} with results, max {slowest:.1f} ms, p99 {pct(timings, 99):.1f} ms")
        print(f"citizens search p50 {pct(timings, 50):.1f} ms, p95 {pct(timings, 95):.1f} ms")
    finally:
        if not args.keep:
            testing.drop_database(DB)


if __name__ == "__main__":
    main()
