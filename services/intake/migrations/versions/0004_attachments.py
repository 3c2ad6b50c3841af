"""The files a citizen sent with a report (a channel's photo, an email's attachments),
stored with it: type checked by content, at most EVIDENCE_MAX_FILES of EVIDENCE_MAX_BYTES
(sacinfra.files, as routing's evidence).

Revision ID: 0004_attachments
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_attachments"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachments",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("folio", sa.BigInteger, sa.ForeignKey("reports.folio"), nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("uploaded_by", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("attachments_folio_idx", "attachments", ["folio"])


def downgrade():
    op.drop_table("attachments")
