"""Varnish in front (deploy/varnish.vcl as shipped): hits, the purge the moment a statement is
retracted in the admin (through the event log, the task queue and HTTP_CACHE_PURGE_URL), never a
cached answer for an editor, and cached pages served through an origin outage."""

import shutil
import subprocess
import time
import uuid

import pytest
import requests

from tests.deploy.scale import admin_flow
from tests.deploy.scale.harness import AppServer, Varnish, Worker, app_env, wait_for


@pytest.fixture(scope="module")
def stack(pg_pair, scale_folder):
    """Varnish → gunicorn (reads on the replica) and the worker purging Varnish."""
    env = app_env(
        pg_pair.primary.url(),
        DATABASE_REPLICA_URLS=pg_pair.replica.url(),
        DATABASE_APPLICATION_NAME=f"scale-{uuid.uuid4().hex[:8]}",
    )
    app = AppServer(scale_folder, env, workers=2)
    varnish = Varnish(scale_folder, app.port)
    worker_env = {**env, "HTTP_CACHE_PURGE_URL": f"{varnish.url}/"}
    worker = Worker(scale_folder, worker_env)
    app.env = env
    yield app, varnish, worker
    worker.stop()
    varnish.stop()
    app.stop()


@pytest.fixture(scope="module")
def editor_name(stack):
    app, _, _ = stack
    admin_flow.create_editor(app.env, "varnish-editor")
    return "varnish-editor"


def app_requests(app, path: str) -> int:
    """How many requests for `path` gunicorn's access log shows."""
    return sum(f'"GET {path} ' in line for line in app.log.read_text(errors="replace").splitlines())


def test_the_second_request_is_a_hit(stack):
    app, varnish, _ = stack
    path = "/api/v1/statements/?government=FI"
    first, second = varnish.get(path), varnish.get(path)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert second.content == first.content and second.headers["ETag"] == first.headers["ETag"]
    assert len(second.headers["X-Varnish"].split()) == 2  # Varnish's own word: this request and the object's
    wait_for(lambda: app_requests(app, path) == 1, "gunicorn's access log line", deadline=10)
    assert "Surrogate-Key" not in second.headers and "xkey" not in second.headers
    # The same query in another order is the same object.
    varnish.get("/statements/?government=FI&stance=restrictive")
    assert varnish.get("/statements/?stance=restrictive&government=FI").headers["X-Cache"] == "HIT"
    # A conditional request is answered by Varnish from the object it keeps.
    again = varnish.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and app_requests(app, path) == 1


def test_a_retraction_in_the_admin_leaves_the_cache_within_2_seconds(stack, editor_name):
    _, varnish, _ = stack
    listing = "/api/v1/statements/"
    pk = varnish.get(listing).json()["results"][0]["id"]
    card = f"/embed/statements/{pk}/"
    for path in (card, listing):
        varnish.get(path)
        assert varnish.get(path).headers["X-Cache"] == "HIT"
    assert f'"id":{pk},' in varnish.get(listing).text.replace(" ", "")

    editor = admin_flow.log_in(varnish.url, editor_name)  # the admin through Varnish: passed
    admin_flow.retract(editor, varnish.url, pk, reason="The ministry withdrew the transcript.")
    retracted_at = time.monotonic()

    def tombstone_shown():
        answer = varnish.get(card)
        return answer.status_code in (200, 410) and "etracted" in answer.text and answer.headers["X-Cache"] != "HIT"

    wait_for(tombstone_shown, "the retracted card through Varnish", deadline=2.0, every=0.02)
    wait_for(lambda: f'"id":{pk},' not in varnish.get(listing).text.replace(" ", ""), "the list purged", 2.0, 0.02)
    print(f"retraction to purged answer: {time.monotonic() - retracted_at:.2f} s")
    # The editor's own pages never come from (or go into) the cache.
    page = editor.get(f"{varnish.url}/statements/{pk}/", timeout=10)
    assert page.headers["X-Cache"] == "PASS" or page.headers["X-Cache"] == "MISS"
    assert "private" in page.headers.get("Cache-Control", "private")


def test_the_purge_waits_until_the_replica_has_the_change(stack, pg_pair, editor_name):
    """Purged before the replica replays the retraction, the next miss would be read there and
    the old card cached again for max-age; the worker holds the purge until the replica has it."""
    _, varnish, _ = stack
    pk = varnish.get("/api/v1/statements/?government=PL").json()["results"][0]["id"]
    card = f"/embed/statements/{pk}/"
    varnish.get(card)
    assert varnish.get(card).headers["X-Cache"] == "HIT"
    editor = admin_flow.log_in(varnish.url, editor_name)
    holding = (
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'statements.purge_http_cache' AND status = 'doing'"
    )
    pg_pair.replica.execute("SELECT pg_wal_replay_pause()")
    try:
        admin_flow.retract(editor, varnish.url, pk, reason="Misattributed.")
        wait_for(lambda: pg_pair.primary.execute(holding)[0][0] == 1, "the worker to hold the purge", deadline=10)
        answer = varnish.get(card)
        assert answer.status_code == 200 and answer.headers["X-Cache"] == "HIT"  # not purged yet
    finally:
        pg_pair.replica.execute("SELECT pg_wal_replay_resume()")

    def tombstone_shown():
        answer = varnish.get(card)
        return answer.status_code == 410 and "etracted" in answer.text

    wait_for(tombstone_shown, "the retracted card once the replica has it", deadline=2.0, every=0.02)
    assert pg_pair.primary.execute(holding)[0][0] == 0


def test_cached_pages_survive_an_origin_outage(stack, pg_pair):
    app, varnish, worker = stack
    # No purge may land during the outage (a purge rightly drops what it names, and then there
    # is nothing to serve): the purges of the earlier retractions, retries included, are done,
    # and the worker is stopped before the pages are cached.
    pending = (
        "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
        "AND task_name IN ('statements.purge_http_cache', 'statements.fan_out_events')"
    )
    wait_for(lambda: pg_pair.primary.execute(pending)[0][0] == 0, "the purges to be done", deadline=30)
    worker.stop()
    paths = ["/statements/", "/api/v1/statements/?government=DE"]
    first = {path: varnish.get(path) for path in paths}
    assert {answer.status_code for answer in first.values()} == {200}
    assert {path: varnish.get(path).headers["X-Cache"] for path in paths} == dict.fromkeys(paths, "HIT")
    app.stop()

    def app_marked_sick() -> bool:  # Varnish's own probe of /healthz says the origin is down
        listed = subprocess.run(
            [shutil.which("varnishadm") or "/usr/bin/varnishadm", "-n", str(varnish.folder / "work"), "backend.list"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
        return "sick" in listed.lower()

    # The outage as Varnish sees it (not the 10 s of stale-while-revalidate it allows a live origin).
    wait_for(app_marked_sick, "Varnish to mark the stopped origin sick", deadline=30)
    # Past their max-age (soft-purged: stale, kept for grace), with the origin down.
    answer = requests.request("PURGE", f"{varnish.url}/", headers={"xkey-softpurge": "statements"}, timeout=5)
    assert answer.status_code == 200
    for _ in range(3):
        for path in paths:
            answer = varnish.get(path)
            assert answer.status_code == 200 and answer.content == first[path].content, (path, answer.headers)
    wait_for(lambda: varnish.get("/healthz").status_code >= 500, "Varnish to see the origin down", deadline=15)
    for path in paths:
        answer = varnish.get(path)
        assert answer.status_code == 200 and answer.content == first[path].content
