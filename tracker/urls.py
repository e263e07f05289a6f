"""Top-level routes: admin, the public API, its schema and docs, feeds, oEmbed; the site (web/urls.py)."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.events import EventsFeed
from api.exceptions import json_not_found
from api.feeds import CorrectionsFeed, StatementsFeed, StatementsRssFeed, statements_json_feed
from api.oembed import oembed
from api.views import SchemaView
from tracker.health import readyz

# The one inline style Swagger UI (drf-spectacular-sidecar, pinned) applies.
SWAGGER_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
DOCS_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_HASHES, SWAGGER_STYLE]}

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the strict CSP holds; Swagger UI
    # then applies one inline style, allowed by its hash alone (no 'unsafe-inline').
    path(
        "api/docs/", csp_override(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"
    ),
    path("healthz", require_safe(lambda request: HttpResponse("ok", content_type="text/plain")), name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include("api.urls")),
    re_path(r"^api(?:/[\s\S]*)?$", json_not_found),  # [\s\S]: a path may hold a newline
    # oEmbed and feeds are read, never written: GET and HEAD only (405 otherwise).
    path("oembed", require_safe(oembed), name="oembed"),
    path("feeds/statements.atom", require_safe(StatementsFeed()), name="statements-feed-atom"),
    path("feeds/statements.rss", require_safe(StatementsRssFeed()), name="statements-feed-rss"),
    path("feeds/statements.json", require_safe(statements_json_feed), name="statements-feed-json"),
    path("feeds/corrections.atom", require_safe(CorrectionsFeed()), name="corrections-feed"),
    path("feeds/events.atom", require_safe(EventsFeed()), name="events-feed"),
    path("", include("web.urls")),  # pages and embeds
]

# Any other 404 under /api/ (whatever the URL resolver made of it) is JSON too.
handler404 = "api.exceptions.not_found"
