"""The jobs ``oneservice worker`` runs (and ``oneservice serve``'s in-process worker).

::

    worker = standard_worker(service)        # a Worker with the jobs below
    worker.tick()                            # what is due now runs, each job on one worker only

=====================  ========  =========================================================
job                    every     what it does
=====================  ========  =========================================================
``supervision``        1 minute  yellow and red warnings (电子监察), each recorded once
``deem_accepted``      1 minute  视为受理: submitted cases unanswered past the notice limit
                                 (《行政许可法》第三十二条) are accepted from receipt
``terminate_overdue``  1 minute  cases whose owed materials (容缺) are past due end
``webhooks``           1 second  new events queued for each webhook, due deliveries sent
``broker``             1 second  the outbox published to RabbitMQ (only with a broker URL)
``purge_files``        1 hour    the retention rule: the files of cases concluded more than
                                 ``retention_days`` ago purged, unreferenced blobs removed
                                 (:mod:`oneservice.service.files`)
=====================  ========  =========================================================

Sits beside
:mod:`oneservice.supervision` (it runs its scan): above the service in the layers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .service import OneService
from .service.worker import Job, Worker

__all__ = ["PERIOD", "PURGE_PERIOD", "RELAY_PERIOD", "standard_jobs", "standard_worker"]

PERIOD = dt.timedelta(minutes=1)
"""How often each scan runs: the deadlines are days, a minute is prompt enough and cheap."""

RELAY_PERIOD = dt.timedelta(seconds=1)
"""How often the relays look at the outbox."""

PURGE_PERIOD = dt.timedelta(hours=1)
"""How often the retention purge of files runs (its periods are days)."""


def standard_jobs(service: OneService, *, yellow_days: int | None = None,
                  period: dt.timedelta = PERIOD, lease: dt.timedelta | None = None) -> list[Job]:
    """The supervision scan, deemed acceptance, termination of overdue deficiencies, the webhooks
    (``lease``: how long a claimed delivery is held, :class:`~oneservice.service.webhooks.Webhooks`)
    and the retention purge of files."""
    from .service.webhooks import LEASE, Webhooks
    from .supervision import Supervision

    days = service.yellow_days if yellow_days is None else yellow_days
    supervision = Supervision(service, yellow_days=days)
    return [
        Job("supervision", period, supervision.scan),
        Job("deem_accepted", period, service.deem_overdue_accepted),
        Job("terminate_overdue", period, service.terminate_overdue),
        Job("webhooks", RELAY_PERIOD, Webhooks(service, lease=lease or LEASE).tick),
        Job("purge_files", PURGE_PERIOD, service.files.purge_expired),
    ]


def standard_worker(service: OneService, *, extra: Iterable[Job] = (), name: str | None = None,
                    yellow_days: int | None = None, broker: str | None = None,
                    exchange: str | None = None, lease: dt.timedelta | None = None) -> Worker:
    """A :class:`~oneservice.service.worker.Worker` with :func:`standard_jobs`, the broker relay
    when ``broker`` (an ``amqp://`` URL) is given, and ``extra``."""
    jobs = standard_jobs(service, yellow_days=yellow_days, lease=lease)
    if broker:
        from .service.broker import DEFAULT_EXCHANGE, BrokerRelay

        relay = BrokerRelay(service, broker, exchange=exchange or DEFAULT_EXCHANGE)
        jobs.append(Job("broker", RELAY_PERIOD, relay.tick))
    return Worker(service, [*jobs, *extra], name=name)
