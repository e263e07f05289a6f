"""The statements domain: governments, speakers, topics, statements and their sources."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import MD5
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.models import HistoricalRecords

from statements.querysets import GovernmentQuerySet, SpeakerQuerySet, StatementQuerySet, TopicQuerySet

WIKIDATA_ID_PATTERN = r"^Q[1-9][0-9]*$"
# BCP 47 language tags, loosely: a 2–3 letter primary language subtag, then subtags.
LANGUAGE_TAG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
HTTP_URL_PATTERN = r"^https?://[^[:space:]]+$"
NOT_BLANK_PATTERN = r"[^[:space:]]"


def government_codes() -> list[str]:
    """ISO 3166-1 alpha-2 codes (django-countries) plus EU and UN (settings.COUNTRIES_OVERRIDE)."""
    return sorted(code for code, _name in countries)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class GovernmentKind(models.TextChoices):
    STATE = "state", _("State")
    SUPRANATIONAL = "supranational", _("Supranational")
    INTERNATIONAL = "international", _("International")


class SpeakerKind(models.TextChoices):
    PERSON = "person", _("Person")
    BODY = "body", _("Body")


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


def choices_constraint(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Government(TimeStamped):
    """Whose position a statement expresses: a state, the EU or a UN body."""

    code = models.CharField(
        primary_key=True,
        max_length=2,
        choices=countries,
        help_text="ISO 3166-1 alpha-2 code, or EU / UN (ISO 'exceptionally reserved').",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=GovernmentKind.choices, default=GovernmentKind.STATE)
    history = HistoricalRecords()

    objects = GovernmentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__in=government_codes()), name="%(app_label)s_%(class)s_code_known"),
            choices_constraint("kind", GovernmentKind, "%(app_label)s_%(class)s_kind_valid"),
            models.CheckConstraint(
                condition=Q(name__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_name_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Speaker(TimeStamped):
    """A person or a body. Roles change over time and live on each statement, not here."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, allow_unicode=True, help_text="Stable identifier used in URLs."
    )
    kind = models.CharField(max_length=10, choices=SpeakerKind.choices, default=SpeakerKind.PERSON)
    wikidata_id = models.CharField(
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text="Wikidata item, Q followed by digits (e.g. Q64).",
    )
    history = HistoricalRecords()

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]
        constraints = [
            choices_constraint("kind", SpeakerKind, "%(app_label)s_%(class)s_kind_valid"),
            models.CheckConstraint(
                condition=Q(wikidata_id__isnull=True) | Q(wikidata_id__regex=WIKIDATA_ID_PATTERN),
                name="%(app_label)s_%(class)s_wikidata_id_shape",
            ),
            models.CheckConstraint(
                condition=Q(name__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_name_not_blank"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="%(app_label)s_%(class)s_slug_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class Topic(TimeStamped):
    """One policy question that statements take a stance on."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    target_group = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who would be admitted or refused, e.g. 'Russian citizens evading the 2022 mobilisation'.",
    )
    history = HistoricalRecords()

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["title", "slug"]
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="%(app_label)s_%(class)s_slug_not_blank"),
            models.CheckConstraint(
                condition=Q(title__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_title_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.title


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
    quote_key = models.GeneratedField(
        expression=models.Func(models.F("quote"), function="statements_quote_key", output_field=models.TextField()),
        output_field=models.TextField(),
        db_persist=True,
    )
    quote_words = models.GeneratedField(
        expression=SearchVector(
            models.Func(models.F("quote"), function="statements_quote_key", output_field=models.TextField()),
            config="simple",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
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


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", _("Correction")
    RETRACTION = "retraction", _("Retraction")
    REINSTATEMENT = "reinstatement", _("Reinstatement")


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

# What a published statement cannot change without a public correction note. The editor's own
# `context` is not among them: fixing its typos needs no note.
CORRECTED_FIELDS = ("quote", "speaker", "said_on", "stance", "government")
# What a public correction may name: those, and the quote's renderings in other languages.
CORRECTION_FIELD_NAMES = (*CORRECTED_FIELDS, "translations")


class Correction(TimeStamped):
    """A public note on a published statement: a correction, its retraction or its reinstatement."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(max_length=15, choices=CorrectionKind.choices)
    note = models.TextField(help_text="Shown to the public with the statement.")
    fields = models.JSONField(default=list, blank=True, help_text="Names of the corrected fields.")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            choices_constraint("kind", CorrectionKind, "%(app_label)s_%(class)s_kind_valid"),
            models.CheckConstraint(
                condition=Q(note__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_note_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of statement {self.statement_id} on {self.created_at:%Y-%m-%d}"


class Source(TimeStamped):
    """Where a statement was printed. Every statement has at least one."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=2000)
    publisher = models.CharField(max_length=300)
    archived_url = models.URLField(max_length=2000, null=True, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order of the source on the statement.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(url__regex=HTTP_URL_PATTERN), name="%(app_label)s_%(class)s_url_http"),
            models.CheckConstraint(
                condition=Q(archived_url__isnull=True) | Q(archived_url__regex=HTTP_URL_PATTERN),
                name="%(app_label)s_%(class)s_archived_url_http",
            ),
            models.CheckConstraint(
                condition=Q(publisher__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_publisher_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.url}"


class Translation(TimeStamped):
    """A rendering of a statement's quote in another language, by a named maker (SPEC §4).

    The quote stays the record; a rendering is never the quote. Who made it is required (a wire,
    a paper, a government's translation service, or the tracker's editors): nothing here is
    machine-translated silently. A published statement's renderings change only with a public
    correction, as its quote does. That a rendering is not in the quote's own language is
    checked by a trigger (statements/sql/translations.sql): a CHECK cannot see the statement.
    """

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=35, help_text="BCP 47 tag of the rendering (en, de …).")
    text = models.TextField(help_text="The rendering word for word as its maker printed it.")
    by = models.CharField(
        max_length=300,
        help_text="Who made it: a wire or paper (Reuters), a government's translation service, or "
        '"the tracker\'s editors".',
    )
    official = models.BooleanField(default=False, help_text="Made or published by the speaker's own government.")
    source_url = models.URLField(
        max_length=2000, null=True, blank=True, help_text="Where it was printed (empty for the editors' own)."
    )
    # The rendering as the quote check compares it, and its words (as Statement.quote_key/words).
    text_key = models.GeneratedField(
        expression=models.Func(models.F("text"), function="statements_quote_key", output_field=models.TextField()),
        output_field=models.TextField(),
        db_persist=True,
    )
    text_words = models.GeneratedField(
        expression=SearchVector(
            models.Func(models.F("text"), function="statements_quote_key", output_field=models.TextField()),
            config="simple",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    history = HistoricalRecords(excluded_fields=["text_key", "text_words"])

    class Meta:
        ordering = ["statement", "language", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(text__regex=NOT_BLANK_PATTERN), name="%(app_label)s_%(class)s_text_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(by__regex=NOT_BLANK_PATTERN),
                name="%(app_label)s_%(class)s_by_not_blank",
                violation_error_message="Name who made the rendering: nothing is machine-translated silently.",
            ),
            models.CheckConstraint(
                condition=Q(language__regex=LANGUAGE_TAG_PATTERN), name="%(app_label)s_%(class)s_language_bcp47"
            ),
            models.CheckConstraint(
                condition=Q(source_url__isnull=True) | Q(source_url__regex=HTTP_URL_PATTERN),
                name="%(app_label)s_%(class)s_source_url_http",
            ),
            models.UniqueConstraint(
                "statement",
                "language",
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message="This statement already has a rendering in this language.",
            ),
        ]
        indexes = [GinIndex(fields=["text_words"], name="statements_tr_words_gin")]

    def __str__(self) -> str:
        return f"{self.language} rendering of statement {self.statement_id} by {self.by}"


class PositionStep(models.Model):
    """Derived: a government's position on a topic right after one of its published statements.

    One row per published statement, kept by database triggers (statements/sql/position_steps.sql)
    on every insert, update and delete of statements, whatever the write path (admin, import,
    COPY, shell). A position as of a date is then one index probe per government. Never written
    by application code.
    """

    statement = models.OneToOneField(
        Statement, on_delete=models.DO_NOTHING, primary_key=True, related_name="position_step", db_constraint=False
    )
    topic = models.ForeignKey(Topic, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    government = models.ForeignKey(Government, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    said_on = models.DateField()
    tie_date = models.DateField(help_text="published_on, or said_on when missing: the first tie-breaker.")
    stance = models.CharField(max_length=12, choices=Stance.choices)
    previous_stance = models.CharField(max_length=12, choices=Stance.choices, null=True)
    is_change = models.BooleanField(help_text="The stance differs from the previous statement's (or is the first).")
    since = models.DateField(help_text="First said_on of the current run of this stance.")
    run_previous_stance = models.CharField(
        max_length=12, choices=Stance.choices, null=True, help_text="The stance before the current run."
    )
    welcoming_count = models.PositiveIntegerField()
    conditional_count = models.PositiveIntegerField()
    restrictive_count = models.PositiveIntegerField()
    neutral_count = models.PositiveIntegerField()
    # What the statement's summary shows, kept with the step: one probe gives a whole position.
    # (the speaker's slug and name too, kept current by a trigger on speakers: a rename is rare,
    # a position read is not)
    speaker = models.ForeignKey(Speaker, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, null=True)
    speaker_slug = models.TextField(default="")
    speaker_name = models.TextField(default="")
    role = models.TextField(default="")
    date_precision = models.CharField(max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY)
    quote = models.TextField(default="")

    class Meta:
        managed = True
        indexes = [
            models.Index(
                "topic",
                "government",
                models.F("said_on").desc(),
                models.F("tie_date").desc(),
                models.F("statement").desc(),
                name="position_steps_latest",
            ),
            models.Index(
                fields=["topic", "government", "said_on"],
                condition=Q(is_change=True),
                name="position_steps_changes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.government_id} on {self.topic_id} after statement {self.statement_id}: {self.stance}"


class DataVersion(models.Model):
    """Counts writes to anything the public sees, bumped by database triggers
    (statements/sql/data_version_v2.sql) whatever the write path: one row per database backend
    (its pid; row 0 holds backends gone), so writers never wait on each other here. A
    revalidation (If-None-Match) of an API page is answered 304 from the sum with one small read
    (api/middleware.py). Never written by application code."""

    id = models.IntegerField(primary_key=True, help_text="The writing backend's pid; 0 for backends gone.")
    version = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id__gte=0), name="%(app_label)s_%(class)s_backend")]

    def __str__(self) -> str:
        return f"data version {self.version} of backend {self.id} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def totals(cls):
        """(the sum of every backend's count, the latest write's time), or (0, None)."""
        totals = cls.objects.aggregate(version=models.Sum("version"), changed_at=models.Max("changed_at"))
        return totals["version"] or 0, totals["changed_at"]

    @classmethod
    def current(cls) -> str:
        """The sum with the latest write's time: it grows with every commit a reader can see, and
        a database restored from a backup counts up again through numbers it once had, never
        through the same moments."""
        version, changed_at = cls.totals()
        return f"{version}@{changed_at.timestamp()}" if version else "0"

    @classmethod
    def fold(cls) -> int:
        """Fold the rows of backends that have gone into row 0; returns how many were folded."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT statements_fold_data_versions()")
            return cursor.fetchone()[0]


class StatementTally(models.Model):
    """Derived: counts of published statements, kept by database triggers
    (statements/sql/tallies.sql) on every write of statements, for facets and stats at any size.

    Rows are deltas, only ever inserted (+n for statements that became counted, -n for those that
    stopped), so writes to different statements never wait on a shared counter row; reads sum
    them, and `statements_tally_compact()` folds them together (imports call it, and so may cron).
    Each `kind` counts by some dimensions: "" (none), "g", "t", "s", "l" (government, topic,
    stance, language) per month; "gt", "gs", "gl", "ts", "tl", "sl" (pairs of them) per year.
    Never written by application code; read through statements/tallies.py.
    """

    kind = models.CharField(max_length=2, blank=True)
    government_id = models.CharField(max_length=2, null=True)
    topic_id = models.BigIntegerField(null=True)
    stance = models.CharField(max_length=12, null=True)
    language = models.CharField(max_length=35, null=True)
    period = models.DateField(help_text="The month's (single kinds) or year's (pair kinds) first day.")
    n = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "period"], name="statements_tally_kind_period"),
            models.Index(fields=["kind", "government_id", "period"], name="statements_tally_government"),
            models.Index(fields=["kind", "topic_id", "period"], name="statements_tally_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.kind or 'all'} {self.period}: {self.n:+d}"


# The event log's models live beside their fan-out (statements/events.py); imported here so
# that Django registers them with the other models of the domain.
from statements.events import Event, EventConsumer  # noqa: E402, F401
