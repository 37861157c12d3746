"""The tally's triggers reinstalled (reports.tally.install_sql): a change of a dossier reads the other dossiers of
the same applicant and procedure only when the old or the new row is closed, and only those it makes "come
back" (issue 14: an intake for an employer with N dossiers of a procedure read all N, twice each). The figures
are unchanged: the dossiers skipped are those whose correction is zero."""

from django.db import migrations


def reinstall(apps, schema_editor):
    from reports import tally

    tally.install_triggers(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_dossier_tally'),
    ]

    operations = [
        migrations.RunPython(reinstall, migrations.RunPython.noop),
    ]
