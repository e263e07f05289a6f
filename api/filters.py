"""Filter sets: one per resource. Every filter validates its input; a bad value is a 400."""

import datetime
import functools
import re

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from statements.interchange import LANGUAGE_PATTERN, normalise_language
from statements.listing import Selection
from statements.models import (
    Government,
    GovernmentKind,
    Speaker,
    SpeakerKind,
    Stance,
    Statement,
    Topic,
    government_codes,
)

MAX_LIST_ITEMS = 100
MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 16
SLUG = re.compile(r"^[-\w]{1,200}$")
GOVERNMENT_CODES = frozenset(government_codes())


class RepeatedCSVWidget(forms.TextInput):
    """Reads every value of a repeated parameter: `?government=DE,FI&government=US`."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v is not None]
        return ",".join(values) if values else None


class CSVField(forms.Field):
    """A comma-separated (and repeatable) list of items, each checked by `clean_item`."""

    widget = RepeatedCSVWidget
    default_validators = [ProhibitNullCharactersValidator()]

    def __init__(self, *, clean_item, **kwargs):
        self.clean_item = clean_item
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return []
        items = [item.strip() for item in str(value).split(",")]
        if any(not item for item in items):
            raise forms.ValidationError("Empty item in the list; separate values with single commas.")
        if len(items) > MAX_LIST_ITEMS:
            raise forms.ValidationError(f"At most {MAX_LIST_ITEMS} values.")
        return list(dict.fromkeys(self.clean_item(item) for item in items))

    def validate(self, value):
        super().validate(value)  # "required"
        if "\x00" in ",".join(value):
            raise forms.ValidationError("Null characters are not allowed.")


class DocumentedFilter(django_filters.Filter):
    """Gives drf-spectacular this filter's type and its label as the parameter description."""

    schema: dict = {"type": "string"}
    schema_note = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        description = f"{self.label}. {self.schema_note}".strip() if self.label else self.schema_note
        # drf-spectacular reads this per-filter override (what @extend_schema_field sets on a class).
        self._spectacular_annotation = {"field": {**self.schema, "description": description}}


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


def shown(value: str, limit: int = 40) -> str:
    """A value quoted for an error message, cut short: errors must not echo megabytes back.

    Pass it as a ValidationError *param*, never inside the message: messages are %-formatted,
    and a "%" in user input would otherwise break the formatting (a 500 found by fuzzing).
    """
    return repr(value if len(value) <= limit else f"{value[:limit]}…")


def _null_free(item: str) -> str:
    if "\x00" in item:
        raise forms.ValidationError("Null characters are not allowed.")
    return item


def clean_government(item: str) -> str:
    code = _null_free(item).upper()
    if code not in GOVERNMENT_CODES:
        raise forms.ValidationError(
            "%(value)s is not a government code (ISO 3166-1 alpha-2, EU or UN).", params={"value": shown(item)}
        )
    return code


def clean_slug(item: str) -> str:
    if not SLUG.match(_null_free(item)):
        raise forms.ValidationError("%(value)s is not a slug.", params={"value": shown(item)})
    return item


def clean_language(item: str) -> str:
    if not LANGUAGE_PATTERN.match(_null_free(item)):
        raise forms.ValidationError(
            "%(value)s is not a BCP 47 language tag (en, de, pt-BR …).", params={"value": shown(item)}
        )
    return normalise_language(item)


def choice_cleaner(values, noun: str):
    """A cleaner accepting only `values` (e.g. Stance.values)."""
    values = list(values)

    def clean(item: str) -> str:
        if item not in values:
            raise forms.ValidationError(
                "%(value)s is not a %(noun)s; use one of %(values)s.",
                params={"value": shown(item), "noun": noun, "values": ", ".join(values)},
            )
        return item

    return clean


class StrictBooleanField(forms.Field):
    default_validators = [ProhibitNullCharactersValidator()]

    def to_python(self, value):
        if value in (None, ""):
            return None
        lowered = str(value).lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise forms.ValidationError("Use true or false.")


class StrictBooleanFilter(DocumentedFilter):
    field_class = StrictBooleanField
    schema = {"type": "boolean"}
    schema_note = "true or false."


class DateField(forms.DateField):
    input_formats = ["%Y-%m-%d"]


class DateFilter(DocumentedFilter):
    field_class = DateField
    schema = {"type": "string", "format": "date"}


class AwareDateTimeField(forms.DateTimeField):
    """ISO 8601 date-time (or a date, meaning its midnight); no offset means UTC."""

    input_formats = ["%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d"]

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("Z", "+00:00").replace(" ", "+") if value else value
            if value and len(value) == 19:
                value += "+00:00"
        parsed = super().to_python(value)
        if parsed is None:
            return None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, datetime.UTC)
        # Python allows offsets to ±23:59, PostgreSQL to ±15:59: hand the database UTC.
        if abs(parsed.utcoffset()) > datetime.timedelta(hours=14):
            raise forms.ValidationError("UTC offset out of range (at most ±14:00).")
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise forms.ValidationError("Date-time out of range.") from exc


class DateTimeFilter(DocumentedFilter):
    field_class = AwareDateTimeField
    schema = {"type": "string", "format": "date-time"}
    schema_note = "A date alone means its midnight; no offset means UTC."


class SearchField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_QUERY_LENGTH, strip=True, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and len(value.split()) > MAX_QUERY_TERMS:
            raise forms.ValidationError(f"At most {MAX_QUERY_TERMS} search terms.")


class SearchFilter(DocumentedFilter):
    field_class = SearchField
    schema = {"type": "string", "maxLength": MAX_QUERY_LENGTH}
    schema_note = (
        f'Words must all match; "a quoted phrase", `or`, and -exclusion work. At most {MAX_QUERY_LENGTH} '
        f"characters and {MAX_QUERY_TERMS} terms. Exact words, no stemming (quotes are multilingual)."
    )


class ExistingSlugsFilter(CSVFilter):
    """Slugs of public rows of `model`; an unknown slug is a 400 rather than an empty result."""

    def __init__(self, *, model, **kwargs):
        self.slug_model = model  # not `model`: FilterSet sets that to its own model
        super().__init__(clean_item=clean_slug, **kwargs)

    def ids(self, name: str, slugs: list[str]) -> tuple[int, ...]:
        """The ids of `slugs` (one query), or a 400 naming the parameter and the unknown slugs."""
        if not slugs:
            return ()
        known = dict(self.slug_model.objects.public().filter(slug__in=slugs).values_list("slug", "id"))
        unknown = [slug for slug in slugs if slug not in known]
        if unknown:
            noun = self.slug_model._meta.verbose_name
            raise ValidationError({name: [f"Unknown {noun}: {', '.join(shown(u) for u in unknown)}."]})
        return tuple(known[slug] for slug in slugs)


class StatementFilter(django_filters.FilterSet):
    """The statement filters (SPEC §5): list, stats, export, feeds and embeds all accept them."""

    government = CSVFilter(
        field_name="government_id", clean_item=clean_government, label="Government codes (US, DE, EU …)"
    )
    speaker = ExistingSlugsFilter(field_name="speaker__slug", model=Speaker, label="Speaker slugs")
    stance = CSVFilter(
        field_name="stance",
        clean_item=choice_cleaner(Stance.values, "stance"),
        label=f"Stances: {', '.join(Stance.values)}",
    )
    topic = ExistingSlugsFilter(field_name="topic__slug", model=Topic, label="Topic slugs")
    language = CSVFilter(field_name="language", clean_item=clean_language, label="BCP 47 language tags of the quote")
    is_translation = StrictBooleanFilter(
        field_name="is_translation", lookup_expr="exact", label="The quote is a translation"
    )
    said_after = DateFilter(field_name="said_on", lookup_expr="gte", label="Said on or after (YYYY-MM-DD)")
    said_before = DateFilter(field_name="said_on", lookup_expr="lte", label="Said on or before (YYYY-MM-DD)")
    updated_since = DateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Changed at or after (ISO 8601); also returns retractions as tombstones",
    )
    q = SearchFilter(field_name="search_vector", label="Full-text search on quote and context (web-search syntax)")

    class Meta:
        model = Statement
        fields = [
            "government",
            "speaker",
            "stance",
            "topic",
            "language",
            "is_translation",
            "said_after",
            "said_before",
            "updated_since",
            "q",
        ]

    def filter_queryset(self, queryset):
        """The filters' one meaning, `Selection` (statements/listing.py), as an ORM condition."""
        return queryset.filter(selection_of(self.form.cleaned_data).condition())


@functools.cache
def statement_filter_form():
    """The statement filters' form class, built once (a FilterSet builds it per request)."""
    return StatementFilter(queryset=Statement.objects.none()).get_form_class()


def selection_of(cleaned: dict) -> Selection:
    """A `Selection` from the filters' cleaned values; speaker and topic slugs resolved to ids."""
    filters = StatementFilter.base_filters
    return Selection(
        governments=tuple(cleaned.get("government") or ()),
        speakers=filters["speaker"].ids("speaker", cleaned.get("speaker") or []),
        topics=filters["topic"].ids("topic", cleaned.get("topic") or []),
        stances=tuple(cleaned.get("stance") or ()),
        languages=tuple(cleaned.get("language") or ()),
        is_translation=cleaned.get("is_translation"),
        said_after=cleaned.get("said_after"),
        said_before=cleaned.get("said_before"),
        updated_since=cleaned.get("updated_since"),
        q=cleaned.get("q") or "",
    )


def selection(data) -> Selection:
    """The statement filters in `data` (a QueryDict), validated: a bad value is a 400 naming it."""
    form = statement_filter_form()(data)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return selection_of(form.cleaned_data)


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
    data = request.GET.copy()
    for name in list(data):
        if name not in StatementFilter.base_filters:
            del data[name]
    return selection(data)
