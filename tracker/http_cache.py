"""The HTTP cache in front (Varnish, or a CDN): what each response contains, and purging it the
moment a statement changes (SPEC §8, README "Deploying beyond one machine").

Every public response a shared cache may keep names what it contains, in `Surrogate-Key` (Fastly,
and Varnish with bans), `xkey` (Varnish's xkey module) and `Cache-Tag` (Cloudflare):

- `statement-<id>`: a statement's page, card, compare page and API detail;
- `speaker-<slug>`, `government-<code>`, `topic-<slug>`: pages and API details scoped to one of
  them (a topic's positions, timeline and embeds too);
- `statements`: everything else that shows statements (lists, feeds, search, stats, the matrix).

Every event of the event log (publish, correction, retraction, reinstatement) purges the keys of
its statement: `statements`, `statement-<id>` and its speaker's, government's and topic's. The
event log's consumer `http_cache` (registered in statements/apps.py) defers one purge job per
batch of events in the fan-out's transaction; the worker waits until the read replicas have
replayed the change (else the next miss could be read on a replica without it, and cached
again), then sends it to every URL in `HTTP_CACHE_PURGE_URL`, retrying while a cache is
unreachable.
"""

import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import Error, connections

logger = logging.getLogger(__name__)

CONSUMER = "http_cache"
ALL_STATEMENTS = "statements"
# Keys per purge request: Varnish's default limit on a header is 8 KiB, Fastly takes 256 keys.
KEYS_PER_REQUEST = 100
REPLAY_POLL_SECONDS = 0.01

_STATEMENT_ROUTES = {
    "statement-page",
    "compare-page",
    "embed-statement",
    "api:statement-detail",
    "api:statement-check",
}
_ENTITY_ROUTES = {
    "speaker-page": ("speaker", "slug"),
    "api:speaker-detail": ("speaker", "slug"),
    "government-page": ("government", "code"),
    "api:government-detail": ("government", "code"),
    "topic-page": ("topic", "slug"),
    "api:topic-detail": ("topic", "slug"),
    "positions-page": ("topic", "slug"),
    "embed-positions": ("topic", "slug"),
    "embed-timeline": ("topic", "slug"),
}


def keys_for_request(request) -> list[str]:
    """The surrogate keys of what `request`'s answer contains (see the module's doc)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return [ALL_STATEMENTS]
    name = match.view_name
    if name in _STATEMENT_ROUTES and "pk" in match.kwargs:
        keys = [f"statement-{int(match.kwargs['pk'])}"]
        return keys if name != "compare-page" else [*keys, ALL_STATEMENTS]
    if name in _ENTITY_ROUTES:
        kind, kwarg = _ENTITY_ROUTES[name]
        value = str(match.kwargs.get(kwarg, ""))
        if value and value.isascii() and all(c.isalnum() or c in "-_" for c in value):
            return [f"{kind}-{value}"]
    return [ALL_STATEMENTS]


class SurrogateKeyMiddleware:
    """Names what every answer a shared cache may keep contains (`Cache-Control: public`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") and "public" in response.get("Cache-Control", ""):
            keys = keys_for_request(request)
            response["Surrogate-Key"] = " ".join(keys)
            response["xkey"] = " ".join(keys)
            response["Cache-Tag"] = ",".join(keys)
        return response


def keys_for_events(events) -> list[str]:
    """Every key the statements of `events` appear under (one query for the slugs)."""
    if not events:
        return []
    keys = {ALL_STATEMENTS}
    speaker_ids, topic_ids = set(), set()
    for event in events:
        keys.add(f"statement-{event.statement_id}")
        keys.add(f"government-{event.government_id}")
        speaker_ids.add(event.speaker_id)
        topic_ids.add(event.topic_id)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT 'speaker-' || slug FROM statements_speaker WHERE id = ANY(%s) "
            "UNION ALL SELECT 'topic-' || slug FROM statements_topic WHERE id = ANY(%s)",
            [sorted(speaker_ids), sorted(topic_ids)],
        )
        keys.update(row[0] for row in cursor.fetchall())
    return sorted(keys)


def purge_on_events(events) -> None:
    """The event log's consumer: defer the purge of `events`' keys (nothing when no
    HTTP_CACHE_PURGE_URL is set), with the primary's WAL position, which the replicas must have
    replayed before the purge goes out."""
    if not settings.HTTP_CACHE_PURGE_URLS:
        return
    from statements.jobs import defer
    from statements.tasks import purge_http_cache

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (lsn,) = cursor.fetchone()
    defer(purge_http_cache, keys=keys_for_events(events), lsn=lsn)


def wait_for_replicas(lsn: str, deadline: float | None = None) -> dict[str, bool]:
    """Wait until every replica has replayed the primary's WAL up to `lsn`, at most `deadline`
    seconds (DATABASE_REPLICA_MAX_LAG: a replica further behind is skipped by the read router
    anyway). Purging before would let the next miss be read on a replica that does not have the
    change yet, and the cache would keep the old page for another max-age. Returns, for each
    replica, whether it got there (one that is down counts as not)."""
    from tracker.db_router import replica_aliases

    deadline = settings.DATABASE_REPLICA_MAX_LAG if deadline is None else deadline
    end = time.monotonic() + deadline
    done = {}
    for alias in replica_aliases():
        done[alias] = False
        while True:
            try:
                with connections[alias].cursor() as cursor:
                    cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [lsn])
                    done[alias] = cursor.fetchone()[0]
            except Error as exc:
                logger.warning("purge: replica %s not asked (%s); purging without it", alias, exc)
                connections[alias].close()
                break
            if done[alias] or time.monotonic() >= end:
                break
            time.sleep(REPLAY_POLL_SECONDS)
        if not done[alias]:
            logger.warning("purge: replica %s has not replayed %s; purging anyway", alias, lsn)
    return done


def purge(keys: list[str]) -> None:
    """Purge `keys` from every cache in HTTP_CACHE_PURGE_URL; raises if any refused (the job is
    then retried, and purging the same keys twice is harmless)."""
    failures = []
    for url in settings.HTTP_CACHE_PURGE_URLS:
        for start in range(0, len(keys), KEYS_PER_REQUEST):
            chunk = keys[start : start + KEYS_PER_REQUEST]
            try:
                _send(url, chunk)
            except (OSError, urllib.error.URLError) as exc:
                failures.append(f"{url}: {exc}")
    if failures:
        raise RuntimeError("HTTP cache purge failed: " + "; ".join(failures))


def purge_request(url: str, keys: list[str]) -> urllib.request.Request:
    """The purge of `keys` in the form HTTP_CACHE_PURGE_STYLE names (README maps each to its CDN):
    "varnish": PURGE with an `xkey-purge` header (deploy/varnish.vcl);
    "fastly": POST with a `Surrogate-Key` header and the `Fastly-Key` token;
    "cloudflare": POST of {"tags": [...]} with a bearer token."""
    style, token = settings.HTTP_CACHE_PURGE_STYLE, settings.HTTP_CACHE_PURGE_TOKEN
    if style == "fastly":
        headers = {"Surrogate-Key": " ".join(keys), "Accept": "application/json"}
        if token:
            headers["Fastly-Key"] = token
        return urllib.request.Request(url, method="POST", headers=headers)
    if style == "cloudflare":
        import json

        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps({"tags": keys}).encode()
        return urllib.request.Request(url, data=body, method="POST", headers=headers)
    headers = {"xkey-purge": " ".join(keys)}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return urllib.request.Request(url, method="PURGE", headers=headers)


def _send(url: str, keys: list[str]) -> None:
    request = purge_request(url, keys)
    with urllib.request.urlopen(request, timeout=settings.HTTP_CACHE_PURGE_TIMEOUT) as answer:
        answer.read(4096)
    logger.info("purged %d keys at %s", len(keys), url)
