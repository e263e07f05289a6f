"""Database triggers that keep statements_positionstep in step with statements, plus a backfill."""

from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "position_steps.sql").read_text()
REVERSE = """
DROP TRIGGER IF EXISTS statements_position_steps_insert ON statements_statement;
DROP TRIGGER IF EXISTS statements_position_steps_update ON statements_statement;
DROP TRIGGER IF EXISTS statements_position_steps_delete ON statements_statement;
DROP FUNCTION IF EXISTS statements_position_steps_trigger();
DROP FUNCTION IF EXISTS statements_rebuild_position_steps(bigint[], text[]);
DELETE FROM statements_positionstep;
"""


class Migration(migrations.Migration):
    dependencies = [("statements", "0003_position_steps")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
