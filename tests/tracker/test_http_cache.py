"""The HTTP cache's side in the app (tracker/http_cache.py): what each answer says it contains,
and the purge every event of the log sends, in each style, to a real HTTP server on 127.0.0.1.
Varnish itself is in the deploy tier (tests/deploy/scale/test_varnish.py)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from statements import events, services
from tests.factories import StatementFactory
from tracker import http_cache


@pytest.fixture
def purger():
    """A cache's purge endpoint: records (method, path, headers, body); answers `status`."""
    received, state = [], {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def _record(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append((self.command, self.path, self.headers, body))  # case-insensitive
            self.send_response(state["status"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_PURGE = do_POST = _record

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received, server.state = received, state
    server.url = f"http://127.0.0.1:{server.server_address[1]}/purge"
    yield server
    server.shutdown()
    server.server_close()


def test_answers_name_what_they_contain(db, client, seeded, django_user_model):
    statement = StatementFactory()
    expected = {
        f"/statements/{statement.pk}/": f"statement-{statement.pk}",
        f"/embed/statements/{statement.pk}/": f"statement-{statement.pk}",
        f"/api/v1/statements/{statement.pk}/": f"statement-{statement.pk}",
        f"/governments/{statement.government_id}/": f"government-{statement.government_id}",
        f"/speakers/{statement.speaker.slug}/": f"speaker-{statement.speaker.slug}",
        f"/api/v1/topics/{statement.topic.slug}/": f"topic-{statement.topic.slug}",
        "/statements/": "statements",
        "/api/v1/statements/?government=DE": "statements",
        "/feeds/statements.atom": "statements",
    }
    for path, key in expected.items():
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert (answer["Surrogate-Key"], answer["xkey"], answer["Cache-Tag"]) == (key, key, key), path
    assert "Surrogate-Key" not in client.get("/api/v1/statements/?stance=nonsense")  # a 400 is not kept
    client.force_login(django_user_model.objects.create_superuser("e", "e@example.org", "a-long-test-password"))
    answer = client.get(f"/statements/{statement.pk}/")
    assert "private" in answer["Cache-Control"] and "public" not in answer["Cache-Control"]
    assert "Surrogate-Key" not in client.get("/admin/")


@pytest.mark.django_db(transaction=True)
def test_each_event_purges_its_statement_speaker_government_topic_and_lists(settings, purger, django_user_model):
    settings.HTTP_CACHE_PURGE_URLS = [purger.url]
    editor = django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-test-password")
    statement = StatementFactory(status="draft")
    services.statement_publish(statement_id=statement.pk, user=editor)

    events.fan_out()
    (job,) = ProcrastinateJob.objects.filter(task_name="statements.purge_http_cache")
    assert job.args["lsn"]  # the primary's WAL position the replicas must reach first
    http_cache.purge(job.args["keys"])  # what the worker runs (with no replica to wait for)

    (method, path, headers, _body) = purger.received[0]
    assert (method, path) == ("PURGE", "/purge")
    assert sorted(headers["xkey-purge"].split()) == sorted(
        [
            "statements",
            f"statement-{statement.pk}",
            f"government-{statement.government_id}",
            f"speaker-{statement.speaker.slug}",
            f"topic-{statement.topic.slug}",
        ]
    )
    # Nothing is deferred again: the consumer's position moved on with the job.
    events.fan_out()
    assert ProcrastinateJob.objects.filter(task_name="statements.purge_http_cache").count() == 1


def test_fastly_and_cloudflare_purge_by_tag(settings, purger):
    settings.HTTP_CACHE_PURGE_URLS = [purger.url]
    settings.HTTP_CACHE_PURGE_TOKEN = "secret-token"
    settings.HTTP_CACHE_PURGE_STYLE = "fastly"
    http_cache.purge(["statements", "statement-7"])
    settings.HTTP_CACHE_PURGE_STYLE = "cloudflare"
    http_cache.purge(["statements", "statement-7"])

    (fastly, cloudflare) = purger.received
    assert fastly[0] == "POST" and fastly[2]["Surrogate-Key"] == "statements statement-7"
    assert fastly[2]["Fastly-Key"] == "secret-token"
    assert cloudflare[0] == "POST" and json.loads(cloudflare[3]) == {"tags": ["statements", "statement-7"]}
    assert cloudflare[2]["Authorization"] == "Bearer secret-token"


def test_a_refused_purge_raises_so_the_job_is_retried(settings, purger):
    settings.HTTP_CACHE_PURGE_URLS = [purger.url]
    purger.state["status"] = 503
    with pytest.raises(RuntimeError, match="purge failed"):
        http_cache.purge(["statements"])
    keys = [f"statement-{n}" for n in range(250)]
    purger.state["status"] = 200
    http_cache.purge(keys)
    sent = [headers["xkey-purge"].split() for _, _, headers, _ in purger.received[1:]]
    assert [len(chunk) for chunk in sent] == [100, 100, 50] and [key for chunk in sent for key in chunk] == keys
