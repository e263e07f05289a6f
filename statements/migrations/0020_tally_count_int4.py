# Migration 0017 was edited after it reached main: its tally count column went from bigint to int
# (a sum over int4 is bigint; over int8 it is numeric, which the stats SQL does not expect). A
# database migrated before that edit still has bigint. This brings every database to int4; on one
# that has it already, PostgreSQL changes nothing (same type: no rewrite).

from django.db import migrations

FORWARD = "ALTER TABLE statements_statementtally ALTER COLUMN n TYPE integer"


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0019_event_log"),
    ]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
