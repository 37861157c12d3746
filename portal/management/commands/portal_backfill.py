"""Put on the national portal every dossier it has never been sent (history imported, or received before every
dossier was pushed): `python manage.py portal_backfill [--office CODE]`."""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from portal import outbox, services


class Command(BaseCommand):
    help = "Đưa lên Cổng DVCQG mọi hồ sơ chưa từng được gửi (một lượt DongBoHoSoMC cho mỗi hồ sơ)."

    def add_arguments(self, parser):
        parser.add_argument("--office", metavar="CODE", help="chỉ một đơn vị: mã đơn vị hoặc mã định danh điện tử")

    def handle(self, *args, office=None, **options):
        offices = services.syncable_offices()
        if office:
            offices = offices.filter(Q(code=office) | Q(agency_code=office))
            if not offices.exists():
                raise CommandError(f"Không có đơn vị có mã định danh điện tử ứng với “{office}”.")
        for each in offices:
            total = 0
            while True:
                with transaction.atomic():
                    queued = outbox.queue_dossier_states(each)
                total += queued
                if not queued:
                    break
            self.stdout.write(f"{each.name}: {total} hồ sơ đưa vào hàng đợi gửi lên Cổng DVCQG.")
