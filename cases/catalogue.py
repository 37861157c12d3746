"""The procedure catalogue is data: seeded from fixtures/procedures.csv, maintained by an administrator."""
import csv
from datetime import time
from pathlib import Path

from django.conf import settings

from .models import Procedure

CATALOGUE = Path(settings.BASE_DIR) / "fixtures" / "procedures.csv"


def load_procedures(path: Path = CATALOGUE) -> int:
    """Create the procedures that are missing; never overwrite what an administrator has edited."""
    created = 0
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            _, new = Procedure.objects.get_or_create(
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
            created += new
    return created
