"""2015–2026 are announced: their days off and make-up days are those of the Government's yearly notices as
carried by the `holidays` package (≥ 0.109, which has the 2025 and 2026 swaps). Later years stay provisional
until an administrator marks them announced with the notice's number and date."""
from django.db import migrations

SOURCE = "Theo lịch nghỉ lễ, Tết Chính phủ đã công bố (dữ liệu gói holidays ≥ 0.109)"


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("workcal", "CalendarYear")
    for year in range(2015, 2027):
        CalendarYear.objects.get_or_create(year=year, defaults={"status": "announced", "source": SOURCE})


class Migration(migrations.Migration):
    dependencies = [("workcal", "0003_calendar_years")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
