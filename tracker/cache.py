"""The shared cache (Redis through django-redis) when Redis fails: misses, never errors, and a
dead Redis costs a request nothing after the first failure.

- Short socket timeouts (REDIS_TIMEOUT_SECONDS, 0.1 s by default): a Redis that hangs costs at
  most that, once.
- A circuit breaker per process and server: after a failure, every cache call skips Redis for
  REDIS_BREAKER_SECONDS (5 s by default) and answers as a miss (get → default, add/set/incr →
  None), without a connection attempt. Then one call tries again; when Redis is back, the cache
  works again, without a restart.
- Errors are ignored (django-redis's IGNORE_EXCEPTIONS) and logged once per opening of the
  breaker, not once per request.

What must know that Redis did not answer (the rate limit, which then counts per process) asks
`redis_unavailable()` or sees None where a number was due.
"""

import logging
import threading
import time

from django.conf import settings
from django_redis.cache import RedisCache
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger("tracker.cache")


class CircuitBreaker:
    """Open for `cooldown` seconds after a failure: while open, callers skip the service."""

    def __init__(self, name: str, cooldown: float):
        self.name = name
        self.cooldown = cooldown
        self.open_until = 0.0
        self.failures = 0  # times it opened, for /readyz and the logs
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, error: BaseException | None = None) -> None:
        """A call failed: open (unless already open; a skipped call does not extend it)."""
        with self._lock:
            if self.is_open():
                return
            self.open_until = time.monotonic() + self.cooldown
            self.failures += 1
        logger.warning("%s failed (%s); skipping it for %s s", self.name, error or "error", self.cooldown)

    def reset(self) -> None:
        with self._lock:
            self.open_until = 0.0


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str) -> CircuitBreaker:
    """One breaker per process and Redis location, shared by every thread's cache object."""
    with _breakers_lock:
        if location not in _breakers:
            cooldown = float(getattr(settings, "REDIS_BREAKER_SECONDS", 5))
            _breakers[location] = CircuitBreaker(f"Redis at {_without_password(location)}", cooldown)
        return _breakers[location]


def _without_password(location: str) -> str:
    scheme, sep, rest = location.partition("://")
    if sep and "@" in rest:
        rest = rest.rsplit("@", 1)[1]
    return f"{scheme}{sep}{rest}"


def redis_unavailable(alias: str = "default") -> bool:
    """Whether the cache `alias` is a Redis cache whose breaker is open (Redis failed lately)."""
    from django.core.cache import caches

    backend = caches[alias]
    return isinstance(backend, ResilientRedisCache) and backend.breaker.is_open()


class BreakerClient(DefaultClient):
    """django-redis's client, refusing at once (no connection attempt) while the breaker is open."""

    def _refuse_while_open(self) -> None:
        if self._backend.breaker.is_open():
            skipped = RedisConnectionError("skipped: the circuit breaker is open after a recent failure")
            raise ConnectionInterrupted(connection=None) from skipped

    def get_client(self, *args, **kwargs):
        self._refuse_while_open()
        return super().get_client(*args, **kwargs)

    def get_client_with_index(self, *args, **kwargs):  # what set() and add() ask for
        self._refuse_while_open()
        return super().get_client_with_index(*args, **kwargs)


class ResilientRedisCache(RedisCache):
    """django-redis's cache with a circuit breaker: every connection error opens it, and is then
    ignored (the call answers as a miss)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        options.setdefault("CLIENT_CLASS", "tracker.cache.BreakerClient")
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(server if isinstance(server, str) else ",".join(server))

    # django-redis reads this only when a call failed with a connection error (its
    # omit_exception): the moment to open the breaker. The errors are then always ignored.
    @property
    def _ignore_exceptions(self) -> bool:
        self.breaker.trip()
        return True

    @_ignore_exceptions.setter
    def _ignore_exceptions(self, value) -> None:
        pass

    @property
    def _log_ignored_exceptions(self) -> bool:
        return False  # the breaker logs once per opening

    @_log_ignored_exceptions.setter
    def _log_ignored_exceptions(self, value) -> None:
        pass

    def ping(self) -> bool:
        """Whether Redis answers now (for /readyz): a real round trip, breaker or not. A success
        closes the breaker; a failure opens it."""
        try:
            connection = DefaultClient.get_client(self.client, write=True)  # past the breaker
            connection.ping()
        except Exception as exc:  # any Redis or socket error
            self.breaker.trip(exc)
            return False
        self.breaker.reset()
        return True
