"""manage.py export_statements [FILE] [--government …] [--topic …] [--status …] …"""

import sys

from django import forms
from django.core.management.base import BaseCommand, CommandError

from statements.filtering import FilterError, StatementFilterForm, choice_cleaner, selection_from
from statements.models import Statement, Status
from statements.services import statements_export_lines


class Command(BaseCommand):
    help = (
        "Export statements in the JSON Lines interchange format (to FILE, or standard output), oldest "
        "first, with their ids, status, public corrections and times: `import_statements --restore` "
        "gives the same tracker back. Without --status every statement is exported, drafts and "
        "retractions included. The filters are the API's, with the API's validation."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="output file (default: standard output)")
        for name, field in StatementFilterForm.base_fields.items():
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, help=str(field.label))
        parser.add_argument("--status", help=f"one or more of {', '.join(Status.values)} (comma-separated)")

    def handle(self, *args, file, status, **options):
        filters = {name: options[name] for name in StatementFilterForm.base_fields if options.get(name) is not None}
        statuses = self._statuses(status)
        try:
            selection = selection_from(filters, public=False, statuses=statuses)
        except FilterError as exc:
            raise CommandError(
                "; ".join(f"--{name.replace('_', '-')}: {' '.join(messages)}" for name, messages in exc.errors.items())
            ) from exc
        queryset = Statement.objects.filter(selection.condition())
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

    @staticmethod
    def _statuses(value: str | None) -> tuple[str, ...]:
        if not value:
            return tuple(Status.values)
        clean = choice_cleaner(Status.values, "status")
        try:
            return tuple(dict.fromkeys(clean(item.strip()) for item in value.split(",")))
        except forms.ValidationError as exc:
            raise CommandError(f"--status: {' '.join(exc.messages)}") from exc
