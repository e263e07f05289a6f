"""Sending alerts: what is due, grouped per alert into one e-mail, through Django's e-mail
backend (SMTP), on one connection per run.

For each alert, its pending items are grouped by statement and the latest event of each decides:
- a statement not mailed to this alert yet, published at that event: mailed as new;
- a retraction of a statement mailed before (and whose retraction was not): mailed as a retraction;
- anything else (a correction of a statement already mailed, a retraction of one never mailed):
  nothing; a statement is mailed to an alert at most once (SeenItem).
Alerts "as it happens" are sent at once (the fan-out defers the job); a daily digest is due 23
hours after the last one, a weekly one 7 days less an hour after (the worker runs them by cron).

The SMTP server's answer decides what follows: accepted, the items become seen; refused for good
(5xx for the recipient or its data), the address is paused with the server's words; anything else
(4xx, a dropped connection) leaves the items for the next run (the sweep's), and the run stops.
Alerts are shared among ALERTS_SENDERS senders (alert id modulo that), each on its own SMTP
connection, one run at a time per share (a session-level advisory lock); no transaction is open
while a message is out.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import mailers
from django.db import connections
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from statements.alerts import mail
from statements.alerts.models import Alert, AlertItem, Frequency, SeenItem
from statements.alerts.services import address_pause
from statements.events import PRIMARY, EventType

logger = logging.getLogger(__name__)

SEND_LOCK = 5526094  # pg_try_advisory_lock(SEND_LOCK, frequency's index)
DIGEST_DUE = {
    Frequency.DAILY: datetime.timedelta(days=1) - datetime.timedelta(hours=1),
    Frequency.WEEKLY: datetime.timedelta(days=7) - datetime.timedelta(hours=1),
}


class Refused(Exception):
    """The SMTP server refused a message for good (5xx): `reason` is what it said."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def due_alerts(frequency: str, now: datetime.datetime, force: bool = False, shard: int | None = None):
    """Confirmed alerts of `frequency` with items, of unpaused addresses, whose e-mail is due
    (of one sender's share, `shard`: alert id modulo ALERTS_SENDERS)."""
    alerts = Alert.objects.using(PRIMARY).filter(
        Exists(AlertItem.objects.filter(alert=OuterRef("pk"))),
        frequency=frequency,
        confirmed_at__isnull=False,
        address__paused_at__isnull=True,
    )
    if frequency in DIGEST_DUE and not force:
        alerts = alerts.filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - DIGEST_DUE[frequency]))
    if shard is not None:
        alerts = alerts.alias(share=F("id") % settings.ALERTS_SENDERS).filter(share=shard)
    return alerts.select_related("address", "search").order_by("id")


def send_due(frequencies=tuple(Frequency.values), force: bool = False, shards=None) -> int:
    """Send every due alert of `frequencies` (digests before they are due too, with `force`),
    in `shards` (default: all; each shard is one SMTP connection, several run side by side in
    the worker); returns how many e-mails went. A shard already being sent elsewhere is skipped:
    that sender looks again before it stops."""
    sent = 0
    for frequency in frequencies:
        for shard in range(settings.ALERTS_SENDERS) if shards is None else shards:
            key = Frequency.values.index(frequency) * 1000 + shard
            while _lock("pg_try_advisory_lock", key):
                try:
                    sent += _send_all(frequency, force, shard)
                finally:
                    _lock("pg_advisory_unlock", key)
                # Items committed while the lock was held: their job found it taken and left.
                if not due_alerts(frequency, timezone.now(), force, shard).exists():
                    break
    return sent


def _lock(function: str, key: int) -> bool:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [SEND_LOCK, key])
        return cursor.fetchone()[0]


def _send_all(frequency: str, force: bool, shard: int) -> int:
    sent = 0
    connection = mailers.default
    try:
        for alert in due_alerts(frequency, timezone.now(), force, shard):
            sent += send_alert(alert, connection)
    finally:
        connection.close()
    return sent


def _plan(alert: Alert) -> tuple[list[dict], list[AlertItem], list[tuple[int, int]], list[int]]:
    """What to mail to `alert`: (entries, the items it covers, (statement, event) pairs to mark
    seen, seen rows whose retraction is mailed)."""
    items = list(
        AlertItem.objects.using(PRIMARY)
        .filter(alert=alert)
        .select_related("event")
        .defer("event__images", "event__search_vector")
        .order_by("event_id")
    )
    latest = {item.event.statement_id: item.event for item in items}  # the latest event decides
    seen = {row.statement_id: row for row in SeenItem.objects.using(PRIMARY).filter(alert=alert, statement__in=latest)}
    entries, new, retractions = [], [], []
    for statement_id, event in latest.items():
        before = seen.get(statement_id)
        if event.type == EventType.RETRACTED:
            if before is not None and before.retraction_mailed_at is None:
                statement = mail.statement_at(before.event_id, None)
                entries.append(mail.entry(statement, "retracted", mail.retraction_reason(statement_id)))
                retractions.append(before.pk)
        elif before is None and event.status == "published":
            entries.append(mail.entry(mail.statement_at(event.id, event.occurred_at), "new"))
            new.append((statement_id, event.id))
    return entries, items, new, retractions


def send_alert(alert: Alert, connection) -> int:
    """Mail `alert` its due items (one e-mail, or none when nothing is new); 1 if one went."""
    entries, items, new, retractions = _plan(alert)
    sent = 0
    if entries:
        try:
            _send(connection, mail.alert_message(alert, entries))
        except Refused as exc:
            logger.warning("pausing %s: %s", alert.address.email, exc.reason)
            address_pause(address_id=alert.address_id, reason=exc.reason)
            return 0
        sent = 1
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(
            _RECORD,
            {
                "alert": alert.pk,
                "items": [item.pk for item in items],
                "statements": [statement for statement, _ in new],
                "events": [event for _, event in new],
                "retractions": retractions,
                "sent": bool(sent),
            },
        )
    return sent


# What one alert's e-mail changes, in one statement (a round trip, not six): its items go, what
# it mailed is seen, retractions mailed are marked, and when it was sent. Nothing if the alert
# was unsubscribed while its e-mail was out (its rows went with it); locked against that meanwhile.
_RECORD = """
WITH alert AS (SELECT id FROM alerts_alert WHERE id = %(alert)s FOR NO KEY UPDATE),
done AS (DELETE FROM alerts_alertitem WHERE id = ANY(%(items)s) AND alert_id IN (SELECT id FROM alert)),
seen AS (
    INSERT INTO alerts_seenitem (alert_id, statement_id, event_id, created_at, updated_at)
    SELECT alert.id, mailed.statement_id, mailed.event_id, now(), now()
    FROM alert, unnest(%(statements)s::bigint[], %(events)s::bigint[]) AS mailed (statement_id, event_id)
    ON CONFLICT (alert_id, statement_id) DO NOTHING
),
retracted AS (
    UPDATE alerts_seenitem SET retraction_mailed_at = now(), updated_at = now()
    WHERE id = ANY(%(retractions)s) AND alert_id IN (SELECT id FROM alert)
)
UPDATE alerts_alert SET last_sent_at = now() WHERE id IN (SELECT id FROM alert) AND %(sent)s
"""


def _send(connection, message) -> None:
    """Hand `message` to the SMTP server: Refused if it is refused for good (5xx); any other
    failure is raised as it is (the items wait for the next run)."""
    try:
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        answers = list(exc.recipients.values())
        if answers and all(code >= 500 for code, _ in answers):
            raise Refused("; ".join(f"{code} {_text(text)}" for code, text in answers)) from exc
        raise
    except smtplib.SMTPDataError as exc:
        if exc.smtp_code >= 500:
            raise Refused(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        raise
    except smtplib.SMTPException:
        connection.close()  # the next message opens a new one
        raise


def _text(answer) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


def send_confirmation(alert_id: int, frequency: str) -> bool:
    """The confirmation e-mail of a sign-up (or "you already follow this"); False if the alert
    is gone. A permanent refusal is logged and nothing else happens (the address never confirmed)."""
    alert = Alert.objects.using(PRIMARY).select_related("address", "search").filter(pk=alert_id).first()
    if alert is None:
        return False
    connection = mailers.default
    try:
        _send(connection, mail.confirmation_message(alert, frequency))
    except Refused as exc:
        logger.warning("confirmation to %s refused: %s", alert.address.email, exc.reason)
        return False
    finally:
        connection.close()
    return True


def pending_immediate() -> bool:
    """Whether an alert sent as it happens has items waiting (the sweep's question)."""
    return due_alerts(Frequency.IMMEDIATE, timezone.now()).exists()
