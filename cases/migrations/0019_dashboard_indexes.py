"""Partial, covering indexes for the dashboard, oversight and form 06 at national scale (issue 14), PostgreSQL
only (SQLite keeps the model's indexes): each reads what its query needs without touching the table.

* dossier_open_cover: the open dossiers' deadline figures (cases.deadlines predicates) by office — the
  dashboard's tiles and its overdue-by-procedure chart, oversight's open columns;
* dossier_withdrawn: form 06's withdrawn dossiers of a period (reports.summary);
* dossier_unclosed: form 06's dossiers in progress at a period's end (reports.summary);
* dossier_over_visits: dossiers over the visit limit (a limit is at least 2 visits) for the officers' ranking.
"""
from django.db import migrations

INDEXES = {
    "dossier_open_cover": "(office_id, status) INCLUDE (id, procedure_id, legal_due_at, apologise_by, "
                          "appointment_at, reschedule_count, submitted_at) "
                          "WHERE status IN ('submitted', 'received', 'processing', 'awaiting_supplement')",
    "dossier_withdrawn": "(closed_at) INCLUDE (office_id, procedure_id, channel, received_at, resolved_at) "
                         "WHERE status = 'withdrawn'",
    "dossier_unclosed": "(received_at) INCLUDE (office_id, procedure_id, status, legal_due_at, resolved_at) "
                        "WHERE closed_at IS NULL",
    "dossier_over_visits": "(office_id, received_at) INCLUDE (rule_version_id, trip_count, received_by_id) "
                           "WHERE trip_count > 1",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_dossier {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [("cases", "0017_merge_20261204_0601")]

    operations = [migrations.RunPython(create, drop)]
