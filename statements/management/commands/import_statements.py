"""manage.py import_statements FILE [FILE …] [--dry-run] [--update] [--restore] [--no-wait]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from statements.interchange import parse_lines, read_lines
from statements.services.imports import ImportBusy, ImportReport, statements_import
from statements.services.restore import statements_restore

PROGRESS_THRESHOLD_BYTES = 1_000_000  # about 2,000 lines: show a progress bar above this
BUSY = 3  # exit code: another import is running (--no-wait)


class Command(BaseCommand):
    help = (
        "Import statements in the JSON Lines interchange format. Every line is validated first; "
        "if any is bad, every problem is printed as 'line N: field: message' and nothing is written. "
        "Importing the same file twice changes nothing. Imports run one at a time: a second one waits "
        "(or, with --no-wait, exits with status 3)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="JSON Lines files, or - for standard input")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument(
            "--update", action="store_true", help="replace statements whose natural key exists with other content"
        )
        parser.add_argument(
            "--restore",
            action="store_true",
            help="fill an empty database from an export, keeping ids, status, corrections and times",
        )
        parser.add_argument(
            "--no-wait", action="store_true", help="if another import is running, exit (status 3) instead of waiting"
        )

    def handle(self, *args, files, dry_run, update, restore, no_wait, **options):
        if restore and (update or dry_run):
            raise CommandError("--restore fills an empty database: it takes neither --update nor --dry-run")
        failed = False
        for name in files:
            failed |= not self._import_file(name, dry_run=dry_run, update=update, restore=restore, wait=not no_wait)
        if failed:
            raise CommandError("nothing was written")

    def _import_file(self, name: str, *, dry_run: bool, update: bool, restore: bool, wait: bool) -> bool:
        stream, size = self._open(name)
        with stream:
            lines = read_lines(stream)
            if size > PROGRESS_THRESHOLD_BYTES:
                lines = tqdm(lines, desc=f"validating {name}", unit=" lines", file=sys.stderr)
            parsed = parse_lines(lines)
        label = Path(name).name
        on_wait = lambda message: self.stderr.write(f"{name}: {message}…")  # noqa: E731
        try:
            if restore:
                report = statements_restore(parsed=parsed, source_label=label, wait=wait, on_wait=on_wait)
            else:
                report = statements_import(
                    parsed=parsed, source_label=label, update=update, dry_run=dry_run, wait=wait, on_wait=on_wait
                )
        except ImportBusy as busy:
            raise CommandError(f"{name}: {busy}; nothing was written", returncode=BUSY) from busy
        except DatabaseError as exc:  # a lock or connection gone wrong: said in one line, never a traceback
            self.stderr.write(f"{name}: database: {str(exc).strip().splitlines()[0]}")
            return False
        prefix = f"{name}: " if name != "-" else ""
        for message in report.notices:
            self.stderr.write(f"{prefix}{message}")
        if not report.ok:
            for message in report.errors:
                self.stderr.write(f"{prefix}{message}")
            self.stderr.write(f"{name}: {len(report.errors)} problem(s) in {report.lines} lines")
            return False
        summary = _summary(name, report, restore=restore)
        self.stdout.write(summary + (" (dry run: nothing written)" if dry_run else ""))
        return True

    def _open(self, name: str):
        if name == "-":
            return sys.stdin.buffer, 0
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        return path.open("rb"), path.stat().st_size


def _summary(name: str, report: ImportReport, *, restore: bool) -> str:
    """One line for a file imported: its counts, what was new, and whether it waited for another import."""
    summary = (
        f"{name}: {report.lines} lines: {report.created} {'restored' if restore else 'created'}, "
        f"{report.updated} updated, {report.unchanged} unchanged"
    )
    for label, count in (("retracted", report.retracted), ("reinstated", report.reinstated)):
        if count:
            summary += f", {count} {label}"
    for label, names in (("governments", report.new_governments), ("topics", report.new_topics)):
        if names:
            summary += f"; new {label}: {', '.join(names)}"
    if report.new_speakers:
        summary += f"; {len(report.new_speakers)} new speakers"
    if report.waited:
        summary += f" (after it {report.waited})"
    return summary
