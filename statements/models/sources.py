"""Where a statement was printed (its sources) and its quote rendered in other languages."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from statements.models.common import (
    HTTP_URL_PATTERN,
    LANGUAGE_TAG_PATTERN,
    NOT_BLANK_PATTERN,
    TimeStamped,
    quote_key_field,
    quote_words_field,
)
from statements.models.statement import Statement


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
    text_key = quote_key_field("text")
    text_words = quote_words_field("text")
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
