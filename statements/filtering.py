"""The statement filter language (SPEC §5): `government=DE,FI&stance=restrictive&said_after=…`.

One meaning and one validation wherever a filter is given: the API's lists, stats and exports,
feeds, embeds and pages, the export command, and webhook subscriptions. `selection_from(data)`
turns the parameters (a QueryDict or a dict of strings) into a `Selection` or raises
`FilterError` with messages by parameter name. Values within a filter are OR-ed, filters AND-ed.
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone

from statements.interchange import LANGUAGE_PATTERN, normalise_language
from statements.listing import Selection
from statements.models import Speaker, Stance, Topic, government_codes

# Blank means ASCII white space, as the schema's patterns say it (str.strip() and str.split() also
# take \x1c–\x1f and \x85 for white space, which JSON Schema's \s does not).
WHITE_SPACE = " \t\n\r\f\v"
WORDS = re.compile(f"[^{re.escape(WHITE_SPACE)}]+")
MAX_LIST_ITEMS = 100
MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 16
SLUG = re.compile(r"^[-\w]{1,200}$")
GOVERNMENT_CODES = frozenset(government_codes())


class FilterError(Exception):
    """Bad filter values: `errors` maps each parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors = errors


def shown(value: str, limit: int = 40) -> str:
    """A value quoted for an error message, cut short: errors must not echo megabytes back.

    Pass it as a ValidationError *param*, never inside the message: messages are %-formatted,
    and a "%" in user input would otherwise break the formatting (a 500 found by fuzzing).
    """
    return repr(value if len(value) <= limit else f"{value[:limit]}…")


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


clean_government.choices = sorted(GOVERNMENT_CODES)  # what the schema lists

# Named groups of governments the public list offers as one choice (it expands them into the
# codes, so the URL says exactly who is in: a group's members change over the years).
GOVERNMENT_GROUPS = {
    "eu-members": (
        "EU member states",
        ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
         "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
    ),
    "schengen-borders-russia": ("Schengen states bordering Russia or Belarus", ("EE", "FI", "LT", "LV", "NO", "PL")),
}  # fmt: skip


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

    clean.choices = values  # what the schema lists
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


class DateField(forms.DateField):
    input_formats = ["%Y-%m-%d"]


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
        # Any RFC 3339 offset (up to ±23:59; PostgreSQL takes ±15:59): the database gets UTC. An
        # instant outside the calendar in UTC (year 1 at +05:00) is the calendar's edge.
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            edge = datetime.datetime.min if parsed.utcoffset() > datetime.timedelta(0) else datetime.datetime.max
            return edge.replace(tzinfo=datetime.UTC)


class SearchField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_QUERY_LENGTH, strip=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if len(value) > MAX_QUERY_LENGTH:  # white space counts, as the schema's maxLength says
            raise forms.ValidationError(
                f"Ensure this value has at most {MAX_QUERY_LENGTH} characters (it has {len(value)})."
            )
        return value.strip(WHITE_SPACE)

    def validate(self, value):
        super().validate(value)
        if value and len(WORDS.findall(value)) > MAX_QUERY_TERMS:
            raise forms.ValidationError(f"At most {MAX_QUERY_TERMS} search terms.")


SEARCH_HELP = (
    f'Words must all match; "a quoted phrase", `or`, and -exclusion work. At most {MAX_QUERY_LENGTH} '
    f"characters and {MAX_QUERY_TERMS} terms. Words are stemmed in each statement's language (refugee finds "
    "refugees; Flüchtling finds Flüchtlinge); languages PostgreSQL has no stemmer for match exact words."
)
LIST_HELP = "Comma-separated; the parameter may be repeated (values are OR-ed)."


class StatementFilterForm(forms.Form):
    """The statement filters, validated. Labels and help texts are the API's documentation."""

    government = CSVField(
        clean_item=clean_government, required=False, label="Government codes (US, DE, EU …)", help_text=LIST_HELP
    )
    speaker = CSVField(clean_item=clean_slug, required=False, label="Speaker slugs", help_text=LIST_HELP)
    stance = CSVField(
        clean_item=choice_cleaner(Stance.values, "stance"),
        required=False,
        label=f"Stances: {', '.join(Stance.values)}",
        help_text=LIST_HELP,
    )
    topic = CSVField(clean_item=clean_slug, required=False, label="Topic slugs", help_text=LIST_HELP)
    language = CSVField(
        clean_item=clean_language, required=False, label="BCP 47 language tags of the quote", help_text=LIST_HELP
    )
    is_translation = StrictBooleanField(required=False, label="The quote is a translation", help_text="true or false.")
    said_after = DateField(required=False, label="Said on or after (YYYY-MM-DD)")
    said_before = DateField(required=False, label="Said on or before (YYYY-MM-DD)")
    updated_since = AwareDateTimeField(
        required=False,
        label="Changed at or after (ISO 8601); also returns retractions as tombstones",
        help_text="A date alone means its midnight; no offset means UTC.",
    )
    q = SearchField(
        required=False, label="Full-text search on quote and context (web-search syntax)", help_text=SEARCH_HELP
    )


FILTER_NAMES = tuple(StatementFilterForm.base_fields)
# The parameters that take lists (and so may be repeated).
LIST_FILTERS = frozenset(name for name, f in StatementFilterForm.base_fields.items() if isinstance(f, CSVField))


def slug_ids(model, name: str, slugs: list[str], *, public: bool = True) -> tuple[int, ...]:
    """The ids of the `model` rows (speakers, topics) with `slugs` (public ones only, unless not
    `public`), in one query; an unknown slug is an error naming the parameter, not an empty result."""
    if not slugs:
        return ()
    rows = model.objects.public() if public else model.objects.all()
    known = dict(rows.filter(slug__in=slugs).values_list("slug", "id"))
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise FilterError({name: [f"Unknown {model._meta.verbose_name}: {', '.join(shown(u) for u in unknown)}."]})
    return tuple(known[slug] for slug in slugs)


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [e["message"] for e in errors] for name, errors in form.errors.get_json_data().items()}


def _cleaned(data) -> dict:
    form = StatementFilterForm(data)
    if not form.is_valid():
        raise FilterError(form_errors(form))
    return form.cleaned_data


def selection_from(data, *, public: bool = True, statuses: tuple[str, ...] = ()) -> Selection:
    """The statement filters in `data` (a QueryDict or a dict of strings), validated. Parameters
    that are not filters are not looked at (callers decide whether those are errors). Staff tools
    pass `public=False` (slugs of speakers and topics with drafts only are known too) and the
    `statuses` they want."""
    return _selection(_cleaned(data), public, statuses)


def _selection(cleaned: dict, public: bool, statuses: tuple[str, ...]) -> Selection:
    return Selection(
        governments=tuple(cleaned["government"]),
        speakers=slug_ids(Speaker, "speaker", cleaned["speaker"], public=public),
        topics=slug_ids(Topic, "topic", cleaned["topic"], public=public),
        stances=tuple(cleaned["stance"]),
        languages=tuple(cleaned["language"]),
        is_translation=cleaned["is_translation"],
        said_after=cleaned["said_after"],
        said_before=cleaned["said_before"],
        updated_since=cleaned["updated_since"],
        q=cleaned["q"] or "",
        statuses=statuses,
    )


@dataclass(frozen=True)
class Filtered:
    """A validated filter request: the `Selection`, and the filters as given (cleaned), for naming
    it to people (`describe`) and as a canonical query string (`query`)."""

    selection: Selection
    cleaned: dict

    def given(self) -> list[tuple[str, object]]:
        """The filters given, in the form's order, list values sorted (their order means nothing)."""
        return [
            (name, sorted(value) if isinstance(value, list) else value)
            for name, value in self.cleaned.items()
            if value not in (None, "", [])
        ]

    def describe(self) -> str:
        """ "government DE, FI; stance restrictive; said on or after 2022-09-21", or ""."""
        parts = []
        for name, value in self.given():
            shown_value = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
            label = {"said_after": "said on or after", "said_before": "said on or before"}.get(name, name)
            parts.append(f"{label.replace('_', ' ')} {shown_value}")
        return "; ".join(parts)

    def query(self) -> str:
        """The filters in their canonical order and spelling (`government=DE,FI&stance=…`): the
        same feed or page has one URL, whatever order or case a client wrote it in."""
        pairs = []
        for name, value in self.given():
            if isinstance(value, list):
                value = ",".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, datetime.datetime):
                value = value.isoformat().replace("+00:00", "Z")
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            pairs.append((name, value))
        return urlencode(pairs, safe=",:")


def filtered_from(data, *, public: bool = True, statuses: tuple[str, ...] = ()) -> Filtered:
    """`selection_from(data)` with the filters as given: see Filtered."""
    cleaned = _cleaned(data)
    return Filtered(_selection(cleaned, public, statuses), cleaned)
