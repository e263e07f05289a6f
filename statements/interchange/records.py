"""What a validated line of the interchange format becomes: plain data, ready for the services."""

import datetime
from dataclasses import dataclass, field


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
