"""Which database a read uses: the one place that decides (SPEC §8 "Reads", README "Deploying
beyond one machine").

Every read of the application asks `reads()` for its database alias: the ORM through
`ReplicaRouter.db_for_read`, the SQL read paths (listing, positions and the matrix, stats and
tallies, facets, the quote check, the event log, the data version behind revalidation) through
`connections[reads()]`. Outside a request (management commands, the task queue's worker, a shell,
tests) `reads()` is the primary. Inside one, `ReadRoutingMiddleware` decides once, at the start:

- the primary for a write (any method but GET/HEAD/OPTIONS), the admin, a signed-in client (a
  session cookie: staff), and a client pinned by its own recent write (a signed cookie set on
  every write's answer, valid for `DATABASE_PIN_SECONDS`: read-your-writes);
- otherwise (an anonymous public read) a healthy replica, chosen at random; the primary when
  there is none.

A replica is healthy when it answers and replays within `DATABASE_REPLICA_MAX_LAG` seconds of
the primary. Each process checks each replica at most every `DATABASE_REPLICA_CHECK_SECONDS`
(one short query on the connection the request then uses), never on every request; between
checks it trusts the last answer. A replica that fails during a request (refused, dropped) is
marked down at once, and a GET or HEAD is run again on another database: the client never sees
the failure.
"""

import contextlib
import contextvars
import logging
import random
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import Error, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA_PREFIX = "replica_"
PIN_COOKIE = "tracker_pin"
PIN_SALT = "tracker.db_router.pin"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# POSTs that only read: the quote check takes a long text by POST (SPEC §9) and answers as its GET
# does, so it is routed, cached and left unpinned as that GET.
READ_ONLY_POSTS = ("/api/v1/statements/check/", "/check/")


def writes(request) -> bool:
    """Whether `request` may write (any method but GET/HEAD/OPTIONS, the read-only POSTs aside)."""
    if request.method in SAFE_METHODS:
        return False
    return not (request.method == "POST" and request.path in READ_ONLY_POSTS)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


# --- The decision ------------------------------------------------------------------------------


@dataclass
class Route:
    """Where one request's reads go, and why; `failed`: replicas that failed it."""

    alias: str
    reason: str
    failed: set[str] = field(default_factory=set)


_route: contextvars.ContextVar[Route | None] = contextvars.ContextVar("tracker_read_route", default=None)


def reads() -> str:
    """The database alias every read uses now: the request's route, or the primary."""
    route = _route.get()
    return route.alias if route is not None else PRIMARY


def current_route() -> Route | None:
    return _route.get()


@contextlib.contextmanager
def reading_from(alias: str, reason: str = "explicit"):
    """Reads inside the block use `alias` (a replica, or PRIMARY)."""
    token = _route.set(Route(alias, reason))
    try:
        yield _route.get()
    finally:
        _route.reset(token)


def route_for(request) -> Route:
    """The primary or a healthy replica for `request`, with the reason (see the module's doc)."""
    if writes(request):
        return Route(PRIMARY, "write")
    if request.path.startswith("/" + settings.ADMIN_URL):
        return Route(PRIMARY, "admin")
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return Route(PRIMARY, "signed-in")
    if is_pinned(request):
        return Route(PRIMARY, "pinned")
    replica = healthy_replica()
    return Route(replica, "replica") if replica else Route(PRIMARY, "no-healthy-replica")


def is_pinned(request) -> bool:
    value = request.COOKIES.get(PIN_COOKIE)
    if not value:
        return False
    try:
        signing.TimestampSigner(salt=PIN_SALT).unsign(value, max_age=settings.DATABASE_PIN_SECONDS)
    except signing.BadSignature:  # forged, or expired
        return False
    return True


def pin(response) -> None:
    """Send the client to the primary for DATABASE_PIN_SECONDS (its own write is there)."""
    response.set_cookie(
        PIN_COOKIE,
        signing.TimestampSigner(salt=PIN_SALT).sign("1"),
        max_age=settings.DATABASE_PIN_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- Replica health ----------------------------------------------------------------------------

# Replay lag in seconds: 0 when the replica has replayed all it has received (an idle primary
# sends nothing, and the last replayed commit may be old without the replica being behind);
# otherwise the age of the last replayed commit, or, when it has replayed none since it started,
# the time since it started (it has been behind at most that long).
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) = pg_last_wal_replay_lsn() THEN 0
  ELSE extract(epoch FROM clock_timestamp() - coalesce(pg_last_xact_replay_timestamp(), pg_postmaster_start_time()))
END::float8
"""


@dataclass
class ReplicaState:
    alias: str
    state: str = "unknown"  # "ok", "lagging", "down"
    lag: float | None = None
    error: str = ""
    checked_at: float = 0.0  # time.monotonic() of the last check; 0: never

    def as_dict(self) -> dict:
        return {"alias": self.alias, "state": self.state, "lag_seconds": self.lag, "error": self.error}


_states: dict[str, ReplicaState] = {}
_lock = threading.Lock()


def _state(alias: str) -> ReplicaState:
    with _lock:
        return _states.setdefault(alias, ReplicaState(alias))


def check_replica(alias: str) -> ReplicaState:
    """Ask `alias` for its replay lag now, on this thread's connection to it; record the answer."""
    state = _state(alias)
    connection = connections[alias]
    token = _route.set(None)  # a failed check is the check's answer, not the request's failure
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = cursor.fetchone()[0]
    except Error as exc:
        _close_quietly(alias)
        state.state, state.lag, state.error = "down", None, _one_line(exc)
    else:
        state.lag, state.error = round(lag, 3), ""
        state.state = "ok" if lag <= settings.DATABASE_REPLICA_MAX_LAG else "lagging"
    finally:
        _route.reset(token)
    state.checked_at = time.monotonic()
    if state.state != "ok":
        logger.warning("replica %s skipped: %s (lag %s s) %s", alias, state.state, state.lag, state.error)
    return state


def healthy_replica(exclude: set[str] = frozenset()) -> str | None:
    """A replica to read from: a random one among those healthy, checking those whose last check
    is older than DATABASE_REPLICA_CHECK_SECONDS; None when none is."""
    now = time.monotonic()
    healthy = []
    for alias in replica_aliases():
        if alias in exclude:
            continue
        state = _state(alias)
        if not state.checked_at or now - state.checked_at >= settings.DATABASE_REPLICA_CHECK_SECONDS:
            state = check_replica(alias)
        if state.state == "ok":
            healthy.append(alias)
    return random.choice(healthy) if healthy else None


def mark_down(alias: str, exc: BaseException) -> None:
    """A replica failed a query: skip it until its next check is due."""
    state = _state(alias)
    state.state, state.lag, state.error, state.checked_at = "down", None, _one_line(exc), time.monotonic()
    logger.warning("replica %s failed a request and is skipped: %s", alias, state.error)


def replica_states(check: bool = True) -> list[dict]:
    """Each replica's state and lag (for /readyz), checked now when `check`."""
    return [(check_replica(alias) if check else _state(alias)).as_dict() for alias in replica_aliases()]


def forget_states() -> None:
    """Forget every replica's last check (tests)."""
    with _lock:
        _states.clear()


def _close_quietly(alias: str) -> None:
    with contextlib.suppress(Exception):
        connections[alias].close()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


# --- Failures during a request -----------------------------------------------------------------


def record_replica_failure(alias: str, exc: BaseException) -> None:
    """Called by the replicas' database backend (tracker/replica_backend.py) when connecting to
    or querying `alias` fails: the request's route remembers it, and the replica is skipped."""
    route = _route.get()
    if route is not None:
        route.failed.add(alias)
    mark_down(alias, exc)


class ReadRoutingMiddleware:
    """Decides where the request's reads go (`route_for`), pins a client after its write, and
    runs a GET or HEAD again on another database when a replica failed it.

    A streamed body (the exports) is read after this returns, outside the route: on the primary,
    deliberately. A read lasting minutes on a hot standby can be cancelled by a replication
    conflict (max_standby_streaming_delay), and an export is never cut after its 200 was sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = route_for(request)
        tried: set[str] = set()
        for _ in range(len(replica_aliases()) + 1):
            token = _route.set(route)
            try:
                response = self.get_response(request)
            finally:
                _route.reset(token)
            if not route.failed or request.method not in ("GET", "HEAD") or getattr(response, "streaming", False):
                break
            tried |= route.failed
            logger.warning("replica %s failed %s; reading it again elsewhere", sorted(route.failed), request.path)
            route = Route(healthy_replica(exclude=tried) or PRIMARY, "retry")
        if writes(request):
            pin(response)
        if route.reason in PRIVATE_REASONS and "public" in response.get("Cache-Control", ""):
            # What a signed-in or pinned client saw is its own: no shared cache keeps it.
            response["Cache-Control"] = response["Cache-Control"].replace("public", "private")
        return response


PRIVATE_REASONS = ("write", "admin", "signed-in", "pinned")


class ReplicaRouter:
    """Reads where `reads()` says; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        return reads()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
