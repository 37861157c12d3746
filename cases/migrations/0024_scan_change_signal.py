"""The incremental deadline scan (issue 14): where the last run stood (`cases.ScanState`), and the change signal
on PostgreSQL: a row trigger on `cases_dossier` writing to `cases_scandirty` the id of each dossier inserted or
changed in a column a stage reads (cases.services.scan_sql). Elsewhere the scan always reads every dossier in a
stage, so nothing is installed."""

from django.db import migrations, models


def install(apps, schema_editor):
    from cases.services import scan_sql

    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for statement in scan_sql.INSTALL_SQL:
                cursor.execute(statement)


def uninstall(apps, schema_editor):
    from cases.services import scan_sql

    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for statement in scan_sql.UNINSTALL_SQL:
                cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0023_apologise_by_due_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='ScanState',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('now_at', models.DateTimeField()),
                ('horizon', models.DateTimeField()),
                ('cutoff', models.DateTimeField()),
                ('full_at', models.DateTimeField(help_text='the last run that read every open dossier')),
            ],
            options={
                'verbose_name': 'trạng thái lượt quét hạn',
                'verbose_name_plural': 'trạng thái lượt quét hạn',
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
