"""Following a search by e-mail as a reader does it: Chromium on the live server, a real worker,
a real SMTP server (aiosmtpd). The worker's links point at the live server, so the reader opens
the confirmation link from the e-mail in the same browser."""

import re
import urllib.request

import pytest

from statements import services
from statements.alerts.models import Alert
from tests.alerts.smtp import SmtpServer
from tests.conftest import eventually
from tests.factories import GovernmentFactory, StatementFactory
from tests.webhooks.conftest import Worker

HOSTILE = "\"><script>alert('x')</script> & <b>“bold”</b>"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def worker(transactional_db, live_server, smtp, tmp_path, settings):
    settings.SITE_URL = live_server.url
    started = Worker(tmp_path, TRACKER_SITE_URL=live_server.url, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port))
    yield started
    started.stop()


def publish(code: str, **fields):
    statement = StatementFactory(status="draft", government=GovernmentFactory(code=code), **fields)
    services.statement_publish(statement_id=statement.pk, user=None)
    return statement


def test_following_germany_from_the_list_page(live_server, browser, smtp, worker):
    publish("DE", quote="An earlier German remark.")
    page = browser.new_page()
    page.goto(f"{live_server.url}/statements/?government=DE")
    page.get_by_label("Your e-mail address").fill("reader@example.org")
    page.get_by_label("How often").select_option("immediate")
    page.get_by_role("button", name="Follow").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()

    (confirmation,) = smtp.wait_for(1)
    link = re.search(rf"{re.escape(live_server.url)}/alerts/confirm/[^/\s]+/", confirmation.part("text/plain"))
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").wait_for()
    assert not Alert.objects.filter(confirmed_at__isnull=False).exists()  # opening the link confirms nothing
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Alert confirmed").wait_for()

    publish("US", quote="An American remark.")
    german = publish("DE", quote=f"A German remark {HOSTILE}")
    (alert,) = smtp.wait_for(2)[1:]

    assert alert.rcpt_tos == ["reader@example.org"]
    assert f"/statements/{german.pk}/" in alert.part("text/plain") and "American" not in alert.part("text/plain")
    assert "<script>" not in alert.part("text/html") and "&lt;script&gt;" in alert.part("text/html")
    assert alert.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.match(r"<([^>]+)>", alert.message["List-Unsubscribe"]).group(1)
    request = urllib.request.Request(one_click, data=b"List-Unsubscribe=One-Click", method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
    assert not Alert.objects.exists()
    assert eventually(lambda: worker.process.poll() is None, what="the worker alive"), worker.output()
