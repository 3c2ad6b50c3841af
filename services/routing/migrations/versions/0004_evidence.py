"""Evidence files (photos, documents) of interventions, stored as bytea beside them:
committed in the same transaction as the intervention, backed up with the rest of
routing's database; append-only like interventions (routing_refuse_change() of 0002).

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evidence",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("intervention_id", sa.BigInteger, sa.ForeignKey("interventions.id"), nullable=False),
        sa.Column("folio", sa.BigInteger, sa.ForeignKey("assignments.folio"), nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("content", BYTEA, nullable=False),
        sa.Column("uploaded_by", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("size > 0 AND size = octet_length(content)", name="evidence_size_check"),
        sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/heic', "
                           "'image/heif', 'application/pdf')", name="evidence_content_type_check"),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="evidence_sha256_check"),
    )
    op.create_index("evidence_intervention_idx", "evidence", ["intervention_id", "id"])
    op.create_index("evidence_folio_idx", "evidence", ["folio", "id"])
    # already compressed formats: keep them out of TOAST compression (it would only cost CPU)
    op.execute("ALTER TABLE evidence ALTER COLUMN content SET STORAGE EXTERNAL")
    op.execute("CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON evidence "
               "FOR EACH ROW EXECUTE FUNCTION routing_refuse_change()")


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS evidence_append_only ON evidence")
    op.drop_table("evidence")
