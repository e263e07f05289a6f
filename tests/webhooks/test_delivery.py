"""Deliveries, in this process: the fan-out and the drain the worker runs, called directly, to a
real receiver on 127.0.0.1. Signatures are checked with `standardwebhooks` (the receivers'
library); the retry policy, ordering, filters and the forgery rule at delivery time."""

import datetime

import pytest
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob
from standardwebhooks import Webhook, WebhookVerificationError

from statements import events, services
from statements.events import Event
from statements.webhooks import sending
from statements.webhooks import services as webhook_services
from statements.webhooks.models import Attempt, Delivery, Subscription
from tests.factories import GovernmentFactory, StatementFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def local_targets(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_RETRY_DELAYS = [0.0] * 7  # retries are due at once: one drain makes them all
    settings.SITE_URL = "https://tracker.test"
    settings.DEBUG = True  # http to a loopback receiver is for local development only


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-test-password")


def subscribe(receiver, name="newsroom", **kwargs) -> Subscription:
    return webhook_services.subscription_add(name=name, url=receiver.url, **kwargs)


def publish(editor, **fields):
    statement = StatementFactory(status="draft", **fields)
    services.statement_publish(statement_id=statement.pk, user=editor)
    return statement


def deliver_all(*subscriptions) -> None:
    events.fan_out()
    for subscription in subscriptions:
        sending.drain(subscription.pk)


def test_a_delivery_is_the_event_signed_the_standard_webhooks_way(receiver, editor, api):
    subscription = subscribe(receiver)
    statement = publish(editor)

    deliver_all(subscription)

    (request,) = receiver.requests
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    event = Event.objects.get(statement=statement)
    assert request.headers["webhook-id"] == str(event.pk)
    assert request.headers["content-type"] == "application/json"
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert list(payload) == ["type", "timestamp", "data"]
    assert payload["type"] == "statement.published"
    assert payload["data"]["statement"] == api.get(f"/api/v1/statements/{statement.pk}/").json()
    assert payload == {
        "type": event.type,
        "timestamp": api.get(f"/api/v1/events/{event.pk}/").json()["occurred_at"],
        "data": {"statement": api.get(f"/api/v1/events/{event.pk}/").json()["statement"]},
    }
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook_services.generate_secret()).verify(request.body, request.headers)
    delivery = Delivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1
    (attempt,) = Attempt.objects.all()
    assert attempt.succeeded and attempt.status_code == 200 and attempt.address == "127.0.0.1"


def test_after_a_rotation_both_secrets_verify_for_24_hours_then_only_the_new(receiver, editor):
    subscription = subscribe(receiver)
    old = subscription.secret
    rotated = webhook_services.subscription_rotate_secret(subscription=subscription)
    publish(editor)

    deliver_all(subscription)

    request = receiver.requests[0]
    Webhook(old).verify(request.body, request.headers)
    Webhook(rotated.secret).verify(request.body, request.headers)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    later = rotated.previous_secret_until + datetime.timedelta(seconds=1)
    assert webhook_services.signing_secrets(rotated, later) == [rotated.secret]


def test_500_500_200_is_three_attempts_and_one_success(receiver, editor):
    receiver.statuses.extend([500, 500, 200])
    subscription = subscribe(receiver)
    publish(editor)

    deliver_all(subscription)

    delivery = Delivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 3
    attempts = list(Attempt.objects.order_by("attempted_at", "id").values_list("status_code", "succeeded", "error"))
    assert attempts == [(500, False, "HTTP 500"), (500, False, "HTTP 500"), (200, True, "")]
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    subscription.refresh_from_db()
    assert subscription.failures == 0 and subscription.last_success_at is not None


def test_a_failure_schedules_the_retry_on_the_schedule_with_a_job(receiver, editor, settings):
    settings.WEBHOOKS_RETRY_DELAYS = [5, 300, 1800, 7200, 18000, 36000, 36000]
    receiver.statuses.append(503)
    subscription = subscribe(receiver)
    publish(editor)

    deliver_all(subscription)

    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 3 < wait < 6  # 5 s ± 10% jitter
    job = ProcrastinateJob.objects.filter(task_name="webhooks.deliver", status="todo").latest("id")
    assert job.args == {"subscription_id": subscription.pk}
    assert abs((job.scheduled_at - delivery.next_attempt_at).total_seconds()) < 0.01
    assert sum(settings.WEBHOOKS_RETRY_DELAYS) / 3600 == pytest.approx(27.6, abs=0.1)  # "about 28 hours"


def test_eight_failed_attempts_disable_the_subscription_with_the_reason(receiver, editor):
    receiver.statuses.extend([500] * 7 + [429])
    subscription = subscribe(receiver)
    publish(editor)

    deliver_all(subscription)

    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.disabled_reason.startswith("gave up on event ") and "after 8 attempts; last: HTTP 429" in (
        subscription.disabled_reason
    )
    assert Delivery.objects.get().status == "failed"
    assert Attempt.objects.count() == 8


def test_a_410_disables_at_once_and_the_delivery_waits_for_the_subscription(receiver, editor):
    receiver.statuses.append(410)
    subscription = subscribe(receiver)
    publish(editor)

    deliver_all(subscription)

    subscription.refresh_from_db()
    assert not subscription.is_active and "410 Gone" in subscription.disabled_reason
    assert Delivery.objects.get().status == "pending" and Attempt.objects.count() == 1
    webhook_services.subscription_enable(subscription=subscription)
    sending.drain(subscription.pk)
    assert Delivery.objects.get().status == "delivered"


def test_a_refusal_fails_that_delivery_and_the_next_one_goes(receiver, editor):
    receiver.statuses.append(400)
    subscription = subscribe(receiver)
    publish(editor)
    publish(editor)

    deliver_all(subscription)

    assert list(Delivery.objects.order_by("event_id").values_list("status", flat=True)) == ["failed", "delivered"]


def test_deliveries_wait_behind_a_failing_one_so_order_holds(receiver, editor, settings):
    settings.WEBHOOKS_RETRY_DELAYS = [3600] * 7
    receiver.statuses.append(503)
    subscription = subscribe(receiver)
    statement = publish(editor)
    statement.refresh_from_db()
    statement.stance = "welcoming"
    services.statement_save(statement=statement, user=editor, note="Recoded.")

    deliver_all(subscription)

    assert len(receiver.requests) == 1  # the correction waits for the publish it corrects
    assert list(Delivery.objects.order_by("event_id").values_list("status", flat=True)) == ["pending", "pending"]
    Delivery.objects.update(next_attempt_at=timezone.now())
    sending.drain(subscription.pk)
    assert [r.json["type"] for r in receiver.requests] == [
        "statement.published",
        "statement.published",
        "statement.corrected",
    ]


def test_filters_event_types_and_the_subscription_start_decide_who_gets_what(make_receiver, editor):
    everything, german, retractions, late = (make_receiver() for _ in range(4))
    subscriptions = [
        subscribe(everything, "everything"),
        subscribe(german, "german", filter="government=de&stance=restrictive"),
        subscribe(retractions, "retractions", event_types=["statement.retracted"]),
    ]
    us = publish(editor, government=GovernmentFactory(code="US"))
    de = publish(editor, government=GovernmentFactory(code="DE"), stance="restrictive")
    draft = StatementFactory(status="draft", government=GovernmentFactory(code="DE"))
    events.fan_out()
    subscriptions.append(subscribe(late, "late"))
    services.statement_retract(statement_id=us.pk, user=editor, reason="Withdrawn.")

    deliver_all(*subscriptions)

    def statements(receiver):
        return [(r.json["type"], r.json["data"]["statement"]["id"]) for r in receiver.requests]

    assert statements(everything) == [
        ("statement.published", us.pk),
        ("statement.published", de.pk),
        ("statement.retracted", us.pk),
    ]
    assert statements(german) == [("statement.published", de.pk)]
    assert statements(retractions) == [("statement.retracted", us.pk)]
    assert statements(late) == [("statement.retracted", us.pk)]
    assert not Event.objects.filter(statement=draft).exists()


def test_a_private_target_is_refused_at_delivery_time_and_nothing_is_sent(receiver, editor, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    port = receiver.server.server_address[1]
    subscription = Subscription.objects.create(
        name="sneaky", url=f"http://0x7f000001:{port}/hooks", secret=webhook_services.generate_secret()
    )
    publish(editor)

    deliver_all(subscription)

    assert receiver.requests == []
    attempts = list(Attempt.objects.all())
    assert len(attempts) == 8  # retried like a connection error, then the subscription gave up
    assert {a.error for a in attempts} == {"refused: 0x7f000001 resolves to 127.0.0.1, a loopback address"}
    assert all(a.status_code is None and not a.succeeded for a in attempts)
    subscription.refresh_from_db()
    assert not subscription.is_active and "refused" in subscription.disabled_reason


def test_the_sweep_defers_a_due_delivery_that_lost_its_job(receiver, editor):
    subscription = subscribe(receiver)
    publish(editor)
    events.fan_out()
    ProcrastinateJob.objects.filter(task_name="webhooks.deliver").delete()  # as if the job were lost

    assert sending.sweep() == [subscription.pk]
    assert ProcrastinateJob.objects.filter(task_name="webhooks.deliver", status="todo").count() == 1
    assert sending.sweep() == []  # it has a job now


def test_only_one_drain_of_a_subscription_runs_at_a_time(receiver, editor):
    """A second drain while one holds the subscription returns at once, sending nothing."""
    import psycopg
    from django.db import connection

    from tests.conftest import database_url

    subscription = subscribe(receiver)
    publish(editor)
    events.fan_out()
    holder = psycopg.connect(database_url(connection.settings_dict["NAME"]), autocommit=True)
    try:
        holder.execute("SELECT pg_advisory_lock(%s, %s)", [sending.DRAIN_LOCK, subscription.pk])
        assert sending.drain(subscription.pk) == 0
        assert receiver.requests == []
        holder.execute("SELECT pg_advisory_unlock(%s, %s)", [sending.DRAIN_LOCK, subscription.pk])
    finally:
        holder.close()
    assert sending.drain(subscription.pk) == 1


def test_redeliver_sends_a_delivered_event_again_with_the_same_id(receiver, editor):
    subscription = subscribe(receiver)
    publish(editor)
    deliver_all(subscription)

    assert webhook_services.delivery_redeliver(deliveries=list(Delivery.objects.all())) == 1
    sending.drain(subscription.pk)

    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    assert receiver.requests[0].body == receiver.requests[1].body
