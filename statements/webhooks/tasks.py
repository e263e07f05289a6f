"""Tasks of the webhooks, run by the worker (`./dev worker`): sending, and the sweep's part."""

from django.conf import settings
from procrastinate.contrib.django import app

from statements.webhooks import sending

QUEUE = "webhooks"


@app.task(queue=QUEUE, name="webhooks.deliver")
def deliver(subscription_id: int) -> None:
    """Send a subscription's due deliveries, in event order (webhooks/sending.py)."""
    sending.drain(subscription_id)


@app.periodic(cron=f"*/{settings.TRACKER_SWEEP_SECONDS} * * * * *")
@app.task(queue="events", name="webhooks.sweep_deliveries")
def sweep_deliveries(timestamp: int) -> None:
    """Defer the sending of due deliveries whose job was lost."""
    sending.sweep()
