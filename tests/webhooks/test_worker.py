"""The whole path with real processes: edits commit in this process, a real worker
(`manage.py procrastinate worker`, started by the test) fans the events out and delivers them
to a real HTTP receiver on 127.0.0.1, which verifies them with `standardwebhooks`. Nothing is
timed: every wait is for a condition, with a deadline."""

import datetime
import json
import signal
import threading

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from statements import services
from statements.events import Event
from statements.models import Statement
from statements.webhooks import services as webhook_services
from statements.webhooks.models import Attempt, Delivery, Subscription
from tests.conftest import ROOT, eventually, import_text, import_topics
from tests.factories import GovernmentFactory, StatementFactory
from tests.statements.admin_pages import run_action

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def local_development(settings):
    settings.DEBUG = True  # subscriptions to http://127.0.0.1 are for local development
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-test-password")


def publish(editor, **fields) -> Statement:
    statement = StatementFactory(status="draft", **fields)
    services.statement_publish(statement_id=statement.pk, user=editor)
    return statement


def test_publishing_in_the_admin_sends_one_signed_delivery(receiver, start_worker, editor, admin_app, api):
    worker = start_worker()
    subscription = webhook_services.subscription_add(name="desk", url=receiver.url)
    draft = StatementFactory(status="draft")

    run_action(admin_app(editor), "publish", [draft.pk])

    (request,) = receiver.wait_for(1)
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    assert payload["type"] == "statement.published"
    assert payload["data"]["statement"] == api.get(f"/api/v1/statements/{draft.pk}/").json()
    assert request.headers["webhook-id"] == str(Event.objects.get(statement=draft).pk)
    eventually(lambda: Delivery.objects.filter(status="delivered").count() == 1, what="the delivery recorded")
    assert worker.process.poll() is None, worker.output()


def test_a_correction_and_a_retraction_arrive_in_order_and_the_log_replays_them(receiver, start_worker, editor, api):
    start_worker()
    subscription = webhook_services.subscription_add(name="desk", url=receiver.url)
    statement = publish(editor)
    statement.refresh_from_db()
    statement.stance = "welcoming"
    services.statement_save(statement=statement, user=editor, note="Recoded after the full transcript.")
    services.statement_retract(statement_id=statement.pk, user=editor, reason="Misattributed.")

    requests = receiver.wait_for(3)

    payloads = [Webhook(subscription.secret).verify(r.body, r.headers) for r in requests]
    assert [p["type"] for p in payloads] == ["statement.published", "statement.corrected", "statement.retracted"]
    ids = [int(r.headers["webhook-id"]) for r in requests]
    assert ids == sorted(ids)
    replayed = api.get("/api/v1/events/", {"after": ids[0] - 1}).json()["results"]
    assert [
        {"type": e["type"], "timestamp": e["occurred_at"], "data": {"statement": e["statement"]}} for e in replayed
    ] == (payloads)
    assert [e["id"] for e in replayed] == ids


def test_drafts_send_nothing_and_a_german_subscription_gets_nothing_for_a_us_statement(
    make_receiver, start_worker, editor
):
    start_worker()
    everything, german = make_receiver(), make_receiver()
    webhook_services.subscription_add(name="everything", url=everything.url)
    webhook_services.subscription_add(name="german", url=german.url, filter="government=DE")
    StatementFactory(status="draft", government=GovernmentFactory(code="DE"))
    us = publish(editor, government=GovernmentFactory(code="US"))

    (request,) = everything.wait_for(1)

    assert request.json["data"]["statement"]["id"] == us.pk
    # One fan-out decided for both subscriptions: the German one has no delivery at all.
    assert not Delivery.objects.filter(subscription__name="german").exists()
    assert german.requests == []


def test_500_500_200_is_three_attempts_and_one_success(receiver, start_worker, editor):
    start_worker()
    receiver.statuses.extend([500, 500, 200])
    webhook_services.subscription_add(name="desk", url=receiver.url)
    publish(editor)

    requests = receiver.wait_for(3)

    delivery = eventually(lambda: Delivery.objects.filter(status="delivered").first(), what="the delivery")
    assert delivery.attempts == 3
    assert sorted(Attempt.objects.values_list("status_code", flat=True)) == [200, 500, 500]
    assert len({r.headers["webhook-id"] for r in requests}) == 1


def test_a_410_disables_the_subscription(receiver, start_worker, editor):
    start_worker()
    receiver.statuses.append(410)
    subscription = webhook_services.subscription_add(name="gone", url=receiver.url)
    publish(editor)

    eventually(lambda: not Subscription.objects.get(pk=subscription.pk).is_active, what="the subscription disabled")

    assert "410 Gone" in Subscription.objects.get(pk=subscription.pk).disabled_reason
    assert len(receiver.requests) == 1


def test_a_rolled_back_write_sends_nothing(receiver, start_worker, editor):
    start_worker()
    webhook_services.subscription_add(name="desk", url=receiver.url)
    rolled_back = StatementFactory(status="draft")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.statement_publish(statement_id=rolled_back.pk, user=editor)
        raise RuntimeError("the request failed after publishing")
    kept = publish(editor)

    (request,) = receiver.wait_for(1)

    assert request.json["data"]["statement"]["id"] == kept.pk
    assert not Event.objects.filter(statement=rolled_back).exists()


def test_an_import_of_1000_statements_delivers_exactly_the_matching_ones(receiver, start_worker):
    start_worker()
    subscription = webhook_services.subscription_add(
        name="nordics", url=receiver.url, filter="government=FI,SE&stance=restrictive"
    )
    import_topics()
    template = json.loads((ROOT / "seeds" / "statements-2022.jsonl").read_text(encoding="utf-8").splitlines()[0])
    codes, stances = ["FI", "SE", "DE", "US", "PL"], ["restrictive", "welcoming", "neutral"]
    lines = []
    for n in range(1000):
        # One remark a day: the import compares remarks of one speaker on one day with each other.
        said_on = (datetime.date(2020, 1, 1) + datetime.timedelta(days=n)).isoformat()
        record = dict(template, government=codes[n % 5], stance=stances[n % 3], said_on=said_on, quote=f"Remark {n}.")
        record.pop("corrections", None)
        lines.append(json.dumps(record))
    matching = sum(1 for n in range(1000) if codes[n % 5] in ("FI", "SE") and stances[n % 3] == "restrictive")

    report = import_text("\n".join(lines) + "\n")
    assert report.ok and report.created == 1000, report.errors

    requests = receiver.wait_for(matching, timeout=120)
    eventually(
        lambda: Delivery.objects.filter(subscription=subscription, status="delivered").count() == matching,
        timeout=60,
        what="every matching delivery recorded",
    )
    assert Delivery.objects.filter(subscription=subscription).count() == matching == len(requests) == 134
    delivered = {r.json["data"]["statement"]["id"] for r in requests}
    expected = set(
        Statement.objects.filter(government__in=["FI", "SE"], stance="restrictive").values_list("id", flat=True)
    )
    assert delivered == expected
    ids = [int(r.headers["webhook-id"]) for r in requests]
    assert ids == sorted(ids)  # one subscription: in event order


def test_a_worker_killed_mid_delivery_delivers_after_a_restart_with_the_same_id(receiver, start_worker, editor):
    first = start_worker()
    receiver.held = threading.Event()  # the receiver holds the first request: the worker is mid-delivery
    subscription = webhook_services.subscription_add(name="desk", url=receiver.url)
    publish(editor)
    (held,) = receiver.wait_for(1)

    first.kill(signal.SIGKILL)
    receiver.held.set()  # its answer goes nowhere: nobody recorded it
    receiver.held = None
    assert Delivery.objects.get().status == "pending" and not Attempt.objects.exists()
    start_worker()

    requests = receiver.wait_for(2, timeout=60)

    assert requests[1].headers["webhook-id"] == held.headers["webhook-id"]
    assert requests[1].body == held.body
    Webhook(subscription.secret).verify(requests[1].body, requests[1].headers)
    eventually(lambda: Delivery.objects.get().status == "delivered", what="the delivery recorded")
