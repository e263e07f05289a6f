"""Tasks of the event log, run by the worker (`./dev worker`): the fan-out and the sweep."""

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from procrastinate.contrib.django import app

from statements import events

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
