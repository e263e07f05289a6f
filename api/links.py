"""Absolute links: API URLs, permalinks, feed ids, oEmbed snippets, JSON-LD, pagination.

Built from the configured public address, TRACKER_SITE_URL (required in production), never
from the Host a client sent: a `Host: evil.example` must not end up in a link that a shared
cache then serves to everyone. For local work without it (DEBUG), the request's own origin is
used, so that `./dev serve` on another port or a test server links to itself.
"""

from django.conf import settings
from django.urls import reverse

_MARKER = 987654321


def site_root(request=None) -> str:
    """The public origin, without a trailing slash: https://tracker.example.org."""
    if settings.SITE_URL or request is None:
        return settings.SITE_URL or settings.LOCAL_SITE_URL
    return f"{request.scheme}://{request.get_host()}"


def absolute(request, path: str) -> str:
    """`path` (from reverse() or request.get_full_path()) as an absolute URL."""
    return f"{site_root(request)}{path}"


def prefix(request, route: str) -> str:
    """Everything before a statement's id in `route`'s URL, e.g. https://…/api/v1/statements/."""
    url = absolute(request, reverse(route, args=[_MARKER]))
    return url[: url.index(str(_MARKER))]


class StatementUrls:
    """The API detail and public page URLs of statements, from one reverse() each per request."""

    def __init__(self, request):
        self.api_prefix = prefix(request, "api:statement-detail")
        self.page_prefix = prefix(request, "statement-page")

    def api(self, pk: int) -> str:
        return f"{self.api_prefix}{pk}/"

    def page(self, pk: int) -> str:
        return f"{self.page_prefix}{pk}/"
