"""Filter sets of the resource lists (speakers, governments), as django-filter declares them for
the schema and the strict parameter check, and the statement filters of pages, feeds and embeds.
The statement filters' meaning and validation are the domain's (statements/filtering.py), shared
with the API's statement endpoints (api/params.py `Query`), feeds, pages, exports, the export
command and webhook subscriptions; a bad value is a 400 naming the parameter."""

import django_filters
from rest_framework.exceptions import ValidationError

from api.schema import schema_for
from statements.filtering import (
    CSVField,
    FilterError,
    choice_cleaner,
    clean_government,
    selection_from,
)
from statements.listing import Selection
from statements.models import Government, GovernmentKind, Speaker, SpeakerKind, Statement


class CSVFilter(django_filters.Filter):
    """A comma-separated (and repeatable) list filter; gives drf-spectacular its schema, with the
    limits its validation enforces, and its label as the parameter description."""

    field_class = CSVField
    schema_note = "Comma-separated; the parameter may be repeated (values are OR-ed)."

    def __init__(self, *, clean_item, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(clean_item=clean_item, **kwargs)
        note = self.extra.get("help_text") or self.schema_note
        description = f"{self.label}. {note}".strip() if self.label else note
        # drf-spectacular reads this per-filter override (what @extend_schema_field sets on a class).
        self._spectacular_annotation = {
            "field": {**schema_for(self.field_class(**self.extra)), "description": description}
        }

    def filter(self, qs, value):
        if not value:
            return qs
        return super().filter(qs, value)


def selection(data) -> Selection:
    """The statement filters in `data` (a QueryDict), validated: a bad value is a 400 naming it."""
    try:
        return selection_from(data)
    except FilterError as exc:
        raise ValidationError(exc.errors) from exc


class SpeakerFilter(django_filters.FilterSet):
    kind = CSVFilter(
        field_name="kind", clean_item=choice_cleaner(SpeakerKind.values, "speaker kind"), label="person or body"
    )
    government = CSVFilter(
        field_name="government",
        clean_item=clean_government,
        method="filter_government",
        label="Governments the speaker has spoken for (in published statements)",
    )

    class Meta:
        model = Speaker
        fields = ["kind", "government"]

    def filter_government(self, queryset, name, value):
        return queryset.filter(
            pk__in=Statement.objects.published().filter(government_id__in=value).values("speaker_id")
        )


class GovernmentFilter(django_filters.FilterSet):
    kind = CSVFilter(
        field_name="kind",
        clean_item=choice_cleaner(GovernmentKind.values, "government kind"),
        label="state, supranational or international",
    )

    class Meta:
        model = Government
        fields = ["kind"]


def filter_leniently(request) -> Selection:
    """The statement filters of a page, feed or embed request.

    Unlike the API, these ignore parameters they do not know (browsers, feed readers and
    newsletters add utm_source and the like), but a bad value of a known filter is a 400.
    """
    return selection(request.GET)  # the domain reads only the filters' own parameters
