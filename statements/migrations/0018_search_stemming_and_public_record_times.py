"""Two changes of issue 23, in the one migration number given to them:

1. When each statement entered and last changed the public record, kept by a trigger
   (statements/sql/public_record.sql), with the index feeds read it through. Its backfill runs
   first: after the table is rewritten below, every row would count as inserted by this
   transaction, and updating them queued a foreign-key check each (3,000,000 deferred events
   for a million statements).
2. Search that understands words: `search_vector` stemmed in each statement's language
   (statements/sql/search_config.sql; statements/search.py). A generated column's expression
   cannot be altered in place (PostgreSQL 15), so the column and its index are built again.
3. A partial index of retracted statements, for the notes under grids that showed one
   (statements.positions.retractions_behind).
"""

from pathlib import Path

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

SQL = Path(__file__).resolve().parent.parent / "sql"
SEARCH_CONFIG_SQL = (SQL / "search_config.sql").read_text()
PUBLIC_RECORD_SQL = (SQL / "public_record.sql").read_text()
DROP_SEARCH_CONFIG = "DROP FUNCTION IF EXISTS statements_search_config(text);"
DROP_PUBLIC_RECORD = """
ALTER TABLE statements_statement DROP CONSTRAINT IF EXISTS statements_statement_public_record_times;
DROP TRIGGER IF EXISTS statements_public_record ON statements_statement;
DROP FUNCTION IF EXISTS statements_public_record_trigger();
"""


def stemmed_vector():
    return django.contrib.postgres.search.SearchVector(
        "quote",
        "context",
        config=models.Func(models.F("language"), function="statements_search_config", output_field=models.TextField()),
    )


class Migration(migrations.Migration):
    dependencies = [("statements", "0017_statement_tallies")]

    operations = [
        # 1. The public record's times.
        migrations.AddField(
            model_name="statement",
            name="record_entered_at",
            field=models.DateTimeField(
                blank=True, editable=False, help_text="When it was first published (kept by the database).", null=True
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="record_changed_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When it was last published, corrected, retracted or reinstated (kept by the database).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="record_change",
            field=models.CharField(
                blank=True,
                choices=[
                    ("published", "Published"),
                    ("corrected", "Corrected"),
                    ("retracted", "Retracted"),
                    ("reinstated", "Reinstated"),
                ],
                editable=False,
                help_text="Which of those it was (kept by the database).",
                max_length=10,
                null=True,
            ),
        ),
        migrations.RunSQL(PUBLIC_RECORD_SQL, DROP_PUBLIC_RECORD),
        # 2. Stemmed search.
        migrations.RemoveIndex(model_name="statement", name="statements_search_gin"),
        migrations.RemoveField(model_name="statement", name="search_vector"),
        migrations.RunSQL(SEARCH_CONFIG_SQL, DROP_SEARCH_CONFIG),
        migrations.AddField(
            model_name="statement",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=stemmed_vector(),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="statement",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name="statements_search_gin"),
        ),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(
                condition=models.Q(("status__in", ["published", "retracted"])),
                fields=["record_changed_at", "id"],
                name="statements_record_changed",
            ),
        ),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(
                condition=models.Q(("status", "retracted")),
                fields=["topic", "government", "said_on"],
                name="statements_retracted_pairs",
            ),
        ),
    ]
