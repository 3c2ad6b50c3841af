"""Use cases of intake, plain functions: ``uow`` is intake's ``store.Store`` (its
repository over one unit of work; each use case changes it inside ``with uow:``, which
commits at the end or rolls back on error) and ``catalog`` anything with catalog's
``quote_reports`` RPC. No SQL here."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from sacinfra.actor import Actor
from sacinfra.errors import Forbidden, InvalidInput, NotFound, ServiceError
from sacinfra.settings import municipal_tz

from . import attachments, domain
from .schemas import ReportIn, ValidationError


#: what people read is in the municipality's time (the database answers in UTC)
LOCAL_TZ = municipal_tz()


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).isoformat()


def _public(row, include_token: bool = False) -> dict:
    out = {
        "folio": row["folio"],
        "petition_type": row["petition_type"],
        "channel": row["channel"],
        "description": row["description"],
        "citizen_number": row["citizen_number"],
        "location": {"lat": row["lat"], "lon": row["lon"], "colonia": row["colonia"],
                     "street": row["street"], "number": row["number"], "references": row["references"],
                     **_place(row)},
        "agency": row["agency"],
        "department": row["department"],
        "sla": {"amount": row["sla_amount"], "unit": row["sla_unit"]},
        "created_at": _local(row["created_at"]),
        "due_at": _local(row["due_at"]),
    }
    if include_token:
        out["tracking_token"] = row["tracking_token"]
    return out


def _place(row) -> dict:
    """Where the report falls as catalog derived it (all None when no geography is loaded):
    ``colonia`` is then the derived one and ``colonia_typed`` what the caller wrote."""
    return {"colonia_typed": row.get("colonia_typed"), "colonia_key": row.get("colonia_key"),
            "postal_code": row.get("postal_code"), "zone": row.get("zone"),
            "outside_municipality": bool(row.get("outside_municipality"))}


def accept_outside() -> bool:
    """``ACCEPT_OUTSIDE_MUNICIPALITY`` (default false): file a point outside the municipal
    boundary, flagged ``outside_municipality``, instead of refusing it."""
    return os.environ.get("ACCEPT_OUTSIDE_MUNICIPALITY", "false").strip().lower() in ("1", "true", "yes", "sí", "si")


def _outside() -> InvalidInput:
    return InvalidInput("La ubicación del reporte está fuera del municipio; revise las coordenadas.",
                        "fuera_del_municipio")


#: one schema for every report: building a marshmallow schema deep-copies its fields (a
#: tenth of intake's CPU per report when built per call); ``load`` keeps no state
REPORT_SCHEMA = ReportIn()


def validate_report(payload: dict) -> dict:
    try:
        return REPORT_SCHEMA.load(payload)
    except ValidationError as exc:
        raise InvalidInput(f"Datos del reporte inválidos: {exc.messages}", "reporte_invalido") from exc


def _unknown_colonia(name: str) -> InvalidInput:
    return InvalidInput(f"La colonia «{name}» no está en el catálogo de colonias del municipio; elija una del "
                        "catálogo o indique las coordenadas.", "colonia_no_encontrada")


def _quote_error(err: dict) -> ServiceError:
    return InvalidInput(err["message"], err.get("code") or "catalogo_invalido")


def create_reports(uow, catalog, items: list[dict], now: datetime | None = None) -> list:
    """File a batch of validated reports in one transaction (group commit).

    ``items``: ``{"data": validated payload, "idempotency_key", "created_by", "trace"}``.
    Returns, in order, the public report (``created`` False when an idempotency key was
    seen before, in an earlier batch or earlier in this one) or the ServiceError of that
    item; one bad item does not fail the others."""
    results: list = [None] * len(items)
    keys = {it["idempotency_key"] for it in items if it.get("idempotency_key")}
    numbers = {it["data"].get("citizen_number") for it in items} - {None}
    with uow:
        known = uow.by_idempotency_keys(keys) if keys else {}
        cancelled = uow.cancelled_among(numbers) if numbers else set()
    todo, first_of_key = [], {}
    for i, it in enumerate(items):
        key = it.get("idempotency_key")
        if key and key in known:
            results[i] = _public(known[key], include_token=True) | {"created": False}
        elif key and key in first_of_key:
            continue  # answered with the first item of the same key, below
        else:
            if key:
                first_of_key[key] = i
            todo.append(i)
    for i in todo:  # ARCO cancellation: the number no longer names anyone
        n = items[i]["data"].get("citizen_number")
        if n in cancelled:
            results[i] = InvalidInput(f"El ciudadano número {n} ejerció su derecho de cancelación de datos: "
                                      "registre de nuevo a la persona para este reporte.", "ciudadano_cancelado")
    todo = [i for i in todo if results[i] is None]
    if todo:
        _file(uow, catalog, items, todo, results, now or datetime.now(timezone.utc))
    for i, it in enumerate(items):
        key = it.get("idempotency_key")
        if results[i] is None and key in first_of_key:
            first = results[first_of_key[key]]
            results[i] = first if isinstance(first, BaseException) else first | {"created": False}
    return results


def _file(uow, catalog, items: list[dict], todo: list[int], results: list, created_at: datetime) -> None:
    """Quote (outside any transaction), then insert the reports of ``todo`` and their
    events in one transaction; fills ``results``."""
    quotes = catalog.quote_reports([_quote_request(items[i]["data"], created_at) for i in todo])
    accepted, flag_outside = [], accept_outside()
    for i, answer in zip(todo, quotes):
        place = (answer.get("quote") or {}).get("geo") or {}
        if "error" in answer:
            results[i] = _quote_error(answer["error"])
        elif place.get("inside") is False and not flag_outside:
            results[i] = _outside()
        elif "unknown_colonia" in place:
            results[i] = _unknown_colonia(domain.normalise_text(items[i]["data"]["location"]["colonia"]))
        else:
            accepted.append((i, answer["quote"]))
    if not accepted:
        return
    rows, kinds = {}, {}
    with uow:
        for (i, q), folio in zip(accepted, uow.next_folios(len(accepted))):
            rows[i] = _row(items[i], q, folio, created_at)
            kinds[i] = q.get("kind")  # Trámite/Servicio as quoted; not stored, travels in the event
        inserted = uow.insert_reports(list(rows.values()))
        files = [a for i, row in rows.items() if row["folio"] in inserted and items[i].get("files")
                 for a in attachments.rows(row["folio"], row["created_by"], items[i]["files"], created_at)]
        if files:  # the citizen's files, in the report's transaction
            uow.insert_attachments(files)
        uow.add_events([("report_created", report_created_data(row, kinds[i]), items[i].get("trace"))
                        for i, row in rows.items() if row["folio"] in inserted])
    lost_race = {row["idempotency_key"] for row in rows.values() if row["folio"] not in inserted}
    if lost_race:
        with uow:
            raced = uow.by_idempotency_keys(lost_race)
    for i, row in rows.items():
        if row["folio"] in inserted:
            results[i] = _public(row, include_token=True) | {"created": True}
        else:  # a concurrent batch filed the same idempotency key first
            results[i] = _public(raced[row["idempotency_key"]], include_token=True) | {"created": False}


def _quote_request(data: dict, created_at: datetime) -> dict:
    """What catalog quotes: petition type, channel, date and where — the point, or without
    one the colonia's name (catalog finds it among its colonias when a layer is loaded)."""
    loc = data["location"]
    out = {"petition_type": data["petition_type"], "channel": data["channel"], "created_at": created_at.isoformat(),
           "lat": loc["lat"], "lon": loc["lon"]}
    if loc["lat"] is None:
        out["colonia"] = domain.normalise_text(loc["colonia"])
    return out


def _row(item: dict, q: dict, folio: int, created_at: datetime) -> dict:
    data, loc = item["data"], item["data"]["location"]
    place, typed = q.get("geo") or {}, domain.normalise_text(loc["colonia"])
    return _located({
        "folio": folio, "petition_type": q["petition_type"], "channel": q["channel"],
        "description": data["description"].strip(), "citizen_number": data["citizen_number"],
        "lat": loc["lat"], "lon": loc["lon"], "colonia": domain.normalise_text(loc["colonia"]),
        "street": domain.normalise_text(loc["street"]), "number": loc["number"],
        "references": loc["references"], "agency": q["agency"], "department": q["department"],
        "sla_amount": q["sla_amount"], "sla_unit": q["sla_unit"], "created_at": created_at,
        "due_at": datetime.fromisoformat(q["due_at"]),
        "idempotency_key": item.get("idempotency_key"), "tracking_token": domain.new_tracking_token(),
        "created_by": item.get("created_by"),
    }, place, typed)


def _located(row: dict, place: dict, typed: str | None) -> dict:
    """``row`` with catalog's geography: the derived colonia replaces the typed one, which
    is kept beside it (``colonia_typed``); no derived colonia (no geography, or a point in
    no colonia) keeps the typed one."""
    derived = place.get("colonia")
    return row | {"colonia": derived or typed, "colonia_typed": typed if derived else None,
                  "colonia_key": place.get("colonia_key"), "postal_code": place.get("postal_code"),
                  "zone": place.get("zone"), "outside_municipality": place.get("inside") is False}


def error_dict(exc: ServiceError) -> dict:
    return {"type": type(exc).__name__, "code": exc.code, "message": exc.message}


def block_leader_channel() -> str:
    """``BLOCK_LEADER_CHANNEL``: the channel block leaders file with."""
    return os.environ.get("BLOCK_LEADER_CHANNEL", "JEFE DE MANZANA")


def _filed_by(r: dict) -> tuple[Actor, dict]:
    """Who files ``r`` (its ``actor``) and the validated report, if intake lets that actor
    file with the report's channel (``domain.filing_rights``): ``Forbidden``
    ``prohibido`` before anything else is looked at, ``canal_no_permitido`` after."""
    who = Actor.load_or(r.get("actor"), InvalidInput)
    may_file, bound = domain.filing_rights(who, block_leader_channel())
    if not may_file:
        raise Forbidden("Su perfil o credencial no permite registrar reportes.", "prohibido")
    data = validate_report(r.get("payload") or {})
    if bound is not None and bound != data["channel"]:
        raise Forbidden(f"Solo puede registrar reportes del canal «{bound}».", "canal_no_permitido")
    return who, data


def file_requests(uow, catalog, requests: list[dict]) -> list[dict]:
    """The batch RPC's use case: ``requests`` are ``{"payload", "idempotency_key",
    "actor", "trace"}`` as sent by a caller that batches (the gateway, the channel
    services), optionally with ``attachments`` (the citizen's files, ``attachments.py``:
    stored with the report). Intake decides who may file with which channel
    (``domain.filing_rights``); the report records the actor's username as
    ``created_by``. Each answer is ``{"report": ...}`` or ``{"error": {"type", "code",
    "message"}}``, in order."""
    answers: list = [None] * len(requests)
    items, where = [], []
    for i, r in enumerate(requests):
        try:
            who, data = _filed_by(r)
            items.append({"data": data, "idempotency_key": r.get("idempotency_key"), "created_by": who.username,
                          "trace": r.get("trace") or {},
                          "files": attachments.prepare(r["attachments"]) if r.get("attachments") else []})
            where.append(i)
        except ServiceError as exc:
            answers[i] = {"error": error_dict(exc)}
    for i, result in zip(where, create_reports(uow, catalog, items) if items else []):
        answers[i] = {"error": error_dict(result)} if isinstance(result, ServiceError) else {"report": result}
    return answers


def report_created_data(row: dict, kind: str | None = None) -> dict:
    """The event carries the citizen number only: never names, phones or the free text.
    ``kind`` (Trámite/Servicio, from catalog's quote) and ``created_by`` (the staff
    username that filed it, if any) are optional fields of v1."""
    return {
        "folio": row["folio"], "petition_type": row["petition_type"], "channel": row["channel"],
        "citizen_number": row["citizen_number"], "agency": row["agency"], "department": row["department"],
        "location": {"lat": row["lat"], "lon": row["lon"], "colonia": row["colonia"], "street": row["street"],
                     **_place(row)},
        "created_at": row["created_at"].isoformat(), "due_at": row["due_at"].isoformat(),
        "kind": kind, "created_by": row.get("created_by"),
    }


def _not_found(folio) -> NotFound:
    return NotFound(f"No existe el reporte con folio {folio}.", "reporte_no_encontrado")


def get_report(uow, folio: int, actor) -> dict:
    """The report as received, as ``actor`` may see it (``domain.report_view``): the
    whole record, its public fields, or ``NotFound`` — the same answer as for a folio
    that does not exist. Readable the moment it is filed, before routing has seen it."""
    who = Actor.load_or(actor, InvalidInput)
    if isinstance(folio, bool) or not isinstance(folio, int) or folio < 1:
        raise _not_found(folio)
    with uow:
        row = uow.by_folio(folio)
    view = domain.report_view(who, row) if row is not None else None
    if view is None:
        raise _not_found(folio)
    return _public(row) if view == domain.FULL else domain.public_fields(_public(row))


def check_tracking(uow, folio: int, token: str) -> dict:
    with uow:
        row = uow.by_folio(int(folio))
    if row is None or not token or row["tracking_token"] != token:
        raise NotFound(f"No existe el reporte con folio {folio} o la clave no coincide.", "reporte_no_encontrado")
    return _public(row)
