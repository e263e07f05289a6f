"""The statement: one attributable remark, quoted verbatim, with its codebook (stance, date
precision, workflow status) and the fields an editor sets."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import MD5
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from statements.models.common import (
    LANGUAGE_TAG_PATTERN,
    NOT_BLANK_PATTERN,
    TimeStamped,
    choices_constraint,
    quote_key_field,
    quote_words_field,
)
from statements.models.references import Government, Speaker, Topic
from statements.querysets import StatementQuerySet


class Stance(models.TextChoices):
    """The codebook (SPEC §3). Values are stable API values; labels may be translated."""

    WELCOMING = "welcoming", _("Welcoming")
    CONDITIONAL = "conditional", _("Conditional")
    RESTRICTIVE = "restrictive", _("Restrictive")
    NEUTRAL = "neutral", _("Neutral")


STANCE_HELP = (
    "Stance toward admitting the topic's target group. "
    "welcoming: invites, promises or affirms protection, residence or entry "
    "(routine security checks may be mentioned). "
    "conditional: ordinary case-by-case assessment; neither invitation nor refusal. "
    "restrictive: refuses or tightens asylum, visas or entry for the group. "
    "neutral: speaks about the situation, takes no position on admission. "
    "No statement is recorded as no statement, never as neutral."
)


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    APPROXIMATE = "approximate", _("Approximate (around this day)")
    MONTH = "month", _("Month only (stored as the 1st)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")


class RecordChange(models.TextChoices):
    """How a statement last entered or changed the public record (statements/sql/public_record.sql)."""

    PUBLISHED = "published", _("Published")
    CORRECTED = "corrected", _("Corrected")
    RETRACTED = "retracted", _("Retracted")
    REINSTATED = "reinstated", _("Reinstated")


class Statement(TimeStamped):
    """One attributable remark, quoted verbatim from its source."""

    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="statements")
    government = models.ForeignKey(Government, on_delete=models.PROTECT, related_name="statements")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="statements")
    role = models.CharField(
        max_length=300, help_text="The speaker's role when speaking, e.g. 'White House Press Secretary'."
    )
    organization = models.CharField(max_length=300, help_text="The office or body spoken for, e.g. 'The White House'.")
    said_on = models.DateField(help_text="When it was said. A month-precision date is stored as the 1st.")
    date_precision = models.CharField(max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY)
    published_on = models.DateField(null=True, blank=True, help_text="When the source printed it, if known.")
    quote = models.TextField(help_text="Verbatim as printed in the source; never tidied.")
    language = models.CharField(max_length=35, default="en", help_text="BCP 47 tag of the quote: en, de, fr, nl, ru …")
    is_translation = models.BooleanField(default=False, help_text="The printed quote is itself a translation.")
    stance = models.CharField(max_length=12, choices=Stance.choices, help_text=STANCE_HELP)
    context = models.TextField(
        blank=True, help_text="What was asked, where, caveats: the editor's words, not the speaker's."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    version = models.PositiveIntegerField(
        default=1,
        db_default=1,
        editable=False,
        help_text="Bumped by every save: a save based on an older version is refused.",
    )
    # Quote and context stemmed in the statement's language (statements/search.py).
    search_vector = models.GeneratedField(
        expression=SearchVector(
            "quote",
            "context",
            config=models.Func(
                models.F("language"), function="statements_search_config", output_field=models.TextField()
            ),
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # The quote as the quote check compares it (statements/sql/quote_key.sql), and its words.
    quote_key = quote_key_field("quote")
    quote_words = quote_words_field("quote")
    distinct_from = models.ManyToManyField(
        "self",
        symmetrical=True,
        blank=True,
        help_text="Statements an editor confirmed are other remarks, although similar: not warned about again.",
    )
    # When it entered and last changed the public record: kept by a database trigger
    # (statements/sql/public_record.sql) whatever writes; feeds are ordered by it.
    record_entered_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When it was first published (kept by the database)."
    )
    record_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When it was last published, corrected, retracted or reinstated (kept by the database).",
    )
    record_change = models.CharField(
        max_length=10,
        choices=RecordChange.choices,
        null=True,
        blank=True,
        editable=False,
        help_text="Which of those it was (kept by the database).",
    )
    history = HistoricalRecords(
        excluded_fields=[
            "search_vector",
            "quote_key",
            "quote_words",
            "record_entered_at",
            "record_changed_at",
            "record_change",
        ]
    )

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-said_on", "-id"]
        permissions = [("publish_statement", "Can publish, retract and reinstate statements")]
        constraints = [
            choices_constraint("stance", Stance, "%(app_label)s_%(class)s_stance_valid"),
            choices_constraint("status", Status, "%(app_label)s_%(class)s_status_valid"),
            choices_constraint("date_precision", DatePrecision, "%(app_label)s_%(class)s_date_precision_valid"),
            models.CheckConstraint(
                condition=Q(quote__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_quote_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(role__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_role_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(organization__regex=NOT_BLANK_PATTERN),
                name="%(app_label)s_%(class)s_organization_not_blank",
            ),
            models.CheckConstraint(
                condition=Q(language__regex=LANGUAGE_TAG_PATTERN), name="%(app_label)s_%(class)s_language_bcp47"
            ),
            models.CheckConstraint(
                condition=~Q(date_precision=DatePrecision.MONTH) | Q(said_on__day=1),
                name="%(app_label)s_%(class)s_month_precision_on_first",
                violation_error_message="A month-precision date must be the 1st of the month.",
            ),
            # The natural key. The quote is hashed so that long quotes stay within a B-tree entry.
            models.UniqueConstraint(
                "speaker",
                "said_on",
                MD5("quote"),
                name="%(app_label)s_%(class)s_natural_key",
                violation_error_message="This speaker already has a statement with this date and quote.",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="statements_search_gin"),
            # Candidates for the quote check: published quotes only, as it asks.
            GinIndex(fields=["quote_words"], name="statements_quote_words_gin", condition=Q(status="published")),
            models.Index(fields=["status", "-said_on", "-id"], name="statements_status_said_on"),
            models.Index(fields=["government", "said_on"], name="statements_government_said_on"),
            models.Index(fields=["topic", "government", "said_on"], name="statements_topic_gov_said_on"),
            models.Index(fields=["speaker", "said_on"], name="statements_speaker_said_on"),
            # Published statements of one speaker, government, topic, stance or language, newest
            # first: the list filtered by any of them walks one of these in order and stops after
            # a page (a cursor 500,000 rows deep included), and its capped count is an
            # index-only scan. The first three also answer the "has a published statement?"
            # probes of public speakers, governments and topics.
            *(
                models.Index(
                    fields=[column, "said_on", "id"],
                    condition=Q(status="published"),
                    name=f"statements_pub_{column[:3]}_date",
                )
                for column in ("speaker", "government", "topic", "stance", "language")
            ),
            models.Index(
                fields=["said_on", "id"],
                condition=Q(status="published", is_translation=True),
                name="statements_pub_tra_date",
            ),
            # What sync clients see (`updated_since`: published and retracted), newest first.
            models.Index(
                fields=["said_on", "id"],
                condition=Q(status__in=["published", "retracted"]),
                name="statements_visible_date",
            ),
            # Sync clients (`updated_since`, ordered by updated_at) and the updated_at orderings.
            models.Index(fields=["updated_at", "id"], name="statements_updated_at"),
            # Retractions behind a positions grid or matrix (statements.positions.retractions_behind).
            models.Index(
                fields=["topic", "government", "said_on"],
                condition=Q(status="retracted"),
                name="statements_retracted_pairs",
            ),
            # Feeds: what most recently entered or changed the public record, newest first.
            models.Index(
                fields=["record_changed_at", "id"],
                condition=Q(status__in=["published", "retracted"]),
                name="statements_record_changed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.government_id}), {self.said_on}: {self.quote[:60]}"


# The fields an editor sets on a statement (the admin form; the interchange format has them all).
EDITABLE_FIELDS = (
    "speaker",
    "role",
    "organization",
    "government",
    "topic",
    "said_on",
    "date_precision",
    "published_on",
    "quote",
    "language",
    "is_translation",
    "stance",
    "context",
)
