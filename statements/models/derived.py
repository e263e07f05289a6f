"""Derived state kept by the database's triggers, whatever writes: position steps, the data version
and the statement tallies. Never written by application code."""

from django.db import connection, models
from django.db.models import Q

from statements.models.references import Government, Speaker, Topic
from statements.models.statement import DatePrecision, Stance, Statement


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
                fields=["topic", "government", "said_on"], condition=Q(is_change=True), name="position_steps_changes"
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
