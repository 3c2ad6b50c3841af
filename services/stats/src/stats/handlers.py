"""Use cases of stats: projections from events (logged first, so every read model can be
rebuilt from the log) and the Estadístico's queries over them. Plain functions over a unit
of work; SQL lives in ``store``; who may read what in ``domain.scope_for``."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timezone

from sacinfra.envelope import make_envelope

from . import domain, store
from .calendar import Calendar, hours_between
from .domain import LOCAL_TZ, Range
from .exceptions import InvalidInput

FACT_EVENTS = {"intake.report_created", "routing.report_assigned", "routing.report_status_changed",
               "routing.report_shared", "routing.report_duplicate_marked", "surveys.survey_completed"}


def qualified(envelope: dict) -> str:
    t = envelope["event_type"]
    return t if "." in t else f"{envelope.get('producer', '')}.{t}"


# --------------------------------------------------------------------------- projection


def project(uow, envelopes: list[dict], log: bool = True) -> int:
    """Logs the events not seen before and applies them to every read model, in one
    transaction; returns how many were new. Idempotent by event id; correct in any order
    (the newest assignment version wins, counters count each event once)."""
    with uow:
        s = uow.session
        unique = {str(e["event_id"]): e | {"event_type": qualified(e)} for e in envelopes}
        fresh = store.append_log(s, list(unique.values())) if log else set(unique)
        todo = [e for i, e in unique.items() if i in fresh]
        if todo:
            apply_events(s, todo)
    return len(todo)


def record_interaction(uow, actor, data, now: datetime | None = None) -> dict:
    """A partner channel's interaction (``domain.interaction``), counted at once: logged and
    projected as the ``channels.channel_interaction_recorded`` the channel services publish."""
    envelope = make_envelope("channel_interaction_recorded",
                             domain.interaction(actor, data, now or datetime.now(timezone.utc)), "channels", trace={})
    project(uow, [envelope])
    return {"event_id": envelope["event_id"], "channel": envelope["data"]["channel"]}


def calendar_of(s) -> Calendar:
    return Calendar.from_catalog(store.get_setting(s, "calendar"))


def apply_events(s, events: list[dict]) -> None:
    store.lock_projection(s)
    folios = {e["data"]["folio"] for e in events if e["event_type"] in FACT_EVENTS}
    store.add_contributions(s, store.existing_facts(s, folios), -1, LOCAL_TZ)  # a new report counts nowhere yet
    new_interventions = []
    store.facts_from_intake(s, [e["data"] for e in events if e["event_type"] == "intake.report_created"])
    # version 1 of each folio's assignment, in two statements (a later version wins in any order)
    store.facts_assigned(s, [e["data"] for e in events if e["event_type"] == "routing.report_assigned"])
    for e in events:
        kind, d = e["event_type"], e["data"]
        if kind in ("intake.report_created", "routing.report_assigned"):
            continue  # above, in one statement each
        elif kind == "routing.report_status_changed":
            store.fact_status_changed(s, d)
        elif kind == "routing.report_shared":
            store.fact_shared(s, d)
        elif kind == "routing.report_duplicate_marked":
            store.fact_duplicate_marked(s, d)
        elif kind == "surveys.survey_completed":
            store.fact_surveyed(s, d)
        elif kind == "routing.intervention_added":
            if store.add_intervention(s, d):
                new_interventions.append(d["intervention_id"])
        elif kind == "surveys.follow_up_call_logged":
            store.add_call(s, d)
        elif kind.endswith(".channel_interaction_recorded"):
            store.add_interaction(s, str(e["event_id"]), d)
        elif kind in ("directory.directory_consulted", "directory.ticket_printed"):
            store.add_directory_use(s, str(e["event_id"]), kind.split(".")[1], d)
        elif kind == "catalog.department_changed":
            store.set_name(s, d)
    if folios:
        facts = store.facts_for_timing(s, folios)
        cal = calendar_of(s) if any(r["status"] == "done" for r in facts) else None  # only finished ones use it
        store.set_timings(s, timings(facts, cal))
    store.add_contributions(s, folios, 1, LOCAL_TZ)
    store.add_intervention_contributions(s, new_interventions, LOCAL_TZ)


def timings(facts: list[dict], cal: Calendar | None) -> list[dict]:
    """Time to close (calendar and business hours) and on time, for finished reports."""
    out = []
    for r in facts:
        done = r["status"] == "done" and r["finished_at"] and r["created_at"]
        new = {"folio": r["folio"],
               "hours": hours_between(r["created_at"], r["finished_at"]) if done else None,
               "bhours": cal.business_hours(r["created_at"], r["finished_at"]) if done else None,
               "on_time": (r["finished_at"] <= r["due_at"]) if done and r["due_at"] else None}
        if (new["hours"], new["bhours"], new["on_time"]) != (r.get("hours_to_close"), r.get("bhours_to_close"),
                                                              r.get("on_time")):
            out.append(new)  # only what changed is written
    return out


def rebuild(uow) -> int:
    """Every read model from scratch, from the event log; returns the events replayed."""
    n = 0
    with uow:
        s = uow.session
        store.lock_projection(s)
        store.truncate_read_models(s)
        for page in store.iter_log(s):
            apply_events(s, page)
            n += len(page)
        store.rebuild_aggregates(s, LOCAL_TZ)
    return n


def save_calendar(uow, data: dict) -> dict:
    """The municipal calendar as catalog answered it (cached here for business hours)."""
    Calendar.from_catalog(data)  # refuse what it cannot read
    with uow:
        store.put_setting(uow.session, "calendar", data)
    return data


# --------------------------------------------------------------------------- Estadístico

BASES = ("created", "event")


def _choice(value, allowed, name, default):
    value = value or default
    if value not in allowed:
        raise InvalidInput(f"«{name}» debe ser uno de: {', '.join(allowed)}.", f"{name}_invalido")
    return value


def _filters(params: dict) -> dict:
    return {k: str(params[k]) for k in domain.DIMENSIONS if k != "agency" and params.get(k)}


def _statuses(params: dict) -> tuple[str, ...]:
    raw = params.get("status") or ()
    raw = raw.split(",") if isinstance(raw, str) else list(raw)
    bad = [x for x in raw if x not in domain.STATUSES]
    if bad:
        raise InvalidInput(f"Estatus desconocido: {bad[0]}.", "estatus_invalido")
    return tuple(raw) or domain.STATUSES


def own_rows(dim: str, scope: str, keys=None):
    """Where an agency's own figures live: 'all' and 'agency' are kept once, in scope '*'
    under the agency's key; other dimensions have rows of their own per agency."""
    if dim in ("all", "agency") and scope != "*":
        return "agency", "*", [scope]
    return dim, scope, keys


def _counts(s, scope: str, rng: Range, group: str, filters: dict, by_period: str | None = None):
    """Rows (key, measure, n, …) from the pre-aggregated counts when they hold the
    crossing, else from the facts; and which source answered."""
    dim, keys = ("all" if group == "status" else group), None
    if len(filters) == 1 and dim in ("all", *filters):
        (dim, value), = filters.items()
        keys, filters = [value], {}
    spans = rng.spans(years=by_period is None)
    if by_period in ("day", "week"):
        spans = [("d", rng.start, rng.end)]
    q_dim, q_scope, q_keys = own_rows(dim, scope, keys)
    daily = any(g == "d" for g, _, _ in spans)
    if not filters and (not daily or (dim in store.DAILY_DIMS and q_scope == "*")):
        rows = store.agg_rows(s, q_dim, q_scope, spans, ("st:", "ev:", "dup"), q_keys, by_period)
        if group in ("all", "status"):
            rows = [r | {"key": ""} for r in rows]
        return rows, "agregados"
    key = "all" if group == "status" else group
    return store.fact_rows(s, scope, filters | ({dim: keys[0]} if keys and dim != "all" else {}), rng.start,
                           rng.end, key, LOCAL_TZ, by_period), "hechos"


def _tabulate(rows, statuses, basis, key_of=lambda r: r["key"]):
    """{key: figures}: status counts by creation date, or events by their real date; and
    ``duplicates``, the reports marked as duplicates (by creation date), counted apart."""
    table: dict = defaultdict(Counter)
    for r in rows:
        table[key_of(r)][r["measure"]] += int(r["n"])
    out = {}
    for k, c in table.items():
        received = sum(c[f"st:{st}"] for st in domain.STATUSES)
        if basis == "event":
            out[k] = {"total": received, "received": received, "started": c["ev:started"],
                      "finished": c["ev:finished"], "not_viable": c["ev:not_viable"]}
        else:
            out[k] = {"total": sum(c[f"st:{st}"] for st in statuses)} | {st: c[f"st:{st}"] for st in domain.STATUSES}
        out[k]["duplicates"] = c["dup"]
    return out


def totals(uow, actor, params: dict) -> dict:
    """Totals for a date range, by creation date (status now) or by the real date of each
    event (received, started, finished, not viable), filtered and grouped by one dimension."""
    scope = domain.scope_for(actor, params.get("agency"))
    group = _choice(params.get("group_by"), ("all", "status", *domain.DIMENSIONS), "group_by", "all")
    basis = _choice(params.get("basis"), BASES, "basis", "created")
    rng = Range.parse(params.get("date_from"), params.get("date_to"))
    statuses = _statuses(params)
    with uow:
        rows, source = _counts(uow.session, scope, rng, group, _filters(params))
    table = _tabulate(rows, statuses, basis)
    if group == "status":
        t = table.get("", {})
        items = [{"key": st, "total": t.get(st, 0)} for st in statuses]
    else:
        items = [{"key": k} | v for k, v in table.items() if v["total"] or v["duplicates"] or basis == "event"]
    items.sort(key=lambda r: (-r["total"], str(r["key"])))
    return {"group_by": group, "basis": basis, "agency": None if scope == "*" else scope,
            "date_from": _iso(rng.start), "date_to": _iso(rng.end), "source": source,
            "total": sum(r["total"] for r in items),
            "duplicates": sum(r.get("duplicates", 0) for r in items) if group != "status"
            else table.get("", {}).get("duplicates", 0), "rows": items}


def _iso(d):
    return d.isoformat() if d else None


def status_by_agency(uow, actor, params: dict) -> dict:
    """The status-by-agency matrix (León's "estatus por dependencia")."""
    answer = totals(uow, actor, {**params, "group_by": "agency", "basis": "created", "status": None})
    return answer | {"statuses": list(domain.STATUSES)}


def shares(uow, actor, params: dict) -> dict:
    """Each key's share of the total (channel by default: Miércoles Ciudadano's 49.54 %)."""
    answer = totals(uow, actor, {**params, "group_by": params.get("group_by") or "channel"})
    whole = answer["total"]
    for r in answer["rows"]:
        r["share"] = domain.share(r["total"], whole)
        r["percent"] = round(100 * r["total"] / whole, 2) if whole else None
    return answer


def time_series(uow, actor, params: dict) -> dict:
    scope = domain.scope_for(actor, params.get("agency"))
    interval = _choice(params.get("interval"), domain.INTERVALS, "interval", "month")
    basis = _choice(params.get("basis"), BASES, "basis", "created")
    rng = Range.parse(params.get("date_from"), params.get("date_to"))
    statuses = _statuses(params)
    with uow:
        rows, source = _counts(uow.session, scope, rng, "all", _filters(params), by_period=interval)
    table = _tabulate(rows, statuses, basis, key_of=lambda r: r["period"])
    series = [{"period": p.isoformat()} | v for p, v in sorted(table.items())]
    return {"interval": interval, "basis": basis, "agency": None if scope == "*" else scope,
            "date_from": _iso(rng.start), "date_to": _iso(rng.end), "source": source, "rows": series}


# --------------------------------------------------------------------------- compliance


#: a key with no closed report: no sample, no mean, no median
NO_CLOSURES = {"n": 0, "on_time": 0, "sum_h": 0.0, "sum_bh": 0.0, "ch": None, "bh": None}


def _compliance_rows(s, scope: str, group: str, rng: Range) -> dict:
    """{key: finished, on time, sums of hours, histograms} by month of closure. Histograms
    are kept in scope '*' by agency, department and petition type (a department belongs
    to one agency); by colonia and zone there are none (no median)."""
    span = rng.months().spans()
    dim, q_scope, keys = own_rows("agency" if group == "all" else group, scope)
    table: dict = defaultdict(lambda: dict(NO_CLOSURES))
    label = (lambda k: "") if group == "all" else (lambda k: k)
    for r in store.agg_rows(s, dim, q_scope, span, ("close",), keys, family="x"):
        t = table[label(r["key"])]
        t["n"] += int(r["n"])
        t["on_time"] += int(r["on_time"])
        t["sum_h"] += float(r["sum_h"])
        t["sum_bh"] += float(r["sum_bh"])
    if dim in store.HIST_DIMS and table:
        hist_keys = keys if q_scope == "*" and keys else (None if scope == "*" else sorted(table))
        for r in store.hist_medians(s, dim, span, hist_keys):
            table[label(r["key"])][r["hist"]] = round(float(r["median"]), 2)
    return table


def compliance_figures(t: dict) -> dict:
    n = t["n"]
    low, high = domain.wilson(t["on_time"], n)
    return {"finished": n, "on_time": t["on_time"], "share_on_time": domain.share(t["on_time"], n),
            "ci95_low": low, "ci95_high": high,
            "mean_hours": round(t["sum_h"] / n, 2) if n else None,
            "median_hours": t["ch"],
            "mean_business_hours": round(t["sum_bh"] / n, 2) if n else None,
            "median_business_hours": t["bh"]}


def compliance(uow, actor, params: dict, now: datetime | None = None) -> dict:
    """Share of finished reports closed by their own due date (by month of closure), with a
    95 % Wilson interval and the sample size; open reports already overdue (now); mean and
    median time to close in calendar and in business hours."""
    scope = domain.scope_for(actor, params.get("agency"))
    group = _choice(params.get("group_by"), domain.COMPLIANCE_DIMS, "group_by", "agency")
    rng = Range.parse(params.get("date_from"), params.get("date_to"))
    now = now or _as_of(params)
    with uow:
        s = uow.session
        table = _compliance_rows(s, scope, group, rng)
        overdue = store.open_overdue(s, scope, group, now)
    keys = sorted(set(table) | set(overdue))
    rows = [{"key": k} | compliance_figures(table[k]) | {"open_overdue": overdue.get(k, 0)} for k in keys]
    rows.sort(key=lambda r: (-(r["finished"] or 0), str(r["key"])))
    m = rng.months()
    return {"group_by": group, "agency": None if scope == "*" else scope, "date_from": _iso(m.start),
            "date_to": _iso(m.end), "as_of": now.isoformat(), "rows": rows}


def _as_of(params: dict) -> datetime:
    raw = params.get("as_of")
    if not raw:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput("«as_of» no es una fecha y hora válida.", "fecha_invalida") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --------------------------------------------------------------------------- productivity, geography


def productivity(uow, actor, params: dict) -> dict:
    """Per staff user and period (whole months): reports captured, interventions written,
    reports finished (closing interventions)."""
    scope = domain.scope_for(actor, params.get("agency"))
    m = Range.parse(params.get("date_from"), params.get("date_to")).months()
    user = params.get("user") or params.get("created_by")
    keys = [user] if user else None
    with uow:
        s = uow.session
        captured = store.agg_rows(s, "created_by", scope, m.spans(), ("st:",), keys)
        written = store.agg_rows(s, "author", scope, m.spans(), ("iv:",), keys)
    table: dict = defaultdict(lambda: {"captured": 0, "interventions": 0, "finished": 0})
    for r in captured:
        table[r["key"]]["captured"] += int(r["n"])
    for r in written:
        table[r["key"]]["interventions"] += int(r["n"])
        if r["measure"] == "iv:closing":
            table[r["key"]]["finished"] += int(r["n"])
    rows = [{"key": k} | v for k, v in table.items()]
    rows.sort(key=lambda r: (-(r["captured"] + r["interventions"]), r["key"]))
    return {"agency": None if scope == "*" else scope, "date_from": _iso(m.start), "date_to": _iso(m.end),
            "rows": rows}


def geography(uow, actor, params: dict) -> dict:
    """Counts and compliance by colonia or zone (whole months), ranked most affected first,
    and a GeoJSON of the centroids of the reports' points."""
    scope = domain.scope_for(actor, params.get("agency"))
    level = _choice(params.get("level"), ("colonia", "zone"), "level", "colonia")
    m = Range.parse(params.get("date_from"), params.get("date_to")).months()
    with uow:
        s = uow.session
        counts = store.agg_rows(s, level, scope, m.spans(), ("st:", "dup"))
        counts += store.agg_rows(s, level, scope, m.spans(), ("geo",), family="g")
        close = _compliance_rows(s, scope, level, m)
    table: dict = defaultdict(lambda: {st: 0 for st in domain.STATUSES} | {"dup": 0, "geo": 0, "lat": 0.0, "lon": 0.0})
    for r in counts:
        t = table[r["key"]]
        if r["measure"] == "geo":
            t["geo"] += int(r["n"])
            t["lat"] += float(r["sum_h"])
            t["lon"] += float(r["sum_bh"])
        elif r["measure"] == "dup":
            t["dup"] += int(r["n"])
        else:
            t[r["measure"][3:]] += int(r["n"])
    rows = []
    for k, t in table.items():
        total = sum(t[st] for st in domain.STATUSES)
        c = compliance_figures(close[k] if k in close else NO_CLOSURES)
        rows.append({"key": k, "total": total, **{st: t[st] for st in domain.STATUSES}, "duplicates": t["dup"],
                     "finished": c["finished"], "share_on_time": c["share_on_time"],
                     "lat": round(t["lat"] / t["geo"], 6) if t["geo"] else None,
                     "lon": round(t["lon"] / t["geo"], 6) if t["geo"] else None})
    rows.sort(key=lambda r: (-r["total"], r["key"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                 "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")} | {"level": level,
                                                                                           "geometry_source": "centroide"}}
                for r in rows if r["lat"] is not None]
    return {"level": level, "agency": None if scope == "*" else scope, "date_from": _iso(m.start),
            "date_to": _iso(m.end), "rows": rows, "geojson": {"type": "FeatureCollection", "features": features}}


def channel_interactions(uow, actor, params: dict) -> dict:
    """Chatbot and chat interactions by channel, option and outcome (León's chatbot screen)."""
    domain.scope_for(actor)
    rng = Range.parse(params.get("date_from"), params.get("date_to"))
    with uow:
        rows = store.interaction_counts(uow.session, rng.start, rng.end, LOCAL_TZ, params.get("channel"))
    return {"date_from": _iso(rng.start), "date_to": _iso(rng.end), "total": sum(r["total"] for r in rows),
            "rows": rows}


def directory_usage(uow, actor, params: dict) -> dict:
    """MODINFO consults and printed tickets by channel."""
    domain.scope_for(actor)
    rng = Range.parse(params.get("date_from"), params.get("date_to"))
    with uow:
        rows = store.directory_counts(uow.session, rng.start, rng.end, LOCAL_TZ)
    return {"date_from": _iso(rng.start), "date_to": _iso(rng.end), "rows": rows}


# --------------------------------------------------------------------------- public
ALL_TIME = [("y", None, None)]


def summary(uow) -> dict:
    """The public summary: total, captured, in progress, done, not viable, most demanded;
    duplicates apart (not in the total)."""
    with uow:
        s = uow.session
        rows = store.agg_rows(s, "all", "*", ALL_TIME, ("st:", "dup"))
        top = store.agg_rows(s, "petition_type", "*", ALL_TIME, ("st:",))
    by, dups = defaultdict(int), 0
    for r in rows:
        if r["measure"] == "dup":
            dups += int(r["n"])
        else:
            by[r["measure"][3:]] += int(r["n"])
    per_type = defaultdict(int)
    for r in top:
        per_type[r["key"]] += int(r["n"])
    best = min(((-n, k) for k, n in per_type.items() if n > 0), default=None)
    return {"total": sum(by.values()), **{st: by[st] for st in domain.STATUSES}, "duplicates": dups,
            "most_demanded": {"petition_type": best[1], "total": -best[0]} if best else None}


def transparency(uow, actor, params: dict | None = None) -> dict:
    """Metepec's public page: totals, in progress, resolved, most demanded service, by area
    (zone where known, else colonia; most affected first) and compliance by agency."""
    domain.may_read_public(actor)
    head = summary(uow)
    with uow:
        s = uow.session
        zones = store.agg_rows(s, "zone", "*", ALL_TIME, ("st:",))
        areas = zones or store.agg_rows(s, "colonia", "*", ALL_TIME, ("st:",))
        close = _compliance_rows(s, "*", "agency", Range(None, None))
    per_area = defaultdict(int)
    for r in areas:
        per_area[r["key"]] += int(r["n"])
    by_area = sorted(({"area": k, "total": n} for k, n in per_area.items() if n), key=lambda r: (-r["total"], r["area"]))
    return {"total": head["total"], "in_progress": head["captured"] + head["in_progress"],
            "resolved": head["done"], "not_viable": head["not_viable"], "most_demanded": head["most_demanded"],
            "area_level": "zone" if zones else "colonia", "by_area": by_area[:20],
            "compliance_by_agency": sorted(({"agency": k} | compliance_figures(t) for k, t in close.items()),
                                           key=lambda r: r["agency"])}


OPEN_DATA_MAX_PAGE = 5000


def open_data(uow, actor, params: dict) -> dict:
    """A page of open data (keyset by folio): no personal data, no description, no street,
    no staff user; location rounded to about 100 m."""
    domain.may_read_public(actor)
    rng = Range.parse(params.get("date_from"), params.get("date_to"))
    try:
        after = int(params.get("after") or 0)
        limit = min(max(int(params.get("limit") or 1000), 1), OPEN_DATA_MAX_PAGE)
    except (TypeError, ValueError):
        raise InvalidInput("«after» y «limit» deben ser números enteros.", "paginacion_invalida") from None
    with uow:
        rows = store.open_data_page(uow.session, after, limit, rng.start, rng.end, LOCAL_TZ)
    return {"columns": list(store.OPEN_DATA_COLUMNS), "rows": rows,
            "next_after": rows[-1]["folio"] if len(rows) == limit else None}
