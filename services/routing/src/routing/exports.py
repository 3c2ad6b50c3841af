"""Exports of lists of reports, rendered where the reports live: a "Consultas y reportes"
query as CSV (page by page) or XLSX, and work orders as one PDF (``workorder``).

A row is what ``queries.export_reports`` answers (``folio``, ``petition_type``,
``status``, ``created_at`` in ISO 8601 …) plus the citizen columns (``citizen_name``,
``citizen_phone``) read from citizens (``get_citizens``: its logged reads, with the
actor and the export's reason, at most 500 numbers a call) — only for an actor that may
see personal data (``policy.may_see_personal_data``) and never with
``hide_citizen_data``. ``columns_for`` decides the columns once per export: with
``hide_citizen_data`` no citizen column at all; for an actor without personal data
(auditors) the citizen number only, as in the Consultas list; ``hide_citizen_name``: no
name column; ``hide_map``: no latitude and longitude.

The same decisions fill the citizen columns of the lists' pages (``list_page``: Asuntos
del día, Consultas) when the caller passes ``options``.

Files travel as RPC answers (``sacinfra.tables.file_answer``: base64 in JSON). A CSV is
one page of ``PAGE_SIZE`` rows per call (keyset ``after``), so the gateway streams it as
it comes; an XLSX is built in a temporary file with bounded memory and answered whole.
An export of more than ``max_rows`` reports (``EXPORT_MAX_ROWS``) or a batch of more
than ``workorder.MAX_BATCH`` work orders is 422 ``demasiados_reportes``, before any
row is read."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from sacinfra.settings import municipal_tz
from sacinfra.tables import Column, CsvEncoder, XlsxExport, code_labels, file_answer, iter_file

from . import handlers, policy, queries
from .exceptions import InvalidInput, NotFound
from .workorder import KIND, MAX_BATCH, STATUS, TRAFFIC_LIGHT, VIABILITY, WorkOrder, tracking_url, work_orders_pdf

GetCitizens = Callable[[Any, list, str], dict]   # citizens.get_citizens(actor, numbers, reason)
GetReceived = Callable[[list, bool], list]       # intake.get_reports(folios, with_token)

#: rows per CSV page (one RPC answer), and citizen numbers per citizens call
PAGE_SIZE, CITIZENS_PER_CALL = 2000, 500
DEFAULT_MAX_ROWS = 200_000
#: the reason citizens' access log keeps when the person gave none
CONSULTAS_REASON, WORK_ORDER_REASON = "Exportación de Consultas y reportes", "Orden de trabajo"
LIST_REASON = "Consultas y reportes"


def yes_no(value: Any) -> str:
    return "Sí" if value else "No"


def _shared(value: Any) -> str:
    return "; ".join(f"{s.get('agency')}/{s.get('department')}" for s in value or [])


#: every column, in order (León's Consultas screen, seed 000)
COLUMNS: tuple[Column, ...] = (
    Column("folio", "Folio", "int", width=10),
    Column("created_at", "Fecha", "datetime", width=17),
    Column("due_at", "Fecha límite", "datetime", width=17),
    Column("closed_at", "Fecha de cierre", "datetime", width=17),
    Column("status", "Estatus", convert=code_labels(STATUS), width=12),
    Column("traffic_light", "Semáforo", convert=code_labels(TRAFFIC_LIGHT), width=11),
    Column("viability", "Viabilidad", convert=code_labels(VIABILITY), width=11),
    Column("channel", "Origen", width=16),
    Column("petition_type", "Tipo de petición", width=34),
    Column("kind", "Tipo", convert=code_labels(KIND), width=10),
    Column("agency", "Dependencia", width=14),
    Column("department", "Departamento", width=20),
    Column("colonia", "Colonia", width=22),
    Column("street", "Calle", width=26),
    Column("lat", "Latitud", "float", width=11),
    Column("lon", "Longitud", "float", width=11),
    Column("citizen_number", "Número de ciudadano", "int", citizen=True, width=12),
    Column("citizen_name", "Ciudadano", citizen=True, width=30),
    Column("citizen_phone", "Teléfono", citizen=True, width=14),
    Column("created_by", "Usuario", width=16),
    Column("reassigned", "Reasignado", convert=yes_no, width=11),
    Column("reassign_count", "Reasignaciones", "int", width=8),
    Column("shared_with", "Compartido con", convert=_shared, width=24),
)


def columns_for(personal: bool, hide_citizen_data: bool = False, hide_citizen_name: bool = False,
                hide_map: bool = False) -> list[Column]:
    """The columns of one export (``personal``: the actor may see personal data)."""
    def hidden(c: Column) -> bool:
        if c.citizen and (hide_citizen_data or (not personal and c.key != "citizen_number")):
            return True
        return (c.key == "citizen_name" and hide_citizen_name) or (c.key in ("lat", "lon") and hide_map)
    return [c for c in COLUMNS if not hidden(c)]


@dataclass(frozen=True)
class Options:
    """What the person asked to leave out, and the reason logged for personal-data reads."""
    hide_citizen_data: bool = False
    hide_citizen_name: bool = False
    hide_map: bool = False
    reason: str = CONSULTAS_REASON

    @classmethod
    def load(cls, value, default_reason: str) -> "Options":
        value = value or {}
        if not isinstance(value, dict) or set(value) - {"hide_citizen_data", "hide_citizen_name", "hide_map", "reason"}:
            raise InvalidInput("Opciones de exportación inválidas.", "opciones_invalidas")
        flags = {k: value.get(k, False) for k in ("hide_citizen_data", "hide_citizen_name", "hide_map")}
        if not all(isinstance(v, bool) for v in flags.values()):
            raise InvalidInput("Las opciones de ocultar son true o false.", "opciones_invalidas")
        reason = value.get("reason") or default_reason
        if not isinstance(reason, str) or not 3 <= len(reason.strip()) <= 500:
            raise InvalidInput("El motivo debe tener de 3 a 500 caracteres.", "motivo_invalido")
        return cls(**flags, reason=reason.strip())


class Export:
    """One export's decisions: its actor, options, columns and whether citizens are read."""

    def __init__(self, actor, options, default_reason: str, get_citizens: GetCitizens):
        self.actor, self.get_citizens = actor, get_citizens
        self.options = Options.load(options, default_reason)
        o = self.options
        self.personal = policy.may_see_personal_data(policy.load_actor(actor)) and not o.hide_citizen_data
        self.columns = columns_for(self.personal, o.hide_citizen_data, o.hide_citizen_name, o.hide_map)

    def enrich(self, rows: list[dict]) -> list[dict]:
        """``citizen_name`` (unless hidden) and ``citizen_phone`` of each row through
        citizens' logged reads; nothing is read without personal data."""
        if not self.personal:
            return rows
        numbers = sorted({r["citizen_number"] for r in rows if r.get("citizen_number")})
        found = {}
        for i in range(0, len(numbers), CITIZENS_PER_CALL):
            answer = self.get_citizens(self.actor, numbers[i:i + CITIZENS_PER_CALL], self.options.reason)
            found |= {c["number"]: c for c in answer["items"]}
        for r in rows:
            citizen = found.get(r.get("citizen_number"))
            if not self.options.hide_citizen_name:
                r["citizen_name"] = citizen["full_name"] if citizen else None
            r["citizen_phone"] = citizen["phones"][0] if citizen and citizen["phones"] else None
        return rows

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


def list_page(answer: dict, actor, options, get_citizens: GetCitizens) -> dict:
    """A page of a list (``query_reports``, ``today_reports``) as a person reads it: the
    citizen columns as ``Export`` allows; ``hide_citizen_data`` drops the citizen number
    too, ``hide_map`` latitude and longitude."""
    export = Export(actor, options, LIST_REASON, get_citizens)
    o = export.options
    hidden = [k for k, on in (("citizen_number", o.hide_citizen_data), ("lat", o.hide_map), ("lon", o.hide_map)) if on]
    for row in export.enrich(answer["items"]):
        for key in hidden:
            row.pop(key, None)
    return answer


def _stamp() -> str:
    return dt.datetime.now(municipal_tz()).strftime("%Y%m%d-%H%M")


def too_many(total: int, cap: int, what: str) -> InvalidInput:
    return InvalidInput(f"La consulta tiene {total:,} reportes y {what} admite hasta {cap:,}: acote los filtros "
                        "(fechas, dependencia, estatus…).", "demasiados_reportes")


def _checked_total(uow, actor, filters, cap: int, what: str, at_risk_share: float) -> int:
    """How many reports the query has (routing's checks of filters and scope first)."""
    total = queries.query_reports(uow, actor, filters, 1, 1, "folio", at_risk_share=at_risk_share)["total"]
    if total > cap:
        raise too_many(total, cap, what)
    return total


def export_csv_page(uow, actor, filters, options, after=None, *, get_citizens: GetCitizens,
                    max_rows: int = DEFAULT_MAX_ROWS, at_risk_share: float, page_size: int = PAGE_SIZE) -> dict:
    """One page of a CSV export: ``{content_b64, next_after, rows}`` (None when done). The
    first page (``after`` None) starts with the header and also answers ``total``,
    ``filename``, ``media_type`` and ``columns`` (the cap is checked there)."""
    export = Export(actor, options, CONSULTAS_REASON, get_citizens)
    head = b""
    first = {}
    if after is None:
        total = _checked_total(uow, actor, filters, max_rows, "una exportación", at_risk_share)
        first = {"total": total, "columns": export.keys}
        head = CsvEncoder(export.columns).header()
    page = queries.export_reports(uow, actor, filters, after, page_size, at_risk_share=at_risk_share)
    content = head + CsvEncoder(export.columns).rows(export.enrich(page["items"]))
    return file_answer(content, "csv", f"consulta-de-reportes-{_stamp()}.csv", next_after=page["next_after"],
                       rows=len(page["items"])) | first


def export_xlsx(uow, actor, filters, options, *, get_citizens: GetCitizens, max_rows: int = DEFAULT_MAX_ROWS,
                at_risk_share: float, page_size: int = PAGE_SIZE) -> dict:
    """The whole workbook: ``{content_b64, media_type, filename, rows, columns}``."""
    export = Export(actor, options, CONSULTAS_REASON, get_citizens)
    _checked_total(uow, actor, filters, max_rows, "una exportación", at_risk_share)
    book = XlsxExport(export.columns, "Consulta de reportes")
    try:
        after = None
        while True:
            page = queries.export_reports(uow, actor, filters, after, page_size, at_risk_share=at_risk_share)
            book.write_rows(export.enrich(page["items"]))
            after = page["next_after"]
            if after is None:
                break
        path = book.close()
    except BaseException:
        book.discard()
        raise
    return file_answer(b"".join(iter_file(path)), "xlsx", f"consulta-de-reportes-{_stamp()}.xlsx",
                       rows=book.rows_written, columns=export.keys)


# --------------------------------------------------------------------------- work orders

def _selected_rows(uow, actor, selection, at_risk_share: float) -> list[dict]:
    """The rows of ``{"folios": [...]}`` (in the order asked; each must be readable) or of
    ``{"filters": {...}}`` (at most ``MAX_BATCH``)."""
    if not isinstance(selection, dict) or len(selection) != 1 or not {"folios", "filters"} & set(selection):
        raise InvalidInput("Indique «folios» o «filters» (uno de los dos).", "seleccion_invalida")
    if "filters" in selection:
        total = _checked_total(uow, actor, selection["filters"], MAX_BATCH, "un PDF de órdenes de trabajo",
                               at_risk_share)
        return queries.export_reports(uow, actor, selection["filters"], None, MAX_BATCH,
                                      at_risk_share=at_risk_share)["items"] if total else []
    folios = selection["folios"]
    if not isinstance(folios, list) or not folios or any(isinstance(f, bool) or not isinstance(f, int) or f < 1
                                                          for f in folios):
        raise InvalidInput("Los folios son enteros positivos.", "folio_invalido")
    folios = list(dict.fromkeys(folios))
    if len(folios) > MAX_BATCH:
        raise too_many(len(folios), MAX_BATCH, "un PDF de órdenes de trabajo")
    rows = queries.export_reports(uow, actor, {"folios": folios}, None, MAX_BATCH, at_risk_share=at_risk_share)["items"]
    missing = sorted(set(folios) - {r["folio"] for r in rows})
    if len(folios) == 1 and missing:  # not there, or not for this actor
        raise NotFound(f"No existe el reporte con folio {folios[0]}.", "reporte_no_encontrado")
    if missing:
        raise NotFound("No existen o no le corresponden los folios: " + ", ".join(map(str, missing[:50]))
                       + ("…" if len(missing) > 50 else "") + ".", "reportes_no_encontrados")
    order = {f: i for i, f in enumerate(folios)}
    return sorted(rows, key=lambda r: order[r["folio"]])


def work_orders(uow, actor, selection, options, *, get_citizens: GetCitizens, get_received: GetReceived,
                public_url: str, at_risk_share: float) -> dict:
    """One PDF, one report a page: ``{content_b64, media_type, filename, rows, citizen_data}``.
    The text, location and tracking token come from intake (``get_received``), the
    interventions are routing's own, the citizen as ``Export`` allows."""
    export = Export(actor, options, WORK_ORDER_REASON, get_citizens)
    rows = export.enrich(_selected_rows(uow, actor, selection, at_risk_share))
    folios = [r["folio"] for r in rows]
    received = {r["folio"]: r for r in get_received(folios, True)} if folios else {}
    notes = handlers.list_interventions_batch(uow, folios, actor) if folios else {}
    orders = [_order(r, received.get(r["folio"], {}), notes.get(str(r["folio"]), []), export, public_url)
              for r in rows]
    return file_answer(work_orders_pdf(orders), "pdf", f"ordenes-de-trabajo-{_stamp()}.pdf", rows=len(orders),
                       citizen_data=export.personal)


def _order(row: dict, received: dict, interventions: list[dict], export: Export, public_url: str) -> WorkOrder:
    location = received.get("location") or {}
    citizen = None
    if export.personal and row.get("citizen_number"):
        citizen = {"number": row["citizen_number"], "phone": row.get("citizen_phone")}
        if not export.options.hide_citizen_name:
            citizen["name"] = row.get("citizen_name")
    token = received.get("tracking_token")
    return WorkOrder(
        folio=row["folio"], petition_type=row.get("petition_type"), status=row.get("status"), kind=row.get("kind"),
        channel=row.get("channel"), agency=row.get("agency"), department=row.get("department"),
        traffic_light=row.get("traffic_light"), viability=row.get("viability"), created_at=row.get("created_at"),
        due_at=row.get("due_at"), closed_at=row.get("closed_at"), street=location.get("street") or row.get("street"),
        number=location.get("number"), colonia=location.get("colonia") or row.get("colonia"),
        references=location.get("references"), lat=row.get("lat"), lon=row.get("lon"),
        description=received.get("description"), created_by=row.get("created_by"), citizen=citizen,
        interventions=interventions, tracking_url=tracking_url(public_url, row["folio"], token) if token else None)
