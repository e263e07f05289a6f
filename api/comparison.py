"""Comparison endpoints: positions, compare-to-a-statement, stance timelines, statistics.

Each parses its parameters once with its form (api/params.py `Query`), calls a domain function
(statements.positions, statements.stats) and renders. Positions, compare and timelines are hot paths rendered by the
plain functions in api.serializers; the serializers stay the documented schema, and a test
checks that both give the same JSON.
"""

import orjson
from django import forms
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import shapes
from api.links import StatementUrls
from api.params import Query
from api.serializers import (
    CompareSerializer,
    MatrixSerializer,
    PositionsSerializer,
    StatsSerializer,
    TimelinesSerializer,
    position_dict,
    timeline_dict,
    topic_ref,
)
from statements.filtering import CSVField, DateField, choice_cleaner, clean_government, clean_slug
from statements.models import Stance, Statement, Topic
from statements.positions import TooManyChanges, positions_as_of, positions_matrix, positions_summary, timelines
from statements.stats import BUCKETS, GROUP_FIELDS, TooManyRows, selection_counts, selection_counts_json


def government_field(help_text: str) -> CSVField:
    return CSVField(clean_item=clean_government, required=False, help_text=help_text)


def stance_field() -> CSVField:
    return CSVField(
        clean_item=choice_cleaner(Stance.values, "stance"),
        required=False,
        help_text="Only governments whose current stance is one of these (comma-separated).",
    )


class TopicField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=100, help_text="Topic slug (required), e.g. russian-mobilisation-2022.", **kwargs)

    def validate(self, value):
        super().validate(value)
        clean_slug(value)


class PositionsParams(forms.Form):
    topic = TopicField()
    as_of = DateField(required=False, help_text="YYYY-MM-DD; default today (UTC).")
    government = government_field("Only these governments (comma-separated); one with no statement has stance null.")
    stance = stance_field()


class CompareParams(forms.Form):
    government = government_field("Only these governments (comma-separated).")
    stance = stance_field()


class TimelineParams(forms.Form):
    topic = TopicField()
    government = government_field("Only these governments (comma-separated).")


class TopicsField(CSVField):
    """2 to 10 topic slugs (comma-separated or repeated)."""

    min_items, max_items, unique_items = 2, 10, True

    def __init__(self, **kwargs):
        super().__init__(clean_item=clean_slug, help_text="2 to 10 topic slugs (required), each once.", **kwargs)

    def to_python(self, value):
        topics = super().to_python(value)
        if value and len(topics) != len(str(value).split(",")):
            raise forms.ValidationError("Give each topic once.")
        return topics

    def validate(self, value):
        super().validate(value)
        if not self.min_items <= len(value) <= self.max_items:
            raise forms.ValidationError(f"Give {self.min_items} to {self.max_items} topics; got {len(value)}.")


class MatrixParams(forms.Form):
    topic = TopicsField()
    as_of = DateField(required=False, help_text="YYYY-MM-DD; default today (UTC).")
    government = government_field("Only these governments (comma-separated); a row for each, stance null where silent.")
    stance = CSVField(
        clean_item=choice_cleaner(Stance.values, "stance"),
        required=False,
        help_text="Only governments whose current stance on at least one of the topics is one of these.",
    )


class StatsParams(forms.Form):
    group_by = CSVField(
        clean_item=choice_cleaner(GROUP_FIELDS, "group_by field"),
        help_text=f"Required: one or more of {', '.join(GROUP_FIELDS)} (comma-separated).",
    )
    bucket = forms.ChoiceField(
        choices=[(b, b) for b in BUCKETS],
        required=False,
        help_text="Also count per day, week, month or year of said_on.",
    )


def published_topic(slug: str) -> Topic:
    return get_object_or_404(Topic.objects.public_one(slug=slug))


class PositionsView(APIView):
    query = Query(PositionsParams)

    @extend_schema(
        summary="Each government's latest stance on a topic as of a date",
        parameters=query.parameters(),
        responses=PositionsSerializer,
    )
    def get(self, request):
        params, _ = self.query.parse(request)
        topic = published_topic(params["topic"])
        as_of = params["as_of"] or timezone.now().date()
        positions = positions_as_of(
            topic=topic, as_of=as_of, governments=params["government"], stances=params["stance"]
        )
        urls = StatementUrls(request)
        return Response(
            {
                "topic": topic_ref(topic),
                "as_of": as_of.isoformat(),
                "positions": [position_dict(position, urls) for position in positions],
            }
        )


class MatrixView(APIView):
    query = Query(MatrixParams)

    @extend_schema(
        summary="Governments × topics on one date: how each government treats different groups",
        description="One row per government with a published statement on any of the topics up to `as_of` (or "
        "named in `government=`), by name; every topic in every row, `stance: null` where the government had "
        "said nothing on it yet (never neutral). Each cell follows the positions tie rule.",
        parameters=query.parameters(),
        responses=MatrixSerializer,
    )
    def get(self, request):
        params, _ = self.query.parse(request)
        slugs = params["topic"]
        found = {t.slug: t for t in Topic.objects.public().filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise NotFound(f"No such topic: {', '.join(missing)}.")
        topics = [found[slug] for slug in slugs]
        as_of = params["as_of"] or timezone.now().date()
        urls = StatementUrls(request)
        rows = positions_matrix(
            topics=topics,
            as_of=as_of,
            cell=shapes.matrix_cell(urls.api_prefix, urls.page_prefix),
            governments=params["government"],
            stances=params["stance"],
        )
        return Response(
            {
                "as_of": as_of.isoformat(),
                "topics": [{"slug": t.slug, "title": t.title, "target_group": t.target_group} for t in topics],
                "rows": orjson.Fragment("[" + ",".join(rows) + "]"),  # built by PostgreSQL
            }
        )


class TimelineView(APIView):
    query = Query(TimelineParams)

    @extend_schema(
        summary="Per government, each date its stance on a topic changed",
        parameters=query.parameters(),
        responses=TimelinesSerializer,
    )
    def get(self, request):
        params, _ = self.query.parse(request)
        topic = published_topic(params["topic"])
        try:
            governments = timelines(topic=topic, governments=params["government"])
        except TooManyChanges as exc:
            raise ValidationError({"government": [str(exc)]}) from exc
        urls = StatementUrls(request)
        return Response({"topic": topic_ref(topic), "governments": [timeline_dict(t, urls) for t in governments]})


# The statement endpoints' classes have no docstring: DRF answers OPTIONS with it.
class StatementCompare(APIView):
    name = "Compare"  # what OPTIONS has always answered (DRF's action naming)
    query = Query(CompareParams)

    @extend_schema(
        summary="Every government's position on this statement's topic as of its date",
        parameters=query.parameters(),
        responses=CompareSerializer,
    )
    def get(self, request, pk: str):
        params, _ = self.query.parse(request)
        statement = get_object_or_404(Statement.objects.published().select_related("speaker", "topic"), pk=pk)
        positions = positions_as_of(
            topic=statement.topic,
            as_of=statement.said_on,
            governments=params["government"],
            stances=params["stance"],
        )
        urls = StatementUrls(request)
        return Response(
            {
                "topic": topic_ref(statement.topic),
                "as_of": statement.said_on.isoformat(),
                "statement": shapes.summary(statement, urls),
                "summary": positions_summary(positions, statement.said_on),
                "positions": [position_dict(p, urls, subject=statement.government_id) for p in positions],
            }
        )


class StatementStats(APIView):
    name = "Stats"  # what OPTIONS has always answered (DRF's action naming)
    query = Query(StatsParams, filters=True)

    @extend_schema(
        summary="Statement counts grouped by government, stance, topic, speaker, language and period",
        parameters=query.parameters(),
        responses=StatsSerializer,
    )
    def get(self, request):
        params, selection = self.query.parse(request)
        try:
            bucket = params["bucket"] or None
            tallied = selection_counts_json(selection, group_by=params["group_by"], bucket=bucket)
            if tallied is not None:
                results = orjson.Fragment(tallied)
            else:
                results = selection_counts(selection, group_by=params["group_by"], bucket=bucket)
        except TooManyRows as exc:
            raise ValidationError({"bucket" if params["bucket"] else "group_by": [str(exc)]}) from exc
        # StatsSerializer is the schema; its DictFields would only copy these rows (7,200 of them for
        # government × month over three years: 40 ms of the request), so they go out as they are.
        return Response({"group_by": params["group_by"], "bucket": params["bucket"] or None, "results": results})
