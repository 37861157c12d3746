"""Demo data for the calendar: materialise the default years (2015–2040). Running it twice changes nothing."""
from . import services


def seed(stdout=None):
    table = services.calendar_materialise()
    if stdout is not None:
        stdout.write(f"  workcal: {len(table.days)} ngày làm việc, {table.first_year}–{table.last_year}")
    return table
