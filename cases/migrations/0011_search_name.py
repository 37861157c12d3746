"""The forgiving search (issue 12): `search_name` = cases.search.normalise(applicant_name), filled for the
existing rows; on PostgreSQL trigram GIN indexes on it, on the code and on the phone, so the `LIKE '%…%'`
of cases.selectors.search_q is an index scan at national scale. Other databases get the column only."""
from django.db import migrations, models

from cases.search import normalise

BATCH = 2000


def fill(apps, schema_editor):
    Dossier = apps.get_model("cases", "Dossier")
    db = schema_editor.connection.alias
    batch = []
    for pk, name in Dossier.objects.using(db).order_by("pk").values_list("pk", "applicant_name").iterator(BATCH):
        batch.append(Dossier(pk=pk, search_name=normalise(name)))
        if len(batch) >= BATCH:
            Dossier.objects.using(db).bulk_update(batch, ["search_name"])
            batch = []
    if batch:
        Dossier.objects.using(db).bulk_update(batch, ["search_name"])


INDEXES = {  # the expressions search_q's lookups compile to (`code__icontains` is `UPPER(code) LIKE UPPER(…)`)
    "dossier_search_name_trgm": "search_name",
    "dossier_code_trgm": "UPPER(code)",
    "dossier_phone_trgm": "applicant_phone",
}


def indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_dossier USING gin ({column} gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_intake_checklist"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="search_name",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=200,
                                   verbose_name="tên không dấu (tìm kiếm)"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(indexes, drop_indexes),
    ]
