"""The parties of a case (当事人): buyer and seller, both parents.

* ``cases.applicant_role`` — the matter's first party role, taken by the applicant;
* ``cases.parties`` — the other parties: role, kind, number, name, phone;
* ``visits.parties`` — the roles of the parties who came (NULL: the applicant);
* ``ratings.party`` — the role of the party who rated (NULL: the applicant);
* ``case_parties`` — every party by number (the applicants of existing cases copied in), for a
  party's own case list, newest first.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("applicant_role", sa.String(length=100),
                                     server_default=sa.text("'applicant'"), nullable=False))
    op.add_column("cases", sa.Column("parties", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column("visits", sa.Column("parties", sa.JSON(), nullable=True))
    op.add_column("ratings", sa.Column("party", sa.String(length=100), nullable=True))
    op.create_table(
        "case_parties",
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("party_id", sa.String(length=40), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_parties_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "role", name=op.f("pk_case_parties")),
    )
    op.create_index(op.f("ix_case_parties_party_id_opened_at_case_id"), "case_parties",
                    ["party_id", "opened_at", "case_id"])
    op.execute("INSERT INTO case_parties (case_id, role, party_id, opened_at) "
               "SELECT id, 'applicant', applicant_id, opened_at FROM cases")


def downgrade() -> None:
    op.drop_index(op.f("ix_case_parties_party_id_opened_at_case_id"), table_name="case_parties")
    op.drop_table("case_parties")
    with op.batch_alter_table("ratings", recreate="never") as batch:
        batch.drop_column("party")
    with op.batch_alter_table("visits", recreate="never") as batch:
        batch.drop_column("parties")
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_column("parties")
        batch.drop_column("applicant_role")
