"""Use cases of intake, plain functions: ``uow`` is a sacinfra UnitOfWork and
``catalog`` anything with catalog's ``quote_reports`` RPC."""
from __future__ import annotations

from datetime import datetime, timezone

from sacinfra.errors import InvalidInput, NotFound, ServiceError
from sacinfra.settings import municipal_tz

from . import domain, store
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
                     "street": row["street"], "number": row["number"], "references": row["references"]},
        "agency": row["agency"],
        "department": row["department"],
        "sla": {"amount": row["sla_amount"], "unit": row["sla_unit"]},
        "created_at": _local(row["created_at"]),
        "due_at": _local(row["due_at"]),
    }
    if include_token:
        out["tracking_token"] = row["tracking_token"]
    return out


def validate_report(payload: dict) -> dict:
    try:
        return ReportIn().load(payload)
    except ValidationError as exc:
        raise InvalidInput(f"Datos del reporte inválidos: {exc.messages}", "reporte_invalido") from exc


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
    known = store.by_idempotency_keys(uow.session, keys) if keys else {}
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
    numbers = {items[i]["data"].get("citizen_number") for i in todo} - {None}
    cancelled = store.cancelled_among(uow.session, numbers) if numbers else set()
    if cancelled:  # ARCO cancellation: the number no longer names anyone
        for i in todo:
            n = items[i]["data"].get("citizen_number")
            if n in cancelled:
                results[i] = InvalidInput(f"El ciudadano número {n} ejerció su derecho de cancelación de datos: "
                                          "registre de nuevo a la persona para este reporte.", "ciudadano_cancelado")
        todo = [i for i in todo if results[i] is None]
    if todo:
        created_at = now or datetime.now(timezone.utc)
        quotes = catalog.quote_reports([
            {"petition_type": items[i]["data"]["petition_type"], "channel": items[i]["data"]["channel"],
             "created_at": created_at.isoformat()} for i in todo])
        accepted = []
        for i, answer in zip(todo, quotes):
            if "error" in answer:
                results[i] = _quote_error(answer["error"])
            else:
                accepted.append((i, answer["quote"]))
        folios = store.next_folios(uow.session, len(accepted))
        rows, kinds = {}, {}
        for (i, q), folio in zip(accepted, folios):
            it = items[i]
            data, loc = it["data"], it["data"]["location"]
            rows[i] = {
                "folio": folio, "petition_type": q["petition_type"], "channel": q["channel"],
                "description": data["description"].strip(), "citizen_number": data["citizen_number"],
                "lat": loc["lat"], "lon": loc["lon"], "colonia": domain.normalise_text(loc["colonia"]),
                "street": domain.normalise_text(loc["street"]), "number": loc["number"],
                "references": loc["references"], "agency": q["agency"], "department": q["department"],
                "sla_amount": q["sla_amount"], "sla_unit": q["sla_unit"], "created_at": created_at,
                "due_at": datetime.fromisoformat(q["due_at"]),
                "idempotency_key": it.get("idempotency_key"), "tracking_token": domain.new_tracking_token(),
                "created_by": it.get("created_by"),
            }
            kinds[i] = q.get("kind")  # Trámite/Servicio as quoted; not stored, travels in the event
        inserted = store.insert_reports(uow.session, list(rows.values()))
        uow.add_events([("report_created", report_created_data(row, kinds[i]), items[i].get("trace"))
                        for i, row in rows.items() if row["folio"] in inserted])
        uow.commit()
        lost_race = {row["idempotency_key"] for row in rows.values() if row["folio"] not in inserted}
        raced = store.by_idempotency_keys(uow.session, lost_race) if lost_race else {}
        for i, row in rows.items():
            if row["folio"] in inserted:
                results[i] = _public(row, include_token=True) | {"created": True}
            else:  # a concurrent batch filed the same idempotency key first
                results[i] = _public(raced[row["idempotency_key"]], include_token=True) | {"created": False}
    for i, it in enumerate(items):
        key = it.get("idempotency_key")
        if results[i] is None and key in first_of_key:
            first = results[first_of_key[key]]
            results[i] = first if isinstance(first, BaseException) else first | {"created": False}
    return results


def error_dict(exc: ServiceError) -> dict:
    return {"type": type(exc).__name__, "code": exc.code, "message": exc.message}


def file_requests(uow, catalog, requests: list[dict]) -> list[dict]:
    """The batch RPC's use case: ``requests`` are ``{"payload", "idempotency_key",
    "created_by", "trace"}`` as sent by a caller that batches (the gateway). Each answer is
    ``{"report": ...}`` or ``{"error": {"type", "code", "message"}}``, in order."""
    answers: list = [None] * len(requests)
    items, where = [], []
    for i, r in enumerate(requests):
        try:
            items.append({"data": validate_report(r.get("payload") or {}),
                          "idempotency_key": r.get("idempotency_key"), "created_by": r.get("created_by"),
                          "trace": r.get("trace") or {}})
            where.append(i)
        except ServiceError as exc:
            answers[i] = {"error": error_dict(exc)}
    for i, result in zip(where, create_reports(uow, catalog, items) if items else []):
        answers[i] = {"error": error_dict(result)} if isinstance(result, ServiceError) else {"report": result}
    return answers


def create_report(uow, catalog, payload: dict, idempotency_key: str | None = None,
                  created_by: str | None = None, now: datetime | None = None) -> dict:
    """One report (the batch of one); raises the item's error."""
    item = {"data": validate_report(payload), "idempotency_key": idempotency_key, "created_by": created_by}
    result = create_reports(uow, catalog, [item], now)[0]
    if isinstance(result, BaseException):
        raise result
    return result


def report_created_data(row: dict, kind: str | None = None) -> dict:
    """The event carries the citizen number only: never names, phones or the free text.
    ``kind`` (Trámite/Servicio, from catalog's quote) and ``created_by`` (the staff
    username that filed it, if any) are optional fields of v1."""
    return {
        "folio": row["folio"], "petition_type": row["petition_type"], "channel": row["channel"],
        "citizen_number": row["citizen_number"], "agency": row["agency"], "department": row["department"],
        "location": {"lat": row["lat"], "lon": row["lon"], "colonia": row["colonia"], "street": row["street"]},
        "created_at": row["created_at"].isoformat(), "due_at": row["due_at"].isoformat(),
        "kind": kind, "created_by": row.get("created_by"),
    }


def get_report(uow, folio: int) -> dict:
    row = store.by_folio(uow.session, int(folio))
    if row is None:
        raise NotFound(f"No existe el reporte con folio {folio}.", "reporte_no_encontrado")
    return _public(row)


def check_tracking(uow, folio: int, token: str) -> dict:
    row = store.by_folio(uow.session, int(folio))
    if row is None or not token or row["tracking_token"] != token:
        raise NotFound(f"No existe el reporte con folio {folio} o la clave no coincide.", "reporte_no_encontrado")
    return _public(row)
