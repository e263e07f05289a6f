"""Importing and exporting the interchange format: all or nothing, idempotent, recorded in history."""

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django_countries import countries
from simple_history.utils import bulk_create_with_history

from statements.interchange import ParseResult, SourceData, SpeakerData, StatementData, dumps, statement_to_record
from statements.models import (
    Correction,
    CorrectionKind,
    Government,
    GovernmentKind,
    Source,
    Speaker,
    Statement,
    Topic,
)
from statements.services.editing import corrected_fields, snapshot
from statements.services.topics import placeholder_title

GOVERNMENT_KINDS = {"EU": GovernmentKind.SUPRANATIONAL, "UN": GovernmentKind.INTERNATIONAL}
BATCH_SIZE = 1000


@dataclass
class ImportReport:
    lines: int
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_governments: list[str] = field(default_factory=list)
    new_topics: list[str] = field(default_factory=list)
    new_speakers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _statement_content(statement: Statement) -> dict:
    """What an import compares: every column a line sets, plus its sources."""
    return {
        "role": statement.role,
        "organization": statement.organization,
        "government": statement.government_id,
        "topic": statement.topic.slug,
        "date_precision": statement.date_precision,
        "published_on": statement.published_on,
        "language": statement.language,
        "is_translation": statement.is_translation,
        "stance": statement.stance,
        "context": statement.context,
        "status": statement.status,
        "sources": [SourceData(s.url, s.publisher, s.archived_url, s.accessed_on) for s in statement.sources.all()],
    }


def _line_content(line: StatementData) -> dict:
    fields = {k: v for k, v in line.fields.items() if k not in ("said_on", "quote")}
    return {**fields, "government": line.government, "topic": line.topic, "sources": list(line.sources)}


class _SpeakerResolver:
    """Matches the file's speakers to existing ones: by Wikidata id, else by exact name."""

    def __init__(self, speakers: Iterable[SpeakerData]):
        speakers = list(speakers)
        names = {s.name for s in speakers}
        wikidata_ids = {s.wikidata_id for s in speakers if s.wikidata_id}
        existing = Speaker.objects.filter(Q(name__in=names) | Q(wikidata_id__in=wikidata_ids)).order_by("id")
        self.by_wikidata = {s.wikidata_id: s for s in existing if s.wikidata_id}
        self.by_name: dict[str, list[Speaker]] = {}
        for speaker in existing:
            self.by_name.setdefault(speaker.name, []).append(speaker)
        self.new: dict[tuple, Speaker] = {}

    def resolve(self, data: SpeakerData) -> Speaker:
        if data.wikidata_id and data.wikidata_id in self.by_wikidata:
            return self.by_wikidata[data.wikidata_id]
        for candidate in self.by_name.get(data.name, []):
            if not data.wikidata_id or candidate.wikidata_id in (None, data.wikidata_id):
                return candidate
        key = (data.name, data.wikidata_id)
        if key not in self.new:
            self.new[key] = Speaker(name=data.name, kind=data.kind, wikidata_id=data.wikidata_id)
            if data.wikidata_id:
                self.by_wikidata[data.wikidata_id] = self.new[key]
            self.by_name.setdefault(data.name, []).append(self.new[key])
        return self.new[key]


def _unique_slugs(names: list[str]) -> list[str]:
    """URL slugs for new speakers: ASCII where the name allows, unique with -2, -3 … suffixes."""
    bases = [(slugify(name) or slugify(name, allow_unicode=True) or "speaker")[:190] for name in names]
    taken = set(Speaker.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug = base
        if slug in taken:
            taken |= set(Speaker.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
            number = 2
            while f"{base}-{number}" in taken:
                number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


def _plan(parsed: ParseResult, update: bool, report: ImportReport):
    """Check every line against the database. Returns (to_create, to_update, resolver)."""
    resolver = _SpeakerResolver(line.speaker for line in parsed.statements)
    for line in parsed.statements:
        speaker = resolver.resolve(line.speaker)
        if speaker.kind != line.speaker.kind:
            report.errors.append(
                f"line {line.line}: speaker.kind: {speaker.name!r} is recorded as a {speaker.kind}, "
                f"not a {line.speaker.kind}"
            )
    speaker_ids = {s.pk for group in resolver.by_name.values() for s in group if s.pk}
    speaker_ids |= {s.pk for s in resolver.by_wikidata.values() if s.pk}
    dates = {line.fields["said_on"] for line in parsed.statements}
    existing = {
        (s.speaker_id, s.said_on, s.quote): s
        for s in Statement.objects.filter(speaker_id__in=speaker_ids, said_on__in=dates).for_api()
    }
    to_create, to_update = [], []
    for line in parsed.statements:
        speaker = resolver.resolve(line.speaker)
        current = existing.get((speaker.pk, line.fields["said_on"], line.fields["quote"])) if speaker.pk else None
        if current is None:
            to_create.append((line, speaker))
            continue
        before, after = _statement_content(current), _line_content(line)
        changed = sorted(name for name in after if before[name] != after[name])
        if not changed:
            report.unchanged += 1
        elif update:
            to_update.append((line, current))
        else:
            report.errors.append(
                f"line {line.line}: conflict: statement {current.pk} has the same speaker, said_on and quote but a "
                f"different {', '.join(changed)}; use --update to replace it"
            )
    return to_create, to_update, resolver


def statements_import(
    *, parsed: ParseResult, source_label: str, update: bool = False, dry_run: bool = False, user=None
) -> ImportReport:
    """Import validated lines: all or nothing. Re-importing the same lines changes nothing.

    Existing statements (same natural key) with other content are conflicts unless `update`.
    Every write is recorded in history with `user` and the reason "import: <source_label>".
    """
    report = ImportReport(lines=parsed.lines, errors=list(parsed.errors))
    if report.errors:
        return report
    to_create, to_update, resolver = _plan(parsed, update, report)
    report.errors.sort(key=lambda message: int(message.split(":")[0].split()[1]))
    if report.errors:
        return report

    codes = {line.government for line in parsed.statements}
    known_codes = set(Government.objects.filter(code__in=codes).values_list("code", flat=True))
    slugs = {line.topic for line in parsed.statements}
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=slugs)}
    report.new_governments = sorted(codes - known_codes)
    report.new_topics = sorted(slugs - set(topics))
    new_speakers = list(resolver.new.values())
    report.new_speakers = [s.name for s in new_speakers]
    report.created, report.updated = len(to_create), len(to_update)
    if dry_run:
        return report

    reason = f"import: {source_label}"
    with transaction.atomic():
        bulk_create_with_history(
            [
                Government(code=code, name=countries.name(code), kind=GOVERNMENT_KINDS.get(code, GovernmentKind.STATE))
                for code in report.new_governments
            ],
            Government,
            default_user=user,
            default_change_reason=reason,
        )
        for topic in bulk_create_with_history(
            [Topic(slug=slug, title=placeholder_title(slug)) for slug in report.new_topics],
            Topic,
            default_user=user,
            default_change_reason=reason,
        ):
            topics[topic.slug] = topic
        for speaker, slug in zip(new_speakers, _unique_slugs([s.name for s in new_speakers]), strict=True):
            speaker.slug = slug
        bulk_create_with_history(new_speakers, Speaker, default_user=user, default_change_reason=reason)
        _create_statements(to_create, topics, user, reason)
        _update_statements(to_update, topics, user, reason)
    return report


def _create_statements(items: list[tuple[StatementData, Speaker]], topics: dict, user, reason: str) -> None:
    for start in range(0, len(items), BATCH_SIZE):
        batch = items[start : start + BATCH_SIZE]
        statements = [
            Statement(speaker=speaker, government_id=line.government, topic=topics[line.topic], **line.fields)
            for line, speaker in batch
        ]
        statements = bulk_create_with_history(statements, Statement, default_user=user, default_change_reason=reason)
        sources = [
            Source(statement=statement, position=position, **source.__dict__)
            for statement, (line, _speaker) in zip(statements, batch, strict=True)
            for position, source in enumerate(line.sources)
        ]
        bulk_create_with_history(sources, Source, default_user=user, default_change_reason=reason)


def _update_statements(items: list[tuple[StatementData, Statement]], topics: dict, user, reason: str) -> None:
    """--update: replace statements in place. Open editors' forms go stale (the version moves on);
    a published statement's corrected fields get a public correction naming the import."""
    for line, statement in items:
        before = copy.copy(statement)
        for name, value in line.fields.items():
            setattr(statement, name, value)
        statement.government_id = line.government
        statement.topic = topics[line.topic]
        statement.version += 1
        statement._history_user = user
        statement._change_reason = reason
        statement.save()
        fields = corrected_fields(before, statement)
        if fields:
            Correction.objects.create(
                statement=statement,
                kind=CorrectionKind.CORRECTION,
                note=f"Corrected from the source data ({reason}).",
                fields=fields,
                before=snapshot(before, fields),
                after=snapshot(statement, fields),
                made_by=user,
            )
        current = [SourceData(s.url, s.publisher, s.archived_url, s.accessed_on) for s in statement.sources.all()]
        if current != line.sources:
            for source in statement.sources.all():
                source._history_user = user
                source._change_reason = reason
                source.delete()
            for position, source in enumerate(line.sources):
                new = Source(statement=statement, position=position, **source.__dict__)
                new._history_user = user
                new._change_reason = reason
                new.save()


def statements_export_lines(queryset) -> Iterator[str]:
    """Yield each statement of `queryset` as one interchange line (newline included), streaming."""
    for statement in queryset.for_export().iterator(chunk_size=BATCH_SIZE):
        yield dumps(statement_to_record(statement)) + "\n"
