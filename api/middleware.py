"""Middleware for public reads: cache headers and the per-client rate limit."""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.utils.cache import patch_cache_control

from api.exceptions import error_body

PUBLIC_PREFIXES = ("/api/", "/feeds/", "/oembed", "/statements/", "/positions/", "/embed/")


class PublicCacheMiddleware:
    """`Cache-Control: public, max-age=60` on successful anonymous GETs of public URLs (SPEC §5)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code in (200, 304)
            and request.path.startswith(PUBLIC_PREFIXES)
            and not request.path.startswith("/api/docs")
            and "Cache-Control" not in response
        ):
            patch_cache_control(response, public=True, max_age=60)
        return response


RATE_LIMITED_PREFIXES = ("/api/", "/feeds/", "/oembed")
_PERIODS = {"second": 1, "minute": 60, "hour": 3600}


@functools.cache
def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/minute" → (600, 60)."""
    count, _, period = rate.partition("/")
    if period not in _PERIODS or not count.isdigit() or int(count) < 1:
        raise ImproperlyConfigured(f"API_RATE_LIMIT must look like 600/minute, not {rate!r}")
    return int(count), _PERIODS[period]


def client_address(request) -> str:
    """The client's address: the socket's, or with NUM_PROXIES trusted proxies in front, the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, which a
    client can pad on the left but not on the right)."""
    if settings.NUM_PROXIES:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= settings.NUM_PROXIES:
            return hops[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "unknown")


class RateLimitMiddleware:
    """Per-client rate limit on the API, feeds and oEmbed: 429 with Retry-After past it.

    A fixed window counted with the cache's atomic incr(), so every worker and server sharing
    the cache (Redis) counts together. Every answer says where the client stands, in the
    RateLimit-Limit / -Remaining / -Reset headers (IETF draft) and X-RateLimit-* aliases.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        parse_rate(settings.API_RATE_LIMIT)  # a bad setting fails at start-up, not per request

    def __call__(self, request):
        if not request.path.startswith(RATE_LIMITED_PREFIXES):
            return self.get_response(request)
        self.limit, self.window = parse_rate(settings.API_RATE_LIMIT)
        now = time.time()
        window_start = int(now // self.window) * self.window
        key = f"ratelimit:{client_address(request)}:{window_start}"
        cache.add(key, 0, timeout=self.window + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=self.window + 1)
            used = 1
        reset = max(1, int(window_start + self.window - now + 0.999))
        if used > self.limit:
            response = JsonResponse(
                error_body({"detail": [f"Too many requests: {self.limit} per {self.window} s. Retry in {reset} s."]}),
                status=429,
            )
            response["Retry-After"] = str(reset)
        else:
            response = self.get_response(request)
        remaining = max(0, self.limit - used)
        for prefix in ("RateLimit", "X-RateLimit"):
            response[f"{prefix}-Limit"] = str(self.limit)
            response[f"{prefix}-Remaining"] = str(remaining)
            response[f"{prefix}-Reset"] = str(reset)
        return response
