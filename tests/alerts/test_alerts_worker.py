"""The alerts with real processes: a real worker (`manage.py procrastinate worker`, started by
the test) sends the confirmation and the alerts to a real SMTP server (aiosmtpd) on 127.0.0.1.
Nothing is timed: every wait is for a condition, with a deadline."""

import re

import pytest
from django.test import Client

from statements import services
from statements.alerts.models import Alert, AlertItem
from tests.conftest import eventually
from tests.factories import GovernmentFactory, StatementFactory
from tests.webhooks.conftest import start_worker  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-test-password")


def publish(editor, code: str, **fields):
    statement = StatementFactory(status="draft", government=GovernmentFactory(code=code), **fields)
    services.statement_publish(statement_id=statement.pk, user=editor)
    return statement


def test_the_worker_mails_the_confirmation_then_only_the_matching_alert(smtp, start_worker, editor):  # noqa: F811
    worker = start_worker(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port))
    client = Client()

    assert client.post("/alerts/", {"email": "desk@example.org", "frequency": "immediate", "filter": "government=DE"})

    (confirmation,) = smtp.wait_for(1)
    path = re.search(r"https://tracker\.test(/alerts/confirm/[^/\s]+/)", confirmation.part("text/plain")).group(1)
    publish(editor, "DE", quote="Before the confirmation.")
    assert client.post(path).status_code == 200
    eventually(lambda: Alert.objects.filter(confirmed_at__isnull=False).exists(), what="the alert confirmed")
    publish(editor, "US", quote="An American remark.")
    german = publish(editor, "DE", quote="A German remark.")

    (alert,) = smtp.wait_for(2)[1:]

    assert alert.rcpt_tos == ["desk@example.org"]
    assert alert.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<https://tracker\.test/alerts/unsubscribe/[^>]+/>, <mailto:[^>]+>", alert.message["List-Unsubscribe"]
    )
    text = alert.part("text/plain")
    assert "A German remark." in text and f"/statements/{german.pk}/" in text
    assert "American" not in text and "Before the confirmation" not in text
    eventually(lambda: not AlertItem.objects.exists(), what="the items marked sent")
    assert len(smtp.received) == 2
    assert worker.process.poll() is None, worker.output()
