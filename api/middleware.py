"""Middleware for public reads: cache headers, cheap revalidation and the per-client rate limit."""

import functools
import hashlib
import ipaddress
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseNotModified
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGetMiddleware
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import parse_etags, parse_http_date_safe

from api.exceptions import QUOTA_EXCEEDED, QUOTA_EXCEEDED_TITLE, problem_response
from tracker.cache import redis_unavailable

PUBLIC_PREFIXES = (
    "/api/", "/feeds/", "/oembed", "/statements/", "/positions/", "/embed/", "/speakers/", "/governments/",
    "/topics/", "/check/", "/about/",
)  # fmt: skip


class ConditionalGetMiddleware(DjangoConditionalGetMiddleware):
    """Django's conditional GET, for HEAD too: HEAD is GET without the body (RFC 9110 §9.3.2), so it
    carries the ETag its GET has and answers 304 on a match. Django skips HEAD because a server may
    have emptied the body already; here the view renders it in full (the WSGI server drops it on the
    way out), so the hash is the GET's own."""

    def process_response(self, request, response):
        if request.method not in ("GET", "HEAD"):
            return response
        if self.needs_etag(response) and not response.has_header("ETag"):
            set_response_etag(response)
        etag = response.get("ETag")
        last_modified = response.get("Last-Modified")
        last_modified = last_modified and parse_http_date_safe(last_modified)
        if etag or last_modified:
            return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
        return response


# The quote check, which also answers POST (SPEC §9).
CHECK_PATHS = ("/api/v1/statements/check/", "/check/")


class PublicCacheMiddleware:
    """`Cache-Control: public, max-age=60` on successful anonymous GETs of public URLs (SPEC §5)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and request.path in CHECK_PATHS and response.status_code == 200:
            # The quote check sent as POST is a read: the same validators and caching as its GET.
            if not response.has_header("ETag"):
                set_response_etag(response)
            patch_cache_control(response, public=True, max_age=60)
            return response
        if (
            request.method in ("GET", "HEAD")
            and response.status_code in (200, 304)
            and (request.path == "/" or request.path.startswith(PUBLIC_PREFIXES))
            and not request.path.startswith("/api/docs")
            and "Cache-Control" not in response
        ):
            patch_cache_control(response, public=True, max_age=60)
        return response


REVALIDATED_PREFIXES = ("/api/v1/", "/feeds/", "/oembed")
MAX_ETAGS = 8


class RevalidationMiddleware:
    """Answers `If-None-Match` on the API, feeds and oEmbed with 304 before the view runs, when
    nothing public has changed since that ETag was last confirmed: one primary-key read (the data
    version, bumped by database triggers on every write) and one cache lookup.

    ETags stay what ConditionalGetMiddleware makes them (a hash of the body), so they are exact.
    The first revalidation of a tag renders the page as before (a 304 if it matches) and
    remembers (tag, URL, Accept, day, code) → data version in the cache; later revalidations are
    answered from that while the version holds. Any write, by any path, moves the version on.
    A cold or evicted cache only costs a render; it can never serve a stale 304.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("If-None-Match")
        if not header or request.method not in ("GET", "HEAD") or not request.path.startswith(REVALIDATED_PREFIXES):
            return self.get_response(request)
        from statements.models import DataVersion

        version = DataVersion.current()
        keys = {tag: self.key(request, tag) for tag in parse_etags(header)[:MAX_ETAGS]}
        confirmed = cache.get_many(list(keys.values()))
        for tag, key in keys.items():
            if confirmed.get(key) == version:
                response = HttpResponseNotModified()
                response["ETag"] = tag
                patch_vary_headers(response, ("Accept-Encoding",))
                return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming:
            if not response.has_header("ETag"):
                set_response_etag(response)
            cache.set(self.key(request, response["ETag"]), version, timeout=24 * 3600)
        return response

    @staticmethod
    def key(request, tag: str) -> str:
        """What a body depends on besides the data: URL (host and scheme: absolute links), Accept
        (format), the day (`as_of` defaults to today) and the code that renders it. A weak tag
        (gzip made it W/"…") is its strong tag compressed: the same content."""
        tag = tag.removeprefix("W/")
        parts = (tag, request.build_absolute_uri(), request.headers.get("Accept", ""), str(timezone.localdate()))
        digest = hashlib.sha256("\n".join((*parts, settings.RELEASE)).encode("utf-8", "surrogatepass")).hexdigest()
        return f"revalidate:{digest}"


# The quote check's page costs what the API's check costs: limited alike.
RATE_LIMITED_PREFIXES = ("/api/", "/feeds/", "/oembed", "/check/")
_PERIODS = {"second": 1, "minute": 60, "hour": 3600}


@functools.cache
def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/minute" → (600, 60)."""
    count, _, period = rate.partition("/")
    if period not in _PERIODS or not count.isdigit() or int(count) < 1:
        raise ImproperlyConfigured(f"API_RATE_LIMIT must look like 600/minute, not {rate!r}")
    return int(count), _PERIODS[period]


def client_address(request) -> str | None:
    """The client's address: the socket's, or with NUM_PROXIES trusted proxies in front, the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, which a
    client can pad on the left but not on the right). None when there is none (a request made in
    code); a hop that is not an IP address counts as none, and the socket's is used."""
    if settings.NUM_PROXIES:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= settings.NUM_PROXIES and _is_address(hops[-settings.NUM_PROXIES]):
            return hops[-settings.NUM_PROXIES]
    address = request.META.get("REMOTE_ADDR")
    return address if address and _is_address(address) else None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# The one quota policy, as the RateLimit fields name it (draft-ietf-httpapi-ratelimit-headers).
RATE_LIMIT_POLICY = "default"


def rate_limit_fields(limit: int, window: int, remaining: int, reset: int) -> dict[str, str]:
    """The RateLimit-Policy and RateLimit fields (structured-field lists, RFC 9651): the quota
    per window, and what is left of it for `reset` more seconds."""
    return {
        "RateLimit-Policy": f'"{RATE_LIMIT_POLICY}";q={limit};w={window}',
        "RateLimit": f'"{RATE_LIMIT_POLICY}";r={remaining};t={reset}',
    }


class RateLimitMiddleware:
    """Per-client rate limit on the API, feeds and oEmbed: 429 with Retry-After past it.

    A fixed window counted with the cache's atomic incr(), so every worker and server sharing
    the cache (Redis) counts together. While Redis does not answer (tracker/cache.py), each
    process counts on its own (`LOCAL_COUNTS`): the limit then holds per process, so a client
    may get up to (processes × limit) through, and nobody gets a 500. Every answer says where
    the client stands, in the IETF httpapi draft's fields (draft-ietf-httpapi-ratelimit-headers-11):
    `RateLimit-Policy: "default";q=600;w=60` (the quota per window) and
    `RateLimit: "default";r=42;t=17` (42 requests left for the next 17 s). A 429 is the draft's
    "quota-exceeded" problem, and its Retry-After is the end of the window.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        parse_rate(settings.API_RATE_LIMIT)  # a bad setting fails at start-up, not per request

    def __call__(self, request):
        if not request.path.startswith(RATE_LIMITED_PREFIXES):
            return self.get_response(request)
        limit, window = parse_rate(settings.API_RATE_LIMIT)
        now = time.time()
        window_start = int(now // window) * window
        key = f"ratelimit:{client_address(request) or 'unknown'}:{window_start}"
        used = self.count(key, window, window_start + window)
        reset = max(1, int(window_start + window - now + 0.999))
        if used > limit:
            message = f"Too many requests: {limit} per {window} s. Retry in {reset} s."
            if request.path.startswith("/check/"):  # a page: the site's error page
                from web.errors import error_page

                response = error_page(request, 429, detail=message)
            else:
                response = problem_response(
                    429,
                    {"detail": [message]},
                    type=QUOTA_EXCEEDED,
                    title=QUOTA_EXCEEDED_TITLE,
                    **{"violated-policies": [RATE_LIMIT_POLICY]},
                )
            response["Retry-After"] = str(reset)
        else:
            response = self.get_response(request)
        for name, value in rate_limit_fields(limit, window, max(0, limit - used), reset).items():
            response[name] = value
        return response

    @staticmethod
    def count(key: str, window: int, window_end: float) -> int:
        """This request's number in its window: from the shared cache, or this process's count
        when the cache is a Redis that does not answer."""
        if not redis_unavailable():
            cache.add(key, 0, timeout=window + 1)
            try:
                used = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=window + 1)
                used = 1
            if used is not None:  # None: Redis failed during this call
                return used
        return LOCAL_COUNTS.incr(key, window_end)


class LocalCounts:
    """Per-process fixed-window counters, for when the shared cache is down."""

    MAX_KEYS = 100_000

    def __init__(self):
        self._counts: dict[str, list] = {}  # key → [count, window end]
        self._lock = threading.Lock()

    def incr(self, key: str, window_end: float) -> int:
        now = time.time()
        with self._lock:
            if len(self._counts) >= self.MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                if len(self._counts) >= self.MAX_KEYS:  # every client is new: forget the oldest half
                    self._counts = dict(list(self._counts.items())[self.MAX_KEYS // 2 :])
            entry = self._counts.setdefault(key, [0, window_end])
            entry[0] += 1
            return entry[0]

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


LOCAL_COUNTS = LocalCounts()
