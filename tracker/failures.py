"""Failing well (SPEC §8): what a request gets when a part of the stack fails or refuses.

- PostgreSQL unreachable, or every pooled connection busy past the pool's wait: 503 with
  `Retry-After`, a problem document (application/problem+json) under the machine-read prefixes
  (API, feeds, oEmbed), an HTML page in the site's layout elsewhere. Never Django's bare "Server Error (500)".
- A query cut by `statement_timeout`: 503 too (the request was too costly now; narrowing it or
  trying later helps), never a 500.
- Everything else unexpected: a 500 in the same two shapes.

`ServiceUnavailableMiddleware` answers for exceptions raised by views (whatever DEBUG says);
`server_error` (handler500) answers for the rest, such as a middleware reading the database.
"""

import logging
import sys

import psycopg
from django.db import DatabaseError, InterfaceError, OperationalError
from psycopg_pool import PoolTimeout

logger = logging.getLogger("tracker.failures")

# Paths read by programs: their errors are problem documents (api/exceptions.py).
MACHINE_PREFIXES = ("/api/", "/feeds/", "/oembed")
RETRY_AFTER_UNAVAILABLE = 10  # seconds: a database restart or fail-over
RETRY_AFTER_BUSY = 5  # every pooled connection busy
RETRY_AFTER_TOO_SLOW = 60  # a query cut by statement_timeout: narrowing it helps more than waiting


DISCONNECTED = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def classify(exc: BaseException | None) -> str | None:
    """ "too_slow", "busy" or "unavailable" for a failure of the database, else None."""
    chain = list(_chain(exc))
    if any(isinstance(e, psycopg.errors.QueryCanceled) for e in chain):
        return "too_slow"
    if any(isinstance(e, PoolTimeout) for e in chain):
        return "busy" if pools_exhausted() else "unavailable"
    if any(isinstance(e, psycopg.errors.TooManyConnections) for e in chain):
        return "busy"
    if any(isinstance(e, DISCONNECTED) for e in chain):
        return "unavailable"
    if isinstance(exc, DatabaseError) and "connection" in str(exc).lower():
        return "unavailable"
    return None


def pools_exhausted() -> bool:
    """After a pool's wait ran out: whether every connection was in use (busy), rather than the
    pool failing to connect (PostgreSQL unreachable). Tells them apart the only sure way, by
    connecting once outside the pool (at most 2 s; on this error path only)."""
    from django.db import connections

    for alias in connections:
        pool = getattr(connections[alias], "pool", None)
        if pool is None:
            continue
        conninfo = pool.conninfo() if callable(pool.conninfo) else pool.conninfo or ""
        kwargs = pool.kwargs() if callable(pool.kwargs) else dict(pool.kwargs or {})
        try:
            psycopg.connect(conninfo, **{**kwargs, "connect_timeout": 2}).close()
        except psycopg.errors.TooManyConnections:
            continue  # the server is there, and full
        except psycopg.Error:
            return False
    return True


MESSAGES = {
    "too_slow": (
        "The query took longer than the 2 s limit. Narrow it with filters (a date range, governments), "
        "or try again later."
    ),
    "busy": "The service is busy: every database connection is in use. Try again in a few seconds.",
    "unavailable": "The database is unavailable for a moment. Try again shortly.",
    "error": "Something went wrong on our side. It has been logged; try again later.",
}
RETRY_AFTER = {"too_slow": RETRY_AFTER_TOO_SLOW, "busy": RETRY_AFTER_BUSY, "unavailable": RETRY_AFTER_UNAVAILABLE}


def failure_response(request, kind: str):
    """The answer for a failure `kind` (a key of MESSAGES): 503 (500 for "error")."""
    status = 500 if kind == "error" else 503
    if request.path.startswith(MACHINE_PREFIXES):
        from api.exceptions import problem_response

        response = problem_response(status, {"detail": [MESSAGES[kind]]})
    else:
        from web.errors import error_page

        response = error_page(request, status, reason=kind)
    if kind in RETRY_AFTER:
        response["Retry-After"] = str(RETRY_AFTER[kind])
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """A view's database failure → 503 with Retry-After (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        kind = classify(exception)
        if kind is None:
            return None
        logger.warning("%s %s: database %s (%s)", request.method, request.path, kind, exception)
        return failure_response(request, kind)


def server_error(request):
    """handler500: the exception being handled decides between 503 and 500."""
    kind = classify(sys.exception()) or "error"
    return failure_response(request, kind)
