"""Position steps: a transaction may queue the pairs it touches and rebuild them once at its end
(statements/sql/position_steps_v2.sql); imports do, so they hold the per-pair locks briefly."""

from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
SQL = (SQL_DIR / "position_steps_v2.sql").read_text()
# Version 1's trigger function, as migration 0004 created it (its file is frozen).
V1 = (SQL_DIR / "position_steps.sql").read_text()
REVERSE = (
    "DROP FUNCTION IF EXISTS statements_flush_position_steps();\n"
    + V1[V1.index("CREATE OR REPLACE FUNCTION statements_position_steps_trigger()") : V1.index("CREATE TRIGGER")]
)


class Migration(migrations.Migration):
    dependencies = [("statements", "0012_data_version_per_backend")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
