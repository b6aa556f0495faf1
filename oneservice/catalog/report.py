"""The result of checking a catalogue: every finding and, without an error, the catalogue."""

from __future__ import annotations

import attrs

from ..errors import Finding
from .catalogue import Catalogue

__all__ = ["CheckReport"]


@attrs.frozen
class CheckReport:
    findings: tuple[Finding, ...]
    catalogue: Catalogue | None
    files: int
    cached: bool = attrs.field(default=False, eq=False)  # read from the catalogue cache

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors
