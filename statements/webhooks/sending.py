"""Sending deliveries: one subscription at a time, in event order, retried on Svix's schedule.

A subscription's pending deliveries go out oldest event first, one at a time: a delivery that
fails waits for its retry and nothing after it goes first, so a receiver never gets a
correction before the publish it corrects. Only one drain of a subscription runs at a time (a
session-level advisory lock, given back if the worker dies); a second drain returns at once,
and the first looks again after letting go, so a delivery committed meanwhile never waits for
the sweep. No database transaction is open while a request is out.

Outcomes of an attempt:
- 2xx: delivered; the subscription's failure count starts again at 0;
- timeout, connection error (a refused address included), 429, 5xx: retried after
  WEBHOOKS_RETRY_DELAYS (±10% jitter); after the last attempt the subscription is disabled,
  with the reason;
- 410 Gone: the subscription is disabled at once (the delivery stays pending for the day it
  is enabled again);
- any other answer (a redirect, which is never followed; another 4xx): that delivery has
  failed (the receiver said no: staff may redeliver it) and the next one goes;
- every failed attempt counts; as many failures in a row as there are attempts in the retry
  schedule disable the subscription.
"""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks import Webhook

from statements.events import PRIMARY
from statements.webhooks.models import Attempt, Delivery, DeliveryStatus, Subscription
from statements.webhooks.outbound import Answer, Network, post
from statements.webhooks.services import signing_secrets, subscription_disable

DRAIN_LOCK = 5526093  # pg_try_advisory_lock(DRAIN_LOCK, subscription id)
USER_AGENT = "StatementTracker-Webhooks/1"
JITTER = 0.1


def max_attempts() -> int:
    return len(settings.WEBHOOKS_RETRY_DELAYS) + 1


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long after failed attempt number `attempts` (1-based) the next one is made."""
    base = settings.WEBHOOKS_RETRY_DELAYS[attempts - 1]
    return datetime.timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def drain(subscription_id: int, network: Network | None = None) -> int:
    """Send what is due to one subscription; returns how many deliveries were delivered."""
    delivered = 0
    while True:
        if not _lock(subscription_id, "pg_try_advisory_lock"):
            return delivered
        try:
            delivered += _drain_held(subscription_id, network)
        finally:
            _lock(subscription_id, "pg_advisory_unlock")
        if not _head(subscription_id, due_only=True):
            return delivered


def _lock(subscription_id: int, function: str) -> bool:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [DRAIN_LOCK, subscription_id])
        return cursor.fetchone()[0]


def _head(subscription_id: int, due_only: bool = False) -> Delivery | None:
    """The subscription's oldest pending delivery (if it is active), or None; only if due."""
    head = (
        Delivery.objects.using(PRIMARY)
        .filter(subscription_id=subscription_id, subscription__is_active=True, status=DeliveryStatus.PENDING)
        .select_related("subscription", "event")
        .defer("event__images", "event__search_vector")
        .order_by("event_id", "id")
        .first()
    )
    if head is not None and due_only and head.next_attempt_at > timezone.now():
        return None
    return head


def _drain_held(subscription_id: int, network: Network | None) -> int:
    from api.events import webhook_body

    delivered = 0
    while True:
        head = _head(subscription_id)
        if head is None or head.next_attempt_at > timezone.now():
            return delivered
        subscription = head.subscription
        body = webhook_body(head.event_id, head.event.occurred_at)
        started = timezone.now()
        answer = post(
            subscription.url,
            body.encode(),
            signed_headers(subscription, head.event_id, body, started),
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
            network=network,
        )
        outcome = record(subscription_id, head.pk, answer, started)
        delivered += outcome.delivered
        if not outcome.go_on:
            return delivered


def signed_headers(subscription: Subscription, event_id: int, body: str, now: datetime.datetime) -> dict[str, str]:
    """Standard Webhooks headers: the event id (the idempotency key), the time, and a v1
    signature of "id.timestamp.body" per secret (two during a rotation's overlap)."""
    message_id = str(event_id)
    signatures = " ".join(Webhook(secret).sign(message_id, now, body) for secret in signing_secrets(subscription, now))
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    go_on: bool  # the next delivery may go now


def _error(answer: Answer) -> str:
    if answer.status is None:
        return answer.error or "no answer"
    if 300 <= answer.status < 400:
        return f"redirect ({answer.status}) not followed"
    return f"HTTP {answer.status}"


def record(subscription_id: int, delivery_id: int, answer: Answer, started: datetime.datetime) -> Outcome:
    """Log the attempt and decide what follows (module docstring), in one transaction."""
    from statements.jobs import defer
    from statements.webhooks.tasks import deliver

    ok = answer.status is not None and 200 <= answer.status < 300
    if ok:
        return _record_success(subscription_id, delivery_id, answer, started)
    with transaction.atomic(using=PRIMARY):
        subscription = Subscription.objects.using(PRIMARY).select_for_update().get(pk=subscription_id)
        delivery = Delivery.objects.using(PRIMARY).select_for_update().get(pk=delivery_id)
        Attempt.objects.using(PRIMARY).create(
            delivery=delivery,
            attempted_at=started,
            status_code=answer.status,
            latency_ms=answer.latency_ms,
            address=answer.address,
            error="" if ok else _error(answer),
            succeeded=ok,
        )
        now = timezone.now()
        if delivery.status != DeliveryStatus.PENDING:  # redelivered or changed meanwhile
            return Outcome(delivered=False, go_on=False)
        delivery.attempts += 1
        subscription.failures += 1
        subscription.last_failure_at = now
        decision = _decide(subscription, delivery, answer, now)
        delivery.save(using=PRIMARY)
        subscription.save(using=PRIMARY, update_fields=["failures", "last_success_at", "last_failure_at", "updated_at"])
        if decision.reason:
            subscription_disable(subscription=subscription, reason=decision.reason)
        elif delivery.status == DeliveryStatus.PENDING:
            defer(deliver, at=delivery.next_attempt_at, subscription_id=subscription_id)
        return Outcome(delivered=False, go_on=decision.go_on and not decision.reason)


def _record_success(subscription_id: int, delivery_id: int, answer: Answer, started: datetime.datetime) -> Outcome:
    """The common case in three statements, no row read back: the delivery is delivered (if it
    is still pending: a redelivery or a change meanwhile wins), the failure count back to 0."""
    now = timezone.now()
    with transaction.atomic(using=PRIMARY):
        delivered = (
            Delivery.objects.using(PRIMARY)
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .update(
                status=DeliveryStatus.DELIVERED,
                delivered_at=now,
                next_attempt_at=None,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
        )
        Attempt.objects.using(PRIMARY).create(
            delivery_id=delivery_id,
            attempted_at=started,
            status_code=answer.status,
            latency_ms=answer.latency_ms,
            address=answer.address,
            succeeded=True,
        )
        Subscription.objects.using(PRIMARY).filter(pk=subscription_id).update(
            failures=0, last_success_at=now, updated_at=now
        )
    return Outcome(delivered=bool(delivered), go_on=bool(delivered))


@dataclass(frozen=True)
class _Decision:
    go_on: bool
    reason: str = ""  # disable the subscription, saying why


def _decide(subscription: Subscription, delivery: Delivery, answer: Answer, now) -> _Decision:
    error = _error(answer)
    if answer.status == 410:
        delivery.next_attempt_at = now
        return _Decision(go_on=False, reason=f"the receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC")
    retryable = answer.status is None or answer.status == 429 or answer.status >= 500
    if retryable and delivery.attempts < max_attempts():
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        decision = _Decision(go_on=False)
    elif retryable:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        return _Decision(
            go_on=False,
            reason=f"gave up on event {delivery.event_id} after {delivery.attempts} attempts; last: {error}",
        )
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        decision = _Decision(go_on=True)
    if subscription.failures >= max_attempts():
        return _Decision(go_on=False, reason=f"{subscription.failures} failed attempts in a row; last: {error}")
    return decision


_SWEEP = """
SELECT DISTINCT d.subscription_id
FROM webhooks_delivery AS d
JOIN webhooks_subscription AS s ON s.id = d.subscription_id AND s.is_active
WHERE d.status = 'pending' AND d.next_attempt_at <= now()
  AND NOT EXISTS (
      SELECT 1 FROM procrastinate_jobs AS j
      WHERE j.task_name = %s
        AND (j.args ->> 'subscription_id')::bigint = d.subscription_id
        AND (j.status = 'doing' OR (j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())))
  )
ORDER BY 1
"""


def sweep() -> list[int]:
    """Defer a delivery job for every subscription with a due delivery and no job that will run
    now (its job was lost: a crash between a commit and a deferral, or a job that failed);
    returns those subscriptions."""
    from statements.jobs import defer_many
    from statements.webhooks.tasks import deliver

    with transaction.atomic(using=PRIMARY), connections[PRIMARY].cursor() as cursor:
        cursor.execute(_SWEEP, [deliver.name])
        orphans = [row[0] for row in cursor.fetchall()]
        defer_many(deliver, [{"subscription_id": pk} for pk in orphans])
    return orphans
