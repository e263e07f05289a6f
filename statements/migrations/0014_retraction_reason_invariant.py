"""A retracted statement always has its public reason (statements/sql/retraction_reason.sql)."""

from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "retraction_reason.sql").read_text()
REVERSE = """
DROP TRIGGER IF EXISTS statements_statement_retraction_reason ON statements_statement;
DROP FUNCTION IF EXISTS statements_check_retraction_reason();
"""


class Migration(migrations.Migration):
    dependencies = [("statements", "0013_position_steps_deferred_for_imports")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
