"""Routes of the public API, /api/v1/."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from api import comparison, events, exports, quotecheck, views
from api.schema import NUMERIC_ID

app_name = "api"

# The resources (speakers, governments, topics): a list and a detail each.
router = SimpleRouter()
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("governments", views.GovernmentViewSet, basename="government")
router.register("topics", views.TopicViewSet, basename="topic")

urlpatterns = [
    path("statements/", views.StatementList.as_view(), name="statement-list"),
    path("statements/check/", quotecheck.StatementCheck.as_view(), name="statement-check"),
    path("statements/stats/", comparison.StatementStats.as_view(), name="statement-stats"),
    re_path(rf"^statements/(?P<pk>{NUMERIC_ID})/$", views.StatementDetail.as_view(), name="statement-detail"),
    re_path(
        rf"^statements/(?P<pk>{NUMERIC_ID})/compare/$", comparison.StatementCompare.as_view(), name="statement-compare"
    ),
    path("statements/export.csv", exports.StatementCsvExport.as_view(), name="statements-export-csv"),
    path("statements/export.jsonl", exports.StatementJsonlExport.as_view(), name="statements-export-jsonl"),
    path("positions/", comparison.PositionsView.as_view(), name="positions"),
    path("positions/timeline/", comparison.TimelineView.as_view(), name="positions-timeline"),
    path("positions/matrix/", comparison.MatrixView.as_view(), name="positions-matrix"),
    path("events/", events.EventListView.as_view(), name="event-list"),
    re_path(rf"^events/(?P<pk>{NUMERIC_ID})/$", events.EventDetailView.as_view(), name="event-detail"),
    *router.urls,
    path("", views.api_root, name="root"),
]
