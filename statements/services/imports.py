"""Importing and exporting the interchange format: all or nothing, idempotent, recorded in history.

Safe beside other writers:
- one import at a time (a PostgreSQL advisory lock held from reading the database to commit):
  the second waits, or with `wait=False` is refused with who holds the lock (ImportBusy);
- the statements an `--update` changes are locked and their versions checked against those the
  plan was made from: one an editor saved meanwhile is reported as a conflict, never overwritten;
- position steps are rebuilt once, at the end of the import's transaction, so an import holds
  the per-(topic, government) locks for moments, not for its whole length;
- status changes only as workflow steps: a retraction or reinstatement needs its public reason in
  the line's `corrections`; any other status difference is reported and left alone.
"""

import copy
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries
from simple_history.utils import bulk_create_with_history

from statements import events, tallies
from statements.interchange import (
    CorrectionData,
    ParseResult,
    SourceData,
    SpeakerData,
    StatementData,
    TranslationData,
    dumps,
    statement_to_record,
)
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
from statements.quotecheck import TRANSLITERATED, same_remark
from statements.services.editing import corrected_fields, last_change, snapshot
from statements.services.topics import placeholder_title

GOVERNMENT_KINDS = {"EU": GovernmentKind.SUPRANATIONAL, "UN": GovernmentKind.INTERNATIONAL}
BATCH_SIZE = 1000
# pg_advisory_lock(IMPORT_LOCK): one import (or restore) at a time, across every machine.
IMPORT_LOCK = (5526091, 1)


class ImportBusy(Exception):
    """Another import holds the import lock."""


@dataclass
class ImportReport:
    lines: int
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retracted: int = 0
    reinstated: int = 0
    waited: str = ""
    new_governments: list[str] = field(default_factory=list)
    new_topics: list[str] = field(default_factory=list)
    new_speakers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort_errors(self) -> None:
        self.errors.sort(
            key=lambda message: int(message.split(":")[0].split()[1]) if message.startswith("line ") else 0
        )


@dataclass
class _Update:
    """An existing statement a line changes: what was read, which of its fields change (status
    aside), and the workflow step the line asks for, with the line's note."""

    line: StatementData
    current: Statement
    changes: list[str]
    step: tuple[str, CorrectionData] | None = None  # ("retract" | "reinstate", note)


def import_lock_holder() -> str:
    """Who holds the import lock: 'pid N (application, since HH:MM:SS UTC)', or '' when free."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.pid, a.application_name, a.backend_start FROM pg_locks AS l "
            "JOIN pg_stat_activity AS a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.granted",
            IMPORT_LOCK,
        )
        row = cursor.fetchone()
    if row is None:
        return ""
    pid, application, started = row
    return f"pid {pid} ({application or 'a client'}, connected since {started:%Y-%m-%d %H:%M:%S} UTC)"


class import_lock:
    """Hold the import lock for the block (a session-level advisory lock on the default connection)."""

    def __init__(self, *, wait: bool = True, on_wait=None):
        self.wait, self.on_wait, self.waited = wait, on_wait, ""

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", IMPORT_LOCK)
            if cursor.fetchone()[0]:
                return self
            holder = import_lock_holder() or "another session"
            if not self.wait:
                raise ImportBusy(f"another import is running: {holder}")
            self.waited = f"waited for another import to finish: {holder}"
            if self.on_wait:
                self.on_wait(self.waited)
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", IMPORT_LOCK)
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", IMPORT_LOCK)
        return False


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
        "translations": _stored_translations(statement),
    }


def _stored_translations(statement: Statement) -> list[TranslationData]:
    return sorted(
        (TranslationData(t.language, t.text, t.by, t.official, t.source_url) for t in statement.translations.all()),
        key=_by_language,
    )


def _by_language(rendering: TranslationData) -> str:
    return rendering.language


def _line_content(line: StatementData) -> dict:
    fields = {k: v for k, v in line.fields.items() if k not in ("said_on", "quote")}
    return {
        **fields,
        "government": line.government,
        "topic": line.topic,
        "sources": list(line.sources),
        "translations": sorted(line.translations, key=_by_language),
    }


def translation_rows(statement_id: int, renderings: list[TranslationData]) -> list[Translation]:
    return [Translation(statement_id=statement_id, **rendering.__dict__) for rendering in renderings]


# Spellings of one name that are the same speaker: apostrophes and dashes of every kind, white
# space (trailing, doubled), case, Unicode compatibility forms. PostgreSQL computes the same key.
_LOOKALIKES = ("’‘ʼ′`´‐‑‒–—―", "'" * 6 + "-" * 6)
_NAME_KEY_SQL = (
    "SELECT id FROM statements_speaker WHERE "
    "lower(btrim(regexp_replace(translate(normalize(name, NFKC), %s, %s), '\\s+', ' ', 'g'))) = ANY(%s)"
)


def name_key(name: str) -> str:
    """The key under which two spellings of a name are one speaker."""
    text = unicodedata.normalize("NFKC", name).translate(str.maketrans(*_LOOKALIKES))
    return re.sub(r"\s+", " ", text).strip().lower()


class _SpeakerResolver:
    """Matches the file's speakers to existing ones: by Wikidata id, else by name, where names that
    differ only in spacing, case or the kind of apostrophe are one speaker (and said so)."""

    def __init__(self, speakers: Iterable[SpeakerData]):
        speakers = list(speakers)
        names = {s.name for s in speakers}
        keys = sorted({name_key(name) for name in names})
        wikidata_ids = {s.wikidata_id for s in speakers if s.wikidata_id}
        lookalike = RawSQL(_NAME_KEY_SQL, [*_LOOKALIKES, keys])
        existing = Speaker.objects.filter(
            Q(name__in=names) | Q(wikidata_id__in=wikidata_ids) | Q(pk__in=lookalike)
        ).order_by("id")
        self.by_wikidata = {s.wikidata_id: s for s in existing if s.wikidata_id}
        self.by_name: dict[str, list[Speaker]] = {}
        for speaker in existing:
            self.by_name.setdefault(name_key(speaker.name), []).append(speaker)
        self.new: dict[tuple, Speaker] = {}
        self.lookalikes: dict[str, str] = {}  # a name as written → the speaker's name it matched

    def resolve(self, data: SpeakerData) -> Speaker:
        if data.wikidata_id and data.wikidata_id in self.by_wikidata:
            return self.by_wikidata[data.wikidata_id]
        candidates = self.by_name.get(name_key(data.name), [])
        for candidate in sorted(candidates, key=lambda s: s.name != data.name):  # the exact spelling first
            if not data.wikidata_id or candidate.wikidata_id in (None, data.wikidata_id):
                if candidate.name != data.name:
                    self.lookalikes[data.name] = candidate.name
                return candidate
        key = (name_key(data.name), data.wikidata_id)
        if key not in self.new:
            self.new[key] = Speaker(name=data.name, kind=data.kind, wikidata_id=data.wikidata_id)
            if data.wikidata_id:
                self.by_wikidata[data.wikidata_id] = self.new[key]
            self.by_name.setdefault(name_key(data.name), []).append(self.new[key])
        return self.new[key]


def unique_slugs(names: list[str]) -> list[str]:
    """URL slugs for new speakers: ASCII where the name allows, unique with -2, -3 … suffixes."""
    bases = [
        (slugify(name.translate(TRANSLITERATED)) or slugify(name, allow_unicode=True) or "speaker")[:190]
        for name in names
    ]
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


def _unstored(line: StatementData, statement: Statement) -> list[CorrectionData]:
    """The line's public notes that the statement does not have yet (by kind and note)."""
    stored = [(c.kind, c.note) for c in statement.corrections.all()]
    new = []
    for correction in line.corrections:
        if (correction.kind, correction.note) in stored:
            stored.remove((correction.kind, correction.note))
        else:
            new.append(correction)
    return new


STEPS = {
    (Status.PUBLISHED, Status.RETRACTED): ("retract", CorrectionKind.RETRACTION),
    (Status.RETRACTED, Status.PUBLISHED): ("reinstate", CorrectionKind.REINSTATEMENT),
}


def _status_step(line: StatementData, current: Statement, report: ImportReport) -> tuple | None:
    """The workflow step a line's status asks for (with its reason), or None; a status difference
    without its reason is reported and left alone."""
    wanted = line.fields["status"]
    if wanted == current.status:
        return None
    step, kind = STEPS.get((current.status, wanted), (None, None))
    reasons = [c for c in _unstored(line, current) if c.kind == kind]
    if step and reasons:
        return step, reasons[-1]
    needs = f"a new {'retraction' if step == 'retract' else 'reinstatement'} (its public reason) in corrections"
    report.notices.append(
        f"line {line.line}: status: statement {current.pk} is {current.status} here and {wanted} in the file"
        + (f", without {needs}" if step else "")
        + "; its status is left as it is (change it with the admin's workflow actions)"
    )
    return None


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
    for written, recorded in sorted(resolver.lookalikes.items()):
        line = next(line for line in parsed.statements if line.speaker.name == written)
        report.notices.append(
            f"line {line.line}: speaker.name: {written!r} is taken to be the speaker {recorded!r} "
            "(the names differ only in spacing, case or punctuation)"
        )
    speaker_ids = {s.pk for group in resolver.by_name.values() for s in group if s.pk}
    speaker_ids |= {s.pk for s in resolver.by_wikidata.values() if s.pk}
    dates = {line.fields["said_on"] for line in parsed.statements}
    existing = {
        (s.speaker_id, s.said_on, s.quote): s
        for s in Statement.objects.filter(speaker_id__in=speaker_ids, said_on__in=dates).for_detail()
    }
    to_create, to_update = [], []
    same_day: dict[tuple, list] = {}  # (speaker, said_on) → statements and earlier new lines
    for statement in existing.values():
        same_day.setdefault((statement.speaker_id, statement.said_on), []).append(statement)
    for line in parsed.statements:
        speaker = resolver.resolve(line.speaker)
        current = existing.get((speaker.pk, line.fields["said_on"], line.fields["quote"])) if speaker.pk else None
        if current is None:
            day = same_day.setdefault((speaker.pk or id(speaker), line.fields["said_on"]), [])
            _near_duplicates(line, day, report)
            day.append(line)
            to_create.append((line, speaker))
            continue
        before, after = _statement_content(current), _line_content(line)
        changes = sorted(name for name in after if before[name] != after[name] and name != "status")
        if changes and not update:
            report.errors.append(
                f"line {line.line}: conflict: statement {current.pk} has the same speaker, said_on and quote but a "
                f"different {', '.join(changes)}; use --update to replace it"
            )
            continue
        step = _status_step(line, current, report) if update else None
        if not update and line.fields["status"] != current.status:
            _status_step(line, current, report)  # a plain import reports the difference, never acts on it
        if changes or step:
            to_update.append(_Update(line, current, changes, step))
            report.updated += bool(changes)
            report.retracted += bool(step and step[0] == "retract")
            report.reinstated += bool(step and step[0] == "reinstate")
        else:
            report.unchanged += 1
    return to_create, to_update, resolver


# A new line is compared with at most this many statements and earlier lines by the same speaker
# on the same day (the newest): an import's cost stays linear in its lines whatever the file.
SAME_DAY_COMPARED = 200
# Near-duplicates named per line; the rest are counted.
SAME_DAY_NAMED = 3


def _near_duplicates(line: StatementData, same_day: list, report: ImportReport) -> None:
    """A notice for each statement (or earlier line) by the same speaker on the same day that
    the quote check takes for the same remark as this new line's quote: the admin asks an
    editor to confirm such a statement; an import says so and goes on. Bounded: the newest
    SAME_DAY_COMPARED are compared, SAME_DAY_NAMED named, and the notice says so."""
    found = []
    for other in reversed(same_day[-SAME_DAY_COMPARED:]):
        alignment = same_remark(
            line.fields["quote"], other.fields["quote"] if isinstance(other, StatementData) else other.quote
        )
        if alignment is not None:
            found.append((other, alignment))
    found.sort(key=lambda pair: _line_or_pk(pair[0]))
    for other, alignment in found[:SAME_DAY_NAMED]:
        what = f"line {other.line}" if isinstance(other, StatementData) else f"statement {other.pk}"
        report.notices.append(
            f"line {line.line}: quote: the same remark as {what} (same speaker and day, score {alignment.score:.2f})? "
            "Imported as another statement."
        )
    if len(found) > SAME_DAY_NAMED:
        report.notices.append(
            f"line {line.line}: quote: and {len(found) - SAME_DAY_NAMED} more statements or lines by the same speaker "
            "on the same day look like the same remark"
        )
    if len(same_day) > SAME_DAY_COMPARED:
        report.notices.append(
            f"line {line.line}: quote: {len(same_day)} statements or lines by the same speaker on the same day; "
            f"compared with the newest {SAME_DAY_COMPARED} only"
        )


def _line_or_pk(other) -> tuple[int, int]:
    """Stored statements first (by id), then earlier lines (by line number)."""
    return (1, other.line) if isinstance(other, StatementData) else (0, other.pk)


def statements_import(
    *,
    parsed: ParseResult,
    source_label: str,
    update: bool = False,
    dry_run: bool = False,
    user=None,
    wait: bool = True,
    on_wait=None,
) -> ImportReport:
    """Import validated lines: all or nothing. Re-importing the same lines changes nothing.

    Existing statements (same natural key) with other content are conflicts unless `update`.
    Every write is recorded in history with `user` and the reason "import: <source_label>".
    Raises ImportBusy when another import runs and `wait` is False.
    """
    report = ImportReport(lines=parsed.lines, errors=list(parsed.errors))
    if report.errors:
        return report
    with import_lock(wait=wait, on_wait=on_wait) as lock:
        report.waited = lock.waited
        to_create, to_update, resolver = _plan(parsed, update, report)
        report.sort_errors()
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
        report.created = len(to_create)
        if dry_run:
            return report
        reason = f"import: {source_label}"
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
    return report


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


class deferred_position_steps:
    """Inside an atomic block: statement writes queue their (topic, government) pairs instead of
    rebuilding position steps at once; every queued pair is rebuilt once when the block ends
    (statements/sql/position_steps_v2.sql). The per-pair locks are then held for moments at the
    end of a long import, not for all of it."""

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statements.defer_position_steps = 'on'")
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT statements_flush_position_steps()")
                cursor.execute("SET LOCAL statements.defer_position_steps = 'off'")
        return False


def statements_export_lines(queryset) -> Iterator[str]:
    """Yield each statement of `queryset` as one interchange line (newline included), streaming."""
    for statement in queryset.for_export().iterator(chunk_size=BATCH_SIZE):
        yield dumps(statement_to_record(statement)) + "\n"
