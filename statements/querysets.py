"""Named read paths. Every consumer (API, feeds, admin, exports) reads through one of these."""

from django.apps import apps
from django.db import models
from django.db.models import Count, Max, Min, Prefetch
from django.db.models.expressions import RawSQL


def _model(name: str):
    return apps.get_model("statements", name)


class StatementQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def published_or_retracted(self):
        """What sync clients see: published statements plus retractions (served as tombstones)."""
        return self.filter(status__in=["published", "retracted"])

    def for_api(self):
        """Rows for the statement list and detail: the three foreign keys joined, sources and the
        quote's renderings prefetched."""
        return self.select_related("speaker", "government", "topic").prefetch_related(
            Prefetch("sources", queryset=_model("Source").objects.order_by("position", "id")),
            Prefetch("translations", queryset=_model("Translation").objects.order_by("language", "id")),
        )

    def for_detail(self):
        """One statement as the API detail and the public page show it: for_api() plus corrections."""
        return self.for_api().prefetch_related(
            Prefetch("corrections", queryset=_model("Correction").objects.order_by("created_at", "id"))
        )

    def for_export(self):
        """Rows for the interchange format (with their public corrections), oldest first, then id."""
        return self.for_detail().order_by("said_on", "id")

    def roles_by_speaker(self):
        """Each speaker's roles over time: one row per (speaker, role, organization, government)."""
        return (
            self.values("speaker_id", "role", "organization", "government_id")
            .annotate(first_said_on=Min("said_on"), last_said_on=Max("said_on"), statement_count=Count("id"))
            .order_by("speaker_id", "first_said_on", "role", "organization", "government_id")
        )


class _WithPublishedStatements(models.QuerySet):
    """Speakers, governments and topics are public only once one of their statements is."""

    statement_fk = ""
    # An ORDER BY that keeps a probe on an index whatever the statistics say (see TopicQuerySet).
    probe_order = ""

    def _public_pks(self, where: str = "", params: tuple = ()) -> RawSQL:
        """Primary keys of rows with a published statement, each checked by one index probe.

        A LATERAL ... LIMIT 1 cannot be turned into a semi-join, which is what the planner did
        with EXISTS: a hash over every statement (330 ms at 1M rows for one topic).
        """
        meta = self.model._meta
        order = f"ORDER BY s.{self.probe_order} " if self.probe_order else ""
        return RawSQL(
            f"SELECT t.{meta.pk.column} FROM {meta.db_table} AS t CROSS JOIN LATERAL ("
            f"SELECT 1 FROM statements_statement AS s WHERE s.{self.statement_fk}_id = t.{meta.pk.column} "
            f"AND s.status = 'published' {order}LIMIT 1) AS published {where}",
            params,
        )

    def public(self):
        return self.filter(pk__in=self._public_pks())

    def public_one(self, **lookup):
        """The row matching one unique `lookup` (slug=…, code=…) if it is public; at most one row."""
        ((name, value),) = lookup.items()
        column = self.model._meta.get_field(name).column
        return self.filter(**lookup).filter(pk__in=self._public_pks(f"WHERE t.{column} = %s", (value,)))


class SpeakerQuerySet(_WithPublishedStatements):
    statement_fk = "speaker"


class GovernmentQuerySet(_WithPublishedStatements):
    statement_fk = "government"


class TopicQuerySet(_WithPublishedStatements):
    statement_fk = "topic"
    # When one topic holds nearly every statement, the planner expects any topic's probe to hit
    # at once and scans the table, all of it for a topic with none (0.5 s at 1M rows). Ordering
    # by the next column of (topic, government, said_on) makes that index the only cheap plan.
    probe_order = "government_id"
