"""Who speaks for whom, and about what: governments, speakers and topics, which statements refer to."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.models import HistoricalRecords

from statements.models.common import NOT_BLANK_PATTERN, WIKIDATA_ID_PATTERN, TimeStamped, choices_constraint
from statements.querysets import GovernmentQuerySet, SpeakerQuerySet, TopicQuerySet


def government_codes() -> list[str]:
    """ISO 3166-1 alpha-2 codes (django-countries) plus EU and UN (settings.COUNTRIES_OVERRIDE)."""
    return sorted(code for code, _name in countries)


class GovernmentKind(models.TextChoices):
    STATE = "state", _("State")
    SUPRANATIONAL = "supranational", _("Supranational")
    INTERNATIONAL = "international", _("International")


class SpeakerKind(models.TextChoices):
    PERSON = "person", _("Person")
    BODY = "body", _("Body")


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
        max_length=20, null=True, blank=True, unique=True, help_text="Wikidata item, Q followed by digits (e.g. Q64)."
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
