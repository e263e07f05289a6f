"""manage.py export_speakers [FILE]"""

import json
import sys

from django.core.management.base import BaseCommand

from statements.interchange import speaker_to_record
from statements.models import Speaker


class Command(BaseCommand):
    help = (
        "Write every speaker (name, kind, Wikidata id, slug) as a JSON array, those without statements "
        "included: with `export_topics` and `export_statements`, the whole tracker (`import_speakers` reads it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="output file (default: standard output)")

    def handle(self, *args, file, **options):
        speakers = [speaker_to_record(s) for s in Speaker.objects.order_by("slug")]
        text = json.dumps(speakers, ensure_ascii=False, indent=2) + "\n"
        if file == "-":
            sys.stdout.write(text)
        else:
            with open(file, "w", encoding="utf-8") as out:
                out.write(text)
        self.stderr.write(f"exported {len(speakers)} speakers")
