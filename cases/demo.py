"""Demo dossiers: six weeks of desk work at Hà Nội and Hồ Chí Minh City, replayed through the real services at
their historical moments (each service's `at=`, as the history import does), so that codes, deadlines, events,
slips, reports and charts are exactly what production would produce. Deterministic and idempotent."""
import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from core.models import User
from workcal import calendar

from . import services
from .catalogue import load_procedures
from .models import Dossier, Procedure

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Quốc", "Ngọc", "Hữu", "Thanh", "Đức", "Bích"]
GIVEN = ["Ánh", "Bình", "Cường", "Dung", "Giang", "Hằng", "Khánh", "Lan", "Nam", "Phúc", "Quân", "Trang",
         "Tuấn", "Việt", "Yến"]
COMPANIES = [("Công ty TNHH May Thăng Long", "0100109106"), ("Công ty CP Du lịch Hồ Tây", "0101248141")]
OFFICES = {  # username → (province code for CCCD, district, working days back, dossiers per day)
    "tiepnhan.hn": ("001", "Cầu Giấy, Hà Nội", 30, 4),
    "tiepnhan.hcm": ("079", "Quận 3, TP. Hồ Chí Minh", 30, 2),
}
DESK_PROCEDURES = ["1.009020", "1.009022", "1.009023", "1.009014", "1.009012", "1.009013", "1.009011",
                   "1.009031", "1.009015", "1.009003"]


def _working_days_back(n):
    day, days = timezone.localdate(), []
    while len(days) < n:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    return list(reversed(days))


def _moment(day, minutes):
    return timezone.make_aware(datetime.combine(day, time(7, 45)) + timedelta(minutes=minutes))


def _at_work(moment, office, rng):
    """The moment moved into the office's hours on a working day (a few minutes after the next opening when it
    falls outside them): officers do not resolve dossiers at 03:00 or on a Sunday."""
    start = calendar.clock_start(moment, office)
    if start == moment:
        return moment
    return start + timedelta(minutes=rng.randint(5, 50))


def _last_work_moment(now, office):
    """`now` if the office is open, else two minutes before its last closing: the demo's "now", so that even the
    demo's latest events (the apologies) fall inside office hours whatever the hour `seed_demo` runs at."""
    if calendar.clock_start(now, office) == now:
        return now
    local = timezone.localtime(now)
    for back in range(0, 20):
        day = local.date() - timedelta(days=back)
        if not calendar.is_working_day(day):
            continue
        for _start, end in reversed(office.hours()):
            moment = timezone.make_aware(datetime.combine(day, end)) - timedelta(minutes=2)
            if moment <= now:
                return moment
    return now


def _applicant(rng, province, address):
    if rng.random() < 0.12:
        name, tax = rng.choice(COMPANIES)
        return {"name": name, "kind": "enterprise", "id_number": tax, "phone": "+842438561234",
                "email": "nhansu@example.vn", "address": address}
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    id_number = f"{province}{rng.choice('0123')}{rng.randint(60, 99) if rng.random() < .6 else rng.randint(0, 5):02d}" \
                f"{rng.randint(0, 999999):06d}"
    return {"name": name, "kind": "citizen", "id_number": id_number,
            "phone": f"+849{rng.randint(10000000, 99999999)}", "email": "", "address": address}


def _replay(rng, officer, processor, procedure, received_at, now):
    """Receive one dossier and take it as far as its age allows, each step at its own moment. About one in four
    arrives online from the national portal and is accepted at the desk a little later (Form 06's online column)."""
    applicant = _applicant(rng, *OFFICES[officer.username][:2])
    if "online" in (procedure.channels or []) and rng.random() < 0.25:
        accepted = _at_work(received_at + timedelta(minutes=rng.randint(30, 90)), officer.office, rng)
        if accepted >= now:
            return None
        dossier = services.dossier_submit_online(actor=officer, procedure=procedure, applicant=applicant,
                                                 office=officer.office, submitted_at=received_at,
                                                 summary=f"{procedure.name} – hồ sơ mẫu nộp trực tuyến")
        dossier = services.dossier_accept(actor=officer, dossier=dossier, at=accepted)
        received_at = accepted
    else:
        dossier = services.dossier_receive(actor=officer, procedure=procedure, channel="direct", applicant=applicant,
                                           received_at=received_at, summary=f"{procedure.name} – hồ sơ mẫu")
    fate = rng.random()
    if fate < 0.04:
        withdrawn = _at_work(received_at + timedelta(hours=2), dossier.office, rng)
        if withdrawn >= now:
            return dossier
        return services.dossier_withdraw(actor=officer, dossier=dossier, reason="Người nộp xin rút hồ sơ",
                                         at=withdrawn)
    office = dossier.office
    step = _at_work(received_at + timedelta(minutes=rng.randint(20, 240)), office, rng)
    if step >= now:
        return dossier
    assignee = processor.username if processor.role == "processor" else None
    dossier = services.dossier_start(actor=officer, dossier=dossier, assignee=assignee,
                                     at=step)
    if rng.random() < 0.12:
        step = _at_work(step + timedelta(days=1), office, rng)
        if step >= now:
            return dossier
        dossier = services.dossier_request_supplement(
            actor=processor, dossier=dossier, reason="Thiếu giấy tờ chứng minh",
            documents=["Bản sao giấy khai sinh", "Tờ khai TK1-TS (bản chính)"], at=step)
        step = _at_work(step + timedelta(days=rng.randint(1, 4)), office, rng)
        if step >= now:
            return dossier
        dossier = services.dossier_supplement_received(actor=officer, dossier=dossier, at=step)
    # Most dossiers are resolved a little before their due moment; some late; some are still in progress.
    slack = timedelta(hours=rng.choice([-72, -30, -6, -2, 3, 30]))
    resolved = dossier.legal_due_at + slack
    if resolved >= now or rng.random() < 0.1:
        return dossier
    resolved = _at_work(max(resolved, step + timedelta(minutes=30)), office, rng)
    if resolved >= now:
        return dossier
    if rng.random() < 0.06:
        return services.dossier_refuse(actor=processor, dossier=dossier,
                                       reason="Không đủ điều kiện hưởng theo quy định", at=resolved)
    dossier = services.dossier_resolve(actor=processor, dossier=dossier, outcome="approved",
                                       result_summary="Đủ điều kiện, đã giải quyết", at=resolved)
    collected = _at_work(resolved + timedelta(days=rng.randint(0, 3), hours=1), office, rng)
    if collected < now and rng.random() < 0.8:
        dossier = services.dossier_return(actor=officer, dossier=dossier, at=collected)
    return dossier


@transaction.atomic
def seed(stdout=None):
    load_procedures()
    if Dossier.objects.filter(source="desk").exists():
        return  # the demo desk exists already: running twice changes nothing
    rng = random.Random(1568)  # letter 1568/BHXH-PC
    now = _last_work_moment(timezone.now(), User.objects.get(username="tiepnhan.hn").office)
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=DESK_PROCEDURES)}
    with calendar.pinned():
        for username, (_, _, days_back, per_day) in OFFICES.items():
            officer = User.objects.get(username=username)
            # Separation of duties: a processing officer (or, where the office has none, its director) decides.
            processor = (User.objects.filter(role="processor", office=officer.office).first()
                         or User.objects.filter(role="director", office=officer.office).first() or officer)
            for day in _working_days_back(days_back) + [timezone.localdate()]:
                for i in range(per_day + rng.randint(-1, 1)):
                    received_at = _at_work(_moment(day, i * 50 + rng.randint(0, 40)), officer.office, rng)
                    if received_at < now:
                        _replay(rng, officer, processor, procedures[rng.choice(DESK_PROCEDURES)], received_at, now)
        _apologies(now)
    if stdout:
        stdout.write(f"  demo dossiers: {Dossier.objects.filter(source='desk').count()}")


def _apologies(now):
    """Hà Nội's director has apologised for one late dossier; another apology waits for a signature."""
    from .services.apology import apology_slip_draft, apology_slip_issue

    late = list(Dossier.objects.filter(office__code="01", status__in=["received", "processing"])
                .due_before(now + timedelta(days=1)).order_by("legal_due_at")[:2])
    director = User.objects.filter(username="giamdoc.hn").first()
    officer = User.objects.filter(username="tiepnhan.hn").first()
    new_day = calendar.add_working_days(timezone.localdate(), 3)
    new_appointment = timezone.make_aware(datetime.combine(new_day, time(15, 0)))
    reason = "Hồ sơ cần xác minh quá trình đóng BHXH tại đơn vị cũ, chưa nhận được kết quả xác minh."
    if len(late) > 0 and director:
        apology_slip_issue(actor=director, dossier=late[0], reason=reason, new_appointment_at=new_appointment, at=now)
    if len(late) > 1 and officer:
        apology_slip_draft(actor=officer, dossier=late[1], reason=reason, new_appointment_at=new_appointment, at=now)
    if director:
        _missed_appointment(director, reason, now, exclude=[d.pk for d in late])


def _missed_appointment(director, reason, now, exclude):
    """One dossier the director apologised for a week ago, whose new appointment has passed unresolved: the
    overdue desk lists it first (appointment missed, DOMAIN.md §2.5)."""
    from .services.apology import apology_slip_issue

    week_ago = now - timedelta(days=7)
    dossier = (Dossier.objects.filter(office__code="01", status__in=["received", "processing"],
                                      reschedule_count=0).exclude(pk__in=exclude)
               .due_before(week_ago).order_by("legal_due_at").first())
    if dossier is None:
        return
    last = dossier.events.order_by("-at").values_list("at", flat=True).first()
    issued = calendar.clock_start(max(week_ago, last + timedelta(minutes=5)), dossier.office)
    new_day = calendar.add_working_days(timezone.localtime(issued).date(), 2)
    new_appointment = timezone.make_aware(datetime.combine(new_day, time(15, 0)))
    if issued < now and new_appointment < now and new_appointment > (dossier.appointment_at or issued):
        apology_slip_issue(actor=director, dossier=dossier, reason=reason, new_appointment_at=new_appointment,
                           at=issued)
