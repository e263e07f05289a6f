"""The plan: every line checked against the database before anything is written. Which lines are
new statements, which change a stored one (and how), which conflict; near-duplicates and status
differences are noticed."""

from collections.abc import Iterable
from dataclasses import dataclass

from statements.interchange import CorrectionData, ParseResult, SourceData, StatementData, TranslationData
from statements.models import CorrectionKind, Government, Statement, Status, Topic
from statements.quotecheck import same_remark
from statements.services.imports.report import ImportReport
from statements.services.imports.speakers import _SpeakerResolver

STEPS = {
    (Status.PUBLISHED, Status.RETRACTED): ("retract", CorrectionKind.RETRACTION),
    (Status.RETRACTED, Status.PUBLISHED): ("reinstate", CorrectionKind.REINSTATEMENT),
}
# A new line is compared with at most this many statements and earlier lines by the same speaker
# on the same day (the newest): an import's cost stays linear in its lines whatever the file.
SAME_DAY_COMPARED = 200
# Near-duplicates named per line; the rest are counted.
SAME_DAY_NAMED = 3


@dataclass
class _Update:
    """An existing statement a line changes: what was read, which of its fields change (status
    aside), and the workflow step the line asks for, with the line's note."""

    line: StatementData
    current: Statement
    changes: list[str]
    step: tuple[str, CorrectionData] | None = None  # ("retract" | "reinstate", note)


def _plan(parsed: ParseResult, update: bool, report: ImportReport):
    """Check every line against the database. Returns (to_create, to_update, resolver).

    The speakers first (every line's, so that lookalike spellings are known), then each line in
    file order: a new statement (compared with the same speaker's remarks of that day), or a stored
    one that the line leaves alone, changes, conflicts with or takes a workflow step on."""
    resolver = _SpeakerResolver(line.speaker for line in parsed.statements)
    _check_speakers(parsed, resolver, report)
    existing = _stored_statements(parsed, resolver)
    same_day = _by_speaker_and_day(existing.values())
    to_create, to_update = [], []
    for line in parsed.statements:
        speaker = resolver.resolve(line.speaker)
        current = existing.get((speaker.pk, line.fields["said_on"], line.fields["quote"])) if speaker.pk else None
        if current is None:
            day = same_day.setdefault((speaker.pk or id(speaker), line.fields["said_on"]), [])
            _near_duplicates(line, day, report)
            day.append(line)
            to_create.append((line, speaker))
            continue
        planned = _plan_update(line, current, update, report)
        if planned is not None:
            to_update.append(planned)
    return to_create, to_update, resolver


def _check_speakers(parsed: ParseResult, resolver: _SpeakerResolver, report: ImportReport) -> None:
    """Resolve every line's speaker: a kind other than the stored one is an error, a lookalike
    spelling taken for a stored speaker a notice."""
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


def _stored_statements(parsed: ParseResult, resolver: _SpeakerResolver) -> dict[tuple, Statement]:
    """The stored statements of the file's speakers on the file's dates, by natural key
    (speaker id, said_on, quote)."""
    speaker_ids = {s.pk for group in resolver.by_name.values() for s in group if s.pk}
    speaker_ids |= {s.pk for s in resolver.by_wikidata.values() if s.pk}
    dates = {line.fields["said_on"] for line in parsed.statements}
    return {
        (s.speaker_id, s.said_on, s.quote): s
        for s in Statement.objects.filter(speaker_id__in=speaker_ids, said_on__in=dates).for_detail()
    }


def _by_speaker_and_day(statements: Iterable[Statement]) -> dict[tuple, list]:
    """(speaker, said_on) → the stored statements; the plan adds each new line to its day."""
    same_day: dict[tuple, list] = {}
    for statement in statements:
        same_day.setdefault((statement.speaker_id, statement.said_on), []).append(statement)
    return same_day


def _plan_update(line: StatementData, current: Statement, update: bool, report: ImportReport) -> _Update | None:
    """What a line does to its stored statement: nothing (counted unchanged), a change of its fields
    (an error without `update`), or a workflow step; a status difference is reported either way."""
    before, after = _statement_content(current), _line_content(line)
    changes = sorted(name for name in after if before[name] != after[name] and name != "status")
    if changes and not update:
        report.errors.append(
            f"line {line.line}: conflict: statement {current.pk} has the same speaker, said_on and quote but a "
            f"different {', '.join(changes)}; use --update to replace it"
        )
        return None
    step = _status_step(line, current, report) if update else None
    if not update and line.fields["status"] != current.status:
        _status_step(line, current, report)  # a plain import reports the difference, never acts on it
    if not (changes or step):
        report.unchanged += 1
        return None
    report.updated += bool(changes)
    report.retracted += bool(step and step[0] == "retract")
    report.reinstated += bool(step and step[0] == "reinstate")
    return _Update(line, current, changes, step)


def _new_references(parsed: ParseResult, resolver: _SpeakerResolver, report: ImportReport) -> tuple[dict, list]:
    """The governments, topics and speakers the file names that are not stored yet, in the report.
    Returns (the stored topics by slug, the new speakers)."""
    codes = {line.government for line in parsed.statements}
    known_codes = set(Government.objects.filter(code__in=codes).values_list("code", flat=True))
    slugs = {line.topic for line in parsed.statements}
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=slugs)}
    report.new_governments = sorted(codes - known_codes)
    report.new_topics = sorted(slugs - set(topics))
    new_speakers = list(resolver.new.values())
    report.new_speakers = [s.name for s in new_speakers]
    return topics, new_speakers


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
