"""`python manage.py scan_overdue` (CONTRACTS.md §1.1): one deadline scan, the same as the periodic task."""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.services.scan import scan_overdue


class Command(BaseCommand):
    help = "Đánh dấu hồ sơ (và phản ánh, kiến nghị) sắp đến hạn, quá hạn; gửi thông báo cho cán bộ và Lãnh đạo."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="scan as of this moment (ISO 8601; without an offset: Asia/Ho_Chi_Minh)")

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise CommandError(f"--now: not an ISO 8601 date-time: {now!r}")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        result = scan_overdue(now=moment)
        if result.skipped:
            self.stdout.write("Another scan is running; nothing done.")
            return
        feedback = result.feedback
        self.stdout.write(
            f"Scan at {timezone.localtime(result.now):%d/%m/%Y %H:%M}: {len(result.overdue)} newly overdue, "
            f"{len(result.due_soon)} newly due soon, {len(result.apology_due)} apology due, "
            f"{len(result.appointment_missed)} appointment missed, {len(result.late_to_accept)} late to accept, "
            f"{result.cleared} cleared; "
            f"{result.notifications} officer notification(s), {result.digests} digest(s)"
            + (f"; feedback {feedback}" if feedback is not None else "") + "."
        )
