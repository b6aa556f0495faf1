"""The ``oneservice`` command line: one module per command group.

- :mod:`.site` — ``init`` (a starter site), ``migrate`` (the database schema);
- :mod:`.catalogue` — ``check``, ``explain``, ``diagram`` (definitions, no database);
- :mod:`.demo` — ``demo`` (one case end to end on a SQLite file);
- :mod:`.supervision` — ``supervise``, ``report``;
- :mod:`.calendar` — ``calendar load|list`` (calendar years kept in the database);
- :mod:`.serve` — ``serve``, ``token issue|list|revoke`` (the HTTP API);
- :mod:`.options` — ``--db`` and opening the service, shared by every command.

Exit codes: 0 success, 1 definition or action errors, 2 usage errors (click's default).

A command imports what it runs inside its body: these modules load only click at import, so
``oneservice --help`` lists every command without loading SQLAlchemy, Flask or the catalogue
(``tests/unit/test_cli_imports.py`` checks it; ``bench/cli_startup.py`` times it).
"""

from __future__ import annotations

import click

from .._version import __version__
from .calendar import calendar_group
from .catalogue import check_command, diagram_command, explain_command
from .demo import demo_command
from .serve import serve_command, token_group
from .site import init_command, migrate_command
from .supervision import report_command, supervise_command
from .worker import worker_command

__all__ = ["main"]


@click.group()
@click.version_option(__version__, prog_name="oneservice")
def main() -> None:
    """oneservice — make the "at most one trip" (最多跑一次) reform executable and checkable."""


for _command in (
    init_command, migrate_command, check_command, explain_command, diagram_command, demo_command,
    serve_command, token_group, supervise_command, report_command, calendar_group, worker_command,
):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
