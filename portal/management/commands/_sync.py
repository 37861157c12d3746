"""Shared body of `sync_dossiers` and `sync_feedback`: one pull-and-push round by hand, with a progress bar."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from portal import services
from portal.client import PortalClient, PortalError
from portal.locks import office_lock


class SyncCommand(BaseCommand):
    kind = None
    unit = " mục"

    def add_arguments(self, parser):
        parser.add_argument("--office", metavar="CODE",
                            help="chỉ đồng bộ một đơn vị: mã đơn vị (ví dụ 01) hoặc mã định danh điện tử")

    def offices(self, code):
        offices = services.syncable_offices()
        if code:
            offices = offices.filter(Q(code=code) | Q(agency_code=code))
            if not offices.exists():
                raise CommandError(f"Không có đơn vị có mã định danh điện tử ứng với “{code}”.")
        return list(offices)

    def handle(self, *args, office=None, **options):
        if not settings.NATIONAL_PORTAL_URL:
            raise CommandError("Chưa cấu hình NATIONAL_PORTAL_URL (địa chỉ Cổng DVCQG).")
        try:
            client = PortalClient()
        except PortalError as exc:
            raise CommandError(str(exc)) from exc
        failed = [o for o in self.offices(office) if not self.sync_one(o, client)]
        if failed:
            raise CommandError(f"{len(failed)} đơn vị đồng bộ chưa thành công: {', '.join(o.code for o in failed)}.")
        self.stdout.write(self.style.SUCCESS("Đồng bộ xong."))

    def sync_one(self, office, client) -> bool:
        with office_lock(office.pk) as lock:
            if not lock.acquired:
                self.stdout.write(f"{office.name}: đang được một tiến trình khác đồng bộ, bỏ qua.")
                return True
            bar = tqdm(desc=office.name, unit=self.unit, file=self.stdout, leave=True, dynamic_ncols=True)

            def on_page(result):
                lock.refresh()
                bar.update(result.items)
                bar.set_postfix(moi=result.stored, da_co=result.already, cach_ly=result.quarantined, refresh=False)

            try:
                (run,) = services.sync_office(office=office, kinds=(self.kind,), client=client, trigger="command",
                                              on_page=on_page)
            finally:
                bar.close()
        self.stdout.write(f"  lưu mới {run.stored}, đã có {run.already}, cách ly {run.quarantined}, "
                          f"gửi lên Cổng {run.pushed}, gửi lỗi {run.push_failed}"
                          + (f" — lỗi: {run.error}" if run.error else ""))
        return bool(run.ok)
