"""The cache's circuit breaker against a real redis-server (tracker/cache.py): a frozen Redis
costs one timed-out call, then is not asked at all while the breaker is open; afterwards the
same cache object works again, without a restart."""

import os
import re
import signal

import pytest

from tracker.cache import ResilientRedisCache

pytestmark = [pytest.mark.xdist_group("deploy-failing")]


def commands_processed(redis) -> int:
    return int(re.search(rb"total_commands_processed:(\d+)", redis.command("INFO", "stats")).group(1))


def test_a_frozen_redis_is_skipped_while_the_breaker_is_open_then_used_again(redis_server, settings):
    settings.REDIS_BREAKER_SECONDS = 3600  # open until reset: nothing here depends on the clock
    cache = ResilientRedisCache(
        f"{redis_server.url.rsplit('/', 1)[0]}/3",
        {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1}, "KEY_PREFIX": "breaker-test"},
    )
    cache.breaker.reset()
    cache.set("answer", 42)
    assert cache.get("answer") == 42 and cache.ping()

    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        assert cache.get("answer", "missed") == "missed"  # timed out: the breaker opens
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)
    assert cache.breaker.is_open()
    before = commands_processed(redis_server)

    answers = [cache.get("answer", "missed") for _ in range(20)]
    assert cache.add("other", 1) is None and cache.incr("answer", 1) is None  # misses, never errors
    cache.set("answer", 0)

    assert answers == ["missed"] * 20
    assert commands_processed(redis_server) == before + 1  # only our INFO: Redis was not asked
    cache.breaker.reset()  # as the cooldown's end does
    assert cache.get("answer") == 42  # the same object, Redis used again
