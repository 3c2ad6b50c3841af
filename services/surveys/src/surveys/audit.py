"""The auditor's tool: recompute a period's survey sample offline and compare it with what
the office decided and called.

    python -m surveys.audit --period 2026-11 --decisions decisiones-2026-11.json \\
        [--finished terminados-2026-11.csv] [--commitment HEX] [--secret HEX] [--json]
    python -m surveys.audit --period 2026-11 --gateway https://sac.example --token TOKEN [...]

``--decisions``: what ``GET /v1/surveys/periods/{period}/decisions`` answers (the period
with its revealed secret, and every decision); ``--gateway``/``--token`` download it.
``--finished``: the auditor's own list of the folios that became done in the period (CSV
with a ``folio`` column and optionally ``agency``, e.g. from the Consultas export); without
it the recorded decisions are the list. ``--commitment``: the commitment the auditor saved
before the period started (default: the one in the file); ``--secret``: the revealed
secret (default: the one in the file). Exit status 0 when everything matches, 1 when it
does not, 2 on bad input.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import urllib.request
from datetime import datetime
from pathlib import Path

from . import sampling


def load_finished(path: Path) -> list[tuple[int, str | None]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if rows and "folio" not in rows[0]:
        raise sampling.BadInput("El CSV de folios terminados necesita una columna «folio».")
    return [(int(r["folio"]), (r.get("agency") or None)) for r in rows]


def download(gateway: str, token: str, period: str) -> dict:
    req = urllib.request.Request(f"{gateway.rstrip('/')}/v1/surveys/periods/{period}/decisions",
                                 headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - the auditor's own gateway URL
        return json.load(resp)


def run(period: str, document: dict, finished=None, commitment: str | None = None,
        secret: str | None = None) -> dict:
    info = document["period"]
    if info["period"] != period:
        raise sampling.BadInput(f"El archivo es del periodo {info['period']}, no de {period}.")
    secret = secret or info.get("secret")
    if not secret:
        raise sampling.BadInput("El secreto del periodo aún no se revela; indíquelo con --secret.")
    decisions = [sampling.Decision(folio=d["folio"], agency=d.get("agency"), sampled=d["sampled"],
                                   status=d.get("status"), exclusion=d.get("exclusion"), called=bool(d.get("called")))
                 for d in document["decisions"]]
    return sampling.audit(period=period, commitment_hex=commitment or info["commitment"], secret_hex=secret,
                          rates=info["rates"], decisions=decisions, finished=finished,
                          committed_at=datetime.fromisoformat(info["committed_at"]),
                          starts_at=datetime.fromisoformat(info["starts_at"]))


KINDS = {"decision_differs": "la decisión registrada no es la que da la regla",
         "missing_decision": "terminado sin decisión registrada",
         "not_finished": "decisión registrada de un folio que no terminó en el periodo",
         "called_not_sampled": "se llamó sin que la regla lo seleccionara"}


def render(result: dict) -> str:
    lines = [f"Periodo {result['period']}",
             f"  compromiso (SHA-256 del secreto): {result['commitment']}",
             f"  el secreto revelado corresponde al compromiso: {'sí' if result['secret_matches_commitment'] else 'NO'}",
             f"  compromiso publicado antes de iniciar el periodo: "
             f"{ {True: 'sí', False: 'NO', None: 'desconocido'}[result['committed_before_start']] }",
             f"  tasas: {result['rates']}",
             f"  reportes terminados: {result['finished']}; en la muestra según la regla: {result['sampled_expected']};"
             f" registrados en la muestra: {result['sampled_recorded']}",
             f"  estados: {result['statuses']}; exclusiones: {result['exclusions']}",
             "  RESULTADO: " + ("coincide" if result["matches"] else f"NO coincide ({len(result['mismatches'])} diferencias)")]
    for m in result["mismatches"][:50]:
        lines.append(f"    folio {m['folio']}: {KINDS[m['kind']]} (registrado {m['recorded']}, regla {m['expected']})")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m surveys.audit", description=__doc__.split("\n\n")[0])
    ap.add_argument("--period", required=True, help="AAAA-MM")
    ap.add_argument("--decisions", type=Path, help="JSON de GET /v1/surveys/periods/{periodo}/decisions")
    ap.add_argument("--gateway", help="URL de la API (descarga las decisiones)")
    ap.add_argument("--token", help="token de acceso del auditor (con --gateway)")
    ap.add_argument("--finished", type=Path, help="CSV con los folios terminados en el periodo (folio[,agency])")
    ap.add_argument("--commitment", help="compromiso guardado antes del periodo (hex)")
    ap.add_argument("--secret", help="secreto revelado (hex)")
    ap.add_argument("--json", action="store_true", help="salida JSON")
    a = ap.parse_args(argv)
    try:
        sampling.check_period(a.period)
        if a.decisions:
            document = json.loads(a.decisions.read_text(encoding="utf-8"))
        elif a.gateway and a.token:
            document = download(a.gateway, a.token, a.period)
        else:
            raise sampling.BadInput("Indique --decisions ARCHIVO, o --gateway y --token.")
        finished = load_finished(a.finished) if a.finished else None
        result = run(a.period, document, finished, a.commitment, a.secret)
    except (sampling.BadInput, OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2) if a.json else render(result))
    return 0 if result["matches"] else 1


if __name__ == "__main__":
    sys.exit(main())
