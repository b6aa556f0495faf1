"""Data tables of steps: a header row naming the columns, then one row per value.

A step that takes a table says which columns it expects; the header may use the English or the
Chinese column name. A missing table, a wrong header or a wrong number of columns is a
:class:`~oneservice.bdd.names.ScenarioProblem` that shows the expected table.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .names import ScenarioProblem

__all__ = ["Column", "read_table"]


@attrs.frozen
class Column:
    key: str
    en: str
    zh: str
    aliases: tuple[str, ...] = ()
    optional: bool = False  # the column may be left out of the table

    def accepts(self, header: str) -> bool:
        names = {self.key, self.en, self.zh, *self.aliases}
        return header.strip().casefold() in {n.casefold() for n in names}


def expected(columns: Sequence[Column]) -> str:
    en = "| " + " | ".join(c.en for c in columns) + " |"
    zh = "| " + " | ".join(c.zh for c in columns) + " |"
    return f"{en}  (或 {zh})"


def read_table(datatable: Sequence[Sequence[object]] | None, columns: Sequence[Column], *,
               allow_empty: bool = False) -> list[dict[str, str]]:
    """The rows of ``datatable`` as dicts keyed by column key; the header row is checked."""
    if datatable is None:
        raise ScenarioProblem(f"this step needs a data table below it, with the header {expected(columns)}")
    rows = [[str(cell).strip() for cell in row] for row in datatable]
    if not rows:
        raise ScenarioProblem(f"the data table is empty; it needs the header {expected(columns)}")
    header = rows[0]
    order: list[Column] = []
    for position, name in enumerate(header, start=1):
        column = next((c for c in columns if c.accepts(name)), None)
        if column is None:
            raise ScenarioProblem(f"malformed data table: column {position} is headed {name!r}; "
                                  f"expected the header {expected(columns)}")
        if column in order:
            raise ScenarioProblem(f"malformed data table: column {name!r} appears twice")
        order.append(column)
    missing = [c for c in columns if c not in order and not c.optional]
    if missing:
        raise ScenarioProblem("malformed data table: the column " + ", ".join(repr(c.en) for c in missing)
                              + f" is missing; expected the header {expected(columns)}")
    body = rows[1:]
    if not body and not allow_empty:
        raise ScenarioProblem(f"the data table has a header but no rows (header {expected(columns)})")
    out = []
    for number, row in enumerate(body, start=2):
        if len(row) != len(order):  # pragma: no cover - the Gherkin parser already refuses this
            raise ScenarioProblem(f"malformed data table: row {number} has {len(row)} cells, "
                                  f"the header {len(order)}")
        out.append({c.key: value for c, value in zip(order, row, strict=True)})
    return out
