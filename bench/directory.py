"""bench/directory: MODINFO search and ticket printing over a guide of 5,000 offices.

    python bench/directory.py [--offices 5000] [--searches 400] [--tickets 200]

Starts its own secantusdb (the MongoDB-compatible server `make up` runs) on a free port
with a temporary storage path, loads León's demo guide plus generated offices up to
--offices (dependencias, direcciones and áreas in a tree, with keywords and trámites),
then times the plain functions behind the RPCs (`directory.handlers`, no broker, no HTTP;
an RPC round trip adds ~1.5 ms here, docs/machine.md):

- search: `search_offices` of an operator with the service's in-memory mirror of the
  search fields (search_index: one read of the guide's version, ranking in memory, one
  fetch of the page by id), a mix of what people type at the front desk —
  whole names, acronyms, trámites, two-word queries, and short prefixes (2–4 letters)
  that match hundreds of offices — page 1 of 20, ranked, with the total;
- ticket: `print_ticket` of an 80 mm thermal PDF: the next Número de Atención, the log
  entry (outbox), the day's counters and the PDF.

Last line: `directory search p95 <x> ms, ticket p95 <y> ms` (goals: ≤ 20 ms, ≤ 100 ms).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "libs" / "sacinfra" / "src"), str(ROOT / "services" / "directory" / "src")]

import secantus  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from directory import demo, domain, handlers  # noqa: E402
from directory.search_index import SearchIndex  # noqa: E402
from directory.store import Store  # noqa: E402

OPERATOR = {"kind": "staff", "username": "bench.operator", "role": "operator"}
KINDS = ("Dirección de", "Coordinación de", "Departamento de", "Jefatura de", "Unidad de", "Oficina de",
         "Centro de", "Área de", "Subdirección de", "Módulo de")
TOPICS = ("Atención Ciudadana", "Ingresos", "Catastro", "Licencias", "Alumbrado", "Bacheo", "Parques y Jardines",
          "Salud Pública", "Vacunación", "Bibliotecas", "Cultura", "Deporte", "Transporte", "Vialidad", "Mercados",
          "Comercio", "Empleo", "Vivienda", "Escrituración", "Registro Civil", "Panteones", "Protección Civil",
          "Prevención del Delito", "Asuntos Jurídicos", "Archivo", "Informática", "Recursos Humanos", "Adquisiciones",
          "Obra Pública", "Drenaje", "Agua Potable", "Medio Ambiente", "Poda", "Limpieza", "Recolección",
          "Desarrollo Rural", "Turismo", "Juventud", "Mujeres", "Adultos Mayores", "Discapacidad", "Migrantes",
          "Educación", "Becas", "Fiscalización", "Auditoría", "Transparencia", "Comunicación", "Planeación",
          "Movilidad", "Estacionamientos", "Salud Animal", "Asistencia Social", "Defensoría", "Mediación")
ZONES = ("Norte", "Sur", "Oriente", "Poniente", "Centro", "Las Joyas", "San Juan de Abajo", "Piletas", "Medina",
         "San Francisco", "Jacinto López", "El Coecillo", "Valle de Señora", "Los Castillos", "La Martinica",
         "Obregón", "San Miguel", "Barrio Arriba", "León II", "Santa Rosa")
WORDS = ("pagos", "constancia", "permiso", "queja", "reporte", "solicitud", "apoyo", "credencial", "licencia",
         "certificado", "registro", "inscripción", "cita", "asesoría", "trámite", "denuncia", "beca", "curso")
QUERIES = ("dif", "sapal", "imss", "sat", "predial", "registro civil", "atencion ciudadana", "licencia",
           "credencial", "agua potable", "panteon", "mercado aldama", "defensoria", "procuraduria",
           "coordinacion norte", "oficina centro", "juventud", "migrante", "vacunacion", "catastro",
           "dir", "de", "co", "ofi", "cen", "sal", "reg", "bib", "protección civil", "recolección", "obra",
           "escrituras", "pasaporte", "ine", "cfe", "banco de alimentos", "Desarrollo Integral de la Familia (DIF)")


def generated(n: int, rng: random.Random) -> list[dict]:
    roots = [o["id"] for o in demo.offices() if o["parent_id"] is None]
    out, ids = [], list(roots)
    for i in range(n):
        kind, topic, zone = rng.choice(KINDS), rng.choice(TOPICS), rng.choice(ZONES)
        oid = f"bench-{i:05d}"
        out.append({"id": oid, "name": f"{kind} {topic} {zone}", "acronym": "", "level": rng.choice(domain.LEVELS),
                    "parent_id": rng.choice(ids[-400:]), "street": "BLVD. ADOLFO LÓPEZ MATEOS", "ext_number": str(i),
                    "int_number": "", "colonia": zone.upper(), "postal_code": "37000", "city": demo.CITY,
                    "phones": [f"477 {rng.randint(200, 899)} {rng.randint(1000, 9999)}"],
                    "extensions": [str(rng.randint(100, 999))], "email": "", "website": "", "hours": demo.HOURS,
                    "person_in_charge": "TITULAR DEL ÁREA", "keywords": rng.sample(WORDS, 3),
                    "procedures": [f"{rng.choice(WORDS).capitalize()} de {topic.lower()}"], "active": True,
                    "location": None})
        ids.append(oid)
    return out


def load(store: Store, total: int, rng: random.Random) -> int:
    demo.load(store)
    docs, ancestors = [], {d["_id"]: d.get("ancestors", []) for d in store.offices.find({}, {"ancestors": 1})}
    moment = handlers.now()
    for o in generated(max(0, total - store.count({})), rng):
        chain = ancestors[o["parent_id"]] + [o["parent_id"]]
        ancestors[o["id"]] = chain
        docs.append(handlers._document(o["id"], o, chain, 1, "bench", moment, None) | {"touched_at": moment})
    for i in range(0, len(docs), 1000):
        store.offices.insert_many(docs[i:i + 1000])
    return store.count({})


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--offices", type=int, default=5000)
    ap.add_argument("--searches", type=int, default=400)
    ap.add_argument("--tickets", type=int, default=200)
    a = ap.parse_args()
    rng = random.Random(14)
    with tempfile.TemporaryDirectory(prefix="bench-directory-") as tmp, \
            secantus.SecantusDBServer(port=0, storage_path=tmp) as server:
        client = MongoClient(server.host, server.port, directConnection=True, tz_aware=True)
        store = Store(client["bench_directory"])
        store.ensure_indexes()
        t0 = time.perf_counter()
        n = load(store, a.offices, rng)
        print(f"loaded {n} offices in {time.perf_counter() - t0:.1f} s", flush=True)
        index = SearchIndex()  # what the service keeps per process (loaded on the first search)
        for q in QUERIES:  # warm-up
            handlers.search_offices(store, OPERATOR, q, index=index)
        search_ms, totals = [], {}
        for i in range(a.searches):
            q = QUERIES[i % len(QUERIES)]
            t = time.perf_counter()
            r = handlers.search_offices(store, OPERATOR, q, limit=20, index=index)
            search_ms.append((time.perf_counter() - t) * 1000)
            totals[q] = r["total"]
        busiest = sorted(totals.items(), key=lambda kv: -kv[1])[:3]
        print("busiest queries (matches): " + ", ".join(f"«{q}» {t}" for q, t in busiest))
        ids = [d["_id"] for d in store.offices.find({}, {"_id": 1}).limit(2000)]
        ticket_ms = []
        for i in range(a.tickets):
            t = time.perf_counter()
            handlers.print_ticket(store, OPERATOR, rng.choice(ids), rng.choice(("072", "VENTANILLA")), "thermal")
            ticket_ms.append((time.perf_counter() - t) * 1000)
        client.close()
    s, tk = p95(search_ms), p95(ticket_ms)
    print(f"search: {len(search_ms)} calls, median {statistics.median(search_ms):.1f} ms, p95 {s:.1f} ms, "
          f"max {max(search_ms):.1f} ms")
    print(f"ticket: {len(ticket_ms)} prints, median {statistics.median(ticket_ms):.1f} ms, p95 {tk:.1f} ms, "
          f"max {max(ticket_ms):.1f} ms")
    print(f"directory search p95 {s:.1f} ms, ticket p95 {tk:.1f} ms")


if __name__ == "__main__":
    main()
