"""Monthly closure (cierre mensual) per agency: generated when a month ends, frozen
(the table refuses updates and deletes), versioned — a correction is a new version with
its reason and the old one stays — and announced with ``monthly_closure_published``."""
from __future__ import annotations

import base64
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from . import documents, domain, store
from .domain import LOCAL_TZ, Range
from .exceptions import Conflict, InvalidInput, NotFound
from .handlers import NO_CLOSURES, _compliance_rows, compliance_figures

MONTH = re.compile(r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])(-01)?$")  # 1900-01 to 2999-12
FORMATS = ("json", "pdf", "xlsx")
GRACE_HOURS = 6


def parse_month(value) -> date:
    if not isinstance(value, str) or not MONTH.match(value):
        raise InvalidInput("El mes debe escribirse AAAA-MM.", "mes_invalido")
    return date.fromisoformat(value[:7] + "-01")


def last_ended_month(now: datetime | None = None) -> date:
    today = (now or datetime.now(timezone.utc)).astimezone(ZoneInfo(LOCAL_TZ)).date()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def figures(s, agency: str, month: date) -> dict:
    """What a closure freezes: received, finished, not viable and still open of the month;
    compliance (overall and per department); top petition types; by colonia; satisfaction."""
    end = domain.next_month(month) - timedelta(days=1)
    span = [("m", month, month)]
    counts = {}
    for r in store.agg_rows(s, "agency", "*", span, ("st:", "ev:"), [agency]):
        counts[r["measure"]] = counts.get(r["measure"], 0) + int(r["n"])
    received = sum(v for k, v in counts.items() if k.startswith("st:"))

    def ranked(dim, limit):
        per: dict = {}
        for r in store.agg_rows(s, dim, agency, span, ("st:",)):
            per[r["key"]] = per.get(r["key"], 0) + int(r["n"])
        return [{"key": k, "total": n} for k, n in sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[:limit] if n]

    rng = Range(month, end)
    overall = _compliance_rows(s, agency, "all", rng).get("")
    per_dept = _compliance_rows(s, agency, "department", rng)
    return {"received": received, "finished": counts.get("ev:finished", 0),
            "not_viable": counts.get("ev:not_viable", 0),
            "still_open": counts.get("st:captured", 0) + counts.get("st:in_progress", 0),
            "compliance": compliance_figures(overall or NO_CLOSURES),
            "compliance_by_department": [{"key": k} | compliance_figures(t) for k, t in sorted(per_dept.items())],
            "top_petition_types": ranked("petition_type", 10), "by_colonia": ranked("colonia", 20),
            "satisfaction": store.satisfaction(s, agency, month, end, LOCAL_TZ)}


def _out(row: dict) -> dict:
    return {"id": row["id"], "agency": row["agency"], "month": row["month"].strftime("%Y-%m"),
            "version": row["version"], "reason": row["reason"], "generated_by": row["generated_by"],
            "generated_at": row["generated_at"].isoformat()} | ({"figures": row["figures"]} if "figures" in row else {})


def _publish(uow, agency: str, month: date, reason: str | None, generated_by: str, now=None) -> dict:
    s = uow.session
    store.lock_projection(s)  # figures read while no projection moves them; one version at a time
    versions = store.closure_versions(s, agency, month)
    if versions and not reason:
        raise Conflict(f"El cierre de {agency} de {month:%Y-%m} ya existe (versión {versions[-1]['version']}); "
                       "una corrección requiere un motivo.", "cierre_existente")
    row = store.insert_closure(s, {"agency": agency, "month": month, "version": len(versions) + 1,
                                   "reason": reason, "figures": figures(s, agency, month),
                                   "generated_by": generated_by})
    f = row["figures"]
    uow.add_event("monthly_closure_published", {
        "closure_id": row["id"], "agency": agency, "month": month.strftime("%Y-%m"), "version": row["version"],
        "reason": reason, "received": f["received"], "finished": f["finished"],
        "share_on_time": f["compliance"]["share_on_time"], "published_at": row["generated_at"].isoformat()})
    return _out(row)


def generate(uow, actor, agency, month, reason=None, now: datetime | None = None) -> dict:
    """Generate now (supervisors, admins, the closing timer) the closure of an ended month;
    with ``reason``, a corrected new version."""
    a = domain.may_write(actor, domain.CLOSURE_WRITERS, "generar cierres mensuales")
    m = parse_month(month)
    if not isinstance(agency, str) or not agency.strip():
        raise InvalidInput("Indique la dependencia del cierre.", "dependencia_requerida")
    if m > last_ended_month(now):
        raise InvalidInput(f"El mes {m:%Y-%m} no ha terminado.", "mes_no_terminado")
    if reason is not None and (not isinstance(reason, str) or not reason.strip() or len(reason) > 500):
        raise InvalidInput("El motivo de la corrección debe tener entre 1 y 500 caracteres.", "motivo_invalido")
    with uow:
        return _publish(uow, agency.strip(), m, reason.strip() if reason else None, a.username)


def close_ended_months(uow, now: datetime | None = None) -> list[dict]:
    """The timer's work: a first closure for every agency with reports in the month that
    ended and none yet."""
    # six hours of grace after midnight, so the month's last events are in before it freezes
    month = last_ended_month((now or datetime.now(timezone.utc)) - timedelta(hours=GRACE_HOURS))
    done = []
    with uow:
        for agency in store.closures_missing(uow.session, month):
            done.append(_publish(uow, agency, month, None, "system:stats"))
    return done


def list_(uow, actor, params: dict) -> dict:
    scope = domain.scope_for(actor, params.get("agency"))
    year = params.get("year")
    if year is not None and (isinstance(year, bool) or not str(year).isdigit()):
        raise InvalidInput("El año debe ser un número.", "anio_invalido")
    with uow:
        rows = store.list_closures(uow.session, None if scope == "*" else scope, int(year) if year else None)
    return {"rows": [_out(r) for r in rows]}


def get(uow, actor, agency, month, version=None, fmt: str = "json") -> dict:
    """One closure (the latest version unless ``version``), as JSON, PDF or XLSX (base64)."""
    scope = domain.scope_for(actor, agency)
    m = parse_month(month)
    if fmt not in FORMATS:
        raise InvalidInput("Formato: json, pdf o xlsx.", "formato_invalido")
    with uow:
        versions = store.closure_versions(uow.session, scope, m)
    chosen = [v for v in versions if version is None or v["version"] == version]
    if not chosen:
        raise NotFound(f"No hay cierre de {scope} para {m:%Y-%m}.", "cierre_no_encontrado")
    closure = _out(chosen[-1]) | {"versions": [{"version": v["version"], "reason": v["reason"],
                                                "generated_at": v["generated_at"].isoformat()} for v in versions]}
    if fmt == "json":
        return closure
    content = documents.closure_pdf(closure) if fmt == "pdf" else documents.closure_xlsx(closure)
    return {"filename": f"cierre-{scope}-{closure['month']}-v{closure['version']}.{fmt}",
            "content_type": documents.CONTENT_TYPES[fmt], "content_b64": base64.b64encode(content).decode()}
