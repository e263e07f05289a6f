"""Tasks of the event log, run by the worker (`./dev worker`): the fan-out, the sweep and the
HTTP cache's purges."""

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from statements import events
from tracker import http_cache

logger = logging.getLogger(__name__)

QUEUE = "events"


@app.task(queue=QUEUE, name="statements.fan_out_events")
def fan_out_events() -> None:
    """Hand the events committed since the last fan-out to their consumers (statements/events.py)."""
    events.fan_out()


@app.periodic(cron=f"*/{settings.TRACKER_SWEEP_SECONDS} * * * * *")
@app.task(queue=QUEUE, name="statements.sweep_events", pass_context=True)
async def sweep_events(context, timestamp: int) -> None:
    """The safety net: jobs of a worker that died (killed mid-task) run again, and events that
    no job fanned out (a write made without the services, a crash between commit and job) are
    fanned out."""
    stalled = await context.app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=3 * settings.WORKER_HEARTBEAT_SECONDS
    )
    for job in stalled:
        logger.warning("running job %s (%s) again: its worker stopped answering", job.id, job.task_name)
        await context.app.job_manager.retry_job(job)
    if await sync_to_async(events.behind)():
        await sync_to_async(events.fan_out)()


@app.task(
    queue="http_cache",
    name="statements.purge_http_cache",
    retry=RetryStrategy(max_attempts=10, exponential_wait=1),
)
def purge_http_cache(keys: list[str], lsn: str | None = None) -> None:
    """Purge the HTTP cache's responses naming `keys` (tracker/http_cache.py), once the read
    replicas have replayed the primary's WAL up to `lsn`; retried with backoff (1 s, 2 s, 4 s, …)
    while a cache is unreachable."""
    if lsn:
        http_cache.wait_for_replicas(lsn)
    http_cache.purge(keys)
