"""E-mail alerts in this process: the pages a reader posts to (Django's test client, as the
follow form sends), the fan-out and the sending the worker runs, called directly, to a real SMTP
server (aiosmtpd) on 127.0.0.1. The worker itself: tests/alerts/test_alerts_worker.py."""

import datetime
import re
import subprocess
import sys
import urllib.parse
from html.parser import HTMLParser

import pytest
from django.core import signing
from django.test import Client
from procrastinate.contrib.django.models import ProcrastinateJob

from statements import events, services
from statements.alerts import sending, tokens
from statements.alerts.models import Address, Alert, AlertItem, SavedSearch, SeenItem
from tests.alerts.smtp import SmtpServer
from tests.conftest import ROOT
from tests.factories import GovernmentFactory, SpeakerFactory, StatementFactory
from tests.html_checker import nu_errors

pytestmark = pytest.mark.django_db(transaction=True)
HOSTILE = "\"><script>alert('x')</script> & <b>“bold”</b> ' \" </p>"


@pytest.fixture(autouse=True)
def generous_sign_ups(settings):
    settings.ALERTS_SIGNUP_RATE_PER_ADDRESS = "100/hour"
    settings.ALERTS_SIGNUP_RATE_PER_CLIENT = "100/hour"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-test-password")


def publish(editor, code="DE", **fields):
    statement = StatementFactory(status="draft", government=GovernmentFactory(code=code), **fields)
    services.statement_publish(statement_id=statement.pk, user=editor)
    return statement


def sign_up(client, email="reader@example.org", frequency="immediate", filter="government=DE"):
    return client.post("/alerts/", {"email": email, "frequency": frequency, "filter": filter})


_done: set[int] = set()


def run_confirmation_jobs() -> int:
    """What the worker does with the queued confirmation jobs: run each once; how many sent one
    (the jobs table outlives a test: earlier tests' jobs find their alert gone and send nothing)."""
    sent = 0
    for job in ProcrastinateJob.objects.filter(task_name="alerts.send_confirmation").order_by("id"):
        if job.id not in _done:
            _done.add(job.id)
            sent += sending.send_confirmation(**job.args)
    return sent


def link_in(text: str, name: str) -> str:
    return re.search(rf"https://tracker\.test(/alerts/{name}/[^/\s]+/)", text).group(1)


def confirmed(client, smtp, **kwargs) -> Alert:
    """Sign up, get the confirmation e-mail, press Confirm on its page."""
    before = len(smtp.received)
    assert sign_up(client, **kwargs).status_code == 200
    run_confirmation_jobs()
    (mail,) = smtp.wait_for(before + 1)[before:]
    assert client.post(link_in(mail.part("text/plain"), "confirm")).status_code == 200
    return Alert.objects.get(address__email=kwargs.get("email", "reader@example.org"))


def deliver() -> int:
    events.fan_out()
    return sending.send_due()


class Texts(HTMLParser):
    """The text of an HTML part, and whether it has any element it should not."""

    def __init__(self):
        super().__init__()
        self.text, self.tags = [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_sign_up_confirm_then_one_alert_with_both_unsubscribe_headers(smtp, editor):
    client = Client()
    page = sign_up(client)
    assert page.status_code == 200 and b"Check your inbox" in page.content
    assert run_confirmation_jobs() == 1
    (confirmation,) = smtp.wait_for(1)
    assert confirmation.rcpt_tos == ["reader@example.org"]
    assert "List-Unsubscribe" not in confirmation.message  # not an alert: nothing to unsubscribe from
    confirm_path = link_in(confirmation.part("text/plain"), "confirm")
    assert confirm_path in confirmation.part("text/html")

    # A link scanner fetching the link confirms nothing; the page's button does.
    shown = client.get(confirm_path)
    assert shown.status_code == 200 and b">Confirm</button>" in shown.content
    assert Alert.objects.get().confirmed_at is None
    publish(editor, "DE")
    assert deliver() == 0 and len(smtp.received) == 1  # nothing before confirmation
    assert client.post(confirm_path).status_code == 200
    assert Alert.objects.get().confirmed_at is not None

    german = publish(editor, "DE", quote="Germany will process every claim.")
    publish(editor, "US")
    assert deliver() == 1

    (alert,) = smtp.wait_for(2)[1:]
    assert b"\nList-Unsubscribe: <https://tracker.test/alerts/unsubscribe/" in alert.raw  # plain, not RFC 2047
    https, mailto = re.fullmatch(r"<(https://[^>]+)>, <(mailto:[^>]+)>", alert.message["List-Unsubscribe"]).groups()
    assert https.startswith("https://tracker.test/alerts/unsubscribe/")
    assert mailto.startswith("mailto:alerts@localhost?subject=unsubscribe%20")
    assert alert.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = alert.part("text/plain")
    assert "Germany will process every claim." in text and f"https://tracker.test/statements/{german.pk}/" in text
    assert "27 September 2022" in text and "Stance: restrictive" in text and "Example News" in text
    assert deliver() == 0  # mailed once


def test_the_one_click_post_unsubscribes_and_a_get_does_not(smtp, editor):
    client = Client()
    confirmed(client, smtp)
    publish(editor, "DE")
    deliver()
    alert_mail = smtp.wait_for(2)[1]
    url = re.match(r"<https://tracker\.test([^>]+)>", alert_mail.message["List-Unsubscribe"]).group(1)

    assert client.get(url).status_code == 200 and Alert.objects.exists()
    # What a mail client sends (RFC 8058): no cookie, no CSRF token.
    answer = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert answer.status_code == 200 and b"Unsubscribed" in answer.content
    assert not Alert.objects.exists()
    publish(editor, "DE")
    assert deliver() == 0


def test_hostile_text_is_escaped_in_the_html_part_which_the_nu_checker_finds_valid(smtp, editor, tmp_path):
    client = Client()
    confirmed(client, smtp)
    speaker = SpeakerFactory(name=f"Mallory {HOSTILE}")
    publish(editor, "DE", quote=f"We say {HOSTILE}", role=f"Minister {HOSTILE}", speaker=speaker)
    deliver()

    html = smtp.wait_for(2)[1].part("text/html")
    parsed = Texts()
    parsed.feed(html)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert "".join(parsed.text).count(HOSTILE.strip()) >= 3  # quote, speaker, role: shown as text
    assert "<script>" not in html
    confirmation = smtp.received[0].part("text/html")
    assert nu_errors({"alert": html.encode(), "confirmation": confirmation.encode()}, tmp_path) == []


def test_a_daily_digest_groups_three_statements_and_a_retraction_of_one_is_mailed_as_such(smtp, editor):
    client = Client()
    alert = confirmed(client, smtp, frequency="daily")
    statements = [publish(editor, "DE", quote=f"Remark {n} on the border.") for n in range(3)]
    events.fan_out()
    assert AlertItem.objects.filter(alert=alert).count() == 3
    assert sending.send_due(["immediate"]) == 0  # a digest waits for its time

    call = subprocess.run(
        [sys.executable, "manage.py", "send_alerts", "--frequency", "daily"],
        cwd=ROOT,
        env=_env_for_this_database(smtp),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert call.returncode == 0, call.stderr
    assert call.stdout.strip() == "sent 1 e-mail (daily)"
    (digest,) = smtp.wait_for(2)[1:]
    assert digest.message["Subject"] == "Daily digest: 3 statements (government DE)"
    text = digest.part("text/plain")
    assert all(f"Remark {n} on the border." in text for n in range(3))
    assert SeenItem.objects.filter(alert=alert).count() == 3

    services.statement_retract(statement_id=statements[0].pk, user=editor, reason="Misattributed by the source.")
    statements[1].refresh_from_db()
    statements[1].stance = "welcoming"
    services.statement_save(statement=statements[1], user=editor, note="Recoded after the transcript.")
    events.fan_out()
    assert sending.send_due(["daily"]) == 0  # not due: the last digest went less than a day ago
    assert sending.send_due(["daily"], force=True) == 1

    retraction = smtp.wait_for(3)[2]
    text = retraction.part("text/plain")
    assert "RETRACTED" in text and "Remark 0 on the border." in text and "Misattributed by the source." in text
    assert "Remark 1" not in text  # a correction of a statement mailed already is not mailed again


def _env_for_this_database(smtp) -> dict:
    import os

    from django.db import connection

    from tests.conftest import database_url

    return {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "TRACKER_SITE_URL": "https://tracker.test",
    }


def test_an_address_refused_for_good_is_paused(smtp, editor):
    client = Client()
    confirmed(client, smtp, email="gone@example.org")
    smtp.refused.add("gone@example.org")
    publish(editor, "DE")

    assert deliver() == 0

    address = Address.objects.get(email="gone@example.org")
    assert address.paused_at is not None and "550 5.1.1" in address.paused_reason
    assert not AlertItem.objects.exists()
    publish(editor, "DE")
    events.fan_out()
    assert not AlertItem.objects.exists()  # nothing is queued for a paused address


def test_sign_up_says_the_same_whether_or_not_the_address_follows_anything(smtp):
    client = Client()
    first = sign_up(client, email="someone@example.org")
    again = sign_up(client, email="Someone@Example.org")
    stranger = sign_up(client, email="nobody@example.org")
    assert first.content == again.content == stranger.content.replace(b"nobody", b"someone")
    assert Alert.objects.count() == 2 and Address.objects.filter(email="someone@example.org").exists()


def test_identical_searches_share_one_saved_search(smtp):
    client = Client()
    sign_up(client, email="a@example.org", filter="stance=restrictive&government=fi,DE")
    sign_up(client, email="b@example.org", filter="government=DE&government=FI&stance=restrictive")
    assert list(SavedSearch.objects.values_list("filter", flat=True)) == ["government=DE,FI&stance=restrictive"]


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"email": "not an address", "frequency": "daily", "filter": ""}, b"email:"),
        ({"email": "a@example.org", "frequency": "hourly", "filter": ""}, b"frequency:"),
        ({"email": "a@example.org", "frequency": "daily", "filter": "stanse=restrictive"}, b"filter: stanse"),
        ({"email": "a@example.org", "frequency": "daily", "filter": "government=XX"}, b"filter: government"),
        ({"email": "a@\x00example.org", "frequency": "daily", "filter": "q=%00"}, b"email:"),
    ],
)
def test_bad_input_is_a_400_page_naming_the_field(data, named):
    answer = Client().post("/alerts/", data)
    assert answer.status_code == 400 and named in answer.content
    assert not Alert.objects.exists()


def test_sign_ups_are_rate_limited_per_client_and_per_address(settings, smtp):
    settings.ALERTS_SIGNUP_RATE_PER_ADDRESS = "2/hour"
    settings.ALERTS_SIGNUP_RATE_PER_CLIENT = "4/hour"
    client = Client()
    for _ in range(3):
        assert sign_up(client, email="busy@example.org").status_code == 200
    assert run_confirmation_jobs() == 2  # the third answer was the same page, and sent nothing
    assert sign_up(client, email="other@example.org").status_code == 200
    assert sign_up(client, email="third@example.org").status_code == 429


def test_bad_and_expired_links_are_400_pages(settings, smtp):
    client = Client()
    sign_up(client)
    alert = Alert.objects.get()
    token = tokens.make(tokens.CONFIRM, alert.pk, f="immediate")
    assert client.get(f"/alerts/confirm/{token[:-2]}/").status_code == 400
    assert client.get(f"/alerts/unsubscribe/{token}/").status_code == 400  # a confirm token unsubscribes nothing
    old = signing.TimestampSigner(salt=tokens.CONFIRM)
    old.timestamp = lambda: signing.b62_encode(int((datetime.datetime.now() - datetime.timedelta(days=8)).timestamp()))
    expired = old.sign_object({"id": alert.pk, "f": "immediate"})
    answer = client.post(f"/alerts/confirm/{expired}/")
    assert answer.status_code == 400 and b"expired" in answer.content
    assert Alert.objects.get().confirmed_at is None


def test_the_manage_page_lists_and_removes_alerts(smtp):
    client = Client()
    alert = confirmed(client, smtp)
    sign_up(client, filter="government=FI")
    page = client.get(f"/alerts/manage/{tokens.make(tokens.MANAGE, alert.address_id)}/")
    assert page.status_code == 200 and b"government DE" in page.content and b"waiting for confirmation" in page.content
    assert client.post(page.request["PATH_INFO"], {"alert": alert.pk}).status_code == 302
    assert list(Alert.objects.values_list("search__filter", flat=True)) == ["government=FI"]


def test_the_console_backend_without_email_host_in_debug():
    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    env = {"DJANGO_SETTINGS_MODULE": "tracker.settings", "DJANGO_DEBUG": "true", "DATABASE_URL": "postgres://x@/x"}
    shown = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.stdout.strip() == "django.core.mail.backends.console.EmailBackend", shown.stderr
    env["EMAIL_HOST"] = "smtp.example.org"
    shown = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", shown.stderr


def test_staff_act_on_the_unsubscribe_mailto_with_the_command(smtp, editor):
    from io import StringIO

    from django.core.management import call_command

    client = Client()
    confirmed(client, smtp)
    confirmed(client, smtp, email="other@example.org", filter="government=FI")
    publish(editor, "DE")
    deliver()
    mailto = re.search(r"<mailto:[^>]*\?subject=([^>]+)>", smtp.received[-1].message["List-Unsubscribe"]).group(1)
    subject = urllib.parse.unquote(mailto)  # what the mail client puts in the subject
    assert subject.startswith("unsubscribe ")

    out = StringIO()
    call_command("alerts", "unsubscribe", subject, stdout=out)
    assert out.getvalue() == "stopped 1 alert\n"
    out = StringIO()
    call_command("alerts", "list", stdout=out)
    assert out.getvalue() == "other@example.org\tgovernment FI\timmediate\tconfirmed\n"


def test_a_hostile_address_comes_back_escaped_on_the_400_page():
    answer = Client().post("/alerts/", {"email": HOSTILE, "frequency": "weekly", "filter": "government=DE"})
    assert answer.status_code == 400
    assert b"<script>" not in answer.content and b"&lt;script&gt;" in answer.content
    assert b'<option value="weekly" selected>' in answer.content


def test_a_mail_server_away_keeps_the_alerts_for_the_next_run(smtp, editor, settings):
    client = Client()
    confirmed(client, smtp)
    smtp.stop()  # the mail server goes away
    publish(editor, "DE", quote="Said while the mail server was away.")

    with pytest.raises(OSError):
        deliver()

    assert AlertItem.objects.count() == 1
    back = SmtpServer().start()  # back, on another port
    try:
        settings.MAILERS = {
            "default": {**settings.MAILERS["default"], "OPTIONS": {"host": "127.0.0.1", "port": back.port}}
        }
        assert sending.send_due() == 1
        assert "Said while the mail server was away." in back.wait_for(1)[0].part("text/plain")
        assert not AlertItem.objects.exists()
    finally:
        back.stop()
