"""What the domain's models share: the timestamps every model has, patterns the database checks,
and the CHECK constraint that keeps a choice field to its choices."""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q

WIKIDATA_ID_PATTERN = r"^Q[1-9][0-9]*$"
# BCP 47 language tags, loosely: a 2–3 letter primary language subtag, then subtags.
LANGUAGE_TAG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
HTTP_URL_PATTERN = r"^https?://[^[:space:]]+$"
NOT_BLANK_PATTERN = r"[^[:space:]]"


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


def choices_constraint(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def _quote_key(source: str) -> models.Func:
    return models.Func(models.F(source), function="statements_quote_key", output_field=models.TextField())


def quote_key_field(source: str) -> models.GeneratedField:
    """The text of `source` as the quote check compares it (statements/sql/quote_key.sql)."""
    return models.GeneratedField(expression=_quote_key(source), output_field=models.TextField(), db_persist=True)


def quote_words_field(source: str) -> models.GeneratedField:
    """Its words, for the GIN index candidates come from (statements/quotecheck/candidates.py)."""
    return models.GeneratedField(
        expression=SearchVector(_quote_key(source), config="simple"), output_field=SearchVectorField(), db_persist=True
    )
