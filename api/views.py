"""Read-only API views. They parse, call a named queryset and serialize; no business rules here."""

import dataclasses
import threading

import orjson
from django import forms
from django.http import Http404
from django.urls import reverse
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import shapes
from api.filters import GovernmentFilter, SpeakerFilter
from api.links import absolute, prefix
from api.pagination import KeysetPagination
from api.params import Query, StrictQueryParamsMixin, check_query_params
from api.renderers import JSONRenderer
from api.schema import TrackerAutoSchema
from api.serializers import GovernmentSerializer, SpeakerSerializer, TopicSerializer
from statements import paging
from statements.listing import RANK_WINDOW, SEARCH_COUNT_LIMIT, StatementPages, published_one
from statements.models import Government, Speaker, Statement, Topic
from statements.positions import government_summaries, topic_summaries


def statement_prefixes(request) -> tuple[str, str]:
    """The URL prefixes of a statement's API detail and public page."""
    return prefix(request, "api:statement-detail"), prefix(request, "statement-page")


def grouped(rows, key) -> dict:
    """Rows (from one query) grouped by key(row), for per-page serializer context."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


class PublicReadViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    """Anonymous, read-only resource. Subclasses set `keyset_ordering` (statements/paging.py)
    and may add per-page context with `page_context(rows)` (one query, whatever the page size)."""

    keyset_ordering: paging.Ordering
    model = None  # speakers, governments, topics: public once one of their statements is

    def get_queryset(self):
        rows = self.model.objects
        if self.detail:
            lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            return rows.public_one(**{self.lookup_field: lookup})
        return rows.public()

    def page_context(self, rows: list) -> dict:
        return {}

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = self.get_serializer(
            rows, many=True, context=self.get_serializer_context() | self.page_context(rows)
        )
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        context = self.get_serializer_context() | self.page_context([instance])
        return Response(self.get_serializer(instance, context=context).data)


class StatementListParams(forms.Form):
    """The list's own parameter; besides it, the statement filters and the paginator's."""

    ordering = forms.CharField(
        strip=False,
        required=False,
        label="Sort order; default `-said_on` (newest first), or `rank` (best match first) when `q` is given. "
        f"`rank` needs `q`, and ranks the {RANK_WINDOW:,} most recent matches (the count counts them all, exactly up "
        f"to {SEARCH_COUNT_LIMIT:,}; order by `-said_on` to page through every match). Ties are broken by id.",
    )
    ordering.json_schema = {"type": "string", "enum": sorted(paging.ORDERINGS)}

    def clean_ordering(self) -> paging.Ordering:
        """The ordering, chosen once per request (statements/paging.py), before any query runs."""
        searching = bool(self.data.get("q", "").strip())
        try:
            return paging.statement_ordering(self.cleaned_data["ordering"] or None, searching)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class ListSchema(TrackerAutoSchema):
    """drf-spectacular guesses from a view's class whether it answers a list (which gives the
    paginator's envelope and parameters, and the `_list` operation id); a list view says so."""

    def _is_list_view(self, serializer=None) -> bool:
        return self.method == "GET"


# The statement endpoints' classes have no docstring: DRF answers OPTIONS with it.
class StatementList(APIView):
    pagination_class = KeysetPagination
    query = Query(StatementListParams, filters=True, extra=dict.fromkeys(KeysetPagination().query_params(), False))
    schema = ListSchema()

    @extend_schema(
        summary="Published statements, newest first, filterable",
        description="Every statement filter combines with the others (values within one are OR-ed). "
        "Pages are keyset cursors (`next`, `previous`, also in the `Link` header). With `updated_since`, "
        'retracted statements appear as tombstones `{"id", "status": "retracted", "updated_at"}` so that '
        "mirrors can delete them.",
        parameters=query.parameters(),
        responses={200: shapes.LIST_ITEM},
    )
    def get(self, request):
        """The hot path (statements/listing.py): a capped count and one keyset page of statements
        whose JSON PostgreSQL builds (api/shapes.py declares it); it goes out as it came."""
        params, selection = self.query.parse(request)
        selection = dataclasses.replace(selection, with_retracted=selection.updated_since is not None)
        pages = StatementPages(selection, params["ordering"], shapes.list_projection(*statement_prefixes(request)))
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(pages, request)
        results = orjson.Fragment("[" + ",".join(row["json"] for row in rows) + "]")
        return with_last_modified(paginator.get_paginated_response(results), rows)


class StatementDetail(APIView):
    name = "Statement Instance"  # what OPTIONS has always answered (DRF's viewset naming)
    query = Query()

    @extend_schema(
        summary="One published statement, with its sources, public corrections and a citation",
        description="A retracted statement answers 404 here (its tombstone is in `updated_since` lists); its "
        "public page answers 410 with the reason.",
        responses={200: shapes.STATEMENT_DETAIL.ref()},
    )
    def get(self, request, pk: str):
        """The statement, its corrections and a citation, in one query."""
        self.query.parse(request)
        row = published_one(int(pk), shapes.detail_projection(*statement_prefixes(request)))
        if row is None:
            raise Http404("No published statement has this id.")
        return with_last_modified(Response(orjson.Fragment(row["json"])), [row])


def with_last_modified(response, rows):
    """`response` with a Last-Modified header: the newest change among the statement rows."""
    modified = max((row["updated_at"] for row in rows), default=None)
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response


@extend_schema_view(
    list=extend_schema(summary="Speakers with published statements, by name"),
    retrieve=extend_schema(summary="One speaker, with the roles they spoke in and statement counts"),
)
class SpeakerViewSet(PublicReadViewSet):
    serializer_class = SpeakerSerializer
    filterset_class = SpeakerFilter
    model = Speaker
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]{1,200}"
    keyset_ordering = paging.SPEAKERS

    def page_context(self, rows):
        roles = Statement.objects.published().filter(speaker__in=rows).roles_by_speaker()
        return {"roles": grouped(roles, lambda row: row["speaker_id"])}


@extend_schema_view(
    list=extend_schema(summary="Governments with published statements, by name"),
    retrieve=extend_schema(summary="One government, with its statement count and latest stance per topic"),
)
class GovernmentViewSet(PublicReadViewSet):
    serializer_class = GovernmentSerializer
    filterset_class = GovernmentFilter
    model = Government
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z]{2}"
    keyset_ordering = paging.GOVERNMENTS

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()

    def page_context(self, rows):
        return {"summaries": government_summaries([government.code for government in rows])}


@extend_schema_view(
    list=extend_schema(summary="Topics (policy questions) with published statements"),
    retrieve=extend_schema(summary="One topic"),
)
class TopicViewSet(PublicReadViewSet):
    serializer_class = TopicSerializer
    model = Topic

    def page_context(self, rows):
        return {"summaries": topic_summaries([topic.pk for topic in rows])}

    lookup_field = "slug"
    lookup_value_regex = r"[-a-z0-9]{1,100}"
    keyset_ordering = paging.TOPICS


INDEX = ("statements", "speakers", "governments", "topics", "events", "schema", "docs")


@extend_schema(
    summary="The API's index: where each resource is",
    responses={
        200: {
            "type": "object",
            "required": list(INDEX),
            "properties": {name: {"type": "string", "format": "uri"} for name in INDEX},
        }
    },
)
@api_view(["GET", "HEAD"])
def api_root(request):
    """An index of the API's resources, so that /api/v1/ is a useful first request."""
    check_query_params(request.query_params, {})
    names = {
        "statements": "api:statement-list",
        "speakers": "api:speaker-list",
        "governments": "api:government-list",
        "topics": "api:topic-list",
        "events": "api:event-list",
        "schema": "api-schema",
        "docs": "api-docs",
    }
    return Response({name: absolute(request, reverse(route)) for name, route in names.items()})


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: YAML by default, JSON with `?format=json` (or an Accept header)."""

    # drf-spectacular's generator keeps state while it runs: one generation at a time per process
    # (gunicorn's gthread workers serve requests in several threads; two at once answered 500).
    generating = threading.Lock()

    def _get_schema_response(self, request):
        with self.generating:
            return super()._get_schema_response(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        check_query_params(request.query_params, {"format": False})
        if request.query_params.get("format", "yaml") not in ("yaml", "json"):
            raise ValidationError({"format": ["Use yaml or json."]})

    def handle_exception(self, exc):
        # Errors use the API's JSON shape whatever schema format was asked for.
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)

    def perform_content_negotiation(self, request, force=False):
        wanted = request.query_params.get("format")
        for renderer in self.get_renderers():
            if wanted and renderer.format == wanted:
                return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)
