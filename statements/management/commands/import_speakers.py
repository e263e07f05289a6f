"""manage.py import_speakers FILE"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from statements.services.speakers import speakers_import


class Command(BaseCommand):
    help = (
        "Create the speakers of a JSON array written by `export_speakers` whose slugs are not in the "
        "database (run it before `import_statements --restore`). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        report = speakers_import(path.read_text(encoding="utf-8"), source_label=path.name)
        if not report.ok:
            for message in report.errors:
                self.stderr.write(f"{file}: {message}")
            raise CommandError("nothing was written")
        self.stdout.write(f"{file}: {len(report.created)} created, {report.unchanged} unchanged")
