"""The JSON Lines interchange format (SPEC §4): parse and validate lines, and render statements."""

import datetime
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from statements.models import (
    HTTP_URL_PATTERN,
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
OPTIONAL_KEYS = ("published_on", "context", "status")
SPEAKER_KEYS = {"name": True, "kind": True, "wikidata_id": False}
SOURCE_KEYS = {"url": True, "publisher": True, "archived_url": False, "accessed_on": False}

MAX_QUOTE_LENGTH = 20_000
MAX_SOURCES = 20
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLUG_PATTERN = re.compile(r"^[-a-z0-9]+$")
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
LANGUAGE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_url_validator = URLValidator(schemes=["http", "https"])
_GOVERNMENT_CODES = frozenset(government_codes())
_http_url = re.compile(HTTP_URL_PATTERN.replace("[^[:space:]]", r"\S"))


@dataclass(frozen=True)
class SpeakerData:
    name: str
    kind: str
    wikidata_id: str | None = None


@dataclass(frozen=True)
class SourceData:
    url: str
    publisher: str
    archived_url: str | None = None
    accessed_on: datetime.date | None = None


@dataclass
class StatementData:
    """One validated line. `fields` holds the statement's own columns, ready for the model."""

    line: int
    speaker: SpeakerData
    government: str
    topic: str
    fields: dict
    sources: list[SourceData] = field(default_factory=list)

    @property
    def natural_key(self) -> tuple:
        return (self.speaker, self.fields["said_on"], self.fields["quote"])


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
    if name is None or kind is None:
        return None
    return SpeakerData(name=name, kind=kind, wikidata_id=wikidata_id)


def _sources(errors: _LineErrors, value) -> list[SourceData]:
    if not isinstance(value, list) or not value:
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


def parse_line(line_number: int, raw: str) -> tuple[StatementData | None, list[str]]:
    """Validate one line of the interchange format. Returns the data or the line's problems."""
    errors = _LineErrors(line_number)
    try:
        data = json.loads(raw, object_pairs_hook=_reject_duplicate_keys)
    except ValueError as exc:
        errors.add("json", str(exc))
        return None, errors.messages
    if not isinstance(data, dict):
        errors.add("json", f"expected an object, got {type(data).__name__}")
        return None, errors.messages

    _unknown_keys(errors, "", data, REQUIRED_KEYS + OPTIONAL_KEYS)
    for key in REQUIRED_KEYS:
        if key not in data:
            errors.add(key, "is required")

    speaker = _speaker(errors, data["speaker"]) if "speaker" in data else None
    government = data.get("government")
    if "government" in data and government not in _GOVERNMENT_CODES:
        hint = (
            f"; did you mean {government.upper()!r}?"
            if isinstance(government, str) and government.upper() in _GOVERNMENT_CODES
            else ""
        )
        errors.add("government", f"{government!r} is not an ISO 3166-1 alpha-2 code, EU or UN{hint}")
    topic = data.get("topic")
    if "topic" in data and (not isinstance(topic, str) or not SLUG_PATTERN.match(topic) or len(topic) > 100):
        errors.add("topic", f"must be a slug of lowercase letters, digits and hyphens, not {topic!r}")

    fields = {
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
    language = data.get("language")
    if "language" in data:
        if isinstance(language, str) and LANGUAGE_PATTERN.match(language):
            fields["language"] = normalise_language(language)
        else:
            errors.add("language", f"must be a BCP 47 tag such as en, de or pt-BR, not {language!r}")
    if "is_translation" in data and not isinstance(fields["is_translation"], bool):
        errors.add("is_translation", f"must be true or false, not {fields['is_translation']!r}")
    if fields["date_precision"] == DatePrecision.MONTH and fields["said_on"] and fields["said_on"].day != 1:
        errors.add("said_on", "a month-precision date must be the 1st of the month")
    sources = _sources(errors, data["sources"]) if "sources" in data else []

    if errors.messages:
        return None, errors.messages
    return StatementData(line_number, speaker, government, topic, fields, sources), []


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
    """Validate every line and the file as a whole (no natural key twice, one kind per speaker)."""
    statements: list[StatementData] = []
    errors: list[str] = []
    seen_keys: dict[tuple, int] = {}
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
        kind, first = speaker_kinds.setdefault(statement.speaker.name, (statement.speaker.kind, number))
        if kind != statement.speaker.kind:
            errors.append(f"line {number}: speaker.kind: {statement.speaker.name!r} is a {kind} on line {first}")
            continue
        statements.append(statement)
    return ParseResult(statements=statements, errors=errors, lines=count)


def statement_to_record(statement) -> dict:
    """Render a Statement (with speaker, government, topic and sources loaded) as one interchange record."""
    speaker = {"name": statement.speaker.name, "kind": statement.speaker.kind}
    if statement.speaker.wikidata_id:
        speaker["wikidata_id"] = statement.speaker.wikidata_id
    record = {
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
    }
    if statement.status != Status.PUBLISHED:
        record["status"] = statement.status
    return record


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
