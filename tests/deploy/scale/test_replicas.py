"""Reads on a real streaming replica (SPEC §8 "Reads"): which server answered is read from each
server's own pg_stat_activity (the app's connections name themselves with
DATABASE_APPLICATION_NAME), never from anything the app says about itself."""

import threading
import uuid

import pytest
import requests

from tests.deploy.scale import admin_flow
from tests.deploy.scale.harness import AppServer, app_env, wait_for


def queries_since(server, application: str, since) -> list[str]:
    """The last statement of every connection of `application` on `server` that ran one after `since`."""
    rows = server.execute(
        "SELECT query FROM pg_stat_activity WHERE application_name = %s AND query_start > %s",
        [application, since],
    )
    return [row[0] for row in rows]


def now(server):
    return server.execute("SELECT clock_timestamp()")[0][0]


def published_ids(pg_pair, count: int) -> list[int]:
    rows = pg_pair.primary.execute(
        "SELECT id FROM statements_statement WHERE status = 'published' ORDER BY id DESC LIMIT %s", [count]
    )
    return [row[0] for row in rows]


@pytest.fixture(scope="module")
def routed(pg_pair, scale_folder):
    """gunicorn (2 workers) with the replica, its connections named for this module."""
    application = f"scale-{uuid.uuid4().hex[:8]}"
    env = app_env(
        pg_pair.primary.url(),
        DATABASE_REPLICA_URLS=pg_pair.replica.url(),
        DATABASE_APPLICATION_NAME=application,
        DATABASE_REPLICA_CHECK_SECONDS="0.2",
        DATABASE_REPLICA_MAX_LAG="1",
        DATABASE_CONN_MAX_AGE="60",
    )
    server = AppServer(scale_folder, env, workers=2)
    server.application, server.env = application, env
    yield server
    server.stop()


def test_anonymous_reads_use_the_replica_and_an_editor_after_a_save_the_primary(routed, pg_pair):
    primary, replica = pg_pair.primary, pg_pair.replica
    since = now(primary)
    answer = routed.get("/api/v1/statements/?government=DE")
    assert answer.status_code == 200 and answer.json()["results"]
    on_replica = queries_since(replica, routed.application, since)
    assert any("statements_statement" in query for query in on_replica), on_replica
    assert not any("statements_statement" in q for q in queries_since(primary, routed.application, since))

    # An editor retracts a statement in the admin: the save and every page they open next are
    # read from the primary (the session; and the pin cookie on its own, for 15 s).
    admin_flow.create_editor(routed.env, "scale-editor")
    editor = admin_flow.log_in(routed.url, "scale-editor")
    (pk,) = published_ids(pg_pair, 1)
    since = now(primary)
    done = admin_flow.retract(editor, routed.url, pk, reason="Attributed to the wrong minister.")
    assert "1 statement(s) retracted" in done.text
    assert "tracker_pin" in editor.cookies
    page = editor.get(f"{routed.url}/statements/{pk}/", timeout=10)
    assert page.status_code in (200, 410) and "etracted" in page.text
    assert queries_since(replica, routed.application, since) == []
    assert queries_since(primary, routed.application, since)

    # The pin alone (no session) still reads the primary; without it, the replica.
    pinned = {"tracker_pin": editor.cookies["tracker_pin"]}
    since = now(primary)
    assert routed.get("/api/v1/statements/", cookies=pinned).status_code == 200
    assert queries_since(replica, routed.application, since) == []
    assert "private" in routed.get("/api/v1/statements/", cookies=pinned).headers["Cache-Control"]
    since = now(primary)
    assert routed.get("/api/v1/statements/", cookies={"tracker_pin": "1:forged:x"}).status_code == 200
    assert any("statements_statement" in q for q in queries_since(replica, routed.application, since))


def test_every_read_path_answers_from_the_replica(routed, pg_pair):
    """Positions, the matrix, stats, facets, the quote check, pages and feeds: each is read on
    the replica (a 200 there, and a query of the app on the replica after it)."""
    paths = [
        "/api/v1/positions/?topic=ukrainian-refugees-2022",
        "/api/v1/positions/matrix/?topic=ukrainian-refugees-2022,afghan-evacuation-2021",
        "/api/v1/statements/stats/?group_by=government",
        "/api/v1/statements/check/?text=refugees%20are%20welcome%20here",
        "/statements/?government=DE",
        "/positions/",
        "/feeds/statements.atom",
        "/api/v1/events/",
    ]
    for path in paths:
        since = now(pg_pair.primary)
        answer = routed.get(path)
        assert answer.status_code == 200, (path, answer.text[:300])
        assert queries_since(pg_pair.replica, routed.application, since), path
        assert not queries_since(pg_pair.primary, routed.application, since), path


def test_readyz_names_each_database(routed):
    body = routed.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["databases"]["default"]["state"] == "ok"
    assert body["databases"]["replica_0"]["state"] == "ok"
    assert body["databases"]["replica_0"]["lag_seconds"] is not None


def test_a_replica_behind_the_lag_limit_is_skipped(routed, pg_pair):
    primary, replica = pg_pair.primary, pg_pair.replica
    replica.execute("SELECT pg_wal_replay_pause()")
    try:
        primary.execute("CREATE TABLE IF NOT EXISTS scale_lag_probe (n int)")
        primary.execute("INSERT INTO scale_lag_probe VALUES (1)")

        def lagging():
            primary.execute("INSERT INTO scale_lag_probe VALUES (1)")  # WAL the replica receives, not replays
            return routed.get("/readyz").json()["databases"]["replica_0"]["state"] == "lagging"

        wait_for(lagging, "the replica to lag past DATABASE_REPLICA_MAX_LAG (1 s)", deadline=30, every=0.2)
        # Every worker has checked since (0.2 s apart); reads now go to the primary.
        wait_for(lambda: _reads_from_primary(routed, pg_pair), "reads to leave the lagging replica", deadline=10)
        for _ in range(6):
            assert _reads_from_primary(routed, pg_pair)
    finally:
        replica.execute("SELECT pg_wal_replay_resume()")
    wait_for(pg_pair.caught_up, "the replica to catch up")
    wait_for(lambda: not _reads_from_primary(routed, pg_pair), "reads to come back to the replica", deadline=10)


def _reads_from_primary(routed, pg_pair) -> bool:
    since = now(pg_pair.primary)
    assert routed.get("/api/v1/statements/").status_code == 200
    on_replica = [q for q in queries_since(pg_pair.replica, routed.application, since) if "statements_statement" in q]
    return not on_replica


def test_a_replica_stopping_mid_traffic_costs_no_5xx(routed, pg_pair):
    """A bounded loop of anonymous reads while the replica stops (fast shutdown: connections
    cut mid-flight) and comes back: every answer a 200."""
    statuses: list[int] = []
    errors: list[str] = []
    stop_reading = threading.Event()

    def read():
        paths = ["/api/v1/statements/", "/statements/", "/positions/", "/feeds/statements.atom"]
        index = 0
        while not stop_reading.is_set() and index < 2000:
            try:
                statuses.append(routed.get(paths[index % len(paths)]).status_code)
            except requests.RequestException as exc:
                errors.append(str(exc))
            index += 1

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        wait_for(lambda: len(statuses) >= 20, "reads before the stop")
        pg_pair.replica.stop()
        before = len(statuses)
        wait_for(lambda: len(statuses) >= before + 60, "reads with the replica stopped", deadline=60)
        body = routed.get("/readyz").json()
        assert body["status"] == "ready" and body["databases"]["replica_0"]["state"] == "down"
    finally:
        pg_pair.replica.start()
        stop_reading.set()
        for reader in readers:
            reader.join()
    wait_for(pg_pair.caught_up, "the restarted replica to catch up")
    assert errors == []
    assert set(statuses) == {200}, {status: statuses.count(status) for status in set(statuses)}
    wait_for(lambda: not _reads_from_primary(routed, pg_pair), "reads to come back to the replica", deadline=15)
