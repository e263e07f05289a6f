"""manage.py import_statements FILE [FILE …] [--dry-run] [--update]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from statements.interchange import parse_lines, read_lines
from statements.services import statements_import

PROGRESS_THRESHOLD_BYTES = 1_000_000  # about 2,000 lines: show a progress bar above this


class Command(BaseCommand):
    help = (
        "Import statements in the JSON Lines interchange format. Every line is validated first; "
        "if any is bad, every problem is printed as 'line N: field: message' and nothing is written. "
        "Importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="JSON Lines files, or - for standard input")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument(
            "--update", action="store_true", help="replace statements whose natural key exists with other content"
        )

    def handle(self, *args, files, dry_run, update, **options):
        failed = False
        for name in files:
            failed |= not self._import_file(name, dry_run=dry_run, update=update)
        if failed:
            raise CommandError("nothing was written")

    def _import_file(self, name: str, *, dry_run: bool, update: bool) -> bool:
        stream, size = self._open(name)
        with stream:
            lines = read_lines(stream)
            if size > PROGRESS_THRESHOLD_BYTES:
                lines = tqdm(lines, desc=f"validating {name}", unit=" lines", file=sys.stderr)
            parsed = parse_lines(lines)
        report = statements_import(parsed=parsed, source_label=Path(name).name, update=update, dry_run=dry_run)
        prefix = f"{name}: " if name != "-" else ""
        if not report.ok:
            for message in report.errors:
                self.stderr.write(f"{prefix}{message}")
            self.stderr.write(f"{name}: {len(report.errors)} problem(s) in {report.lines} lines")
            return False
        summary = (
            f"{name}: {report.lines} lines: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
        for label, names in (("governments", report.new_governments), ("topics", report.new_topics)):
            if names:
                summary += f"; new {label}: {', '.join(names)}"
        if report.new_speakers:
            summary += f"; {len(report.new_speakers)} new speakers"
        self.stdout.write(summary + (" (dry run: nothing written)" if dry_run else ""))
        return True

    def _open(self, name: str):
        if name == "-":
            return sys.stdin.buffer, 0
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        return path.open("rb"), path.stat().st_size
