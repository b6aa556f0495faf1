"""Identity and scoping: the audit log of refused calls, agent authorisations (委托书), the token ledger.

* ``audit_log`` — refused calls, one row per actor, case, reason and minute with a count (they
  were ``AccessDenied`` events in the case's own log, one per refusal, without limit);
* ``agent_authorisations`` — an applicant's authorisation of an agent, for every matter or one;
* ``token_ledger`` — issued and revoked tokens, shared by every server (was a JSONL file beside
  the secret).

New tables only (created outside any row of the existing tables: nothing is locked).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

AWARE = sa.DateTime(timezone=True)  # oneservice.store.types.AwareDateTime in the database

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("minute", AWARE, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("refusals", sa.Integer(), nullable=False),
        sa.Column("first_at", AWARE, nullable=False),
        sa.Column("last_at", AWARE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("actor", "case_id", "reason", "minute",
                            name="uq_audit_log_actor_case_reason_minute"),
    )
    op.create_index(op.f("ix_audit_log_minute"), "audit_log", ["minute"], unique=False)
    op.create_index(op.f("ix_audit_log_case_id_minute"), "audit_log", ["case_id", "minute"], unique=False)
    op.create_table(
        "agent_authorisations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("applicant_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("matter_id", sa.String(length=100), nullable=True),
        sa.Column("granted_at", AWARE, nullable=False),
        sa.Column("expires_at", AWARE, nullable=True),
        sa.Column("revoked_at", AWARE, nullable=True),
        sa.Column("document", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_authorisations")),
    )
    op.create_index(op.f("ix_agent_authorisations_applicant_id_agent_id"), "agent_authorisations",
                    ["applicant_id", "agent_id"], unique=False)
    op.create_table(
        "token_ledger",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("applicant", sa.String(length=40), nullable=True),
        sa.Column("issued_at", AWARE, nullable=False),
        sa.Column("expires_at", AWARE, nullable=False),
        sa.Column("revoked_at", AWARE, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_ledger")),
    )
    op.create_index(op.f("ix_token_ledger_revoked_at"), "token_ledger", ["revoked_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_token_ledger_revoked_at"), table_name="token_ledger")
    op.drop_table("token_ledger")
    op.drop_index(op.f("ix_agent_authorisations_applicant_id_agent_id"), table_name="agent_authorisations")
    op.drop_table("agent_authorisations")
    op.drop_index(op.f("ix_audit_log_case_id_minute"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_minute"), table_name="audit_log")
    op.drop_table("audit_log")
