"""The name search at national scale (issue 12, bench/bench_search.py): on PostgreSQL a GIN index on the words of
`search_name` (to_tsvector('simple', …), the expression of cases.search.WordsMatch), so "nguyen van hung" reads
the short lists of three words instead of the huge ones of a dozen trigrams. Other databases: nothing."""
from django.db import migrations

INDEX = "dossier_search_words"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_dossier "
                              "USING gin (to_tsvector('simple'::regconfig, search_name))")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_raw_insert_defaults")]
    operations = [migrations.RunPython(forwards, backwards)]
