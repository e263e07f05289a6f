"""The interchange format's single values (text, dates, date-times, URLs, choices, language tags),
checked one by one, each problem noted as `line N: field: message`."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from statements.models import HTTP_URL_PATTERN

MAX_QUOTE_LENGTH = 20_000
MAX_NOTE_LENGTH = 5000
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANGUAGE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_url_validator = URLValidator(schemes=["http", "https"])
_http_url = re.compile(HTTP_URL_PATTERN.replace("[^[:space:]]", r"\S"))


class _LineErrors:
    """Collects `line N: field: message` problems for one line."""

    def __init__(self, line: int):
        self.line = line
        self.messages: list[str] = []

    def add(self, field_name: str, message: str) -> None:
        self.messages.append(f"line {self.line}: {field_name}: {message}")


class _RecordErrors(_LineErrors):
    """Problems of one record of a JSON array file, as `speakers[N]: field: message`."""

    def __init__(self, where: str):
        self.where = where
        self.messages: list[str] = []

    def add(self, field_name: str, message: str) -> None:
        self.messages.append(f"{self.where}: {field_name}: {message}")


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


def primary_language(tag: str) -> str:
    """The language of a BCP 47 tag without script or region: "en" of "en-GB"."""
    return tag.split("-")[0].lower()


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
