"""Rebuild the dossier tally from the dossiers (after a bulk load with its triggers off), or with --check say
where it differs from them and exit 1 (reports.tally)."""
import sys

from django.core.management.base import BaseCommand
from django.db import transaction

from reports import tally


class Command(BaseCommand):
    help = "Rebuild the dossier tally (reports.tally) from the dossiers, or --check it against them."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 when they differ")

    def handle(self, *args, check=False, **options):
        if check:
            differences = tally.drift()
            for office, procedure, kind, day, month, have, want in differences[:50]:
                self.stdout.write(f"office {office} procedure {procedure} {kind} {day}{' (month)' if month else ''}: "
                                  f"tally {have}, dossiers {want}")
            if differences:
                self.stdout.write(f"{len(differences)} keys differ")
                sys.exit(1)
            self.stdout.write("the tally equals the dossiers")
            return
        with transaction.atomic():
            tally.rebuild()
        self.stdout.write("tally rebuilt")
