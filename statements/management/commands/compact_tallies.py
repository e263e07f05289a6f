"""Folds the statement tallies' delta rows together (statements/tallies.py).

Imports do it when they finish; on a tracker with many editors' saves, run it from cron (it is
safe at any time: readers see the same counts before and after, and writes meanwhile are kept).
"""

from django.core.management.base import BaseCommand

from statements import tallies
from statements.models import StatementTally


class Command(BaseCommand):
    help = "Fold the statement tallies' delta rows together (safe at any time; imports do it too)."

    def handle(self, *args, **options):
        before = StatementTally.objects.count()
        after = tallies.compact()
        self.stdout.write(f"tallies: {before:,} rows folded into {after:,}")
