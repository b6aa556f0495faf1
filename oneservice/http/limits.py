"""Settings of the HTTP API that the command line shows too (``oneservice serve --help``).

A module of its own, importing nothing heavy, so that the command line reads them without
loading Flask.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_BODY", "ISSUABLE_ROLE_NAMES"]

DEFAULT_MAX_BODY = 256 * 1024
"""Bytes: a form with hundreds of fields fits; a larger body is a 413."""

ISSUABLE_ROLE_NAMES = ("clerk", "reviewer", "supervisor", "applicant", "agent", "system")
"""The roles a token may be issued for, by value of :class:`~oneservice.Role` (a ``system`` token
is another system's, limited to the callbacks and the feed by its scopes); plain text, so that
reading it loads nothing."""
