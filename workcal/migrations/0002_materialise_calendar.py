"""Materialise the default years of working days at migrate time, so no request pays for the first build.

Uses the pure rule (workcal.rules) with the historical models; workcal.calendar rebuilds lazily anyway if
the table is missing, out of range, or built with an older `holidays` package.
"""
from django.db import migrations


def materialise(apps, schema_editor):
    from workcal import rules
    from workcal.selectors import content_stamp
    from workcal.services import default_years

    WorkingDay = apps.get_model("workcal", "WorkingDay")
    CalendarStamp = apps.get_model("workcal", "CalendarStamp")
    CalendarOverride = apps.get_model("workcal", "CalendarOverride")
    if CalendarStamp.objects.exists():
        return
    first_year, last_year = default_years()
    kinds = dict(CalendarOverride.objects.values_list("date", "kind"))
    days = rules.working_days(first_year, last_year, kinds)
    WorkingDay.objects.all().delete()
    WorkingDay.objects.bulk_create([WorkingDay(date=d, ordinal=i) for i, d in enumerate(days)], batch_size=1000)
    CalendarStamp.objects.create(id=1, stamp=content_stamp(0, days), first_year=first_year, last_year=last_year,
                                 holidays_version=rules.holidays_version())


def unmaterialise(apps, schema_editor):
    apps.get_model("workcal", "WorkingDay").objects.all().delete()
    apps.get_model("workcal", "CalendarStamp").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workcal", "0001_initial")]

    operations = [migrations.RunPython(materialise, unmaterialise)]
