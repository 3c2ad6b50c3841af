"""Dead letters moved out of RabbitMQ's `sac.dead-letter` queue, for administrators to
read and replay. A row is removed when replayed. (The gateway kept this table until its
migration 0005; the rows it held are not copied: the gateway's migration refuses to drop
a table that still holds any.)

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from sacinfra.db import create_infra_tables, drop_infra_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_infra_tables(op)
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("message_id", sa.Text, nullable=False),  # the event_id for SAC events
        sa.Column("event_type", sa.Text),
        sa.Column("producer", sa.Text),
        sa.Column("queue", sa.Text, nullable=False),  # where it failed (x-death)
        sa.Column("exchange", sa.Text, nullable=False),  # where it was first published
        sa.Column("routing_key", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("death_count", sa.Integer, nullable=False),
        sa.Column("first_death_at", sa.DateTime(timezone=True)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("content_type", sa.Text),
        sa.Column("content_encoding", sa.Text),
        sa.Column("headers", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("payload", JSONB),  # the body when it is JSON (SAC events carry no personal data)
        sa.Column("body", sa.LargeBinary, nullable=False),  # exactly what was published, for replay
        # storing is at-least-once: the same death seen twice is one row
        sa.UniqueConstraint("message_id", "queue", "first_death_at", name="dead_letters_death_key"),
    )
    op.create_index("dead_letters_order_idx", "dead_letters", ["first_death_at", "id"])


def downgrade():
    op.drop_table("dead_letters")
    drop_infra_tables(op)
