"""Named read paths. Every consumer (API, feeds, admin, exports) reads through one of these."""

from django.apps import apps
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import models
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q
from django.db.models.functions import Cast, Coalesce


def _model(name: str):
    return apps.get_model("statements", name)


def position_order(*leading: str) -> list:
    """The tie rule for "latest statement" (SPEC §5 Positions), after any `leading` keys.

    Latest `said_on`; then the later `published_on`, a missing one counting as `said_on`; then the
    higher id. Positions, timelines and the governments endpoint all use this one order.
    """
    return [*leading, F("said_on").desc(), Coalesce("published_on", "said_on").desc(), F("id").desc()]


class StatementQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def published_or_retracted(self):
        """What sync clients see: published statements plus retractions (served as tombstones)."""
        return self.filter(status__in=["published", "retracted"])

    def for_api(self):
        """Rows for the statement list and detail: the three foreign keys joined, sources prefetched."""
        return self.select_related("speaker", "government", "topic").prefetch_related(
            Prefetch("sources", queryset=_model("Source").objects.order_by("position", "id"))
        )

    def for_detail(self):
        """One statement as the API detail and the public page show it: for_api() plus corrections."""
        return self.for_api().prefetch_related(
            Prefetch("corrections", queryset=_model("Correction").objects.order_by("created_at", "id"))
        )

    def for_export(self):
        """Rows for the interchange format, in a stable order (oldest first, then id)."""
        return self.for_api().order_by("said_on", "id")

    def search(self, text: str):
        """Full-text search over quote and context (web-search syntax), annotated with `rank`."""
        from statements.models import SEARCH_CONFIG

        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        # ts_rank is a float4; as a float8 it survives the round trip through a cursor exactly.
        rank = Cast(SearchRank(F("search_vector"), query), models.FloatField())
        return self.filter(search_vector=query).annotate(rank=rank)

    def latest_per_government_and_topic(self):
        """For each (government, topic), the statement that sets the position (see position_order)."""
        return (
            self.select_related("topic")
            .order_by(*position_order("government_id", "topic_id"))
            .distinct("government_id", "topic_id")
        )

    def roles_by_speaker(self):
        """Each speaker's roles over time: one row per (speaker, role, organization, government)."""
        return (
            self.values("speaker_id", "role", "organization", "government_id")
            .annotate(first_said_on=Min("said_on"), last_said_on=Max("said_on"), statement_count=Count("id"))
            .order_by("speaker_id", "first_said_on", "role", "organization", "government_id")
        )


def _published_statements(outer_field: str):
    return _model("Statement").objects.published().filter(**{outer_field: OuterRef("pk")})


class _WithPublishedStatements(models.QuerySet):
    """Speakers, governments and topics are public only once one of their statements is."""

    statement_fk = ""

    def public(self):
        return self.filter(Exists(_published_statements(self.statement_fk)))

    def public_one(self, **lookup):
        """The row matching a unique `lookup` if it is public; at most one row.

        For one row, `public()`'s EXISTS can be planned as a hash semi-join over every statement
        (330 ms at 1M rows for a topic); a LIMIT 1 subquery has to be an index probe (< 1 ms).
        """
        rows = self.filter(**lookup)
        first = (
            _model("Statement")
            .objects.published()
            .filter(**{f"{self.statement_fk}__in": rows.values("pk")})
            .values(f"{self.statement_fk}_id")[:1]
        )
        return rows.filter(pk__in=first)

    def with_statement_count(self):
        return self.annotate(
            statement_count=Count("statements", filter=Q(statements__status="published"), distinct=True)
        )

    def for_api(self):
        """The annotations the API shows; combine with public() (lists) or public_one() (details)."""
        return self.with_statement_count()


class SpeakerQuerySet(_WithPublishedStatements):
    statement_fk = "speaker"


class GovernmentQuerySet(_WithPublishedStatements):
    statement_fk = "government"


class TopicQuerySet(_WithPublishedStatements):
    statement_fk = "topic"

    def for_api(self):
        published = Q(statements__status="published")
        return (
            super()
            .for_api()
            .annotate(
                government_count=Count("statements__government", filter=published, distinct=True),
                first_said_on=Min("statements__said_on", filter=published),
                last_said_on=Max("statements__said_on", filter=published),
            )
        )
