"""manage.py export_topics [FILE]"""

import json
import sys

from django.core.management.base import BaseCommand

from statements.models import Topic


class Command(BaseCommand):
    help = (
        "Write every topic's slug, title, description and target group as a JSON array (the format of "
        "seeds/topics.json, which `import_topics` reads): with `export_statements`, a whole second backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="output file (default: standard output)")

    def handle(self, *args, file, **options):
        topics = [
            {"slug": t.slug, "title": t.title, "description": t.description, "target_group": t.target_group}
            for t in Topic.objects.order_by("slug")
        ]
        text = json.dumps(topics, ensure_ascii=False, indent=2) + "\n"
        if file == "-":
            sys.stdout.write(text)
        else:
            with open(file, "w", encoding="utf-8") as out:
                out.write(text)
        self.stderr.write(f"exported {len(topics)} topics")
