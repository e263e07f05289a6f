"""`manage.py send_alerts`: mail what is due (SPEC §11). The worker runs the same on its
schedule (statements/alerts/tasks.py); this is for cron without a worker, and for staff."""

from django.core.management.base import BaseCommand

from statements.alerts.models import Frequency
from statements.alerts.sending import send_due


class Command(BaseCommand):
    help = "Send the e-mail alerts that are due: as-it-happens alerts, and digests whose time has come."

    def add_arguments(self, parser):
        parser.add_argument(
            "--frequency",
            action="append",
            choices=Frequency.values,
            help="Only these (repeatable); default: all three.",
        )
        parser.add_argument(
            "--now", action="store_true", help="Send digests now, even if their day or week is not over."
        )

    def handle(self, *args, frequency=None, now=False, **options):
        frequencies = frequency or list(Frequency.values)
        sent = send_due(frequencies, force=now)
        self.stdout.write(f"sent {sent} e-mail{'s' if sent != 1 else ''} ({', '.join(frequencies)})")
