"""Materials as files and references: the ``attachments`` table.

One row per event that received a material's file (its SHA-256, size, sniffed content type and
file name; the bytes are in the blob store) or a reference to an electronic licence (number and
issuing body); ``purged_at`` and ``blob_removed_at`` record the retention purge.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

AWARE = sa.DateTime(timezone=True)  # oneservice.store.types.AwareDateTime in the database

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("material_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("licence_number", sa.String(length=100), nullable=True),
        sa.Column("licence_issuer", sa.String(length=200), nullable=True),
        sa.Column("uploaded_at", AWARE, nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("purged_at", AWARE, nullable=True),
        sa.Column("blob_removed_at", AWARE, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_attachments_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_case_id_material_id"), "attachments", ["case_id", "material_id"])
    op.create_index(op.f("ix_attachments_sha256"), "attachments", ["sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_attachments_sha256"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_case_id_material_id"), table_name="attachments")
    op.drop_table("attachments")
