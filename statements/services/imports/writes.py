"""The writes of an import, inside its transaction: new governments, topics and speakers, new
statements in batches with their sources, renderings and notes, and stored statements updated in
place (after locking them and checking that nobody changed them since the plan)."""

import copy

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_countries import countries
from simple_history.utils import bulk_create_with_history

from statements import events, tallies
from statements.interchange import SourceData, StatementData, TranslationData
from statements.models import (
    Correction,
    CorrectionKind,
    Government,
    GovernmentKind,
    Source,
    Speaker,
    Statement,
    Status,
    Topic,
    Translation,
)
from statements.services.editing import corrected_fields, last_change, snapshot
from statements.services.imports.locking import deferred_position_steps
from statements.services.imports.plan import _unstored, _Update
from statements.services.imports.report import ImportReport
from statements.services.imports.speakers import unique_slugs
from statements.services.topics import placeholder_title

GOVERNMENT_KINDS = {"EU": GovernmentKind.SUPRANATIONAL, "UN": GovernmentKind.INTERNATIONAL}
BATCH_SIZE = 1000


def _write(
    to_create: list[tuple[StatementData, Speaker]],
    to_update: list[_Update],
    topics: dict,
    new_speakers: list[Speaker],
    report: ImportReport,
    *,
    user,
    reason: str,
) -> None:
    """The plan's writes in one transaction, or none of them: the statements to update are locked and
    checked first; a refusal by the database is reported. Position steps are rebuilt at the end."""
    try:
        with transaction.atomic(), deferred_position_steps():
            _lock_and_check(to_update, report)
            if report.errors:
                raise _Abort
            _create_references(report, new_speakers, topics, user, reason)
            _create_statements(to_create, topics, user, reason)
            _update_statements(to_update, topics, user, reason)
            if to_create or to_update:
                events.announce()  # the events are recorded at commit; this job fans them out
    except _Abort:
        pass
    except IntegrityError as exc:
        report.errors.append(f"line 0: database: {_constraint_message(exc)}; nothing was written")
    else:
        tallies.compact()  # the deltas this import added, folded (statements/tallies.py)


class _Abort(Exception):
    """Roll the import's transaction back: its report says why."""


def _constraint_message(exc: IntegrityError) -> str:
    cause = exc.__cause__
    constraint = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if constraint == "statements_statement_natural_key":
        return "a statement with the same speaker, said_on and quote was saved while this import ran"
    return f"{constraint or 'a constraint'} refused a row ({str(cause or exc).splitlines()[0]})"


def _lock_and_check(to_update: list[_Update], report: ImportReport) -> None:
    """Lock the statements to update; any changed since the plan read it is a conflict."""
    if not to_update:
        return
    planned = {u.current.pk: u for u in to_update}
    locked = dict(
        Statement.objects.select_for_update().filter(pk__in=planned).order_by("pk").values_list("pk", "version")
    )
    for pk, update in planned.items():
        if locked.get(pk) != update.current.version:
            current = Statement.objects.filter(pk=pk).first()
            who, when = last_change(current) if current else ("someone", timezone.now())
            report.errors.append(
                f"line {update.line.line}: conflict: statement {pk} was changed by {who} at "
                f"{when:%Y-%m-%d %H:%M:%S} UTC after this import read it; nothing was written (run the import "
                "again to compare the file with the new version)"
            )
    report.sort_errors()


def _create_references(report: ImportReport, new_speakers: list[Speaker], topics: dict, user, reason: str) -> None:
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
    for speaker, slug in zip(new_speakers, unique_slugs([s.name for s in new_speakers]), strict=True):
        speaker.slug = slug
    bulk_create_with_history(new_speakers, Speaker, default_user=user, default_change_reason=reason)


def _create_statements(items: list[tuple[StatementData, Speaker]], topics: dict, user, reason: str) -> list:
    created = []
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
        renderings = [
            row
            for statement, (line, _speaker) in zip(statements, batch, strict=True)
            for row in translation_rows(statement.pk, line.translations)
        ]
        bulk_create_with_history(renderings, Translation, default_user=user, default_change_reason=reason)
        given = [
            (statement, c)
            for statement, (line, _speaker) in zip(statements, batch, strict=True)
            for c in line.corrections
        ]
        rows = Correction.objects.bulk_create(
            [Correction(statement=s, kind=c.kind, note=c.note, fields=list(c.fields), made_by=user) for s, c in given]
        )
        moments = [c.moment for _statement, c in given]
        set_times("statements_correction", [row.pk for row in rows], moments, moments)
        created += statements
    return created


def translation_rows(statement_id: int, renderings: list[TranslationData]) -> list[Translation]:
    return [Translation(statement_id=statement_id, **rendering.__dict__) for rendering in renderings]


_SET_TIMES = """
UPDATE {table} AS row SET created_at = given.created_at, updated_at = given.updated_at
FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS given(id, created_at, updated_at)
WHERE row.id = given.id
"""


def set_times(table: str, ids: list[int], created: list, updated: list) -> None:
    """Put back the times a file gave (auto_now and auto_now_add stamped the rows with now)."""
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(_SET_TIMES.format(table=table), [ids, created, updated])


def _update_statements(items: list[_Update], topics: dict, user, reason: str) -> None:
    """--update: replace statements in place. Open editors' forms go stale (the version moves on);
    a published statement's corrected fields get a public correction describing the change that
    is stored; a retraction or reinstatement the file gives a reason for is taken as that step."""
    for update in items:
        line, statement = update.line, update.current
        before = copy.copy(statement)
        for name, value in line.fields.items():
            if name != "status":  # only through the workflow step below
                setattr(statement, name, value)
        statement.government_id = line.government
        statement.topic = topics[line.topic]
        fields = corrected_fields(before, statement)
        if before.status == Status.PUBLISHED and "translations" in update.changes:
            fields.append("translations")
        if update.step:
            step, correction = update.step
            statement.status = Status.RETRACTED if step == "retract" else Status.PUBLISHED
        statement.version += 1
        statement._history_user = user
        statement._change_reason = f"{reason} ({update.step[0]}: {update.step[1].note})" if update.step else reason
        statement.save()
        if fields:
            new_notes = [c for c in _unstored(line, before) if c.kind == CorrectionKind.CORRECTION]
            Correction.objects.create(
                statement=statement,
                kind=CorrectionKind.CORRECTION,
                note=new_notes[-1].note if new_notes else f"Corrected from the source data ({reason}).",
                fields=fields,
                before=snapshot(before, [f for f in fields if f != "translations"]),
                after=snapshot(statement, [f for f in fields if f != "translations"]),
                made_by=user,
            )
        if update.step:
            step, correction = update.step
            kind = CorrectionKind.RETRACTION if step == "retract" else CorrectionKind.REINSTATEMENT
            Correction.objects.create(statement=statement, kind=kind, note=correction.note, made_by=user)
        _replace_sources(statement, line.sources, user, reason)
        if "translations" in update.changes:
            _replace_translations(statement, line.translations, user, reason)


def _replace_translations(statement: Statement, renderings: list[TranslationData], user, reason: str) -> None:
    for old in statement.translations.all():
        old._history_user = user
        old._change_reason = reason
        old.delete()
    for new in translation_rows(statement.pk, renderings):
        new._history_user = user
        new._change_reason = reason
        new.save()


def _replace_sources(statement: Statement, sources: list[SourceData], user, reason: str) -> None:
    current = [SourceData(s.url, s.publisher, s.archived_url, s.accessed_on) for s in statement.sources.all()]
    if current == sources:
        return
    for source in statement.sources.all():
        source._history_user = user
        source._change_reason = reason
        source.delete()
    for position, source in enumerate(sources):
        new = Source(statement=statement, position=position, **source.__dict__)
        new._history_user = user
        new._change_reason = reason
        new.save()
