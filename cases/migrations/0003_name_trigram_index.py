"""Search by part of the applicant's name at national scale: a trigram GIN index on PostgreSQL.
On other databases (the embedded SQLite) this migration does nothing."""
from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_name_trgm ON cases_dossier USING gin (UPPER(applicant_name) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_list_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
