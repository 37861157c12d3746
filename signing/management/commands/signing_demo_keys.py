"""Create the demo signing keys (idempotent): a throw-away CA trusted as a root (with its CRL), a PKCS#12 key
for every director and deputy (giamdoc.hn, phogiamdoc.hn, giamdoc.hcm, …) and a seal for every office with an
electronic agency code. Every certificate says TEST. Files go under SIGNING_DIR (var/signing), never committed.
`seed_demo` runs it, so `make run` signs out of the box."""
from django.core.management.base import BaseCommand

from signing import demo


class Command(BaseCommand):
    help = "Create throw-away TEST signing keys for the demo directors, deputies and office seals."

    def add_arguments(self, parser):
        parser.add_argument("--replace", action="store_true", help="issue new keys even where some exist")

    def handle(self, *args, replace=False, **options):
        demo.seed(stdout=self.stdout, replace=replace)
