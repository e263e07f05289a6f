"""Top-level routes: admin, the public API, its schema and docs, public pages."""

import os

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerView

from api.exceptions import json_not_found
from api.feeds import CorrectionsFeed
from api.pages import statement_page
from api.views import SchemaView

urlpatterns = [
    path(os.environ.get("DJANGO_ADMIN_URL", "admin/"), admin.site.urls),
    path("api/v1/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("api.urls")),
    re_path(r"^api(/.*)?$", json_not_found),
    path("statements/<int:pk>/", statement_page, name="statement-page"),
    path("feeds/corrections.atom", CorrectionsFeed(), name="corrections-feed"),
]
