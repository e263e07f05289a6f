"""Restoring an export into an empty database: the same tracker back, ids and public record included.

`import_statements --restore FILE` keeps each statement's id (and moves the id sequence past
them), its status, its public corrections with their times, its created/updated times, its
version (the edit count the lost-edit guard compares) and its speaker's slug, so every
permalink and API URL answers as before, and export → restore → export is byte-identical. It
refuses a database that already holds statements. Speakers without statements come back from
`import_speakers` (run first). The internal change history (who edited when) is not in the
format: pg_dump keeps that.
"""

from django.db import IntegrityError, connection, transaction
from simple_history.utils import bulk_create_with_history

from statements import events
from statements.interchange import ParseResult, StatementData
from statements.models import Correction, Government, Source, Speaker, Statement, Topic, Translation
from statements.services.imports.locking import deferred_position_steps, import_lock
from statements.services.imports.report import ImportReport
from statements.services.imports.speakers import _SpeakerResolver, unique_slugs
from statements.services.imports.writes import (
    BATCH_SIZE,
    _constraint_message,
    _create_references,
    set_times,
    translation_rows,
)


class _RestoreSpeakers(_SpeakerResolver):
    """A restore knows each speaker by the slug it had: two speakers of one name stay two."""

    def __init__(self, lines: list[StatementData]):
        super().__init__(line.speaker for line in lines)
        slugs = {line.speaker.slug for line in lines if line.speaker.slug}
        self.by_slug = {s.slug: s for s in Speaker.objects.filter(slug__in=slugs)}

    def resolve(self, data):
        if not data.slug:
            return super().resolve(data)
        if data.slug not in self.by_slug:
            speaker = Speaker(name=data.name, kind=data.kind, wikidata_id=data.wikidata_id, slug=data.slug)
            self.by_slug[data.slug] = self.new[("slug", data.slug)] = speaker
        return self.by_slug[data.slug]


def _check(parsed: ParseResult, resolver: _RestoreSpeakers, report: ImportReport) -> None:
    held = Statement.objects.count()
    if held:
        report.errors.append(
            f"line 0: --restore: the database already holds {held} statements; a restore fills an empty "
            "database (to add to this one, import without --restore)"
        )
    for line in parsed.statements:
        if line.id is None:
            report.errors.append(f"line {line.line}: id: is required by --restore (an export writes it)")
        speaker = resolver.resolve(line.speaker)
        if (speaker.name, speaker.kind) != (line.speaker.name, line.speaker.kind):
            report.errors.append(
                f"line {line.line}: speaker.slug: {line.speaker.slug!r} is {speaker.name!r} ({speaker.kind}) "
                "elsewhere in the file or the database"
            )


def statements_restore(*, parsed: ParseResult, source_label: str, user=None, wait: bool = True, on_wait=None):
    """Restore an export into a database without statements: all or nothing (ImportReport)."""
    report = ImportReport(lines=parsed.lines, errors=list(parsed.errors))
    if report.errors:
        return report
    with import_lock(wait=wait, on_wait=on_wait) as lock:
        report.waited = lock.waited
        resolver = _RestoreSpeakers(parsed.statements)
        _check(parsed, resolver, report)
        if report.errors:
            report.sort_errors()
            return report
        codes = {line.government for line in parsed.statements}
        slugs = {line.topic for line in parsed.statements}
        topics = {t.slug: t for t in Topic.objects.filter(slug__in=slugs)}
        report.new_governments = sorted(
            codes - set(Government.objects.filter(code__in=codes).values_list("pk", flat=True))
        )
        report.new_topics = sorted(slugs - set(topics))
        new_speakers = list(resolver.new.values())
        report.new_speakers = [s.name for s in new_speakers]
        reason = f"restore: {source_label}"
        try:
            with transaction.atomic(), deferred_position_steps():
                unnamed = [s for s in new_speakers if not s.slug]
                for speaker, slug in zip(unnamed, unique_slugs([s.name for s in unnamed]), strict=True):
                    speaker.slug = slug
                _create_references(report, [], topics, user, reason)
                bulk_create_with_history(new_speakers, Speaker, default_user=user, default_change_reason=reason)
                for start in range(0, len(parsed.statements), BATCH_SIZE):
                    _restore_batch(parsed.statements[start : start + BATCH_SIZE], resolver, topics, user, reason)
                events.announce()
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence('statements_statement', 'id'), "
                        "(SELECT max(id) FROM statements_statement))"
                    )
        except IntegrityError as exc:
            report.errors.append(f"line 0: database: {_constraint_message(exc)}; nothing was written")
            return report
        report.created = len(parsed.statements)
    return report


def _restore_batch(lines: list[StatementData], resolver, topics: dict, user, reason: str) -> None:
    statements = [
        Statement(
            id=line.id,
            speaker=resolver.resolve(line.speaker),
            government_id=line.government,
            topic=topics[line.topic],
            version=line.version or 1,
            **line.fields,
        )
        for line in lines
    ]
    bulk_create_with_history(statements, Statement, default_user=user, default_change_reason=reason)
    bulk_create_with_history(
        [
            Source(statement_id=line.id, position=position, **source.__dict__)
            for line in lines
            for position, source in enumerate(line.sources)
        ],
        Source,
        default_user=user,
        default_change_reason=reason,
    )
    bulk_create_with_history(
        [row for line in lines for row in translation_rows(line.id, line.translations)],
        Translation,
        default_user=user,
        default_change_reason=reason,
    )
    corrections = Correction.objects.bulk_create(
        [
            Correction(statement_id=line.id, kind=c.kind, note=c.note, fields=list(c.fields), made_by=user)
            for line in lines
            for c in line.corrections
        ]
    )
    moments = [c.moment for line in lines for c in line.corrections]
    set_times("statements_correction", [c.pk for c in corrections], moments, moments)
    timed = [line for line in lines if line.created_at or line.updated_at]
    set_times(
        "statements_statement",
        [line.id for line in timed],
        [line.created_at or line.updated_at for line in timed],
        [line.updated_at or line.created_at for line in timed],
    )
