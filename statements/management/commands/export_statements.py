"""manage.py export_statements [FILE] [--government …] [--topic …] [--status …] …"""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from statements.models import Stance, Statement, Status
from statements.services import statements_export_lines


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class Command(BaseCommand):
    help = (
        "Export statements in the JSON Lines interchange format (to FILE, or standard output), oldest "
        "first. Without --status every statement is exported, drafts and retractions included, so that "
        "importing the file into an empty database reproduces the data."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="output file (default: standard output)")
        parser.add_argument("--government", type=_csv, default=[], help="codes, comma-separated (US,DE)")
        parser.add_argument("--speaker", type=_csv, default=[], help="speaker slugs, comma-separated")
        parser.add_argument("--topic", type=_csv, default=[], help="topic slugs, comma-separated")
        parser.add_argument("--stance", type=_csv, default=[], help=f"one or more of {', '.join(Stance.values)}")
        parser.add_argument("--language", type=_csv, default=[], help="BCP 47 tags, comma-separated")
        parser.add_argument("--status", type=_csv, default=[], help=f"one or more of {', '.join(Status.values)}")
        parser.add_argument("--said-after", type=datetime.date.fromisoformat, help="YYYY-MM-DD, inclusive")
        parser.add_argument("--said-before", type=datetime.date.fromisoformat, help="YYYY-MM-DD, inclusive")

    def handle(self, *args, file, **options):
        for name, choices in (("stance", Stance), ("status", Status)):
            unknown = set(options[name]) - set(choices.values)
            if unknown:
                raise CommandError(f"--{name}: unknown value(s) {', '.join(sorted(unknown))}")
        lookups = {
            "government_id__in": options["government"],
            "speaker__slug__in": options["speaker"],
            "topic__slug__in": options["topic"],
            "stance__in": options["stance"],
            "language__in": options["language"],
            "status__in": options["status"],
            "said_on__gte": options["said_after"],
            "said_on__lte": options["said_before"],
        }
        queryset = Statement.objects.filter(**{k: v for k, v in lookups.items() if v})
        out = sys.stdout if file == "-" else open(file, "w", encoding="utf-8")  # noqa: SIM115
        count = 0
        try:
            for line in statements_export_lines(queryset):
                out.write(line)
                count += 1
        finally:
            if out is not sys.stdout:
                out.close()
        self.stderr.write(f"exported {count} statements")
