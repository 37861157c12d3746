"""Data: today's catalogue becomes each procedure's first rule version (valid since 2015-01-01), with the
documents of fixtures/documents.csv; existing dossiers point at it (DOMAIN.md §8)."""
import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import migrations

FIRST_VALID_FROM = date(2015, 1, 1)


def _documents():
    path = Path(settings.BASE_DIR) / "fixtures" / "documents.csv"
    by_code = {}
    if not path.exists():
        return by_code
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            original = row["original_or_copy"].strip().lower()
            by_code.setdefault(row["procedure"].strip(), []).append({
                "name": row["document"].strip(),
                "original": original if original in ("original", "copy", "either") else "either",
                "quantity": int(row["quantity"] or 1), "required": row["required"].strip().lower() == "true"})
    return by_code


def forwards(apps, schema_editor):
    Procedure = apps.get_model("cases", "Procedure")
    ProcedureVersion = apps.get_model("cases", "ProcedureVersion")
    Dossier = apps.get_model("cases", "Dossier")
    documents = _documents()
    for procedure in Procedure.objects.all():
        version, _ = ProcedureVersion.objects.get_or_create(
            procedure=procedure, valid_from=FIRST_VALID_FROM,
            defaults={"time_limit_value": Decimal(procedure.processing_days or 0), "time_limit_unit": "working_days",
                      "supplement_clock": procedure.supplement_clock,
                      "max_supplement_requests": procedure.max_supplement_requests,
                      "max_reschedules": procedure.max_reschedules, "same_day_cutoff": procedure.same_day_cutoff,
                      "documents": documents.get(procedure.code, [])})
        Dossier.objects.filter(procedure=procedure, rule_version__isnull=True).update(rule_version=version)


class Migration(migrations.Migration):

    dependencies = [("cases", "0005_procedure_versions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
