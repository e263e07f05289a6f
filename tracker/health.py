"""Readiness: `/readyz` asks every part this instance needs, and names what is down.

`/healthz` (tracker/urls.py) is liveness: the process answers, nothing else is asked, so a
load balancer or an orchestrator never restarts a healthy process because PostgreSQL is away.

`/readyz` checks each database alias in settings.DATABASES (a `SELECT 1` through the same
connections requests use: the pool when there is one) and the shared cache (Redis, a PING).
It answers 200 when every *required* part answers, else 503; the body names each part:

    {"status": "ready" | "unavailable", "down": ["database:default"],
     "checks": {"database:default": {"ok": false, "required": true, "error": "…", "ms": 2001.3},
                "cache:default": {"ok": true, "required": false, "ms": 0.4}}}

Required: the primary (`default`). Not required (the service answers without them, so they
must not take every instance out of a load balancer): read replicas (reads fall back to the
primary) and Redis (the cache misses, the rate limit counts per process). Each check is one
function returning a `Check`; `CHECKS` lists them. `databases` adds each database's role and
state, with each replica's replay lag (ok, lagging past DATABASE_REPLICA_MAX_LAG, or down).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.http import JsonResponse


@dataclass
class Check:
    name: str
    ok: bool
    required: bool
    ms: float
    error: str = ""
    detail: dict | None = None

    def as_json(self) -> dict:
        body = {"ok": self.ok, "required": self.required, "ms": round(self.ms, 1)}
        if self.error:
            body["error"] = self.error
        if self.detail:
            body |= self.detail
        return body


def _timed(name: str, required: bool, probe) -> Check:
    started = time.perf_counter()
    try:
        detail = probe()
    except Exception as exc:  # whatever a dead server raises: the answer names it
        message = " ".join(str(exc).split())[:200] or type(exc).__name__
        return Check(name, False, required, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {message}")
    return Check(name, True, required, (time.perf_counter() - started) * 1000, detail=detail or None)


def database_required(alias: str) -> bool:
    """The primary is required; replicas are not (reads fall back to the primary)."""
    return alias == "default"


def check_database(alias: str) -> Check:
    def probe():
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        finally:
            # Give the connection back (to the pool) now, and never keep a broken one.
            if not connection.in_atomic_block:
                connection.close()

    return _timed(f"database:{alias}", database_required(alias), probe)


def check_databases() -> list[Check]:
    return [check_database(alias) for alias in settings.DATABASES]


def check_caches() -> list[Check]:
    from django.core.cache import caches

    from tracker.cache import ResilientRedisCache

    checks = []
    for alias in settings.CACHES:
        backend = caches[alias]
        if not isinstance(backend, ResilientRedisCache):
            continue  # a per-process cache cannot be down

        def probe(backend=backend):
            if not backend.ping():
                raise ConnectionError(f"Redis does not answer (skipped for {backend.breaker.cooldown:g} s per failure)")

        checks.append(_timed(f"cache:{alias}", False, probe))
    return checks


CHECKS = [check_databases, check_caches]


def database_states(checks: list[Check]) -> dict[str, dict]:
    """Each database by alias: the primary's state from its check, each replica's state (ok,
    lagging, down) and replay lag from the router's replica check, run now (tracker/db_router.py)."""
    from tracker import db_router

    primary = next((c for c in checks if c.name == f"database:{db_router.PRIMARY}"), None)
    states = {db_router.PRIMARY: {"role": "primary", "state": "ok" if primary and primary.ok else "down"}}
    for state in db_router.replica_states(check=True):
        states[state.pop("alias")] = {"role": "replica", **state}
    return states


def readyz(request):
    checks = [check for run in CHECKS for check in run()]
    down = [check.name for check in checks if not check.ok]
    ready = all(check.ok for check in checks if check.required)
    body = {
        "status": "ready" if ready else "unavailable",
        "down": down,
        "checks": {check.name: check.as_json() for check in checks},
        "databases": database_states(checks),
    }
    response = JsonResponse(body, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    if not ready:
        response["Retry-After"] = "10"
    return response
