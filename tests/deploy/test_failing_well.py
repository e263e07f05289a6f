"""Failing well (SPEC §8), against the documented production topology in real processes: nginx
(deploy/nginx.conf) → gunicorn (gunicorn.conf.py, DJANGO_DEBUG=false) → PostgreSQL through a
proxy the test can cut, and a private Redis the test kills. Each part is taken away and brought
back under a bounded loop of requests; the answers' statuses, bodies and headers are asserted.
"""

import csv
import io
import json
import re
import socket
import threading
import urllib.parse

import psycopg
import pytest

from tests.deploy.conftest import eventually, request

pytestmark = [pytest.mark.xdist_group("deploy-failing")]

# What a newsroom and a reader ask for, across every kind of answer.
READS = [
    "/api/v1/statements/?page_size=5",
    "/api/v1/statements/stats/?group_by=stance",
    "/feeds/statements.atom",
    "/oembed?url=http%3A%2F%2F127.0.0.1%2Fstatements%2F1%2F",
    "/statements/?government=US",
    "/",
]


def statuses(server, paths, rounds: int = 2) -> dict[str, list[int]]:
    return {path: [server.get(path).status for _ in range(rounds)] for path in paths}


def test_redis_killed_everything_answers_and_the_limit_counts_per_process(stack):
    site = stack(API_RATE_LIMIT="100000/minute")
    assert all(set(s) == {200} for s in statuses(site.nginx, READS).values())
    assert b"ratelimit" in site.redis.command("KEYS", "*ratelimit*")  # Redis counts while it is up

    site.redis.stop()
    answers = {path: [site.nginx.get(path) for _ in range(3)] for path in READS}

    assert {path: {a.status for a in got} for path, got in answers.items()} == {path: {200} for path in READS}
    api = answers[READS[0]]
    # The per-process count: each answer still says where the client stands.
    assert all(re.fullmatch(r'"default";r=\d+;t=\d+', a.headers["RateLimit"]) for a in api)
    ready = site.nginx.get("/readyz")
    assert ready.status == 200, ready.text  # Redis is not required: the service answers without it
    assert ready.json()["down"] == ["cache:default"]
    assert "cache:default" in ready.json()["checks"]

    site.redis.start()  # on the same port: recovery without a restart
    site.redis.command("FLUSHALL")
    eventually(
        lambda: site.nginx.get(READS[0]).status == 200 and b"ratelimit" in site.redis.command("KEYS", "*ratelimit*"),
        30,
        "the workers to count in Redis again",
    )
    assert site.nginx.get("/readyz").json()["down"] == []


def test_a_limit_still_holds_per_process_while_redis_is_down(stack):
    site = stack(API_RATE_LIMIT="3/hour", GUNICORN_WORKERS="1")
    site.redis.stop()

    got = [site.nginx.get("/api/v1/topics/").status for _ in range(5)]

    assert got == [200, 200, 200, 429, 429]


def test_postgresql_unreachable_is_a_503_with_retry_after_and_comes_back_without_a_restart(stack):
    site = stack(DATABASE_POOL_TIMEOUT_SECONDS="1", DATABASE_POOL_RECONNECT_SECONDS="2")
    assert all(set(s) == {200} for s in statuses(site.nginx, READS).values())
    assert site.nginx.get("/readyz").json()["status"] == "ready"

    site.proxy.cut()
    for _ in range(2):  # a bounded loop: every kind of answer, twice
        api = site.nginx.get("/api/v1/statements/?page_size=5")
        assert api.status == 503, api.text
        assert api.headers["Content-Type"] == "application/problem+json"
        assert api.json()["status"] == 503 and api.json()["title"] == "Service Unavailable"
        assert "database" in api.json()["errors"]["detail"][0]
        assert int(api.headers["Retry-After"]) > 0
        page = site.nginx.get("/statements/")
        assert page.status == 503
        assert page.headers["Content-Type"].startswith("text/html")
        assert 'class="skip"' in page.text and "Temporarily unavailable" in page.text  # the site's layout
        assert "database behind the tracker is unavailable" in page.text
        assert int(page.headers["Retry-After"]) > 0
        feed = site.nginx.get("/feeds/statements.atom")
        assert feed.status == 503 and "errors" in feed.json()
        assert feed.headers["Content-Type"] == "application/problem+json"
    ready = site.nginx.get("/readyz")
    assert ready.status == 503
    assert ready.json()["down"] == ["database:default"]
    assert ready.json()["checks"]["database:default"]["error"]
    assert site.nginx.get("/healthz").status == 200  # liveness asks nothing else
    assert "Traceback" not in site.app.log() and '" 500 ' not in site.app.log()

    site.proxy.restore()
    eventually(lambda: site.nginx.get("/api/v1/statements/?page_size=5").status == 200, 60, "the API to answer again")
    assert all(set(s) == {200} for s in statuses(site.nginx, READS, rounds=4).values())
    assert site.nginx.get("/readyz").status == 200


def test_an_exhausted_pool_waits_briefly_then_answers_503_never_500(stack):
    """One process, one pooled connection: an export that gunicorn cannot finish sending (its
    reader stopped reading, straight at gunicorn's socket) holds it; the next request waits the
    pool's timeout, then gets a 503 with Retry-After; once the export is gone, 200 again."""
    site = stack(GUNICORN_WORKERS="1", DATABASE_POOL_MAX_SIZE="1", DATABASE_POOL_TIMEOUT_SECONDS="0.5")
    holder = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    holder.connect(str(site.app.socket_path))
    holder.sendall(b"GET /api/v1/statements/export.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    try:
        assert holder.recv(4096).startswith(b"HTTP/1.1 200")  # streaming: the connection is taken

        busy = site.nginx.get("/api/v1/topics/")

        assert busy.status == 503, busy.text
        assert busy.json()["errors"]["detail"] == [
            "The service is busy: every database connection is in use. Try again in a few seconds."
        ]
        assert int(busy.headers["Retry-After"]) > 0
    finally:
        holder.close()
    eventually(lambda: site.nginx.get("/api/v1/topics/").status == 200, 30, "the pool's connection to come back")


def test_connections_stay_within_workers_times_pool_size(stack, deploy_database):
    # Its own application name: the count is this server's connections, never another test's
    # server still closing its own.
    site = stack(
        GUNICORN_WORKERS="2", GUNICORN_THREADS="4", DATABASE_POOL_MAX_SIZE="2", DATABASE_APPLICATION_NAME="pool-bound"
    )
    errors: list[int] = []

    def burst():
        for _ in range(10):
            answer = site.nginx.get("/api/v1/statements/?page_size=50")
            if answer.status != 200:
                errors.append(answer.status)

    threads = [threading.Thread(target=burst) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    url = deploy_database.url_through(site.proxy)
    with psycopg.connect(url) as probe:
        probe_rows = probe.execute(
            "SELECT application_name, state, left(query, 80) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    used = sum(1 for name, _state, _query in probe_rows if name == "pool-bound")
    assert used >= 1, probe_rows  # the server's connections are named as it was told
    assert used <= 2 * 2, probe_rows
    assert set(errors) <= {503}  # a request may find the pool busy: a 503, never a 500


def test_fifty_slow_clients_do_not_starve_the_workers(stack):
    """50 connections sending their headers byte by byte, held open, while normal requests are
    served: nginx holds them; gunicorn (2 × 4 threads) never sees them."""
    site = stack()
    slow = []
    for _ in range(50):
        connection = socket.create_connection(("127.0.0.1", site.nginx.port))
        connection.sendall(b"GET /api/v1/ HTTP/1.1\r\nHo")  # and then nothing more, for now
        slow.append(connection)
    try:
        answers = [site.nginx.get(path).status for path in READS * 5]
        assert answers == [200] * len(answers)
        for connection in slow:  # one more byte each: still incomplete, still held by nginx
            connection.sendall(b"s")
        assert [site.nginx.get(path).status for path in READS] == [200] * len(READS)
        assert '"GET /api/v1/ ' not in site.app.log()  # not one reached gunicorn
    finally:
        for connection in slow:
            connection.close()


def test_oversized_requests_get_problem_documents_from_nginx(stack):
    site = stack()
    too_long = site.nginx.get("/api/v1/statements/?q=" + "a" * 40000)
    assert too_long.status == 414
    assert too_long.headers["Content-Type"] == "application/problem+json"
    assert too_long.json()["status"] == 414 and too_long.json()["title"] == "URI Too Long"
    assert "POST" in too_long.json()["errors"]["detail"][0]
    header = site.nginx.get("/api/v1/", headers={"X-Big": "b" * 40000})
    assert header.status == 431
    assert header.headers["Content-Type"] == "application/problem+json" and header.json()["status"] == 431
    assert "header" in header.json()["errors"]["detail"][0]
    body = request(site.nginx.port, "POST", "/api/v1/statements/check/", body=b"x" * (3 * 1024 * 1024))
    assert body.status == 413
    assert body.headers["Content-Type"] == "application/problem+json" and body.json()["status"] == 413
    assert "2 MB" in body.json()["errors"]["detail"][0]


def test_2000_characters_of_cyrillic_are_checked_by_get_and_post(stack):
    site = stack()
    text = ("Мы приветствуем всех людей, ищущих убежище, и они должны это делать. " * 40)[:2000]
    query = urllib.parse.urlencode({"text": text})
    assert len(query) > 8190  # beyond gunicorn's own request line limit

    got = site.nginx.get(f"/api/v1/statements/check/?{query}")
    posted = request(
        site.nginx.port,
        "POST",
        "/api/v1/statements/check/",
        body=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    page = request(
        site.nginx.port,
        "POST",
        "/check/",
        body=query.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert got.status == posted.status == 200, (got.text[:300], posted.text[:300])
    assert got.json() == posted.json()
    assert posted.headers["Cache-Control"] == "public, max-age=60"
    assert page.status == 200 and "Did they really say that?" in page.text


def test_a_client_cannot_forge_its_address_through_nginx(stack):
    """nginx replaces X-Forwarded-For; gunicorn is on a socket no client reaches."""
    site = stack(API_RATE_LIMIT="2/hour")
    forged = [site.nginx.get("/api/v1/topics/", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status for n in range(3)]
    assert forged == [200, 200, 429]  # every request counted as 127.0.0.1's


def test_full_exports_of_over_100000_rows_arrive_whole_through_nginx(stack, deploy_database):
    """A worker timeout of 5 s, and exports that take longer: the gthread worker's timeout is
    its heartbeat, not a request's duration, so nothing is cut after the 200 was sent."""
    site = stack(GUNICORN_TIMEOUT="5", GUNICORN_WORKERS="1")
    expected = deploy_database.statements
    assert expected >= 100_000

    jsonl = site.nginx.get("/api/v1/statements/export.jsonl", timeout=600)
    assert jsonl.status == 200
    lines = jsonl.body.decode().splitlines()
    assert len(lines) == expected
    first, last = json.loads(lines[0]), json.loads(lines[-1])
    assert {"id", "speaker", "quote", "sources", "corrections"} <= set(first)
    assert first["said_on"] <= last["said_on"]

    exported = site.nginx.get("/api/v1/statements/export.csv", timeout=600)
    assert exported.status == 200
    rows = list(csv.reader(io.StringIO(exported.body.decode())))
    assert len(rows) == expected + 1  # and the header
    assert "WORKER TIMEOUT" not in site.app.log()


def test_workers_recycled_every_few_requests_never_fail_one(stack):
    """max_requests with jitter: workers restart at staggered moments, and no request between
    them fails (nginx retries an idempotent request on a connection closed by a restart)."""
    site = stack(GUNICORN_MAX_REQUESTS="5", GUNICORN_MAX_REQUESTS_JITTER="3")
    answers = [site.nginx.get(path).status for path in READS * 6]

    assert answers == [200] * len(answers)
    assert site.app.log().count("Autorestarting worker") >= 2


def test_gunicorn_stopped_is_a_problem_503_from_nginx(stack):
    site = stack()
    site.app.stop()

    answer = site.nginx.get("/api/v1/statements/")

    assert answer.status == 503
    assert answer.headers["Retry-After"] == "10"
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert "restarting" in answer.json()["errors"]["detail"][0]
    assert answer.json()["detail"] == answer.json()["errors"]["detail"][0]


def test_nginx_paces_each_address_s_quote_checks_and_turns_away_a_flood(stack):
    """deploy/nginx.conf: an address's checks beyond 2 a second wait in nginx (20 at most), the
    rest are a 429 with Retry-After (a problem document for the API, a page for /check/) that never reaches
    gunicorn; another address and every other request are not affected."""
    from concurrent.futures import ThreadPoolExecutor

    site = stack()
    body = json.dumps({"text": "We welcome all people seeking asylum."}).encode()

    def api_check(_):
        return request(
            site.nginx.port,
            "POST",
            "/api/v1/statements/check/",
            body=body,
            headers={"Content-Type": "application/json"},
            source="127.0.0.2",
        )

    def page_check(_):
        return request(site.nginx.port, "GET", "/check/?text=We+welcome+all+people", source="127.0.0.3")

    for check, kind in ((api_check, "json"), (page_check, "html")):
        with ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(check, range(30)))
        turned_away = [answer for answer in answers if answer.status == 429]
        assert 5 <= len(turned_away) <= 12, [answer.status for answer in answers]
        assert {answer.status for answer in answers} <= {200, 429, 503}
        for answer in turned_away:
            assert answer.headers["Retry-After"] == "1"
            if kind == "json":
                assert answer.headers["Content-Type"] == "application/problem+json"
                assert "Too many quote checks" in answer.json()["errors"]["detail"][0]
                assert answer.json()["type"] == "https://iana.org/assignments/http-problem-types#quota-exceeded"
                assert answer.json()["violated-policies"] == ["checks"]
            else:
                assert answer.headers["Content-Type"].startswith("text/html")
                assert "Too many quote checks" in answer.text and 'href="/check/"' in answer.text
    log = site.app.log()
    assert log.count('"POST /api/v1/statements/check/ ') <= 30 - 5
    assert log.count('"GET /check/?text=') <= 30 - 5
    # Another address, and requests that are not checks, go through at once.
    assert request(site.nginx.port, "GET", "/check/?text=We+welcome+all+people", source="127.0.0.4").status == 200
    assert [site.nginx.get(path).status for path in READS] == [200] * len(READS)
