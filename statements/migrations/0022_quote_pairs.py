"""The quote check's second index: pairs of neighbouring words (statements/sql/quote_pairs.sql),
over published statements' quotes and over renderings."""

from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "quote_pairs.sql").read_text()


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0021_translations"),
    ]

    operations = [
        migrations.RunSQL(SQL, "DROP FUNCTION statements_quote_pairs(text)"),
        migrations.RunSQL(
            "CREATE INDEX statements_quote_pairs_gin ON statements_statement "
            "USING gin (statements_quote_pairs(quote_key)) WHERE status = 'published'",
            "DROP INDEX statements_quote_pairs_gin",
        ),
        migrations.RunSQL(
            "CREATE INDEX statements_tr_pairs_gin ON statements_translation USING gin (statements_quote_pairs(text_key))",
            "DROP INDEX statements_tr_pairs_gin",
        ),
    ]
