"""bench/exports: time and peak memory of the "Consultas" exports (XLSX and CSV).

    python bench/exports.py                 # 10,000 and 100,000 rows, writers and pipeline
    python bench/exports.py --no-pipeline   # writers only (no PostgreSQL needed)

Each measurement runs in a fresh child process, so its peak RSS (VmHWM) is its own:
(1) the writers (``sacinfra.tables``) fed by a generator of realistic rows (what
routing's export_reports answers plus the citizen columns), pages of 2,000; (2) what
routing renders: ``routing.exports.export_xlsx`` (the whole workbook as its RPC answer)
and every ``export_csv_page`` of an export (keyset pages of 2,000) on a PostgreSQL
database seeded with 100,000 assignments (the 10,000-row run filters one block leader's
share of them). The tracemalloc peak is measured in a second child (tracing slows the
run, so times come from the untraced one). Memory is bounded when the peaks at 10,000
and 100,000 rows are about the same.

Last line: `exports 100000 rows: xlsx <t> s, peak <m> MiB; csv <t> s, peak <m> MiB`
(the pipeline's figures when it ran, else the writers').
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = 2000
PETITIONS = [("OP-LAMPARA APAGADA", "OP", "OP-ALUMBRADO"), ("OP-CIRCUITO APAGADO", "OP", "OP-ALUMBRADO"),
             ("SIAP- RECOLECCION DE ANIMALES MUERTOS", "SIAP", "SIAP-ESPECIALES"),
             ("SIAP- RECOLECCION DE RESIDUOS SOLIDOS VOLUMINOSOS MENOR A 3 PIEZAS", "SIAP", "SIAP-RECOLECCION"),
             ("OP-SOLICIT DE MANTENIN PODA Y/O DESHIERB", "OP", "OP-AREAS VERDES"),
             ("MA - RUIDO", "MA", "MA-INSPECCION"),
             ("ECO-QUEJ COMERCIA ESTABLECI", "ECO", "ECO-COMERCIO")]
CHANNELS = ["072", "CHATBOT", "ANDROID", "iOS", "WEB", "MIÉRCOLES CIUDADANO", "JEFE DE MANZANA"]
COLONIAS = ["CENTRO", "SAN JUAN DE DIOS", "LEÓN MODERNO", "LAS JOYAS", "VALLE DEL SOL", "EL COECILLO",
            "JARDINES DE JEREZ", "SAN MIGUEL", "OBREGÓN", "PERIODISTAS MEXICANOS"]
STREETS = ["MADERO", "JUÁREZ", "HIDALGO", "BLVD. ADOLFO LÓPEZ MATEOS", "5 DE MAYO", "ÁLVARO OBREGÓN", "PINO SUÁREZ"]
GIVEN = ["MARÍA GUADALUPE", "JOSÉ LUIS", "JUAN", "ANA SOFÍA", "CÉSAR", "LUZ MARÍA", "FRANCISCO JAVIER"]
SURNAMES = ["HERNÁNDEZ", "GARCÍA", "MARTÍNEZ", "LÓPEZ", "GONZÁLEZ", "RODRÍGUEZ", "PÉREZ", "SÁNCHEZ", "MUÑOZ"]
STATUSES = ["captured", "in_progress", "done", "not_viable"]
LIGHTS = ["on_time", "at_risk", "overdue"]


def synthetic_rows(n: int, seed: int = 7):
    """Rows as routing's export_reports answers them, with the citizen columns attached."""
    rnd = random.Random(seed)
    start = datetime(2026, 1, 1, 14, 0, tzinfo=timezone.utc)
    for folio in range(1, n + 1):
        petition, agency, department = rnd.choice(PETITIONS)
        created = start + timedelta(minutes=folio * 3)
        status = rnd.choice(STATUSES)
        reassigns = 1 if rnd.random() < 0.08 else 0
        yield {"folio": folio, "petition_type": petition, "kind": "Servicio", "channel": rnd.choice(CHANNELS),
               "citizen_number": rnd.randint(1, 194258), "agency": agency, "department": department,
               "status": status, "viability": "not_viable" if status == "not_viable" else "viable",
               "reassigned": bool(reassigns), "reassign_count": reassigns, "created_by": "operator",
               "colonia": rnd.choice(COLONIAS), "street": f"{rnd.choice(STREETS)} {rnd.randint(1, 1500)}",
               "lat": 21.1 + rnd.random() / 10, "lon": -101.7 + rnd.random() / 10,
               "created_at": created.isoformat(), "due_at": (created + timedelta(days=5)).isoformat(),
               "closed_at": (created + timedelta(days=2)).isoformat() if status in ("done", "not_viable") else None,
               "traffic_light": rnd.choice(LIGHTS), "version": 1 + reassigns,
               "shared_with": [{"agency": "SIAP", "department": "SIAP-ESPECIALES"}] if rnd.random() < 0.02 else [],
               "citizen_name": f"{rnd.choice(GIVEN)} {rnd.choice(SURNAMES)} {rnd.choice(SURNAMES)}",
               "citizen_phone": f"477{rnd.randint(1000000, 9999999)}"}


def pages_of(rows, size=PAGE):
    page = []
    for r in rows:
        page.append(r)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def peak_rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# --------------------------------------------------------------------------- children

def child_synthetic(fmt: str, n: int) -> tuple[int, int]:
    from routing.exports import columns_for
    from sacinfra.tables import iter_csv, iter_file, write_xlsx

    cols = columns_for(True)
    size = 0
    if fmt == "xlsx":
        path = write_xlsx(cols, pages_of(synthetic_rows(n)))
        for chunk in iter_file(path):  # what the response streams
            size += len(chunk)
    else:
        for chunk in iter_csv(cols, pages_of(synthetic_rows(n))):
            size += len(chunk)
    return n, size


def child_pipeline(fmt: str, small: bool, db_url: str) -> tuple[int, int]:
    """What routing's worker does for ``export_xlsx`` (the whole workbook, as its RPC
    answer: base64) or for every ``export_csv_page`` of an export."""
    import base64

    from routing import exports
    from sacinfra.db import UnitOfWork, make_engine

    engine = make_engine(db_url, pool_size=2, max_overflow=0)
    # an auditor's columns: no citizens service here (an auditor's export reads none)
    actor = {"kind": "staff", "username": "auditor", "role": "auditor"}
    filters = {"created_by": "jefe10"} if small else {}
    kwargs = {"get_citizens": None, "at_risk_share": 0.75, "max_rows": 10_000_000}
    uow = UnitOfWork(engine, "routing")
    try:
        if fmt == "xlsx":
            out = exports.export_xlsx(uow, actor, filters, None, **kwargs)
            return out["rows"], len(base64.b64decode(out["content_b64"]))
        size = rows = 0
        after = None
        while True:
            out = exports.export_csv_page(uow, actor, filters, None, after, **kwargs)
            size, rows, after = size + len(base64.b64decode(out["content_b64"])), rows + out["rows"], out["next_after"]
            if after is None:
                return rows, size
    finally:
        uow.close()
        engine.dispose()


def child(args) -> None:
    import routing.exports  # noqa: F401  (imports are not what an export costs)
    import xlsxwriter  # noqa: F401
    if args.kind == "pipeline":
        import sacinfra.db  # noqa: F401
    if args.trace:
        tracemalloc.start()
    started = time.perf_counter()
    if args.kind == "writers":
        rows, size = child_synthetic(args.fmt, args.n)
    else:
        rows, size = child_pipeline(args.fmt, args.small_run, args.db)
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.trace else None
    print(json.dumps({"rows": rows, "bytes": size, "seconds": seconds, "rss_mib": peak_rss_mib(),
                      "traced_mib": traced}))


# --------------------------------------------------------------------------- parent

def measure(kind: str, fmt: str, n: int, db: str | None, small: bool = False) -> dict:
    def run(trace: bool) -> dict:
        cmd = [sys.executable, __file__, "--child", kind, fmt, str(n)] + (["--trace"] if trace else []) \
            + (["--db", db] if db else []) + (["--small-run"] if small else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    plain = run(False)
    plain["traced_mib"] = run(True)["traced_mib"]
    print(f"{kind:9} {fmt:4} {plain['rows']:>7} rows  {plain['seconds']:6.2f} s  "
          f"{plain['rows'] / plain['seconds']:8.0f} rows/s  peak RSS {plain['rss_mib']:6.1f} MiB  "
          f"tracemalloc peak {plain['traced_mib']:6.1f} MiB  {plain['bytes'] / 2**20:6.1f} MiB file", flush=True)
    return plain


SEED_SQL = """
INSERT INTO assignments (folio, petition_type, channel, agency, department, status, colonia, created_at,
  due_at, assigned_at, updated_at, version, closed_at, reassign_count, citizen_number, kind, street, lat, lon,
  created_by, colonia_norm, street_norm)
SELECT g, p.petition, (ARRAY['072','CHATBOT','ANDROID','WEB','MIÉRCOLES CIUDADANO'])[1 + g % 5], p.agency,
  p.department, (ARRAY['captured','in_progress','done','not_viable'])[1 + g % 4],
  (ARRAY['CENTRO','SAN JUAN DE DIOS','LEÓN MODERNO','LAS JOYAS','EL COECILLO'])[1 + g % 5],
  t, t + interval '5 days', t, t, 1 + (g % 13 = 0)::int,
  CASE WHEN g % 4 >= 2 THEN t + interval '2 days' END, (g % 13 = 0)::int, 1 + g % 194258, 'Servicio',
  'MADERO ' || (g % 1500), 21.1 + (g % 1000) / 10000.0, -101.7 + (g % 997) / 10000.0,
  CASE WHEN g % %(every)s = 0 THEN 'jefe10' ELSE 'operator' END,
  lower((ARRAY['centro','san juan de dios','leon moderno','las joyas','el coecillo'])[1 + g % 5]),
  'madero ' || (g % 1500)
FROM generate_series(1, %(n)s) AS g,
  LATERAL (SELECT timestamptz '2026-01-01 14:00+00' + g * interval '3 minutes' AS t) AS tt,
  LATERAL (SELECT (ARRAY['OP-LAMPARA APAGADA','SIAP- RECOLECCION DE ANIMALES MUERTOS','MA - RUIDO'])[1 + g % 3]
             AS petition, (ARRAY['OP','SIAP','MA'])[1 + g % 3] AS agency,
             (ARRAY['OP-ALUMBRADO','SIAP-ESPECIALES','MA-INSPECCION'])[1 + g % 3] AS department) AS p
"""


def seeded_database(n: int, every: int) -> tuple[str, str]:
    """A migrated routing database with ``n`` assignments; one in ``every`` filed by the
    block leader ``jefe10`` (the small run's filter)."""
    import psycopg

    from sacinfra import testing

    name = testing.unique("bench_exports")
    url = testing.create_database(name)
    testing.migrate(ROOT / "services" / "routing", url)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(SEED_SQL.replace("%(n)s", str(int(n))).replace("%(every)s", str(int(every))))
        conn.execute("ANALYZE assignments")
    return name, url


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--no-pipeline", action="store_true", help="writers only")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "FMT", "N"), help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--small-run", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        args.kind, args.fmt, args.n = args.child[0], args.child[1], int(args.child[2])
        child(args)
        return

    results = {}
    for fmt in ("xlsx", "csv"):
        for n in (args.small, args.rows):
            results[("writers", fmt, n)] = measure("writers", fmt, n, None)
    last = "writers"
    if not args.no_pipeline:
        from sacinfra import testing

        name, url = seeded_database(args.rows, max(1, args.rows // args.small))
        try:
            for fmt in ("xlsx", "csv"):
                for n in (args.small, args.rows):
                    results[("pipeline", fmt, n)] = measure("pipeline", fmt, n, url, small=n < args.rows)
            last = "pipeline"
        finally:
            testing.drop_database(name)
    for kind in ("writers", "pipeline"):
        for fmt in ("xlsx", "csv"):
            small, big = results.get((kind, fmt, args.small)), results.get((kind, fmt, args.rows))
            if small and big:
                print(f"{kind} {fmt}: peak RSS {small['rss_mib']:.1f} MiB at {small['rows']} rows, "
                      f"{big['rss_mib']:.1f} MiB at {big['rows']} rows (×{big['rss_mib'] / small['rss_mib']:.2f}); "
                      f"tracemalloc {small['traced_mib']:.1f} → {big['traced_mib']:.1f} MiB")
    x, c = results[(last, "xlsx", args.rows)], results[(last, "csv", args.rows)]
    print(f"exports {args.rows} rows: xlsx {x['seconds']:.1f} s, peak {x['rss_mib']:.0f} MiB; "
          f"csv {c['seconds']:.1f} s, peak {c['rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
