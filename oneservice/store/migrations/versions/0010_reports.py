"""What other systems report: fees paid, licences issued, the numbers their systems give items.

* ``cases.fees`` — item code → its fee's payment (amount, reference, when, by whom);
* ``cases.licences`` — item code → the electronic licence of its result (number, issuing body);
* ``cases.external_refs`` — item code → {system actor: the number its system gave the item};
* ``external_references`` — the same numbers, looked up by (system, reference) for callbacks.

* ``token_ledger.scopes`` — a system token's callbacks (decision, licence, fee, delivery).

Receipts of mailed results live in the ``deliveries`` JSON of the case (no column).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

AWARE = sa.DateTime(timezone=True)  # oneservice.store.types.AwareDateTime in the database

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for name in ("fees", "licences", "external_refs"):
        op.add_column("cases", sa.Column(name, sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    op.create_table(
        "external_references",
        sa.Column("system", sa.String(length=100), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("item_code", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", AWARE, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_external_references_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("system", "reference", name=op.f("pk_external_references")),
    )
    op.create_index(op.f("ix_external_references_case_id"), "external_references", ["case_id"])
    op.add_column("token_ledger", sa.Column("scopes", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("token_ledger", recreate="never") as batch:
        batch.drop_column("scopes")
    op.drop_index(op.f("ix_external_references_case_id"), table_name="external_references")
    op.drop_table("external_references")
    with op.batch_alter_table("cases", recreate="never") as batch:
        for name in ("external_refs", "licences", "fees"):
            batch.drop_column(name)
