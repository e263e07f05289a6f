"""pg_trgm, for the duplicate warning (similar quotes by the same speaker on the same day)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("statements", "0005_statement_version_and_corrections")]
    operations = [TrigramExtension()]
