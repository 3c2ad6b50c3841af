"""directory's use cases: plain functions over a ``store.Store`` that tests call
without a broker. Every one reads its ``actor`` with ``Actor.load`` and asks
``domain.may`` before touching anything."""
from __future__ import annotations

import base64
import datetime as dt
import os
import uuid
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from sacinfra import spreadsheet
from sacinfra.actor import Actor
from sacinfra.envelope import make_envelope
from sacinfra.tables import Column, table_file

from . import domain, schemas, tickets, transfer
from .domain import EXPORT, HISTORY, MAINTAIN, PRINT, PUBLIC, SEARCH, STATS
from .exceptions import Conflict, Forbidden, InvalidInput, NotFound
from .search_index import SearchIndex
from .store import Store

TZ = ZoneInfo(os.environ.get("SAC_TIMEZONE", "America/Mexico_City"))
PRODUCER = "directory"
MAX_LIMIT = 200
MAX_CANDIDATES = 3000
MAX_RANGE_DAYS = 3660
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_LISTED_ERRORS = 50
PUBLIC_CHANNEL = "WEB"
GROUPS = ("detail", "total", "channel")


# ---------------------------------------------------------------- helpers

def now() -> dt.datetime:
    """UTC, to the millisecond (what MongoDB stores)."""
    moment = dt.datetime.now(dt.timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def authorize(actor, action: str) -> Actor:
    who = Actor.load_or(actor, InvalidInput)
    if not domain.may(who, action):
        raise Forbidden(domain.DENIED[action], "sin_permiso")
    return who


def _iso(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


def out(doc: dict) -> dict:
    """An office as the RPC answers it."""
    d = {"id": doc["_id"]}
    for k in domain.FIELDS:
        d[k] = doc.get(k)
    d["version"] = doc.get("version")
    d["created_at"] = _iso(doc.get("created_at"))
    d["updated_at"] = _iso(doc.get("updated_at"))
    return d


def _office_or_404(store: Store, office_id) -> dict:
    doc = store.get(office_id) if isinstance(office_id, str) else None
    if doc is None:
        raise NotFound(f"No existe la oficina «{office_id}».", "oficina_no_encontrada")
    return doc


def _int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"«{name}» debe ser un entero entre {low} y {high}.", "datos_invalidos")
    return value


def _level(level):
    if level in (None, ""):
        return None
    if level not in domain.LEVELS:
        raise InvalidInput("Nivel de gobierno inválido: " + ", ".join(domain.LEVELS) + ".", "nivel_invalido")
    return level


def _new_id(data: dict) -> str:
    base = "-".join(domain.words(data.get("acronym") or data["name"]))[:40].strip("-") or "oficina"
    return f"{base}-{uuid.uuid4().hex[:6]}"


def _document(office_id: str, data: dict, ancestors: list[str], version: int, author: str, moment: dt.datetime,
              created: dict | None) -> dict:
    doc = {"_id": office_id}
    for k in domain.FIELDS:
        doc[k] = data.get(k)
    doc.update(domain.search_fields(doc))
    doc.update({"ancestors": ancestors, "version": version, "updated_at": moment, "updated_by": author,
                "created_at": created["created_at"] if created else moment,
                "created_by": created["created_by"] if created else author})
    return doc


def _history(office_id: str, version: int, author: str, moment: dt.datetime, before: dict | None, after: dict,
             change: str) -> dict:
    return {"_id": f"{office_id}:{version}", "office_id": office_id, "version": version, "author": author,
            "at": moment, "change": change, "changed_fields": domain.changed_fields(before, after),
            "before": before, "after": after, "token": uuid.uuid4().hex}


def _ancestors_of(store: Store, parent_id: str | None, office_id: str | None = None) -> list[str]:
    if parent_id is None:
        return []
    parent = store.get(parent_id, {"ancestors": 1})
    if parent is None:
        raise InvalidInput(f"No existe la oficina superior «{parent_id}».", "oficina_superior_no_encontrada")
    ancestors = list(parent.get("ancestors") or []) + [parent_id]
    if office_id is not None and office_id in ancestors:
        raise InvalidInput("Una oficina no puede depender de sí misma ni de una oficina que depende de ella.",
                           "ciclo_en_el_arbol")
    return ancestors


def _save(store: Store, doc: dict, before_doc: dict | None, author: str, change: str) -> None:
    """History first, then the office (conditional on the version read); see store."""
    before = domain.snapshot(before_doc) if before_doc else None
    entry = _history(doc["_id"], doc["version"], author, doc["updated_at"], before, domain.snapshot(doc), change)
    store.put_history(entry)
    if before_doc is None:
        ok = store.insert(doc)
        if not ok:
            store.drop_history(entry["_id"], entry["token"])
            raise Conflict(f"Ya existe una oficina con la clave «{doc['_id']}».", "oficina_duplicada")
    elif not store.replace_if_version(doc, before_doc["version"]):
        store.drop_history(entry["_id"], entry["token"])
        raise Conflict("La oficina cambió mientras la editaba: vuelva a leerla y repita el cambio.",
                       "version_desactualizada")


def _cascade_ancestors(store: Store, office_id: str, ancestors: list[str]) -> None:
    """After a move, every office below ``office_id`` gets its new chain of ancestors."""
    below = store.descendants(office_id)
    updates = []
    for d in below:
        old = d.get("ancestors") or []
        cut = old.index(office_id)
        updates.append((d["_id"], ancestors + old[cut:]))
    store.set_ancestors(updates)


# ---------------------------------------------------------------- offices

def create_office(store: Store, actor, data) -> dict:
    who = authorize(actor, MAINTAIN)
    loaded = schemas.load(schemas.office_schema, data, "Datos de la oficina inválidos")
    office_id = loaded.pop("id", None) or _new_id(loaded)
    ancestors = _ancestors_of(store, loaded.get("parent_id"))
    moment = now()
    doc = _document(office_id, loaded, ancestors, 1, who.username, moment, None)
    _save(store, doc, None, who.username, "created")
    return out(doc)


def update_office(store: Store, actor, office_id, changes, version) -> dict:
    who = authorize(actor, MAINTAIN)
    current = store.get_full(office_id) if isinstance(office_id, str) else None
    if current is None:
        raise NotFound(f"No existe la oficina «{office_id}».", "oficina_no_encontrada")
    if version is not None and version != current["version"]:
        raise Conflict(f"La oficina va en la versión {current['version']}, no en la {version}: vuelva a leerla.",
                       "version_desactualizada")
    loaded = schemas.load(schemas.office_patch_schema, changes, "Cambios inválidos")
    merged = domain.snapshot(current) | loaded
    if merged.get("parent_id") == office_id:
        raise InvalidInput("Una oficina no puede depender de sí misma.", "ciclo_en_el_arbol")
    moved = merged.get("parent_id") != current.get("parent_id")
    ancestors = _ancestors_of(store, merged.get("parent_id"), office_id) if moved else current.get("ancestors", [])
    if domain.snapshot(current) == merged:
        return out(current)
    doc = _document(office_id, merged, ancestors, current["version"] + 1, who.username, now(), current)
    _save(store, doc, current, who.username, "updated")
    if moved:
        _cascade_ancestors(store, office_id, ancestors)
    return out(doc)


def get_office(store: Store, actor, office_id) -> dict:
    authorize(actor, SEARCH)
    return out(_office_or_404(store, office_id))


def office_history(store: Store, actor, office_id) -> list[dict]:
    authorize(actor, HISTORY)
    doc = _office_or_404(store, office_id)
    return [{"version": h["version"], "author": h["author"], "at": _iso(h["at"]), "change": h["change"],
             "changed_fields": h["changed_fields"], "before": h["before"], "after": h["after"]}
            for h in store.history_of(office_id, doc["version"])]


# ---------------------------------------------------------------- search and tree

def _filters(level, parent_id, include_inactive: bool) -> dict:
    f: dict = {}
    if level:
        f["level"] = level
    if parent_id:
        f["ancestors"] = parent_id
    if not include_inactive:
        f["active"] = True
    return f


def search_offices(store: Store, actor, query: str | None = None, level=None, parent_id=None,
                   include_inactive: bool = False, limit: int = 20, offset: int = 0,
                   index: SearchIndex | None = None) -> dict:
    """Offices whose name, acronym, keywords or trámites contain words beginning with
    every word of ``query`` (accents and case ignored), best first (see ``domain.rank``);
    without a query, every office by name. ``parent_id``: only offices below that one.
    With ``index`` (the service's in-memory mirror, see search_index) MongoDB is read
    twice; without it the ``tokens`` multikey index gives the candidates."""
    who = authorize(actor, PUBLIC)
    public = not domain.may(who, SEARCH)
    if public:
        include_inactive = False
    level = _level(level)
    limit = _int(limit, "limit", 1, MAX_LIMIT)
    offset = _int(offset, "offset", 0, 1_000_000)
    if query is not None and (not isinstance(query, str) or len(query) > 200):
        raise InvalidInput("La búsqueda debe ser texto de hasta 200 caracteres.", "busqueda_invalida")
    if parent_id is not None and not isinstance(parent_id, str):
        raise InvalidInput("«parent_id» debe ser la clave de una oficina.", "datos_invalidos")
    qwords = domain.query_words(query or "")
    if index is not None:
        index.refresh(store)
        page, total = index.search(query or "", qwords, level, parent_id, bool(include_inactive), limit, offset)
        items, ranks = [d for d, _ in page], [r for _, r in page]
    else:
        items, ranks, total = _search_in_db(store, query or "", qwords,
                                            _filters(level, parent_id, bool(include_inactive)), limit, offset)
    result = []
    for d, r in zip(items, ranks):
        o = out(d)
        if public:
            o = domain.public_view(o)
        if r is not None:
            o["match"] = MATCH_LABELS[r]
        result.append(o)
    return {"items": result, "total": total, "limit": limit, "offset": offset}


MATCH_LABELS = ("nombre", "siglas", "inicio del nombre", "nombre", "palabra clave o trámite")


def _search_in_db(store: Store, query: str, qwords: list[str], filters: dict, limit: int, offset: int):
    if not qwords:
        return store.find(filters, limit=limit, skip=offset), [None] * limit, store.count(filters)
    scored = []
    for d in store.candidates(domain.index_word(qwords), filters, MAX_CANDIDATES):
        r = domain.rank(query, qwords, d)
        if r is not None:
            scored.append((r, d.get("name_norm", ""), d))
    scored.sort(key=lambda t: (t[0], t[1]))
    page = scored[offset:offset + limit]
    return [d for _, _, d in page], [r for r, _, _ in page], len(scored)


def office_tree(store: Store, actor, expand: str = "none", expanded=None, level=None,
                include_inactive: bool = False, index: SearchIndex | None = None) -> dict:
    """The guide as a tree (dependencia → dirección → área). ``expand="all"``: every
    branch open; ``"none"``: only the top offices, with ``children_count``, plus the
    children of the ids in ``expanded`` (an open branch inside a closed one stays hidden)."""
    authorize(actor, SEARCH)
    if expand not in ("all", "none"):
        raise InvalidInput("«expand» debe ser «all» (expandir todo) o «none» (contraer todo).", "datos_invalidos")
    if expanded is not None and (not isinstance(expanded, list) or not all(isinstance(e, str) for e in expanded)):
        raise InvalidInput("«expanded» debe ser una lista de claves.", "datos_invalidos")
    open_ids = set(expanded or [])
    level = _level(level)
    if index is not None:
        index.refresh(store)
        nodes = index.nodes(level, bool(include_inactive))
    else:
        nodes = store.tree_nodes(_filters(level, None, bool(include_inactive)))
    by_parent: dict = {}
    ids = {n["_id"] for n in nodes}
    for n in sorted(nodes, key=lambda n: n.get("name_norm", "")):
        parent = n.get("parent_id") if n.get("parent_id") in ids else None
        by_parent.setdefault(parent, []).append(n)

    def build(n: dict, depth: int) -> dict:
        kids = by_parent.get(n["_id"], [])
        is_open = bool(kids) and (expand == "all" or n["_id"] in open_ids)
        return {"id": n["_id"], "name": n["name"], "acronym": n.get("acronym") or "", "level": n["level"],
                "active": n.get("active", True), "children_count": len(kids), "expanded": is_open,
                "children": [build(k, depth + 1) for k in kids] if is_open and depth < 50 else []}

    roots = [build(n, 0) for n in by_parent.get(None, [])]
    return {"roots": roots, "total": len(nodes)}


# ---------------------------------------------------------------- consults and tickets

def _log_entry(kind: str, office_id: str, channel: str, user: str, moment: dt.datetime,
               number: str | None = None) -> dict:
    if kind == "consulted":
        event_type, data = "directory_consulted", {"office_id": office_id, "channel": channel,
                                                    "consulted_at": moment.isoformat()}
    else:
        event_type, data = "ticket_printed", {"office_id": office_id, "attention_number": number,
                                               "channel": channel, "printed_at": moment.isoformat()}
    envelope = make_envelope(event_type, data, PRODUCER, occurred_at=moment)
    entry = {"_id": envelope["event_id"], "kind": kind, "office_id": office_id, "channel": channel, "user": user,
             "at": moment, "day": moment.astimezone(TZ).date().isoformat(), "event_type": event_type,
             "envelope": envelope, "published": False, "counted": False}
    if number is not None:
        entry["attention_number"] = number
    return entry


def _record(store: Store, entry: dict) -> None:
    store.add_log(entry)   # the record and its event, in one document (the outbox)
    store.count_entry(entry)


def consult_office(store: Store, actor, office_id, channel) -> dict:
    """An operator opened an office to answer a citizen: the office, and the consult
    recorded (log, counters, ``directory_consulted``)."""
    who = authorize(actor, SEARCH)
    channel = schemas.normalize_channel(channel)
    doc = _office_or_404(store, office_id)
    _record(store, _log_entry("consulted", doc["_id"], channel, who.username, now()))
    return out(doc)


def public_office(store: Store, actor, office_id) -> dict:
    """The public guide's view of an active office (no extensions, no person in
    charge); counted as a consult on the ``WEB`` channel."""
    who = authorize(actor, PUBLIC)
    doc = _office_or_404(store, office_id)
    if not doc.get("active"):
        raise NotFound(f"No existe la oficina «{office_id}».", "oficina_no_encontrada")
    _record(store, _log_entry("consulted", doc["_id"], PUBLIC_CHANNEL, who.username, now()))
    return domain.public_view(out(doc))


def print_ticket(store: Store, actor, office_id, channel, fmt: str = "thermal", header=None) -> dict:
    """The next Número de Atención (atomic counter), the print recorded (log, counters,
    ``ticket_printed``) and the ticket as a PDF (``thermal`` 80 mm, ``a4``) or ``text``."""
    who = authorize(actor, PRINT)
    if fmt not in tickets.FORMATS:
        raise InvalidInput("Formato de ticket inválido: thermal (80 mm), a4 o text.", "formato_invalido")
    channel = schemas.normalize_channel(channel)
    doc = _office_or_404(store, office_id)
    if not doc.get("active"):
        raise Conflict(f"La oficina «{doc['name']}» está inactiva: no se imprimen tickets de ella.",
                       "oficina_inactiva")
    number = domain.attention_number(store.next_attention_number())
    moment = now()
    _record(store, _log_entry("printed", doc["_id"], channel, who.username, moment, number))
    content, media_type = tickets.render(fmt, out(doc), number, moment.astimezone(TZ), header or tickets.HEADER)
    return {"attention_number": number, "printed_at": moment.isoformat(), "office_id": doc["_id"],
            "channel": channel, "format": fmt, "media_type": media_type,
            "filename": f"ticket-{number}.{'txt' if fmt == 'text' else 'pdf'}",
            "content_b64": base64.b64encode(content).decode("ascii")}


# ---------------------------------------------------------------- statistics and log

def _day(value, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else _fail_day(name)
    except ValueError:
        return _fail_day(name)


def _fail_day(name: str):
    raise InvalidInput(f"«{name}» debe ser una fecha AAAA-MM-DD.", "fecha_invalida")


def _range(date_from, date_to) -> tuple[dt.date, dt.date]:
    first, last = _day(date_from, "date_from"), _day(date_to, "date_to")
    if last < first:
        raise InvalidInput("La fecha final es anterior a la inicial.", "rango_invalido")
    if (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput("El rango pasa de diez años.", "rango_invalido")
    return first, last


def consult_stats(store: Store, actor, date_from, date_to, group: str = "detail", query: str | None = None,
                  for_export: bool = False) -> dict:
    """Consulted and printed counts in a date range (local days, both included), as
    León's screen groups them: ``detail`` (per office: name, level), ``total`` or
    ``channel``; from the daily counters, never from the log. ``for_export``: the
    caller is about to export them (a right of its own)."""
    authorize(actor, EXPORT if for_export else STATS)
    if group not in GROUPS:
        raise InvalidInput("«group» debe ser detail, total o channel.", "datos_invalidos")
    first, last = _range(date_from, date_to)
    buckets = store.daily_counts(first.isoformat(), last.isoformat())
    totals = {"consulted": sum(b.get("consulted", 0) for b in buckets),
              "printed": sum(b.get("printed", 0) for b in buckets)}
    rows: list[dict] = []
    if group == "detail":
        per: dict[str, dict] = {}
        for b in buckets:
            row = per.setdefault(b["office_id"], {"consulted": 0, "printed": 0})
            row["consulted"] += b.get("consulted", 0)
            row["printed"] += b.get("printed", 0)
        names = store.names(per)
        qwords = domain.query_words(query or "")
        for office_id, counts in per.items():
            o = names.get(office_id, {})
            name = o.get("name", office_id)
            if qwords and not all(any(w.startswith(q) for w in domain.words(name + " " + (o.get("acronym") or "")))
                                  for q in qwords):
                continue
            rows.append({"office_id": office_id, "name": name, "level": o.get("level", "")} | counts)
        rows.sort(key=lambda r: domain.normalize(r["name"]))
    elif group == "channel":
        per = {}
        for b in buckets:
            row = per.setdefault(b["channel"], {"channel": b["channel"], "consulted": 0, "printed": 0})
            row["consulted"] += b.get("consulted", 0)
            row["printed"] += b.get("printed", 0)
        rows = sorted(per.values(), key=lambda r: r["channel"])
    else:
        rows = [{"offices": len({b["office_id"] for b in buckets})} | totals]
    return {"date_from": first.isoformat(), "date_to": last.isoformat(), "group": group, "rows": rows,
            "total": totals}


#: the columns of each grouping of the statistics, as León's screen heads them
STAT_COLUMNS = {
    "detail": [Column("name", "Nombre", width=70), Column("level", "Nivel Gobierno", width=20),
               Column("consulted", "Consultado", "int", width=12), Column("printed", "Impreso", "int", width=12)],
    "channel": [Column("channel", "Origen", width=30), Column("consulted", "Consultado", "int", width=12),
                Column("printed", "Impreso", "int", width=12)],
    "total": [Column("offices", "Oficinas", "int", width=12), Column("consulted", "Consultado", "int", width=12),
              Column("printed", "Impreso", "int", width=12)],
}


def stats_file(store: Store, actor, date_from, date_to, group: str = "detail", query: str | None = None,
               fmt: str = "xlsx") -> dict:
    """``consult_stats`` as a CSV or XLSX file (the right to export):
    ``{content_b64, media_type, filename, rows}``."""
    if fmt not in transfer.FORMATS:
        raise InvalidInput(f"Formato desconocido «{fmt}»: use csv o xlsx.", "formato_invalido")
    stats = consult_stats(store, actor, date_from, date_to, group, query, for_export=True)
    name = f"modinfo-{group}-{stats['date_from']}-{stats['date_to']}"
    return table_file(STAT_COLUMNS[group], stats["rows"], fmt, name, title="Consulta de reportes") \
        | {"rows": len(stats["rows"])}


def consult_log(store: Store, actor, date_from, date_to, office_id=None, limit: int = 50, offset: int = 0) -> dict:
    """Every consult and print in a date range, newest first: office, kind, channel,
    user, time (and the attention number of a print)."""
    authorize(actor, STATS)
    first, last = _range(date_from, date_to)
    limit = _int(limit, "limit", 1, MAX_LIMIT)
    offset = _int(offset, "offset", 0, 10_000_000)
    start = dt.datetime.combine(first, dt.time(), TZ)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), TZ)
    rows, total = store.log_entries(start, end, office_id, limit, offset)
    items = [{"id": r["_id"], "kind": r["kind"], "office_id": r["office_id"], "channel": r["channel"],
              "user": r["user"], "at": _iso(r["at"]), "attention_number": r.get("attention_number")} for r in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


# ---------------------------------------------------------------- import / export

def _rejected(errors: list[tuple[int, str]]) -> InvalidInput:
    message, lines = spreadsheet.rejection(errors, MAX_LISTED_ERRORS)
    return InvalidInput(message, "importacion_invalida", lines)


def import_offices(store: Store, actor, fmt, content_b64) -> dict:
    """Offices from a CSV or XLSX (base64): new claves are created, existing ones
    updated (versioned like any edit), identical ones left alone. All or nothing: every
    line is checked (fields, parents in the guide or in the file, no cycles, no repeated
    clave) before anything is written; any bad line rejects the file with
    ``importacion_invalida`` and the lines as ``errors``."""
    who = authorize(actor, MAINTAIN)
    try:
        rows, errors = transfer.read(fmt, spreadsheet.decode_upload(fmt, content_b64, MAX_IMPORT_BYTES))
    except spreadsheet.FileError as exc:
        raise InvalidInput(f"No se importó nada: {exc}", "importacion_invalida") from None
    if errors and not rows:
        raise _rejected(errors)
    existing = store.all_for_import()
    loaded_rows: dict[str, tuple[int, dict]] = {}
    bad_ids: set = set()  # rows with errors of their own: no second error for their children
    for line, values, problems in rows:
        problems = list(problems)
        loaded = None
        try:
            loaded = schemas.office_schema.load(values)
        except ValidationError as exc:
            problems += schemas.field_errors(exc.messages)
        if loaded is not None and not loaded.get("id"):
            problems.append("«clave»: Es obligatoria al importar.")
        elif loaded is not None and loaded["id"] in loaded_rows:
            problems.append(f"«clave»: «{loaded['id']}» ya aparece en la línea {loaded_rows[loaded['id']][0]}")
        if problems:
            errors += [(line, p) for p in problems]
            bad_ids.add(values.get("id"))
        elif loaded is not None:
            loaded_rows[loaded.pop("id")] = (line, loaded)
    # the tree after the import: parents must exist and no office may end up below itself
    parent_of = {k: d.get("parent_id") for k, d in existing.items()} | {k: v.get("parent_id")
                                                                        for k, (_, v) in loaded_rows.items()}
    for office_id, (line, data) in loaded_rows.items():
        p = data.get("parent_id")
        if p is not None and p not in parent_of:
            if p in bad_ids:
                continue
            errors.append((line, f"«oficina superior»: no existe «{p}» ni en el directorio ni en el archivo"))
            continue
        seen, cur = {office_id}, p
        while cur is not None:
            if cur in seen:
                errors.append((line, "«oficina superior»: forma un ciclo (la oficina quedaría debajo de sí misma)"))
                break
            seen.add(cur)
            cur = parent_of.get(cur)
    if errors:
        raise _rejected(errors)

    def ancestors(office_id: str) -> list[str]:
        chain, cur = [], parent_of.get(office_id)
        while cur is not None:
            chain.append(cur)
            cur = parent_of.get(cur)
        return list(reversed(chain))

    created = updated = unchanged = 0
    moment = now()
    for office_id, (line, data) in sorted(loaded_rows.items(), key=lambda kv: len(ancestors(kv[0]))):
        old = existing.get(office_id)
        if old is not None and domain.snapshot(old) == data and old.get("ancestors") == ancestors(office_id):
            unchanged += 1
            continue
        version = old["version"] + 1 if old else 1
        doc = _document(office_id, data, ancestors(office_id), version, who.username, moment, old)
        _save(store, doc, old, who.username, "imported")
        created += old is None
        updated += old is not None
    # offices not in the file whose chain changed because an ancestor moved
    moved = [(k, ancestors(k)) for k, d in existing.items()
             if k not in loaded_rows and d.get("ancestors") != ancestors(k)]
    store.set_ancestors(moved)
    return {"imported": len(loaded_rows), "created": created, "updated": updated, "unchanged": unchanged}


def export_offices(store: Store, actor, fmt) -> dict:
    authorize(actor, EXPORT)
    if fmt not in transfer.FORMATS:
        raise InvalidInput(f"Formato desconocido «{fmt}»: use csv o xlsx.", "formato_invalido")
    rows = [out(d) for d in store.find({}, sort=("name_norm", 1))]
    content = transfer.write(fmt, rows)
    return {"filename": f"directorio.{fmt}", "media_type": transfer.MEDIA_TYPES[fmt],
            "content_b64": base64.b64encode(content).decode("ascii"), "rows": len(rows)}
