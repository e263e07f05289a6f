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

`statements_import` runs the steps, each in its own module: `plan` (every line checked against
the database), `speakers` (the file's speakers matched to stored ones), `locking` (the import
lock, deferred position steps), `writes` (the transaction's writes) and `report` (what it says).
Their public names import from here too; a test that changes a constant patches the module that
reads it (`imports.plan.SAME_DAY_COMPARED`).
"""

from collections.abc import Iterator

from statements.interchange import ParseResult, dumps, statement_to_record
from statements.services.imports.locking import (
    IMPORT_LOCK,
    ImportBusy,
    deferred_position_steps,
    import_lock,
    import_lock_holder,
)
from statements.services.imports.plan import SAME_DAY_COMPARED, SAME_DAY_NAMED, _new_references, _plan
from statements.services.imports.report import ImportReport
from statements.services.imports.speakers import name_key, unique_slugs
from statements.services.imports.writes import BATCH_SIZE, GOVERNMENT_KINDS, _write, set_times, translation_rows


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
        topics, new_speakers = _new_references(parsed, resolver, report)
        report.created = len(to_create)
        if dry_run:
            return report
        _write(to_create, to_update, topics, new_speakers, report, user=user, reason=f"import: {source_label}")
    return report


def statements_export_lines(queryset) -> Iterator[str]:
    """Yield each statement of `queryset` as one interchange line (newline included), streaming."""
    for statement in queryset.for_export().iterator(chunk_size=BATCH_SIZE):
        yield dumps(statement_to_record(statement)) + "\n"


__all__ = [
    "BATCH_SIZE",
    "GOVERNMENT_KINDS",
    "IMPORT_LOCK",
    "SAME_DAY_COMPARED",
    "SAME_DAY_NAMED",
    "ImportBusy",
    "ImportReport",
    "deferred_position_steps",
    "import_lock",
    "import_lock_holder",
    "name_key",
    "set_times",
    "statements_export_lines",
    "statements_import",
    "translation_rows",
    "unique_slugs",
]
