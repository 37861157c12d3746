"""Demo dossiers: a realistic desk for Hà Nội and Hồ Chí Minh City, built through the real services so that
codes, deadlines, events and slips are exactly what production would produce. Idempotent."""
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from core.models import User
from workcal import calendar

from . import services
from .catalogue import load_procedures
from .models import Dossier, Procedure

APPLICANTS = [
    ("Nguyễn Văn Ánh", "citizen", "001085012345", "0912345678", "anh.nv@example.vn", "Cầu Giấy, Hà Nội"),
    ("Trần Thị Bích Ngọc", "citizen", "001190023456", "0987654321", "", "Đống Đa, Hà Nội"),
    ("Công ty TNHH May Thăng Long", "enterprise", "0100109106", "02438561234", "nhansu@maythanglong.vn",
     "Cầu Giấy, Hà Nội"),
    ("Lê Hoàng Phúc", "citizen", "079088034567", "0903111222", "", "Quận 1, TP. Hồ Chí Minh"),
    ("Phạm Thu Hằng", "citizen", "001195045678", "0356789012", "hang.pt@example.vn", "Hoàn Kiếm, Hà Nội"),
    ("Đặng Quốc Việt", "citizen", "079092056789", "0778123456", "", "Quận 3, TP. Hồ Chí Minh"),
]

# (username, applicant index, procedure code, working days ago received, then actions)
PLAN = [
    ("tiepnhan.hn", 0, "1.009020", 1, []),
    ("tiepnhan.hn", 1, "1.009022", 5, ["start"]),
    ("tiepnhan.hn", 2, "1.009003", 6, ["start"]),                       # 5 days: overdue
    ("tiepnhan.hn", 4, "1.009014", 6, ["start"]),                       # 7 days: due soon
    ("tiepnhan.hn", 0, "1.009013", 3, ["start", "request-supplement"]),
    ("tiepnhan.hn", 1, "1.009031", 8, ["start", "resolve"]),
    ("tiepnhan.hn", 4, "1.009012", 20, ["start", "resolve", "return"]),
    ("tiepnhan.hcm", 3, "1.009023", 2, ["start"]),
    ("tiepnhan.hcm", 5, "1.009011", 9, ["start"]),                      # 7 days: overdue
]


def _received_at(working_days_ago: int):
    """A moment `working_days_ago` working days before today, at 09:15 local time."""
    day = timezone.localdate()
    for _ in range(working_days_ago):
        day = _previous_working_day(day)
    return timezone.make_aware(datetime.combine(day, time(9, 15)))


def _previous_working_day(day):
    day -= timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


@transaction.atomic
def seed(stdout=None):
    load_procedures()
    if Dossier.objects.filter(source="desk").exists():
        return  # the demo desk exists already: running twice changes nothing
    processor = User.objects.filter(username="chuyenvien.hn").first()
    for username, who, code, ago, actions in PLAN:
        officer = User.objects.get(username=username)
        name, kind, id_number, phone, email, address = APPLICANTS[who]
        procedure = Procedure.objects.get(code=code)
        channel = "direct" if "direct" in procedure.channels else procedure.channels[0]
        dossier = services.dossier_receive(
            actor=officer, procedure=procedure, channel=channel, received_at=_received_at(ago),
            applicant={"name": name, "kind": kind, "id_number": id_number, "phone": "+84" + phone[1:],
                       "email": email, "address": address},
            summary=f"{procedure.name} – hồ sơ mẫu",
        )
        for action in actions:
            if action == "start":
                assignee = processor.username if processor and officer.office_id == processor.office_id else None
                services.dossier_start(actor=officer, dossier=dossier, assignee=assignee)
            elif action == "request-supplement":
                services.dossier_request_supplement(
                    actor=officer, dossier=dossier, reason="Thiếu giấy tờ chứng minh thay đổi thông tin",
                    documents=["Bản sao giấy khai sinh", "Tờ khai TK1-TS (bản chính)"])
            elif action == "resolve":
                services.dossier_resolve(actor=officer, dossier=dossier, outcome="approved",
                                         result_summary="Đủ điều kiện, đã giải quyết")
            elif action == "return":
                services.dossier_return(actor=officer, dossier=dossier)
    if stdout:
        stdout.write(f"  demo dossiers: {Dossier.objects.filter(source='desk').count()}")
