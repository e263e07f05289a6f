"""Shared state in Redis (SPEC §8): two app servers (two gunicorn processes, as on two machines)
count one client's requests against one rate limit in one Redis."""

import time

from tests.deploy.scale.harness import AppServer, app_env

LIMIT = 6


def test_two_app_servers_share_one_rate_limit(pg_pair, redis_server, scale_folder):
    env = app_env(pg_pair.primary.url(), REDIS_URL=redis_server.url, API_RATE_LIMIT=f"{LIMIT}/hour")
    servers = [AppServer(scale_folder, env), AppServer(scale_folder, env)]
    try:
        for _attempt in range(2):  # once more if the hour turned in the middle (a new window)
            hour = int(time.time() // 3600)
            redis_server_flush(redis_server)
            answers = [servers[i % 2].get("/api/v1/statements/") for i in range(LIMIT + 2)]
            if int(time.time() // 3600) == hour:
                break
        remaining = [int(answer.headers["RateLimit"].split(";r=")[1].split(";")[0]) for answer in answers]
        statuses = [answer.status_code for answer in answers]
        # Counted together: each server's answer says what the other one used.
        assert remaining == [5, 4, 3, 2, 1, 0, 0, 0]
        assert statuses == [200] * LIMIT + [429, 429]
        assert answers[-1].json()["errors"]["detail"][0].startswith("Too many requests")
        assert answers[-1].headers["Content-Type"] == "application/problem+json"
        assert {answer.headers.get("Retry-After") is not None for answer in answers[LIMIT:]} == {True}
    finally:
        for server in servers:
            server.stop()


def redis_server_flush(redis_server) -> None:
    import redis

    redis.Redis.from_url(redis_server.url).flushdb()
