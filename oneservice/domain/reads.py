"""Who may read what of a case: the queries beside the actions of :mod:`.actions` (which
re-exports them)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .case import Role

__all__ = ["READS", "ReadSpec"]


@attrs.frozen
class ReadSpec:
    """One query on a case: who may read it (a reviewer: when their department has an item in it)."""

    name: str
    roles: frozenset[Role]
    summary: str


_STAFF_READ = frozenset({Role.CLERK, Role.SUPERVISOR, Role.SYSTEM})
_NOTICE_READ = frozenset({Role.CLERK, Role.APPLICANT, Role.AGENT, Role.SUPERVISOR})

READS: Mapping[str, ReadSpec] = {
    spec.name: spec
    for spec in (
        ReadSpec("summary", frozenset(Role), "The summary of a case"),
        ReadSpec("completeness", _NOTICE_READ, "What is missing or wrong now (the notice it would give)"),
        ReadSpec("last_notice", _NOTICE_READ, "The most recent one-time notice"),
        ReadSpec("progress", frozenset({Role.APPLICANT, Role.AGENT, Role.CLERK, Role.SUPERVISOR}),
                 "办件进度: every public step, the ID number masked"),
        ReadSpec("case", _STAFF_READ, "The full case: tasks, materials, visits, deadlines, ratings"),
        ReadSpec("events", _STAFF_READ, "The event log of a case"),
        ReadSpec("files", frozenset(Role), "The files and licence references of a case's materials"),
    )
}
"""Who may read what of a case."""
