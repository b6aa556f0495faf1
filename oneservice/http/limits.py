"""Settings of the HTTP API that the command line shows too (``oneservice serve --help``).

A module of its own, importing nothing heavy, so that the command line reads them without
loading Flask.
"""

from __future__ import annotations

from ..domain.case import Role

__all__ = ["DEFAULT_MAX_BODY", "ISSUABLE_ROLES"]

DEFAULT_MAX_BODY = 256 * 1024
"""Bytes: a form with hundreds of fields fits; a larger body is a 413."""

ISSUABLE_ROLES = (Role.CLERK, Role.REVIEWER, Role.SUPERVISOR, Role.APPLICANT, Role.AGENT)
"""The roles a token may be issued for (``system`` is the timers' own)."""
