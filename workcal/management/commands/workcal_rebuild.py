from django.core.management.base import BaseCommand

from workcal import services, stamp


class Command(BaseCommand):
    help = ("Build the years of settings.WORKCAL_YEARS and rebuild the working-day table from the holidays package "
            "and the overrides (after a bulk import of overrides that bypassed the signals). Sends calendar_changed "
            "for the days that changed (open deadlines are then recomputed by a Celery task).")

    def add_arguments(self, parser):
        parser.add_argument("--from-year", type=int, default=None)

    def handle(self, *args, from_year=None, **options):
        table = services.calendar_materialise()
        changed = services.calendar_rebuild(from_year=from_year)
        stamp.forget()
        self.stdout.write(f"{table.first_year}–{table.last_year}: {len(changed)} day(s) changed status.")
