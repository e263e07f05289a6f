"""manage.py import_topics FILE [--update]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from statements.services.topics import topics_import


class Command(BaseCommand):
    help = (
        "Create topics from a JSON array of {slug, title, description, target_group} (seeds/topics.json), "
        "and describe existing topics that still carry the placeholder title an import of statements gave "
        "them. Topics described in the admin since are left alone unless --update."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--update", action="store_true", help="also replace descriptions edited since")

    def handle(self, *args, file, update, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        report = topics_import(path.read_text(encoding="utf-8"), update=update)
        if not report.ok:
            for message in report.errors:
                self.stderr.write(f"{file}: {message}")
            raise CommandError("nothing was written")
        summary = f"{file}: {len(report.created)} created, {len(report.updated)} updated, {report.unchanged} unchanged"
        if report.kept:
            summary += f"; kept as edited in the admin (use --update to replace): {', '.join(report.kept)}"
        self.stdout.write(summary)
