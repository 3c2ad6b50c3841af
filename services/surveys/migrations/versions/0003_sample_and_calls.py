"""The auditable sample, the call queue, questionnaires, answers and follow-up calls.

- ``period_secrets``: one row per month: the HMAC secret, its SHA-256 commitment and the
  sampling rates, frozen together when the period is committed (append-only).
- ``reports``: projection of intake's ``report_created`` (channel, citizen number).
- ``sample_decisions``: one row per folio that became done: its period, agency, rate,
  digest and whether it is sampled (append-only: an auditor recomputes it).
- ``cases``: the call queue of the sampled folios (status, attempts, who holds it).
- ``call_attempts``, ``questionnaires`` (versioned), ``survey_answers`` (phone and app),
  ``follow_up_calls``.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
APPEND_ONLY = ("period_secrets", "sample_decisions")


def upgrade():
    op.create_table(
        "period_secrets",
        sa.Column("period", sa.Text, primary_key=True),
        sa.Column("secret", sa.LargeBinary, nullable=False),
        sa.Column("commitment", sa.Text, nullable=False),
        sa.Column("rates", JSONB, nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("committed_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'", name="period_format"),
    )
    op.create_table(
        "reports",
        sa.Column("folio", sa.BigInteger, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("citizen_number", sa.BigInteger),
        sa.Column("petition_type", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("reports_citizen_idx", "reports", ["citizen_number"])
    op.create_table(
        "sample_decisions",
        sa.Column("folio", sa.BigInteger, primary_key=True),
        sa.Column("period", sa.Text, sa.ForeignKey("period_secrets.period"), nullable=False),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("petition_type", sa.Text, nullable=False),
        sa.Column("finished_at", TS, nullable=False),
        sa.Column("rate", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("sampled", sa.Boolean, nullable=False),
        sa.Column("decided_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("sample_decisions_period_idx", "sample_decisions", ["period", "folio"])
    op.create_table(
        "cases",
        sa.Column("folio", sa.BigInteger, sa.ForeignKey("sample_decisions.folio"), primary_key=True),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("exclusion", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_attempt_at", TS),
        sa.Column("next_call_at", TS),
        sa.Column("taken_by", sa.Text),
        sa.Column("taken_until", TS),
        sa.Column("closed_at", TS),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("status IN ('pending', 'completed', 'not_located', 'refused', 'excluded')",
                           name="case_status_known"),
        sa.CheckConstraint("exclusion IS NULL OR exclusion IN ('opposed', 'no_phone', 'cancelled', 'reopened')",
                           name="case_exclusion_known"),
        sa.CheckConstraint("(status = 'excluded') = (exclusion IS NOT NULL)", name="case_excluded_has_reason"),
    )
    op.create_index("cases_queue_idx", "cases", ["next_call_at", "folio"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "call_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("folio", sa.BigInteger, sa.ForeignKey("cases.folio"), nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("call_back_at", TS),
        sa.Column("at", TS, nullable=False),
        sa.CheckConstraint("outcome IN ('answered', 'no_answer', 'wrong_number', 'refused', 'call_back')",
                           name="attempt_outcome_known"),
    )
    op.create_index("call_attempts_folio_idx", "call_attempts", ["folio", "id"])
    op.create_table(
        "questionnaires",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("questions", JSONB, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("folio", sa.BigInteger, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("citizen_number", sa.BigInteger),
        sa.Column("agency", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("petition_type", sa.Text),
        sa.Column("questionnaire_code", sa.Text),
        sa.Column("questionnaire_version", sa.Integer),
        sa.Column("answers", JSONB, nullable=False),
        sa.Column("score", sa.Numeric(4, 2)),
        sa.Column("resolved", sa.Boolean),
        sa.Column("comment", sa.Text),
        sa.Column("completed_by", sa.Text, nullable=False),
        sa.Column("completed_at", TS, nullable=False),
        sa.Column("reopen_status", sa.Text),
        sa.Column("reopen_detail", sa.Text),
        sa.UniqueConstraint("folio", "source", name="one_survey_per_folio_and_source"),
        sa.CheckConstraint("source IN ('phone', 'app')", name="survey_source_known"),
        sa.ForeignKeyConstraint(["questionnaire_code", "questionnaire_version"],
                                ["questionnaires.code", "questionnaires.version"]),
    )
    op.create_index("survey_answers_citizen_idx", "survey_answers", ["citizen_number"])
    op.create_index("survey_answers_completed_idx", "survey_answers", ["completed_at"])
    op.create_table(
        "follow_up_calls",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("folio", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("logged_by", sa.Text, nullable=False),
        sa.Column("logged_at", TS, nullable=False),
        sa.CheckConstraint("kind IN ('follow_up', 'verification', 'callback')", name="follow_up_kind_known"),
    )
    op.create_index("follow_up_calls_logged_idx", "follow_up_calls", ["logged_at"])
    # the secrets, rates and decisions an auditor recomputes are never rewritten
    op.execute("""
        CREATE FUNCTION surveys_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'La tabla % no admite cambios: la muestra es auditable.', TG_TABLE_NAME;
        END $$""")
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION surveys_append_only()")


def downgrade():
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP FUNCTION IF EXISTS surveys_append_only()")
    for table in ("follow_up_calls", "survey_answers", "questionnaires", "call_attempts", "cases",
                  "sample_decisions", "reports", "period_secrets"):
        op.drop_table(table)
