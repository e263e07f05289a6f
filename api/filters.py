"""Filter sets: one per resource, as django-filter declares them for the schema and the strict
parameter check. The statement filters' meaning and validation are the domain's
(statements/filtering.py), shared with feeds, pages, exports, the export command and webhook
subscriptions; a bad value is a 400 naming the parameter."""

import django_filters
from rest_framework.exceptions import ValidationError

from api.schema import filter_schemas, schema_for
from statements.filtering import (
    AwareDateTimeField,
    CSVField,
    DateField,
    FilterError,
    SearchField,
    StatementFilterForm,
    StrictBooleanField,
    choice_cleaner,
    clean_government,
    selection_from,
)
from statements.listing import Selection
from statements.models import Government, GovernmentKind, Speaker, SpeakerKind, Statement


class DocumentedFilter(django_filters.Filter):
    """Gives drf-spectacular this filter's type and its label as the parameter description."""

    schema: dict = {"type": "string"}
    schema_note = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note = self.extra.get("help_text") or self.schema_note
        description = f"{self.label}. {note}".strip() if self.label else note
        schema = schema_for(self.field_class(**self.extra)) if self.field_class is CSVField else self.schema
        # drf-spectacular reads this per-filter override (what @extend_schema_field sets on a class).
        self._spectacular_annotation = {"field": {**schema, "description": description}}


class CSVFilter(DocumentedFilter):
    field_class = CSVField
    schema_note = "Comma-separated; the parameter may be repeated (values are OR-ed)."

    def __init__(self, *, clean_item, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(clean_item=clean_item, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return super().filter(qs, value)


class StrictBooleanFilter(DocumentedFilter):
    field_class = StrictBooleanField
    schema = {"type": "boolean"}


class DateFilter(DocumentedFilter):
    field_class = DateField
    schema = {"type": "string", "format": "date"}


class DateTimeFilter(DocumentedFilter):
    field_class = AwareDateTimeField
    schema = {"type": "string", "format": "date-time"}


class SearchFilter(DocumentedFilter):
    field_class = SearchField
    schema = {"type": "string", "maxLength": 200}


# Each statement filter: the model field and lookup it means (for django-filter), by parameter.
STATEMENT_LOOKUPS = {
    "government": ("government_id", "in"),
    "speaker": ("speaker__slug", "in"),
    "stance": ("stance", "in"),
    "topic": ("topic__slug", "in"),
    "language": ("language", "in"),
    "is_translation": ("is_translation", "exact"),
    "said_after": ("said_on", "gte"),
    "said_before": ("said_on", "lte"),
    "updated_since": ("updated_at", "gte"),
    "q": ("search_vector", "exact"),
}
_FILTER_CLASSES = {
    CSVField: CSVFilter,
    StrictBooleanField: StrictBooleanFilter,
    DateField: DateFilter,
    AwareDateTimeField: DateTimeFilter,
    SearchField: SearchFilter,
}


def _declared(name: str, field) -> DocumentedFilter:
    field_name, lookup_expr = STATEMENT_LOOKUPS[name]
    kwargs = {"field_name": field_name, "lookup_expr": lookup_expr, "label": field.label, "help_text": field.help_text}
    if isinstance(field, CSVField):
        kwargs["clean_item"] = field.clean_item
    declared = _FILTER_CLASSES[type(field)](**kwargs)
    # The parameter's schema with its limits (api/schema.py), described by the domain's label.
    declared._spectacular_annotation["field"] = {
        **filter_schemas()[name],
        "description": declared._spectacular_annotation["field"]["description"],
    }
    return declared


# The statement filters (SPEC §5), declared from the domain's form so the two cannot drift:
# list, stats, export, feeds and embeds all accept them.
StatementFilter = type(
    "StatementFilter",
    (django_filters.FilterSet,),
    {
        **{name: _declared(name, field) for name, field in StatementFilterForm.base_fields.items()},
        "Meta": type("Meta", (), {"model": Statement, "fields": list(StatementFilterForm.base_fields)}),
        "__module__": __name__,
        "__doc__": "The statement filters (statements/filtering.py), for the schema and the parameter check.",
    },
)


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


def filter_strictly(request) -> Selection:
    """The API's statement filters, validated: a bad value is a 400 naming the parameter.

    (Unknown parameters were already refused by the view's strict-parameter check.)
    """
    return selection(request.query_params)


def filter_leniently(request) -> Selection:
    """The statement filters of a page, feed or embed request.

    Unlike the API, these ignore parameters they do not know (browsers, feed readers and
    newsletters add utm_source and the like), but a bad value of a known filter is a 400.
    """
    return selection(request.GET)  # the domain reads only the filters' own parameters
