"""Tasks of the alerts, run by the worker (`./dev worker`, queue "alerts"): confirmations,
alerts as they happen, the digests on their schedule, and the sweep."""

from django.conf import settings
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from statements.alerts import sending
from statements.alerts.models import Frequency

QUEUE = "alerts"


# A mail server away: tried again after 4 s, 16 s, 64 s … about 1.5 hours in all.
CONFIRMATION_RETRY = RetryStrategy(max_attempts=7, exponential_wait=4)


@app.task(queue=QUEUE, name="alerts.send_confirmation", retry=CONFIRMATION_RETRY)
def send_confirmation(alert_id: int, frequency: str) -> None:
    """A sign-up's confirmation e-mail (retried while the mail server is away)."""
    sending.send_confirmation(alert_id, frequency)


@app.task(queue=QUEUE, name="alerts.send_immediate")
def send_immediate(shard: int) -> None:
    """Mail one share of the alerts sent as it happens that have items (the fan-out defers one
    job per share: ALERTS_SENDERS of them run side by side, each on its own SMTP connection)."""
    sending.send_due([Frequency.IMMEDIATE], shards=[shard])


@app.periodic(cron=settings.ALERTS_DAILY_CRON)
@app.task(queue=QUEUE, name="alerts.send_daily")
def send_daily(timestamp: int) -> None:
    sending.send_due([Frequency.DAILY])


@app.periodic(cron=settings.ALERTS_WEEKLY_CRON)
@app.task(queue=QUEUE, name="alerts.send_weekly")
def send_weekly(timestamp: int) -> None:
    sending.send_due([Frequency.WEEKLY])


@app.periodic(cron=f"*/{settings.TRACKER_SWEEP_SECONDS} * * * * *")
@app.task(queue=QUEUE, name="alerts.sweep")
def sweep(timestamp: int) -> None:
    """Alerts whose sending failed (the mail server was away) or whose job was lost go now."""
    if sending.pending_immediate():
        sending.send_due([Frequency.IMMEDIATE])
