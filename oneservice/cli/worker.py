"""``oneservice worker``: the scheduled jobs (supervision, deemed acceptance, overdue deficiencies,
webhooks, the broker relay, the retention purge of files — ``--files`` names their folder).

Any number of workers may run against one PostgreSQL database: each job is claimed by one of
them per period (``FOR UPDATE SKIP LOCKED``), see :mod:`oneservice.service.worker`.
"""

from __future__ import annotations

import click

from .options import db_option, files_option, open_service, workflows_option

__all__ = ["worker_command"]


@click.command("worker")
@workflows_option()
@db_option()
@files_option()
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(min=0.05),
              envvar="ONESERVICE_WORKER_INTERVAL", show_envvar=True,
              help="seconds between two looks at what is due")
@click.option("--broker", envvar="ONESERVICE_BROKER_URL", show_envvar=True, default=None,
              help="publish the outbox to this RabbitMQ (amqp://user:pass@host:5672/vhost); "
              "absent: webhooks and the feed only")
@click.option("--exchange", envvar="ONESERVICE_BROKER_EXCHANGE", default="oneservice.events",
              show_default=True, show_envvar=True,
              help="the broker's topic exchange")
@click.option("--lease", default=120.0, show_default=True, type=click.FloatRange(min=1),
              envvar="ONESERVICE_WORKER_LEASE", show_envvar=True,
              help="seconds a claimed webhook delivery is held: a killed worker's are sent again after it")
@click.option("--once", is_flag=True, help="run what is due now once, print it, and stop")
@click.option("--yellow-days", default=None, type=click.IntRange(min=0),
              help="working days before a due date that a yellow warning starts (default: the service's)")
def worker_command(workflows: tuple[str, ...], db: str, files: str | None, interval: float,
                   broker: str | None, exchange: str, lease: float, once: bool,
                   yellow_days: int | None) -> None:
    """Run the timers: supervision scans, deemed acceptance, termination of overdue deficiencies."""
    import datetime as dt
    import signal
    import threading

    from ..http.logs import configure_logging
    from ..jobs import standard_worker

    configure_logging("info")
    service = open_service(workflows, db, files=files)
    worker = standard_worker(service, yellow_days=yellow_days, broker=broker, exchange=exchange,
                             lease=dt.timedelta(seconds=lease))
    try:
        if once:
            for run in worker.tick():
                click.echo(f"{run.name}: {run.error or run.result}")
            return
        stop = threading.Event()

        def _stop(_signum: int, _frame: object) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        relay = f"broker {exchange}" if broker else "no broker: webhooks and the feed only"
        click.echo(f"oneservice worker {worker.name} on {service.store.url}: "
                   f"{', '.join(j.name for j in worker.jobs)} ({relay})", err=True)
        worker.run(stop, interval=interval)
    finally:
        service.store.dispose()
