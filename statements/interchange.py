"""The JSON Lines interchange format (SPEC §4): parse and validate lines, and render statements.

Beyond a statement's own fields, a line may carry its public record: `id`, `status`,
`corrections` (the public notes, exactly as the API's), and for restores `created_at`,
`updated_at` and `speaker.slug`. A plain import ignores the id, the timestamps and the slug;
`import_statements --restore` keeps them, so that a restored tracker answers every URL as
before.
"""

import datetime
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from statements.models import (
    CORRECTION_FIELD_NAMES,
    HTTP_URL_PATTERN,
    CorrectionKind,
    DatePrecision,
    SpeakerKind,
    Stance,
    Status,
    government_codes,
)

REQUIRED_KEYS = (
    "speaker",
    "role",
    "organization",
    "government",
    "said_on",
    "date_precision",
    "quote",
    "language",
    "is_translation",
    "stance",
    "topic",
    "sources",
)
OPTIONAL_KEYS = (
    "id",
    "published_on",
    "context",
    "status",
    "corrections",
    "translations",
    "created_at",
    "updated_at",
    "version",
)
SPEAKER_KEYS = {"name": True, "kind": True, "wikidata_id": False, "slug": False}
SOURCE_KEYS = {"url": True, "publisher": True, "archived_url": False, "accessed_on": False}
CORRECTION_KEYS = {"date": True, "corrected_at": False, "kind": True, "note": True, "fields": False}
TRANSLATION_KEYS = {"language": True, "text": True, "by": True, "official": False, "source_url": False}
MAX_TRANSLATIONS = 50

MAX_QUOTE_LENGTH = 20_000
MAX_SOURCES = 20
MAX_CORRECTIONS = 200
MAX_NOTE_LENGTH = 5000
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1  # a PositiveIntegerField
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLUG_PATTERN = re.compile(r"^[-a-z0-9]+$")
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
SPEAKER_SLUG_PATTERN = re.compile(r"^[-\w]+$")
LANGUAGE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_url_validator = URLValidator(schemes=["http", "https"])
_GOVERNMENT_CODES = frozenset(government_codes())
_http_url = re.compile(HTTP_URL_PATTERN.replace("[^[:space:]]", r"\S"))


@dataclass(frozen=True)
class SpeakerData:
    name: str
    kind: str
    wikidata_id: str | None = None
    slug: str | None = None  # read by restores only


@dataclass(frozen=True)
class SourceData:
    url: str
    publisher: str
    archived_url: str | None = None
    accessed_on: datetime.date | None = None


@dataclass(frozen=True)
class TranslationData:
    """A rendering of the quote in another language, by a named maker (SPEC §4)."""

    language: str
    text: str
    by: str
    official: bool = False
    source_url: str | None = None


@dataclass(frozen=True)
class CorrectionData:
    """One public note: a correction, a retraction or a reinstatement (as the API shows it)."""

    date: datetime.date
    kind: str
    note: str
    fields: tuple[str, ...] = ()
    corrected_at: datetime.datetime | None = None

    @property
    def moment(self) -> datetime.datetime:
        """When it was made: `corrected_at`, or the start of its date (UTC)."""
        return self.corrected_at or datetime.datetime.combine(self.date, datetime.time(), datetime.UTC)


@dataclass
class StatementData:
    """One validated line. `fields` holds the statement's own columns, ready for the model
    (`status` included); the public record around it is `corrections`, and `id`, `created_at`
    and `updated_at` are what a restore keeps."""

    line: int
    speaker: SpeakerData
    government: str
    topic: str
    fields: dict
    sources: list[SourceData] = field(default_factory=list)
    corrections: list[CorrectionData] = field(default_factory=list)
    translations: list[TranslationData] = field(default_factory=list)
    id: int | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    version: int | None = None  # the edit count a restore keeps (open forms' lost-edit guard)


@dataclass
class ParseResult:
    statements: list[StatementData]
    errors: list[str]
    lines: int


class _LineErrors:
    """Collects `line N: field: message` problems for one line."""

    def __init__(self, line: int):
        self.line = line
        self.messages: list[str] = []

    def add(self, field_name: str, message: str) -> None:
        self.messages.append(f"line {self.line}: {field_name}: {message}")


def normalise_language(tag: str) -> str:
    """Canonical BCP 47 casing: language lower, script title, region upper (en-GB, zh-Hant)."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def _reject_duplicate_keys(pairs: list[tuple]) -> dict:
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _text(errors: _LineErrors, name: str, value, *, required: bool = True, max_length: int = 300) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        errors.add(name, f"must be a string, not {type(value).__name__}")
        return None
    if "\x00" in value:
        errors.add(name, "contains a NUL character")
        return None
    if required and not value.strip():
        errors.add(name, "must not be empty")
        return None
    if len(value) > max_length:
        errors.add(name, f"is {len(value)} characters long; the limit is {max_length}")
        return None
    return value


def _date(errors: _LineErrors, name: str, value, *, required: bool = True) -> datetime.date | None:
    if value is None:
        if required:
            errors.add(name, "is required")
        return None
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        errors.add(name, f"must be a date as YYYY-MM-DD, not {value!r}")
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        errors.add(name, f"{value!r} is not a real date")
        return None


def _instant(errors: _LineErrors, name: str, value) -> datetime.datetime | None:
    """An ISO 8601 date-time with its offset (Z or ±HH:MM), as the export writes them."""
    if value is None:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or not DATE_PATTERN.match(value[:10]):
        errors.add(name, f"must be a date-time with its offset, such as 2022-09-27T14:05:00Z, not {value!r}")
        return None
    return parsed.astimezone(datetime.UTC)


def _url(errors: _LineErrors, name: str, value, *, required: bool = True) -> str | None:
    text = _text(errors, name, value, required=required, max_length=2000)
    if text is None:
        return None
    try:
        _url_validator(text)
    except ValidationError:
        errors.add(name, f"{text!r} is not an http(s) URL")
        return None
    if not _http_url.match(text):
        errors.add(name, f"{text!r} is not an http(s) URL")
        return None
    return text


def _choice(errors: _LineErrors, name: str, value, choices) -> str | None:
    if value not in choices.values:
        errors.add(name, f"{value!r} is not one of {', '.join(choices.values)}")
        return None
    return value


def _unknown_keys(errors: _LineErrors, prefix: str, data: dict, known) -> None:
    for key in data:
        if key not in known:
            errors.add(f"{prefix}{key}", "unknown key")


def _speaker(errors: _LineErrors, value) -> SpeakerData | None:
    if not isinstance(value, dict):
        errors.add("speaker", "must be an object with name and kind")
        return None
    _unknown_keys(errors, "speaker.", value, SPEAKER_KEYS)
    for key, required in SPEAKER_KEYS.items():
        if required and key not in value:
            errors.add(f"speaker.{key}", "is required")
    name = _text(errors, "speaker.name", value.get("name"), max_length=200)
    kind = _choice(errors, "speaker.kind", value.get("kind"), SpeakerKind) if "kind" in value else None
    wikidata_id = value.get("wikidata_id")
    if wikidata_id is not None and (not isinstance(wikidata_id, str) or not WIKIDATA_PATTERN.match(wikidata_id)):
        errors.add("speaker.wikidata_id", f"must be Q followed by digits, not {wikidata_id!r}")
        wikidata_id = None
    slug = value.get("slug")
    if slug is not None and (not isinstance(slug, str) or len(slug) > 200 or not SPEAKER_SLUG_PATTERN.match(slug)):
        errors.add("speaker.slug", f"must be a slug of letters, digits and hyphens, not {slug!r}")
        slug = None
    if name is None or kind is None:
        return None
    return SpeakerData(name=name, kind=kind, wikidata_id=wikidata_id, slug=slug)


class _RecordErrors(_LineErrors):
    """Problems of one record of a JSON array file, as `speakers[N]: field: message`."""

    def __init__(self, where: str):
        self.where = where
        self.messages: list[str] = []

    def add(self, field_name: str, message: str) -> None:
        self.messages.append(f"{self.where}: {field_name}: {message}")


def parse_speaker_record(index: int, value) -> tuple[SpeakerData | None, list[str]]:
    """One record of a speakers file (`export_speakers`): a line's `speaker` object with its slug,
    which is required here, validated alike."""
    errors = _RecordErrors(f"speakers[{index}]")
    speaker = _speaker(errors, value)
    if speaker is not None and not speaker.slug and not errors.messages:
        errors.add("speaker.slug", "is required")
    return (speaker if not errors.messages else None), errors.messages


def speaker_to_record(speaker) -> dict:
    """A speaker as a speakers file holds it: the keys of a line's `speaker`, its slug included."""
    record = {"name": speaker.name, "kind": speaker.kind}
    if speaker.wikidata_id:
        record["wikidata_id"] = speaker.wikidata_id
    record["slug"] = speaker.slug
    return record


def _sources(errors: _LineErrors, value, status: str | None) -> list[SourceData]:
    """At least one source; a draft (not yet public) may have none yet, as in the admin's shell."""
    if not isinstance(value, list) or (not value and status != Status.DRAFT):
        errors.add("sources", "must be a non-empty list of sources")
        return []
    if len(value) > MAX_SOURCES:
        errors.add("sources", f"has {len(value)} sources; the limit is {MAX_SOURCES}")
        return []
    sources = []
    for index, item in enumerate(value):
        prefix = f"sources[{index}]"
        if not isinstance(item, dict):
            errors.add(prefix, "must be an object with url and publisher")
            continue
        _unknown_keys(errors, f"{prefix}.", item, SOURCE_KEYS)
        before = len(errors.messages)
        url = _url(errors, f"{prefix}.url", item.get("url"))
        publisher = _text(errors, f"{prefix}.publisher", item.get("publisher"))
        archived_url = _url(errors, f"{prefix}.archived_url", item.get("archived_url"), required=False)
        accessed_on = _date(errors, f"{prefix}.accessed_on", item.get("accessed_on"), required=False)
        if len(errors.messages) == before:
            sources.append(SourceData(url, publisher, archived_url, accessed_on))
    return sources


def _corrections(errors: _LineErrors, value) -> list[CorrectionData]:
    if not isinstance(value, list):
        errors.add("corrections", "must be a list of corrections (oldest first)")
        return []
    if len(value) > MAX_CORRECTIONS:
        errors.add("corrections", f"has {len(value)} entries; the limit is {MAX_CORRECTIONS}")
        return []
    corrections = []
    for index, item in enumerate(value):
        prefix = f"corrections[{index}]"
        if not isinstance(item, dict):
            errors.add(prefix, "must be an object with date, kind and note")
            continue
        _unknown_keys(errors, f"{prefix}.", item, CORRECTION_KEYS)
        before = len(errors.messages)
        day = _date(errors, f"{prefix}.date", item.get("date"))
        moment = _instant(errors, f"{prefix}.corrected_at", item.get("corrected_at"))
        kind = _choice(errors, f"{prefix}.kind", item.get("kind"), CorrectionKind)
        note = _text(errors, f"{prefix}.note", item.get("note"), max_length=MAX_NOTE_LENGTH)
        names = item.get("fields", [])
        if not isinstance(names, list) or any(name not in CORRECTION_FIELD_NAMES for name in names):
            errors.add(f"{prefix}.fields", f"must be a list of {', '.join(CORRECTION_FIELD_NAMES)}, not {names!r}")
        elif names and kind != CorrectionKind.CORRECTION:
            errors.add(f"{prefix}.fields", f"a {kind} corrects no fields")
        if day and moment and moment.date() != day:
            errors.add(f"{prefix}.date", f"is not the date of corrected_at ({moment.date().isoformat()})")
        if len(errors.messages) == before:
            corrections.append(CorrectionData(day, kind, note, tuple(names), moment))
    for index, (earlier, later) in enumerate(itertools.pairwise(corrections), start=1):
        if later.moment < earlier.moment:
            errors.add(f"corrections[{index}].date", "corrections must be listed oldest first")
    return corrections


def primary_language(tag: str) -> str:
    """The language of a BCP 47 tag without script or region: "en" of "en-GB"."""
    return tag.split("-")[0].lower()


def _translation(errors: _LineErrors, prefix: str, item, quote_language: str | None) -> TranslationData | None:
    if not isinstance(item, dict):
        errors.add(prefix, "must be an object with language, text and by")
        return None
    _unknown_keys(errors, f"{prefix}.", item, TRANSLATION_KEYS)
    before = len(errors.messages)
    language = item.get("language")
    if "language" not in item:
        errors.add(f"{prefix}.language", "is required")
    elif not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
        errors.add(f"{prefix}.language", f"must be a BCP 47 tag such as en, de or pt-BR, not {language!r}")
    else:
        language = normalise_language(language)
        if quote_language and primary_language(language) == primary_language(quote_language):
            errors.add(f"{prefix}.language", f"{language!r} is the quote's own language: the quote is the record")
    text = _text(errors, f"{prefix}.text", item["text"], max_length=MAX_QUOTE_LENGTH) if "text" in item else None
    if "text" not in item:
        errors.add(f"{prefix}.text", "is required")
    if "by" not in item:
        errors.add(
            f"{prefix}.by",
            "is required: who made the rendering (a wire, a paper, a government, or the tracker's editors)",
        )
    by = _text(errors, f"{prefix}.by", item["by"]) if "by" in item else None
    official = item.get("official", False)
    if not isinstance(official, bool):
        errors.add(f"{prefix}.official", f"must be true or false, not {official!r}")
    source_url = _url(errors, f"{prefix}.source_url", item.get("source_url"), required=False)
    if len(errors.messages) != before:
        return None
    return TranslationData(language, text, by, official, source_url)


def _translations(errors: _LineErrors, value, quote_language: str | None) -> list[TranslationData]:
    """Renderings of the quote: each with its maker, at most one per language, none in the quote's."""
    if not isinstance(value, list):
        errors.add("translations", "must be a list of renderings ({language, text, by, official, source_url})")
        return []
    if len(value) > MAX_TRANSLATIONS:
        errors.add("translations", f"has {len(value)} renderings; the limit is {MAX_TRANSLATIONS}")
        return []
    translations, seen = [], {}
    for index, item in enumerate(value):
        rendering = _translation(errors, f"translations[{index}]", item, quote_language)
        if rendering is None:
            continue
        if rendering.language in seen:
            errors.add(
                f"translations[{index}].language",
                f"{rendering.language!r} is also the language of translations[{seen[rendering.language]}]: "
                "one rendering per language",
            )
            continue
        seen[rendering.language] = index
        translations.append(rendering)
    return translations


def status_problem(status: str, corrections: list[CorrectionData]) -> str | None:
    """Why `status` does not fit the public record in `corrections`, or None: a retracted statement
    has its retraction's reason, a published one was reinstated after any retraction, a draft was
    never published (so has no public notes)."""
    steps = [c.kind for c in corrections if c.kind != CorrectionKind.CORRECTION]
    last = steps[-1] if steps else None
    if status == Status.DRAFT and corrections:
        return "a draft was never published, so it has no corrections"
    if status == Status.RETRACTED and last != CorrectionKind.RETRACTION:
        return "a retracted statement needs its retraction (the public reason) as its latest step in corrections"
    if status == Status.PUBLISHED and last == CorrectionKind.RETRACTION:
        return "the latest step in corrections is a retraction: the status would be retracted"
    return None


def parse_line(line_number: int, raw: str) -> tuple[StatementData | None, list[str]]:
    """Validate one line of the interchange format. Returns the data or the line's problems.

    The steps run in this order, and so do the problems they find: the JSON object, its keys,
    the speaker, government and topic, the statement's own fields, its sources, corrections and
    renderings, its status against its corrections, then what a restore keeps (id, timestamps,
    version)."""
    errors = _LineErrors(line_number)
    data = _json_object(errors, raw)
    if data is None:
        return None, errors.messages
    _check_keys(errors, data)
    speaker = _speaker(errors, data["speaker"]) if "speaker" in data else None
    government = _government(errors, data)
    topic = _topic(errors, data)
    fields = _statement_fields(errors, data)
    sources = _sources(errors, data["sources"], fields["status"]) if "sources" in data else []
    corrections = _corrections(errors, data["corrections"]) if "corrections" in data else []
    translations = _translations(errors, data["translations"], fields["language"]) if "translations" in data else []
    if fields["status"] and not errors.messages:
        _check_status(errors, fields["status"], corrections)
    statement_id = _whole_number(errors, "id", data, MAX_ID)
    created_at, updated_at = _timestamps(errors, data)
    version = _whole_number(errors, "version", data, MAX_VERSION)

    if errors.messages:
        return None, errors.messages
    return (
        StatementData(
            line_number,
            speaker,
            government,
            topic,
            fields,
            sources,
            corrections,
            translations,
            statement_id,
            created_at,
            updated_at,
            version,
        ),
        [],
    )


def _json_object(errors: _LineErrors, raw: str) -> dict | None:
    """The line as a JSON object (no key twice), or None with the problem noted."""
    try:
        data = json.loads(raw, object_pairs_hook=_reject_duplicate_keys)
    except ValueError as exc:
        errors.add("json", str(exc))
        return None
    if not isinstance(data, dict):
        errors.add("json", f"expected an object, got {type(data).__name__}")
        return None
    return data


def _check_keys(errors: _LineErrors, data: dict) -> None:
    """Unknown keys first, then each required key that is missing."""
    _unknown_keys(errors, "", data, REQUIRED_KEYS + OPTIONAL_KEYS)
    for key in REQUIRED_KEYS:
        if key not in data:
            errors.add(key, "is required")


def _government(errors: _LineErrors, data: dict):
    """The government's code as given (checked against the known codes, with a hint for lower case)."""
    government = data.get("government")
    if "government" in data and government not in _GOVERNMENT_CODES:
        hint = (
            f"; did you mean {government.upper()!r}?"
            if isinstance(government, str) and government.upper() in _GOVERNMENT_CODES
            else ""
        )
        errors.add("government", f"{government!r} is not an ISO 3166-1 alpha-2 code, EU or UN{hint}")
    return government


def _topic(errors: _LineErrors, data: dict):
    """The topic's slug as given (checked for its shape)."""
    topic = data.get("topic")
    if "topic" in data and (not isinstance(topic, str) or not SLUG_PATTERN.match(topic) or len(topic) > 100):
        errors.add("topic", f"must be a slug of lowercase letters, digits and hyphens, not {topic!r}")
    return topic


def _statement_fields(errors: _LineErrors, data: dict) -> dict:
    """The statement's own columns, ready for the model; a field with a problem is None."""
    fields = _field_values(errors, data)
    fields["language"] = _language(errors, data)
    if "is_translation" in data and not isinstance(fields["is_translation"], bool):
        errors.add("is_translation", f"must be true or false, not {fields['is_translation']!r}")
    if fields["date_precision"] == DatePrecision.MONTH and fields["said_on"] and fields["said_on"].day != 1:
        errors.add("said_on", "a month-precision date must be the 1st of the month")
    return fields


def _field_values(errors: _LineErrors, data: dict) -> dict:
    """Each column checked on its own, in the model's order (`language` is filled in after)."""
    return {
        "role": _text(errors, "role", data["role"]) if "role" in data else None,
        "organization": _text(errors, "organization", data["organization"]) if "organization" in data else None,
        "said_on": _date(errors, "said_on", data.get("said_on")) if "said_on" in data else None,
        "date_precision": _choice(errors, "date_precision", data.get("date_precision"), DatePrecision)
        if "date_precision" in data
        else None,
        "published_on": _date(errors, "published_on", data.get("published_on"), required=False),
        "quote": _text(errors, "quote", data.get("quote"), max_length=MAX_QUOTE_LENGTH) if "quote" in data else None,
        "language": None,
        "is_translation": data.get("is_translation"),
        "stance": _choice(errors, "stance", data.get("stance"), Stance) if "stance" in data else None,
        "context": _text(errors, "context", data.get("context"), required=False, max_length=MAX_QUOTE_LENGTH) or "",
        "status": _choice(errors, "status", data.get("status", Status.PUBLISHED), Status),
    }


def _language(errors: _LineErrors, data: dict) -> str | None:
    """The quote's language as a canonical BCP 47 tag, or None."""
    if "language" not in data:
        return None
    language = data["language"]
    if isinstance(language, str) and LANGUAGE_PATTERN.match(language):
        return normalise_language(language)
    errors.add("language", f"must be a BCP 47 tag such as en, de or pt-BR, not {language!r}")
    return None


def _check_status(errors: _LineErrors, status: str, corrections: list[CorrectionData]) -> None:
    problem = status_problem(status, corrections)
    if problem:
        errors.add("status", problem)


def _whole_number(errors: _LineErrors, name: str, data: dict, largest: int):
    """`id` or `version`: a whole number from 1 to `largest` when given (never a bool or a float)."""
    value = data.get(name)
    if name in data and (type(value) is not int or not 1 <= value <= largest):
        errors.add(name, f"must be a whole number from 1, not {value!r}")
    return value


def _timestamps(errors: _LineErrors, data: dict) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """`created_at` and `updated_at` (a restore keeps them), the second not before the first."""
    created_at = _instant(errors, "created_at", data.get("created_at"))
    updated_at = _instant(errors, "updated_at", data.get("updated_at"))
    if created_at and updated_at and updated_at < created_at:
        errors.add("updated_at", "is before created_at")
    return created_at, updated_at


def read_lines(stream: Iterable[bytes]) -> Iterator[tuple[int, str | None]]:
    """Yield (line number, text) for each non-blank line; text is None when it is not UTF-8."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a UTF-8 byte-order mark
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None
            continue
        if text.strip():
            yield number, text


def parse_lines(lines: Iterable[tuple[int, str | None]]) -> ParseResult:
    """Validate every line and the file as a whole (no natural key or id twice, one kind per speaker)."""
    statements: list[StatementData] = []
    errors: list[str] = []
    seen_keys: dict[tuple, int] = {}
    seen_ids: dict[int, int] = {}
    speaker_kinds: dict[str, tuple[str, int]] = {}
    count = 0
    for number, text in lines:
        count += 1
        if text is None:
            errors.append(f"line {number}: encoding: not valid UTF-8")
            continue
        statement, problems = parse_line(number, text)
        if problems:
            errors.extend(problems)
            continue
        key = (statement.speaker.name, statement.fields["said_on"], statement.fields["quote"])
        if key in seen_keys:
            errors.append(
                f"line {number}: quote: same speaker, said_on and quote as line {seen_keys[key]} (natural key)"
            )
            continue
        seen_keys[key] = number
        if statement.id is not None and seen_ids.setdefault(statement.id, number) != number:
            errors.append(f"line {number}: id: {statement.id} is also the id on line {seen_ids[statement.id]}")
            continue
        kind, first = speaker_kinds.setdefault(statement.speaker.name, (statement.speaker.kind, number))
        if kind != statement.speaker.kind:
            errors.append(f"line {number}: speaker.kind: {statement.speaker.name!r} is a {kind} on line {first}")
            continue
        statements.append(statement)
    return ParseResult(statements=statements, errors=errors, lines=count)


def instant(value: datetime.datetime) -> str:
    """A date-time as the API writes it: ISO 8601 in UTC with "Z", microseconds when there are any."""
    text = value.astimezone(datetime.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def correction_to_record(correction) -> dict:
    """A Correction as the API's `corrections` show it (and the interchange format carries it)."""
    return {
        "date": correction.created_at.astimezone(datetime.UTC).date().isoformat(),
        "corrected_at": instant(correction.created_at),
        "kind": correction.kind,
        "note": correction.note,
        "fields": list(correction.fields),
    }


def statement_to_record(statement) -> dict:
    """Render a Statement (with speaker, government, topic, sources and corrections loaded) as one
    interchange record: the keys of the seed files in their order, its id first, and its public
    record (status, corrections) and timestamps last."""
    speaker = speaker_to_record(statement.speaker)
    return {
        "id": statement.pk,
        "speaker": speaker,
        "role": statement.role,
        "organization": statement.organization,
        "government": statement.government_id,
        "said_on": statement.said_on.isoformat(),
        "date_precision": statement.date_precision,
        "published_on": statement.published_on.isoformat() if statement.published_on else None,
        "quote": statement.quote,
        "language": statement.language,
        "is_translation": statement.is_translation,
        "stance": statement.stance,
        "topic": statement.topic.slug,
        "context": statement.context,
        "sources": [source_to_record(source) for source in statement.sources.all()],
        **_translations_record(statement),
        "status": statement.status,
        "corrections": [correction_to_record(c) for c in statement.corrections.all()],
        "created_at": instant(statement.created_at),
        "updated_at": instant(statement.updated_at),
        "version": statement.version,
    }


def translation_to_record(translation) -> dict:
    return {
        "language": translation.language,
        "text": translation.text,
        "by": translation.by,
        "official": translation.official,
        "source_url": translation.source_url,
    }


def _translations_record(statement) -> dict:
    """`translations`, when the quote has renderings (a line without them stays as the seeds are)."""
    renderings = [translation_to_record(t) for t in statement.translations.all()]
    return {"translations": renderings} if renderings else {}


def source_to_record(source) -> dict:
    record = {"url": source.url, "publisher": source.publisher}
    if source.archived_url:
        record["archived_url"] = source.archived_url
    if source.accessed_on:
        record["accessed_on"] = source.accessed_on.isoformat()
    return record


def dumps(record: dict) -> str:
    """One line of the format: UTF-8 text as is, as in the seed files, except U+2028 and U+2029,
    which many line readers (Python's splitlines, JavaScript) take for line breaks."""
    return json.dumps(record, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
