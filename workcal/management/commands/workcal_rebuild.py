from django.core.management.base import BaseCommand

from workcal import services


class Command(BaseCommand):
    help = ("Rebuild the working-day table from the holidays package and the overrides (after a bulk import of "
            "overrides that bypassed the signals). Sends calendar_changed for the days that changed.")

    def add_arguments(self, parser):
        parser.add_argument("--from-year", type=int, default=None)

    def handle(self, *args, from_year=None, **options):
        services.calendar_materialise()
        changed = services.calendar_rebuild(from_year=from_year)
        self.stdout.write(f"{len(changed)} day(s) changed status.")
