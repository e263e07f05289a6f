"""Serializers: the public JSON shapes (SPEC §5) of speakers, governments, topics and the
comparisons. Each lists its fields; none queries the database. The statement itself is declared
in api/shapes.py (PostgreSQL builds it)."""

import datetime

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import shapes
from api.links import StatementUrls, absolute
from statements.models import DatePrecision, Government, Speaker, Stance, Topic


class SpeakerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["slug", "name", "kind", "wikidata_id"]


class GovernmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Government
        fields = ["code", "name"]


class TopicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "title"]


class SpeakerRoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    organization = serializers.CharField()
    government = serializers.CharField(source="government_id", help_text="Government code")
    first_said_on = serializers.DateField()
    last_said_on = serializers.DateField()
    statement_count = serializers.IntegerField()


class SpeakerSerializer(serializers.ModelSerializer):
    """A speaker, the roles they spoke in (from published statements) and how often."""

    url = serializers.SerializerMethodField()
    statement_count = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Speaker
        fields = ["slug", "name", "kind", "wikidata_id", "url", "statement_count", "roles"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, speaker) -> str:
        return absolute(self.context.get("request"), reverse("api:speaker-detail", args=[speaker.slug]))

    def get_statement_count(self, speaker) -> int:
        return sum(role["statement_count"] for role in self.context["roles"].get(speaker.pk, []))

    @extend_schema_field(SpeakerRoleSerializer(many=True))
    def get_roles(self, speaker) -> list:
        return SpeakerRoleSerializer(self.context["roles"].get(speaker.pk, []), many=True).data


class LatestStanceSerializer(serializers.Serializer):
    topic = serializers.CharField(help_text="Topic slug")
    stance = serializers.ChoiceField(choices=Stance.choices)
    said_on = serializers.DateField()
    statement = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_statement(self, latest) -> str:
        return absolute(self.context.get("request"), reverse("api:statement-detail", args=[latest["statement_id"]]))


class GovernmentSerializer(serializers.ModelSerializer):
    """A government with its statement count and latest stance per topic."""

    url = serializers.SerializerMethodField()
    statement_count = serializers.SerializerMethodField()
    latest_stances = serializers.SerializerMethodField()

    class Meta:
        model = Government
        fields = ["code", "name", "kind", "url", "statement_count", "latest_stances"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, government) -> str:
        return absolute(self.context.get("request"), reverse("api:government-detail", args=[government.code]))

    def get_statement_count(self, government) -> int:
        return self.context["summaries"][government.code]["statement_count"]

    @extend_schema_field(LatestStanceSerializer(many=True))
    def get_latest_stances(self, government) -> list:
        latest = self.context["summaries"][government.code]["latest_stances"]
        return LatestStanceSerializer(latest, many=True, context=self.context).data


class TopicSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    statement_count = serializers.SerializerMethodField()
    government_count = serializers.SerializerMethodField()
    first_said_on = serializers.SerializerMethodField()
    last_said_on = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "slug",
            "title",
            "description",
            "target_group",
            "url",
            "statement_count",
            "government_count",
            "first_said_on",
            "last_said_on",
        ]

    @extend_schema_field(serializers.URLField())
    def get_url(self, topic) -> str:
        return absolute(self.context.get("request"), reverse("api:topic-detail", args=[topic.slug]))

    def get_statement_count(self, topic) -> int:
        return self.context["summaries"][topic.pk]["statement_count"]

    def get_government_count(self, topic) -> int:
        return self.context["summaries"][topic.pk]["government_count"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_first_said_on(self, topic) -> datetime.date | None:
        return self.context["summaries"][topic.pk]["first_said_on"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_said_on(self, topic) -> datetime.date | None:
        return self.context["summaries"][topic.pk]["last_said_on"]


class ErrorSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages by parameter name ("detail" for errors not tied to one parameter).',
    )


class SpeakerSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class StatementSummarySerializer(serializers.Serializer):
    """The short form of a statement used in positions, compare and timelines."""

    # api/shapes.py's SUMMARY in the schema (the JSON comes from shapes.summary() and SUMMARY's
    # SQL); tests/api/test_summary_shape.py checks that the fields are SUMMARY's, in its order.
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="This statement in the API.")
    permalink = serializers.URLField(help_text="Its public page: the URL to cite.")
    speaker = SpeakerSummarySerializer()
    role = serializers.CharField()
    said_on = serializers.DateField()
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    stance = serializers.ChoiceField(choices=Stance.choices)
    quote = serializers.CharField()


class StanceCountsSerializer(serializers.Serializer):
    welcoming = serializers.IntegerField()
    conditional = serializers.IntegerField()
    restrictive = serializers.IntegerField()
    neutral = serializers.IntegerField()


class PositionSerializer(serializers.Serializer):
    government = GovernmentRefSerializer()
    stance = serializers.ChoiceField(choices=Stance.choices, allow_null=True, help_text="null: no statement yet")
    since = serializers.DateField(allow_null=True, help_text="First date of the current run of this stance.")
    previous_stance = serializers.ChoiceField(
        choices=Stance.choices, allow_null=True, help_text="The stance before the current run."
    )
    counts = StanceCountsSerializer(help_text="Published statements per stance up to the date.")
    statement = StatementSummarySerializer(allow_null=True)


class ComparePositionSerializer(PositionSerializer):
    is_subject = serializers.SerializerMethodField()

    def get_is_subject(self, position) -> bool:
        return position.government.code == self.context["subject_government"]


class PositionsSerializer(serializers.Serializer):
    topic = TopicRefSerializer()
    as_of = serializers.DateField()
    positions = PositionSerializer(many=True)


class CompareSerializer(serializers.Serializer):
    topic = TopicRefSerializer()
    as_of = serializers.DateField()
    statement = StatementSummarySerializer()
    summary = serializers.CharField()
    positions = ComparePositionSerializer(many=True)


class MatrixTopicSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    target_group = serializers.CharField()


class MatrixCellSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=Stance.choices, allow_null=True, help_text="null: no statement yet")
    since = serializers.DateField(allow_null=True, help_text="First date of the current run of this stance.")
    statement = StatementSummarySerializer(allow_null=True)


class MatrixRowSerializer(serializers.Serializer):
    government = GovernmentRefSerializer()
    positions = serializers.DictField(child=MatrixCellSerializer(), help_text="By topic slug, every topic asked for.")


class MatrixSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    topics = MatrixTopicSerializer(many=True)
    rows = MatrixRowSerializer(many=True)


class ChangeSerializer(serializers.Serializer):
    said_on = serializers.DateField()
    to = serializers.ChoiceField(source="to_stance", choices=Stance.choices)
    statement = StatementSummarySerializer()

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be a class attribute.
        fields = super().get_fields()
        changed_from = serializers.ChoiceField(
            source="from_stance", choices=Stance.choices, allow_null=True, help_text="null for the first statement"
        )
        return {
            "said_on": fields["said_on"],
            "from": changed_from,
            "to": fields["to"],
            "statement": fields["statement"],
        }


class GovernmentTimelineSerializer(serializers.Serializer):
    government = GovernmentRefSerializer()
    changes = ChangeSerializer(many=True)


class TimelinesSerializer(serializers.Serializer):
    topic = TopicRefSerializer()
    governments = GovernmentTimelineSerializer(many=True)


class StatsSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.CharField())
    bucket = serializers.CharField(allow_null=True)
    results = serializers.ListField(
        child=serializers.DictField(),
        help_text="One row per group (and period): the group_by fields, `period` (with a bucket) and `count`.",
    )


# Hot-path renderers. The statement list, positions/, compare/ and timeline/ render up to a few
# hundred rows per request; building these dicts directly is several times faster than nested
# serializers (bench/). The serializers above remain the schema, and tests/api/test_positions.py
# and tests/api/test_fast_path.py check that both produce the same JSON.


def topic_ref(topic) -> dict:
    return {"slug": topic.slug, "title": topic.title}


def position_dict(position, urls: StatementUrls, subject: str | None = None) -> dict:
    row = {
        "government": {"code": position.government.code, "name": position.government.name},
        "stance": position.stance,
        "since": position.since.isoformat() if position.since else None,
        "previous_stance": position.previous_stance,
        "counts": position.counts,
        "statement": shapes.summary(position.statement, urls) if position.statement else None,
    }
    if subject is not None:
        row["is_subject"] = position.government.code == subject
    return row


def timeline_dict(timeline, urls: StatementUrls) -> dict:
    return {
        "government": {"code": timeline.government.code, "name": timeline.government.name},
        "changes": [
            {
                "said_on": change.said_on.isoformat(),
                "from": change.from_stance,
                "to": change.to_stance,
                "statement": shapes.summary(change.statement, urls),
            }
            for change in timeline.changes
        ],
    }
