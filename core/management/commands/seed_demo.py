from importlib import import_module

from django.core.management.base import BaseCommand

# Order matters: organisation first, then the catalogue, then the dossiers that use both.
DEMO_MODULES = ["core.demo", "signing.demo", "workcal.demo", "cases.demo", "portal.demo", "cases.demo_alerts"]


class Command(BaseCommand):
    help = "Load the demo offices, accounts, catalogue and dossiers. Running it twice changes nothing."

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            import_module(name).seed(stdout=self.stdout)
            self.stdout.write(f"  {name}: ok")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
