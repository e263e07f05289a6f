"""Routes of the public API, /api/v1/."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from api import comparison, events, exports, views

app_name = "api"

router = SimpleRouter()
router.register("statements", views.StatementViewSet, basename="statement")
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("governments", views.GovernmentViewSet, basename="government")
router.register("topics", views.TopicViewSet, basename="topic")

urlpatterns = [
    path("statements/export.csv", exports.StatementCsvExport.as_view(), name="statements-export-csv"),
    path("statements/export.jsonl", exports.StatementJsonlExport.as_view(), name="statements-export-jsonl"),
    path("positions/", comparison.PositionsView.as_view(), name="positions"),
    path("positions/timeline/", comparison.TimelineView.as_view(), name="positions-timeline"),
    path("positions/matrix/", comparison.MatrixView.as_view(), name="positions-matrix"),
    path("events/", events.EventListView.as_view(), name="event-list"),
    re_path(r"^events/(?P<pk>[0-9]{1,18})/$", events.EventDetailView.as_view(), name="event-detail"),
    *router.urls,
    path("", views.api_root, name="root"),
]
