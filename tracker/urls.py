"""Top-level routes: admin, the public API, its schema and docs, feeds, oEmbed; the site (web/urls.py)."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.events import EventsFeed
from api.exceptions import json_not_found
from api.feeds import CorrectionsFeed, StatementsFeed, StatementsRssFeed, statements_json_feed
from api.oembed import oembed
from api.views import SchemaView
from tracker import health

# The one inline style Swagger UI (drf-spectacular-sidecar, pinned) applies.
SWAGGER_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
DOCS_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_HASHES, SWAGGER_STYLE]}


def read_only(view):
    """GET and HEAD only: any other method is a 405 with Allow (never a CSRF 403)."""
    return csrf_exempt(require_safe(view))


urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the strict CSP holds; Swagger UI
    # then applies one inline style, allowed by its hash alone (no 'unsafe-inline').
    path(
        "api/docs/", csp_override(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"
    ),
    # Liveness (the process answers; nothing else is asked) and readiness (tracker/health.py).
    path("healthz", require_safe(lambda request: HttpResponse("ok", content_type="text/plain")), name="healthz"),
    path("readyz", csrf_exempt(require_safe(health.readyz)), name="readyz"),
    path("api/v1/", include("api.urls")),
    re_path(r"^api(?:/[\s\S]*)?$", json_not_found),  # [\s\S]: a path may hold a newline
    # oEmbed and feeds are read, never written: GET and HEAD only (405 otherwise).
    # (CSRF-exempt: nothing is written, and a POST must meet the 405, not a CSRF 403.)
    path("oembed", read_only(oembed), name="oembed"),
    path("feeds/statements.atom", read_only(StatementsFeed()), name="statements-feed-atom"),
    path("feeds/statements.rss", read_only(StatementsRssFeed()), name="statements-feed-rss"),
    path("feeds/statements.json", read_only(statements_json_feed), name="statements-feed-json"),
    path("feeds/corrections.atom", read_only(CorrectionsFeed()), name="corrections-feed"),
    path("feeds/events.atom", read_only(EventsFeed()), name="events-feed"),
    path("", include("web.urls")),  # pages and embeds
]

# Any other 404 under /api/ (whatever the URL resolver made of it) is JSON too; pages get the
# site's error pages (web/errors.py); a database failure is a 503 (tracker/failures.py).
handler400 = "web.errors.bad_request"
handler403 = "web.errors.permission_denied"
handler404 = "api.exceptions.not_found"
handler500 = "tracker.failures.server_error"
