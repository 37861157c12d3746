"""The procedure catalogue is data: seeded from fixtures/procedures.csv, maintained by an administrator."""
import csv
from datetime import time
from pathlib import Path

from django.conf import settings

from .models import Procedure

CATALOGUE = Path(settings.BASE_DIR) / "fixtures" / "procedures.csv"


def load_procedures(path: Path = CATALOGUE) -> int:
    """Create the procedures that are missing, each with its first rule version (documents from
    fixtures/documents.csv); never overwrite what an administrator has edited. Field names contain commas
    ("Thu BHXH, BHYT"): the csv module reads the quoted cells; never split a line on commas by hand."""
    from .versions import first_version_from_row, load_documents

    created = 0
    documents = load_documents()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            procedure, new = Procedure.objects.get_or_create(
                code=row["code"].strip(),
                defaults={
                    "name": row["name"].strip(),
                    "field": row["field"].strip(),
                    "processing_days": int(row["processing_days"]),
                    "is_covid_support": row["is_covid_support"].strip().lower() == "true",
                    "channels": [c.strip() for c in row["channels"].split(";") if c.strip()],
                    "same_day_cutoff": time.fromisoformat(row["same_day_cutoff"]) if row["same_day_cutoff"].strip()
                    else None,
                },
            )
            if new or not procedure.versions.exists():
                first_version_from_row(procedure, documents.get(procedure.code, []))
            created += new
    return created


def short_name(name: str, limit: int = 42) -> str:
    """A procedure's name short enough for a chart's axis (issue 12: bars were labelled with codes): without its
    bracketed precision, cut at a word boundary with an ellipsis."""
    text = name.split(" (")[0].strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"
