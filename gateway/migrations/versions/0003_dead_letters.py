"""Dead letters moved out of RabbitMQ's `sac.dead-letter` queue, for administrators to
read and replay (gateway/src/gateway/dead_letters.py). A row is removed when replayed.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
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
        sa.Column("headers", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("payload", JSONB),  # the body when it is JSON (SAC events carry no personal data)
        sa.Column("body", sa.LargeBinary, nullable=False),  # exactly what was published, for replay
        # moving is at-least-once: the same death seen twice is one row
        sa.UniqueConstraint("message_id", "queue", "first_death_at", name="dead_letters_death_key"),
    )


def downgrade():
    op.drop_table("dead_letters")
