"""Managing subscriptions: `manage.py subscriptions` and the admin's real pages (WebTest)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from standardwebhooks import Webhook

from statements.events import Event
from statements.webhooks import services
from statements.webhooks.models import Attempt, Delivery, Subscription
from tests.factories import StatementFactory


@pytest.fixture(autouse=True)
def local(settings):
    settings.DEBUG = True


def run(*args) -> str:
    out = io.StringIO()
    call_command("subscriptions", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_secret_alone_on_its_last_line(db):
    output = run(
        "add", "dpa-desk", "https://hooks.dpa.example/tracker", "--filter", "stance=restrictive&government=fi,de"
    )

    secret = output.rstrip("\n").splitlines()[-1]
    subscription = Subscription.objects.get(name="dpa-desk")
    assert secret == subscription.secret and secret.startswith("whsec_")
    Webhook(secret)  # a secret the receivers' library reads
    assert subscription.filter == "government=DE,FI&stance=restrictive"  # the canonical spelling
    assert subscription.event_types == [
        "statement.published",
        "statement.corrected",
        "statement.retracted",
        "statement.reinstated",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "stanse=restrictive"], "stanse: Unknown parameter"),
        (["--filter", "government=XX"], "government: 'XX' is not a government code"),
        (["--filter", "speaker=nobody-at-all"], "speaker: Unknown speaker"),
        (["--filter", "updated_since=2022-01-01"], "updated_since: Not a subscription filter"),
        (["--events", "statement.deleted"], "Unknown event type statement.deleted"),
    ],
)
def test_add_refuses_a_bad_filter_or_event_type_naming_it(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("add", "desk", "https://hooks.example/in", *args)
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example/in", "Use https"),
        ("https://10.1.2.3/in", "10.1.2.3 is a private address"),
        ("https://[::1]/in", "::1 is a loopback address"),
        ("https://user:pw@hooks.example/in", "credentials in the URL"),
        ("ftp://hooks.example/in", "not an http"),
    ],
)
def test_add_refuses_urls_that_cannot_be_targets(db, url, message):
    with pytest.raises(CommandError, match=message):
        run("add", "desk", url)


def test_http_to_loopback_is_for_local_development_only(db, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    run("add", "local", "http://127.0.0.1:9000/hooks")
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Use https"):
        run("add", "local-2", "http://127.0.0.1:9000/hooks")


def test_list_disable_enable_and_rotate(db):
    run("add", "desk", "https://hooks.example/in")
    subscription = Subscription.objects.get()
    subscription.failures, subscription.last_success_at = 2, datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
    subscription.save()

    assert "desk\tactive\thttps://hooks.example/in\tlast success: 2026-12-01 09:30:00 UTC\tfailures in a row: 2" in run(
        "list"
    )
    run("disable", "desk", "--reason", "the desk moved to a new system")
    assert "desk\tdisabled: the desk moved to a new system\t" in run("list")
    run("enable", "desk")
    old = subscription.secret
    rotated = run("rotate-secret", "desk").rstrip("\n").splitlines()
    subscription.refresh_from_db()
    assert rotated[-1] == subscription.secret != old
    assert subscription.previous_secret == old and "also signs until" in rotated[0]
    with pytest.raises(CommandError, match="No subscription is named 'nobody'"):
        run("disable", "nobody")


def test_the_admin_creates_a_subscription_and_shows_its_secret_once(db, admin_app, staff_user):
    app = admin_app(staff_user)
    form = app.get("/admin/webhooks/subscription/add/").forms["subscription_form"]
    form["name"] = "afp-desk"
    form["url"] = "https://hooks.afp.example/tracker"
    form["filter"] = "government=FI&stanse=x"
    refused = form.submit()
    assert "stanse: Unknown parameter" in refused.text
    form = refused.forms["subscription_form"]
    form["filter"] = "government=FI"
    page = form.submit()

    subscription = Subscription.objects.get(name="afp-desk")
    assert page.status_code == 200 and subscription.secret in page.text
    assert subscription.secret not in app.get(f"/admin/webhooks/subscription/{subscription.pk}/change/").text
    assert subscription.secret not in str(app.cookies)


def test_the_admin_rotates_disables_and_redelivers(transactional_db, admin_app, staff_user, settings, receiver):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    from statements import events
    from statements.webhooks import sending

    subscription = services.subscription_add(name="desk", url=receiver.url)
    StatementFactory(status="published")
    events.fan_out()
    sending.drain(subscription.pk)
    app = admin_app(staff_user)

    changelist = app.get("/admin/webhooks/subscription/").forms["changelist-form"]
    changelist["action"] = "rotate_secret"
    changelist["_selected_action"] = [str(subscription.pk)]
    page = changelist.submit("index", index=0)
    subscription.refresh_from_db()
    assert subscription.secret in page.text and subscription.previous_secret

    delivery = Delivery.objects.get()
    detail = app.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")
    assert "127.0.0.1" in detail.text and "200" in detail.text  # the attempt: address, status
    deliveries = app.get(f"/admin/webhooks/delivery/?subscription__id__exact={subscription.pk}").forms[
        "changelist-form"
    ]
    deliveries["action"] = "redeliver"
    deliveries["_selected_action"] = [str(delivery.pk)]
    deliveries.submit("index", index=0).follow()
    sending.drain(subscription.pk)
    assert len(receiver.requests) == 2 and Attempt.objects.count() == 2
    assert receiver.requests[1].headers["webhook-id"] == str(Event.objects.get().pk)

    changelist = app.get("/admin/webhooks/subscription/").forms["changelist-form"]
    changelist["action"] = "disable"
    changelist["_selected_action"] = [str(subscription.pk)]
    changelist.submit("index", index=0).follow()
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_reason == "disabled by editor in the admin"
