"""catalog's repository: the tables (mirroring the migrations) and every SQL statement.

``Store`` wraps one sacinfra ``UnitOfWork``: ``with store:`` is the unit of work's
``with`` (commit on success, rollback on error); the use cases in ``handlers.py`` call
its methods and never write SQL. ``tests/unit/fakes.py`` has an in-memory twin."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert as pg_insert

from sacinfra.db import Repository

metadata = sa.MetaData()

agencies = sa.Table("agencies", metadata, sa.Column("code", sa.Text, primary_key=True),
                    sa.Column("name", sa.Text), sa.Column("active", sa.Boolean))
departments = sa.Table("departments", metadata, sa.Column("code", sa.Text, primary_key=True),
                       sa.Column("agency", sa.Text), sa.Column("name", sa.Text), sa.Column("active", sa.Boolean))
petition_types = sa.Table(
    "petition_types", metadata,
    sa.Column("code", sa.Text, primary_key=True), sa.Column("name", sa.Text), sa.Column("kind", sa.Text),
    sa.Column("description", sa.Text), sa.Column("sla_amount", sa.Integer), sa.Column("sla_unit", sa.Text),
    sa.Column("agency", sa.Text), sa.Column("department", sa.Text), sa.Column("active", sa.Boolean),
    sa.Column("attributes", JSONB), sa.Column("version", sa.Integer),
    sa.Column("updated_at", sa.DateTime(timezone=True)))
channels = sa.Table("channels", metadata, sa.Column("code", sa.Text, primary_key=True),
                    sa.Column("name", sa.Text), sa.Column("active", sa.Boolean))
calendar = sa.Table("calendar", metadata, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("data", JSONB), sa.Column("updated_at", sa.DateTime(timezone=True)))
petition_type_changes = sa.Table(
    "petition_type_changes", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("code", sa.Text), sa.Column("version", sa.Integer),
    sa.Column("author", sa.Text), sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("before", JSONB), sa.Column("after", JSONB))

geo_versions = sa.Table(
    "geo_versions", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("layer", sa.Text), sa.Column("version", sa.Integer),
    sa.Column("author", sa.Text), sa.Column("at", sa.DateTime(timezone=True)), sa.Column("features", sa.Integer),
    sa.Column("source", sa.Text))
geo_features = sa.Table(
    "geo_features", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("version_id", sa.BigInteger),
    sa.Column("key", sa.Text), sa.Column("name", sa.Text), sa.Column("type", sa.Text),
    sa.Column("postal_code", sa.Text), sa.Column("kind", sa.Text), sa.Column("geometry", JSONB))
GEO_FIELDS = ("key", "name", "type", "postal_code", "kind")

#: the tables an ``upsert`` may write (by their short name)
_CODED = {"agency": agencies, "department": departments, "channel": channels}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Store(Repository):
    """catalog's repository over one unit of work (see the module docstring)."""

    conflict_message = "El catálogo cambió mientras se guardaba su cambio; vuelva a intentarlo."

    # -- petition types ------------------------------------------------------------
    def petition_type(self, code: str, lock: bool = False) -> dict | None:
        q = sa.select(petition_types).where(petition_types.c.code == code)
        row = self.session.execute(q.with_for_update() if lock else q).mappings().first()
        return dict(row) if row else None

    def petition_types_by_code(self, codes, lock: bool = False) -> dict[str, dict]:
        q = sa.select(petition_types).where(petition_types.c.code.in_(list(codes))).order_by(petition_types.c.code)
        return {r["code"]: dict(r) for r in self.session.execute(q.with_for_update() if lock else q).mappings()}

    def petition_types(self, agency: str | None = None) -> list[dict]:
        q = sa.select(petition_types).order_by(petition_types.c.code)
        if agency:
            q = q.where(petition_types.c.agency == agency)
        return [dict(r) for r in self.session.execute(q).mappings()]

    def search_petition_types(self, filters: dict, offset: int, limit: int) -> tuple[list[dict], int]:
        """One page of the petition types matching ``filters`` (already validated: agency,
        department, kind, sla_unit, active, q), by code, and how many match in all."""
        p = petition_types
        where = []
        for name in ("agency", "department", "sla_unit"):
            if filters.get(name) is not None:
                where.append(p.c[name] == filters[name])
        if filters.get("kind") is not None:
            where.append(sa.func.lower(p.c.kind) == filters["kind"].lower())
        if filters.get("active") is not None:
            where.append(p.c.active.is_(filters["active"]))
        if filters.get("q"):
            needle = f"%{_escape_like(filters['q'])}%"
            where.append(sa.or_(p.c.code.ilike(needle, escape="\\"), p.c.name.ilike(needle, escape="\\")))
        total = self.session.execute(sa.select(sa.func.count()).select_from(p).where(*where)).scalar()
        rows = self.session.execute(sa.select(p).where(*where).order_by(p.c.code).limit(limit).offset(offset)).mappings()
        return [dict(r) for r in rows], total

    def insert_petition_type(self, values: dict) -> bool:
        """False when the code exists already."""
        stmt = pg_insert(petition_types).values(**values).on_conflict_do_nothing().returning(petition_types.c.code)
        return self.write(stmt).first() is not None

    def update_petition_type(self, code: str, values: dict) -> None:
        self.write(sa.update(petition_types).where(petition_types.c.code == code).values(**values))

    def seed_petition_types(self, rows: list[dict]) -> None:
        """Insert the types that do not exist yet (a seed never overwrites an edit)."""
        for values in rows:
            self.session.execute(pg_insert(petition_types).values(**values).on_conflict_do_nothing())

    def add_history(self, rows: list[dict]) -> None:
        self.session.execute(sa.insert(petition_type_changes), rows)

    def history(self, code: str) -> list[dict]:
        c = petition_type_changes
        return [dict(r) for r in self.session.execute(sa.select(c).where(c.c.code == code)
                                                  .order_by(c.c.version, c.c.id)).mappings()]

    def active_services(self) -> list[dict]:
        """Open311: active petition types with their agency's and department's names."""
        p, a, d = petition_types, agencies, departments
        q = (sa.select(p.c.code, p.c.name, p.c.description, p.c.kind, p.c.attributes,
                       a.c.name.label("agency_name"), d.c.name.label("department_name"))
             .join(a, a.c.code == p.c.agency).join(d, d.c.code == p.c.department)
             .where(p.c.active.is_(True)).order_by(p.c.code))
        return [dict(r) for r in self.session.execute(q).mappings()]

    # -- agencies, departments, channels -------------------------------------------
    def get(self, kind: str, code: str, lock: bool = False) -> dict | None:
        """An agency, department or channel (``kind``) by code."""
        table = _CODED[kind]
        q = sa.select(table).where(table.c.code == code)
        row = self.session.execute(q.with_for_update() if lock else q).mappings().first()
        return dict(row) if row else None

    def list(self, kind: str, agency: str | None = None, active_only: bool = False) -> list[dict]:
        table = _CODED[kind]
        q = sa.select(table).order_by(table.c.code)
        if agency:
            q = q.where(table.c.agency == agency)
        if active_only:
            q = q.where(table.c.active.is_(True))
        return [dict(r) for r in self.session.execute(q).mappings()]

    def channels_by_code(self, codes) -> dict[str, dict]:
        q = sa.select(channels).where(channels.c.code.in_(list(codes)))
        return {r["code"]: dict(r) for r in self.session.execute(q).mappings()}

    def upsert(self, kind: str, values: dict) -> dict:
        table = _CODED[kind]
        self.write(pg_insert(table).values(**values).on_conflict_do_update(
            index_elements=["code"], set_={k: v for k, v in values.items() if k != "code"}))
        return self.get(kind, values["code"])

    def count_department_uses(self, department: str) -> int:
        return self.session.execute(sa.select(sa.func.count()).select_from(petition_types)
                               .where(petition_types.c.department == department)).scalar()

    # -- calendar --------------------------------------------------------------------
    def calendar(self, lock: bool = False) -> dict | None:
        q = sa.select(calendar.c.data).where(calendar.c.id == 1)
        return self.session.execute(q.with_for_update() if lock else q).scalar()

    def save_calendar(self, data: dict, at) -> None:
        values = {"data": data} if at is None else {"data": data, "updated_at": at}
        self.session.execute(pg_insert(calendar).values(id=1, **values)
                        .on_conflict_do_update(index_elements=["id"], set_=values))

    # -- geography -------------------------------------------------------------------
    def geo_versions(self, layer: str | None = None) -> list[dict]:
        """Every version of ``layer`` (or of all layers), newest first."""
        q = sa.select(geo_versions).order_by(geo_versions.c.layer, geo_versions.c.version.desc())
        if layer:
            q = q.where(geo_versions.c.layer == layer)
        return [dict(r) for r in self.session.execute(q).mappings()]

    def current_geo_versions(self) -> dict[str, dict]:
        """The newest version of each loaded layer, by layer (one small query: quotes ask it
        per batch to know whether their in-memory index is current)."""
        v = geo_versions
        q = (sa.select(v).distinct(v.c.layer).order_by(v.c.layer, v.c.version.desc()))
        return {r["layer"]: dict(r) for r in self.session.execute(q).mappings()}

    def quote_inputs(self, codes, chans) -> tuple[dict[str, dict], dict[str, dict], dict | None, dict[str, dict]]:
        """What a quote reads, in one round trip (quotes run once per filed batch): the
        petition types of ``codes`` and the channels of ``chans`` by code (the fields a
        quote uses), the calendar's data, and the current geography versions by layer
        (``id``, ``layer``, ``version``; as ``current_geo_versions``)."""
        row = self.session.execute(_QUOTE_INPUTS, {"codes": list(codes), "chans": list(chans)}).one()
        return ({p["code"]: p for p in row.pts}, {c["code"]: c for c in row.chs}, row.calendar,
                {v["layer"]: v for v in row.geo})

    def geo_features(self, version_id: int) -> list[dict]:
        f = geo_features
        q = sa.select(*(f.c[n] for n in GEO_FIELDS), f.c.geometry).where(f.c.version_id == version_id).order_by(f.c.id)
        return [dict(r) for r in self.session.execute(q).mappings()]

    def add_geo_version(self, layer: str, author: str, at, source: str | None, rows: list[dict]) -> dict:
        """A new version of ``layer`` with ``rows``; two concurrent loads of one layer:
        the second gets ``Conflict``."""
        v = geo_versions
        last = self.session.execute(sa.select(sa.func.max(v.c.version)).where(v.c.layer == layer)).scalar() or 0
        version = self.write(sa.insert(v).values(layer=layer, version=last + 1, author=author, at=at,
                                                 features=len(rows), source=source)
                             .returning(*v.c)).mappings().one()
        if rows:
            self.session.execute(sa.insert(geo_features), [
                {"version_id": version["id"], "geometry": r["geometry"], **{n: r.get(n) for n in GEO_FIELDS}}
                for r in rows])
        return dict(version)


#: ``Store.quote_inputs``: four small reads as one statement
_QUOTE_INPUTS = sa.text("""
SELECT
  (SELECT coalesce(json_agg(json_build_object(
       'code', code, 'kind', kind, 'active', active, 'agency', agency, 'department', department,
       'sla_amount', sla_amount, 'sla_unit', sla_unit, 'version', version)), '[]'::json)
     FROM petition_types WHERE code = ANY(:codes)) AS pts,
  (SELECT coalesce(json_agg(json_build_object('code', code, 'active', active)), '[]'::json)
     FROM channels WHERE code = ANY(:chans)) AS chs,
  (SELECT data FROM calendar WHERE id = 1) AS calendar,
  (SELECT coalesce(json_agg(json_build_object('id', id, 'layer', layer, 'version', version)), '[]'::json)
     FROM (SELECT DISTINCT ON (layer) id, layer, version FROM geo_versions ORDER BY layer, version DESC) v) AS geo
""")
