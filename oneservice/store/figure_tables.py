"""Migration 0019's tables: the report's figures kept per case and per (case, department),
written in the transaction of every save that changes them (:mod:`oneservice.store.figure_upkeep`;
docs/supervision.md), and the partial index of open deadlines by kind and due date."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from oneservice.domain.case import RatingLevel
from oneservice.store.tables import CASE_ID, ID, deadlines, metadata
from oneservice.store.types import AwareDateTime

__all__ = ["LEVELS", "figure_cases", "figure_departments", "ix_deadlines_open"]


def _case_fk() -> ForeignKey:
    return ForeignKey("cases.id", ondelete="CASCADE")


LEVELS = tuple(f"level_{level.value}" for level in sorted(RatingLevel))
"""The judged ratings of each level (follow-ups and withdrawn ones are not judged)."""


def _figure_counts(*names: str) -> list[Column[Any]]:
    return [Column(name, Integer, nullable=False) for name in names]


figure_cases = Table(
    "figure_cases",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("opened_at", AwareDateTime, nullable=False),
    Column("matter_id", String(ID), nullable=False),
    Column("location", String(ID), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("duration_days", Integer),
    Column("active", Boolean, nullable=False),
    Column("submitted", Boolean, nullable=False),
    Column("concluded", Boolean, nullable=False),
    Column("delivery_channel", String(20)),
    Column("rated", Boolean, nullable=False),
    Column("deficient", Boolean, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    Column("case_met_month", String(7)),
    *_figure_counts("notices", "trips", "tasks", "case_n", "case_met", "case_on_time", "timed_n",
                    "timed_amount", "legal_n", "legal_met", "legal_on_time", "rect_n", "rect_on_time"),
    *_figure_counts(*LEVELS),
    *_figure_counts("bad", "called", "appeals", "upheld", "suspended_days", "correction_days"),
)

figure_departments = Table(
    "figure_departments",
    metadata,
    Column("case_id", String(CASE_ID), _case_fk(), primary_key=True),
    Column("department", String(ID), primary_key=True),
    Column("opened_at", AwareDateTime, nullable=False),
    Column("has_items", Boolean, nullable=False),
    *_figure_counts("item_met", "item_on_time", "legal_met", "legal_on_time"),
    *_figure_counts(*LEVELS),
    *_figure_counts("bad", "called", "appeals", "upheld", "suspended_days", "correction_days"),
)

# 0019: the open deadlines by kind and due date (the report's open cases past their promise, and
# its deadlines open past due): an index of the few open ones instead of every deadline of a kind
ix_deadlines_open = Index("ix_deadlines_open_kind_due_date", deadlines.c.kind, deadlines.c.due_date,
                          postgresql_where=deadlines.c.met_at.is_(None),
                          sqlite_where=deadlines.c.met_at.is_(None))
