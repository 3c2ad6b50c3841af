"""citizens' repository: the tables (mirroring the migrations) and every SQL statement.

``Store`` wraps one sacinfra ``UnitOfWork``: ``with store:`` is the unit of work's
``with`` (commit on success, rollback on error); the use cases (``handlers``, ``rights``,
``lookups``, ``block_leaders``) call its methods and never write SQL. ``tests/unit`` has
an in-memory twin for the main use cases."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert as pg_insert

from sacinfra.db import Repository

metadata = sa.MetaData()

citizens = sa.Table(
    "citizens", metadata,
    sa.Column("number", sa.BigInteger, primary_key=True,
              server_default=sa.text("nextval('citizen_number_seq')")),
    sa.Column("given_names", sa.Text), sa.Column("first_surname", sa.Text), sa.Column("second_surname", sa.Text),
    sa.Column("name_norm", sa.Text), sa.Column("sex", sa.Text), sa.Column("birth_date", sa.Date),
    sa.Column("phones", ARRAY(sa.Text)), sa.Column("email", sa.Text),
    sa.Column("colonia", sa.Text), sa.Column("colonia_norm", sa.Text), sa.Column("street", sa.Text),
    sa.Column("ext_number", sa.Text), sa.Column("postal_code", sa.Text), sa.Column("address_references", sa.Text),
    sa.Column("consent", sa.Boolean), sa.Column("privacy_notice_version", sa.Text), sa.Column("channel", sa.Text),
    sa.Column("created_by", sa.Text), sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.Column("merged_into", sa.BigInteger), sa.Column("merged_at", sa.DateTime(timezone=True)),
    sa.Column("cancelled_at", sa.DateTime(timezone=True)), sa.Column("cancelled_by", sa.Text))

citizen_changes = sa.Table(
    "citizen_changes", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("number", sa.BigInteger),
    sa.Column("kind", sa.Text), sa.Column("author", sa.Text), sa.Column("reason", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True)), sa.Column("before", JSONB), sa.Column("after", JSONB))

access_log = sa.Table(
    "personal_data_access_log", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("username", sa.Text), sa.Column("role", sa.Text), sa.Column("citizen_number", sa.BigInteger),
    sa.Column("action", sa.Text), sa.Column("reason", sa.Text), sa.Column("block_leader_id", sa.BigInteger))

oppositions = sa.Table(
    "citizen_oppositions", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("number", sa.BigInteger),
    sa.Column("scope", sa.Text), sa.Column("reason", sa.Text), sa.Column("author", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True)))

block_leaders = sa.Table(
    "block_leaders", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("kind", sa.Text), sa.Column("block", sa.Text),
    sa.Column("colonia", sa.Text), sa.Column("lat", sa.Float), sa.Column("lon", sa.Float),
    sa.Column("accredited_on", sa.Date), sa.Column("status", sa.Text), sa.Column("full_name", sa.Text),
    sa.Column("phone", sa.Text), sa.Column("email", sa.Text), sa.Column("username", sa.Text),
    sa.Column("citizen_number", sa.BigInteger), sa.Column("created_by", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True)), sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.Column("version", sa.Integer))


def _row(r) -> dict | None:
    return dict(r) if r is not None else None


class Store(Repository):
    """citizens' repository over one unit of work (see the module docstring)."""

    conflict_message = "El registro cambió mientras se guardaba; vuelva a intentarlo."

    # -- citizens ----------------------------------------------------------------------
    def citizen(self, number: int, lock: bool = False) -> dict | None:
        q = sa.select(citizens).where(citizens.c.number == number)
        return _row(self.session.execute(q.with_for_update() if lock else q).mappings().first())

    def citizens_by_number(self, numbers, lock: bool = False) -> dict[int, dict]:
        q = sa.select(citizens).where(citizens.c.number.in_(list(numbers))).order_by(citizens.c.number)
        return {r["number"]: dict(r) for r in self.session.execute(q.with_for_update() if lock else q).mappings()}

    def merged_numbers(self, number: int) -> list[int]:
        """The numbers merged into ``number``, ascending."""
        c = citizens
        return list(self.session.execute(sa.select(c.c.number).where(c.c.merged_into == number)
                                    .order_by(c.c.number)).scalars())

    def merged_into_any(self, numbers) -> list[int]:
        c = citizens
        return list(self.session.execute(sa.select(c.c.number).where(c.c.merged_into.in_(list(numbers)))).scalars())

    def lock_citizens(self, numbers) -> None:
        c = citizens
        self.session.execute(sa.select(c.c.number).where(c.c.number.in_(list(numbers))).order_by(c.c.number)
                        .with_for_update())

    def insert_citizen(self, values: dict) -> dict:
        return dict(self.write(sa.insert(citizens).values(**values).returning(*citizens.c)).mappings().one())

    def update_citizen(self, number: int, values: dict) -> None:
        self.session.execute(sa.update(citizens).where(citizens.c.number == number).values(**values))

    def merge(self, merge: int, keep: int, at) -> None:
        """``merge`` (and the numbers merged into it before) now redirect to ``keep``."""
        c = citizens
        self.session.execute(sa.update(c).where(c.c.number == merge).values(merged_into=keep, merged_at=at, updated_at=at))
        self.session.execute(sa.update(c).where(c.c.merged_into == merge).values(merged_into=keep, updated_at=at))

    def _trigram_threshold(self, value: float) -> None:
        self.session.execute(sa.text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"), {"t": str(value)})

    def duplicate_candidates(self, name_norm: str, colonia_norm: str | None, phones: list[str],
                             similarity: float, limit: int) -> list[dict]:
        """Live records with the same phone, the same name in the same colonia, or a name
        with pg_trgm similarity ≥ ``similarity``; each with ``same_phone``,
        ``same_name_colonia`` and ``score``."""
        self._trigram_threshold(similarity)
        return [dict(r) for r in self.session.execute(sa.text("""
            SELECT *, phones && CAST(:phones AS text[]) AS same_phone,
                   coalesce(name_norm = CAST(:name AS text) AND colonia_norm = CAST(:colonia AS text), false)
                       AS same_name_colonia,
                   similarity(name_norm, CAST(:name AS text)) AS score
            FROM citizens
            WHERE merged_into IS NULL
              AND (phones && CAST(:phones AS text[])
                   OR (name_norm = CAST(:name AS text) AND colonia_norm = CAST(:colonia AS text))
                   OR name_norm % CAST(:name AS text))
            ORDER BY same_phone DESC, same_name_colonia DESC, score DESC, number
            LIMIT :limit"""), {"phones": phones, "name": name_norm, "colonia": colonia_norm,
                               "limit": limit}).mappings()]

    def by_phone(self, phone: str, limit: int) -> list[dict]:
        c = citizens
        q = (sa.select(c).where(c.c.merged_into.is_(None), c.c.phones.contains(sa.cast([phone], ARRAY(sa.Text))))
             .order_by(c.c.number).limit(limit))
        return [dict(r) for r in self.session.execute(q).mappings()]

    def by_name_words(self, tokens: list[str], key: str, limit: int) -> list[dict]:
        """Live records whose name holds every word of ``tokens`` (GIN trigram index),
        ranked by similarity to ``key`` (``score``)."""
        likes = " AND ".join(f"name_norm LIKE :t{i}" for i in range(len(tokens)))
        params = {f"t{i}": f"%{t}%" for i, t in enumerate(tokens)} | {"q": key, "limit": limit}
        return [dict(r) for r in self.session.execute(sa.text(f"""
            SELECT *, similarity(name_norm, :q) AS score FROM citizens
            WHERE merged_into IS NULL AND {likes}
            ORDER BY score DESC, number LIMIT :limit"""), params).mappings()]

    def by_similar_name(self, key: str, similarity: float, limit: int) -> list[dict]:
        self._trigram_threshold(similarity)
        return [dict(r) for r in self.session.execute(sa.text("""
            SELECT *, similarity(name_norm, :q) AS score FROM citizens
            WHERE merged_into IS NULL AND name_norm % :q
            ORDER BY score DESC, number LIMIT :limit"""), {"q": key, "limit": limit}).mappings()]

    def find_numbers(self, name_words: list[str], sex: str | None, born_on_or_before, born_after,
                     limit: int) -> list[int]:
        """Numbers of live records matching every criterion given, ascending, at most ``limit``."""
        c = citizens
        conds = [c.c.merged_into.is_(None)] + [c.c.name_norm.like(f"%{t}%") for t in name_words]
        if sex is not None:
            conds.append(c.c.sex == sex)
        if born_on_or_before is not None:
            conds.append(c.c.birth_date <= born_on_or_before)
        if born_after is not None:
            conds.append(c.c.birth_date > born_after)
        return list(self.session.execute(sa.select(c.c.number).where(*conds).order_by(c.c.number).limit(limit)).scalars())

    # -- cancellation ------------------------------------------------------------------
    def not_cancelled(self, numbers) -> list[int]:
        c = citizens
        return list(self.session.execute(sa.select(c.c.number).where(c.c.number.in_(list(numbers)),
                                                                c.c.cancelled_at.is_(None))
                                    .order_by(c.c.number)).scalars())

    def anonymise(self, numbers, values: dict) -> None:
        self.session.execute(sa.update(citizens).where(citizens.c.number.in_(list(numbers))).values(**values))

    # -- history -----------------------------------------------------------------------
    def add_change(self, values: dict) -> None:
        self.session.execute(sa.insert(citizen_changes).values(**values))

    def changes(self, numbers, kind: str | None = None) -> list[dict]:
        ch = citizen_changes
        q = sa.select(ch).where(ch.c.number.in_(list(numbers))).order_by(ch.c.id)
        if kind:
            q = q.where(ch.c.kind == kind)
        return [dict(r) for r in self.session.execute(q).mappings()]

    def rewrite_change(self, change_id: int, before: dict, after: dict) -> None:
        ch = citizen_changes
        self.session.execute(sa.update(ch).where(ch.c.id == change_id).values(before=before, after=after))

    # -- oppositions -------------------------------------------------------------------
    def add_oppositions(self, rows: list[dict]) -> list[str]:
        """Insert ``rows`` (once per number and scope); the scopes newly added."""
        o = oppositions
        return list(self.session.execute(pg_insert(o).values(rows).on_conflict_do_nothing(
            constraint="opposition_once_per_scope").returning(o.c.scope)).scalars())

    def oppositions(self, numbers) -> list[dict]:
        o = oppositions
        return [dict(r) for r in self.session.execute(sa.select(o).where(o.c.number.in_(list(numbers)))
                                                 .order_by(o.c.id)).mappings()]

    # -- access log --------------------------------------------------------------------
    def log_access(self, rows: list[dict]) -> None:
        self.session.execute(sa.insert(access_log), [{"block_leader_id": None} | r for r in rows])

    def access_log(self, citizen_number=None, username=None, since=None, until=None, limit: int = 100,
                   offset: int = 0) -> tuple[list[dict], int]:
        al = access_log
        conds = []
        if citizen_number is not None:
            conds.append(al.c.citizen_number == citizen_number)
        if username:
            conds.append(al.c.username == username)
        if since is not None:
            conds.append(al.c.at >= since)
        if until is not None:
            conds.append(al.c.at < until)
        total = self.session.execute(sa.select(sa.func.count()).select_from(al).where(*conds)).scalar()
        rows = self.session.execute(sa.select(al).where(*conds).order_by(al.c.id.desc()).limit(limit).offset(offset))
        return [dict(r) for r in rows.mappings()], total

    def access_log_about(self, numbers, limit: int) -> list[dict]:
        al = access_log
        return [dict(r) for r in self.session.execute(sa.select(al).where(al.c.citizen_number.in_(list(numbers)))
                                                 .order_by(al.c.id.desc()).limit(limit)).mappings()]

    # -- block-leader roster -----------------------------------------------------------
    def leader(self, leader_id: int, lock: bool = False) -> dict | None:
        bl = block_leaders
        q = sa.select(bl).where(bl.c.id == leader_id)
        return _row(self.session.execute(q.with_for_update() if lock else q).mappings().first())

    def leader_id_of(self, username: str) -> int | None:
        bl = block_leaders
        return self.session.execute(sa.select(bl.c.id).where(bl.c.username == username)).scalar()

    def insert_leader(self, values: dict) -> dict:
        bl = block_leaders
        return dict(self.write(sa.insert(bl).values(**values).returning(*bl.c)).mappings().one())

    def update_leader(self, leader_id: int, values: dict) -> dict:
        bl = block_leaders
        return dict(self.write(sa.update(bl).where(bl.c.id == leader_id).values(
            **values, version=bl.c.version + 1).returning(*bl.c)).mappings().one())

    def delete_leader(self, leader_id: int) -> None:
        self.session.execute(sa.delete(block_leaders).where(block_leaders.c.id == leader_id))

    def leaders(self, filters: dict, limit: int, offset: int) -> tuple[list[dict], int]:
        """Entries by exact ``kind``, ``status``, ``block``, ``username`` and colonia (any
        case), ordered by colonia and block; and how many match."""
        bl = block_leaders
        conds = [bl.c[k] == filters[k] for k in ("kind", "status", "block", "username") if filters.get(k)]
        if filters.get("colonia"):
            conds.append(sa.func.lower(bl.c.colonia) == str(filters["colonia"]).lower())
        total = self.session.execute(sa.select(sa.func.count()).select_from(bl).where(*conds)).scalar()
        rows = self.session.execute(sa.select(bl).where(*conds).order_by(bl.c.colonia, bl.c.block, bl.c.id)
                               .limit(limit).offset(offset)).mappings()
        return [dict(r) for r in rows], total

    def leaders_of_citizens(self, numbers) -> list[dict]:
        bl = block_leaders
        return [dict(r) for r in self.session.execute(sa.select(bl).where(bl.c.citizen_number.in_(list(numbers))))
                .mappings()]

    def active_leaders(self) -> list[dict]:
        bl = block_leaders
        return [dict(r) for r in self.session.execute(
            sa.select(bl.c.id, bl.c.kind, bl.c.block, bl.c.colonia, bl.c.lat, bl.c.lon, bl.c.status, bl.c.username)
            .where(bl.c.status == "active").order_by(bl.c.id)).mappings()]
