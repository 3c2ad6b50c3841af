"""The tables every channel keeps in its own database: ``contacts`` (the only place a
citizen's address lives), ``filings`` (reports filed or pending, by idempotency key) and
``messages`` (every outgoing message with its delivery state) and ``access_log`` (who
read a citizen's data here, ARCO). A channel's migration 0002
calls ``create_channel_tables(op)``; ``store.py`` reads them through the same definitions."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

contacts = sa.Table(
    "contacts", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("address", sa.Text, unique=True),  # NULL once erased (ARCO cancellation)
    sa.Column("citizen_number", sa.BigInteger),
    sa.Column("conversation_id", sa.Text, nullable=False, unique=True),  # opaque, for statistics
    sa.Column("step", sa.Text),
    sa.Column("data", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("last_inbound_at", sa.DateTime(timezone=True)),
    sa.Column("opted_out_at", sa.DateTime(timezone=True)),
    sa.Column("erased_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("contacts_citizen_idx", "citizen_number", postgresql_where=sa.text("citizen_number IS NOT NULL")),
)

filings = sa.Table(
    "filings", metadata,
    sa.Column("idempotency_key", sa.Text, primary_key=True),
    sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("folio", sa.BigInteger, unique=True),
    sa.Column("tracking_token", sa.Text),
    sa.Column("due_at", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("filed_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("status IN ('pending', 'filed', 'refused')", name="filing_status_known"),
    sa.Index("filings_pending_idx", "created_at", postgresql_where=sa.text("status = 'pending'")),
)

messages = sa.Table(
    "messages", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("folio", sa.BigInteger),
    sa.Column("cause", sa.Text, nullable=False, unique=True),  # what produced it: one message per cause
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("body", JSONB, nullable=False),
    sa.Column("state", sa.Text, nullable=False, server_default="queued"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("provider_id", sa.Text, unique=True),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("state IN ('queued', 'sent', 'delivered', 'failed')", name="message_state_known"),
    sa.Index("messages_due_idx", "next_attempt_at", postgresql_where=sa.text("state = 'queued'")),
)


#: who read what the channel holds about a citizen (ARCO access), as citizens keeps its
#: access log: numbers, the actor and the reason; never an address (migration 0003)
access_log = sa.Table(
    "access_log", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("actor", JSONB, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("citizen_numbers", JSONB, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("contacts", sa.Integer, nullable=False),
)


def create_channel_tables(op) -> None:
    """Every table above that the database does not have yet (a later migration calls it
    again for the tables added since)."""
    metadata.create_all(op.get_bind())


def drop_access_log(op) -> None:
    access_log.drop(op.get_bind(), checkfirst=True)


def drop_channel_tables(op) -> None:
    metadata.drop_all(op.get_bind())
