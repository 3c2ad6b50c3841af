"""The channel's own data: contacts (the only place their email address lives),
conversations, the reports it filed (and is pending to file), and the outgoing
messages with their delivery state.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contacts",
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
    )
    op.create_index("contacts_citizen_idx", "contacts", ["citizen_number"],
                    postgresql_where=sa.text("citizen_number IS NOT NULL"))
    op.create_table(
        "filings",
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
    )
    op.create_index("filings_pending_idx", "filings", ["created_at"], postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "messages",
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
    )
    op.create_index("messages_due_idx", "messages", ["next_attempt_at"], postgresql_where=sa.text("state = 'queued'"))


def downgrade():
    op.drop_table("messages")
    op.drop_table("filings")
    op.drop_table("contacts")
