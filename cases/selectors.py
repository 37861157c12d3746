"""Reads of dossiers. Role and office scoping is applied here, once (core.scoping), so no view can forget it."""
import re
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import estimated_count
from core.scoping import scope_to_user

from . import filtering, search
from .deadlines import Moments, late_to_accept_q, overdue_q, stage_q
from .search import name_q, normalise, phone_digits
from .models import ApologySlip, Dossier, DossierEvent, DueState, Procedure, Status
from .validators import validate_phone


def dossier_base(*, user) -> QuerySet:
    return scope_to_user(Dossier.objects.all(), user)


def dossier_list(*, user, filters: dict | None = None) -> QuerySet:
    """Dossiers the user may see, filtered; one query per page (related rows joined)."""
    filters = filters or {}
    qs = filtering.apply(dossier_base(user=user).select_related("office", "procedure", "assignee", "due_mark"),
                         filters)
    if filters.get("q"):
        qs, estimate = _searched(qs, filters["q"])
        qs.count_hint = (search.exact_count_limit(), estimate)  # exact up to the limit, then the estimate
    return qs.order_by(F("received_at").desc(nulls_first=True), "-id")


def _searched(qs: QuerySet, text: str) -> tuple[QuerySet, int | None]:
    """`qs` narrowed by the search, and the planner's estimate of its rows (PostgreSQL, a name typed; else
    None). A common name walks the ordering index (cases.search.walks): the same rows, another plan."""
    if connections[qs.db].vendor != "postgresql" or not _has_letter(text):
        return qs.filter(search_q(text)), None
    words = search.words_q(normalise(text))
    if words is None:  # punctuation in the name: the trigram pre-filter serves it, never a walk
        searched = qs.filter(search_q(text))
        return searched, estimated_count(searched)
    # How many rows the name matches: from the statistics of the word index's keys (migration 0022; the exact
    # key of a word, the "~" key of a cut one).
    estimate = estimated_count(qs.filter(words))
    if search.walks(estimate, search.table_rows(qs.db)):
        return qs.filter(search_q(text, walk=True)), estimate
    return qs.filter(search_q(text)), estimate


def _has_letter(text: str) -> bool:
    return bool(re.search(r"[a-z]", normalise(text)))


def search_q(text: str, *, walk: bool = False) -> Q:
    """What an officer types in the search box: the end of the code ("261201-0006", "0006", the whole code;
    cases.search.code_end_q), the applicant's name without accents or case from the start of a word ("nguyen
    van" finds "Nguyễn Văn A", cases.search.name_q), the ID number (exact) or the phone in any form (0912 345
    678, +84912345678, 912345678). The same answers on SQLite and PostgreSQL: the name is compared in its
    normalised form; on PostgreSQL the code's end has an index (migration 0020), the phone a trigram index
    (migration 0011), the name a word index (migration 0013), unless `walk` (a common name: the list's ordering
    index is walked instead). A text with a space or without a digit is no code; without a letter, no name."""
    text = text.strip()
    # A code ends with its number: a text without a digit or with a space is no code's end.
    q = search.code_end_q(text) if " " not in text and re.search(r"\d", text) else Q(pk__in=[])
    name = normalise(text)
    if re.search(r"[a-z]", name):
        q |= name_q(name, walk=walk)
    digits = text.replace(" ", "")
    if digits.isdigit():
        q |= Q(applicant_id_number=digits)
    phone = phone_digits(text)
    if phone:
        q |= Q(applicant_phone__contains=phone)
    return q


def dossier_get(*, user, code: str) -> Dossier:
    """One dossier by code within the user's scope; Dossier.DoesNotExist otherwise (→ 404)."""
    return (dossier_base(user=user).select_related("office", "procedure", "rule_version", "assignee", "received_by",
                                                   "rating", "due_mark")
            .prefetch_related("supplement_requests", "apology_slips").get(code=code))


def as_just_received(dossier: Dossier) -> Dossier:
    """The dossier intake has just written, made to answer as dossier_get's read would, without reading it back:
    no supplement request, no apology slip, no rating and no deadline mark yet (its office, procedure, rule
    version and receiving officer are the objects it was written with; intake checked that the office is in the
    officer's scope)."""
    cache = getattr(dossier, "_prefetched_objects_cache", None) or {}
    for name in ("supplement_requests", "apology_slips"):
        rows = getattr(dossier, name).all()
        rows._result_cache, rows._prefetch_done = [], True
        cache[name] = rows
    dossier._prefetched_objects_cache = cache
    Dossier.rating.related.set_cached_value(dossier, None)
    Dossier.due_mark.related.set_cached_value(dossier, None)  # the scan marks it later, if ever
    return dossier


def dossier_events(*, dossier) -> QuerySet:
    return DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("at", "id")


def desk_summary(*, user) -> dict:
    """Today's desk of a reception officer: what came in today, what waits (online dossiers late to accept
    first, each with its waiting time), what is due soon or late. Each list shows its first DESK_ROWS rows;
    each card (`figures`) counts the whole of it and links to the list that holds exactly that number."""
    now = timezone.now()
    moments = Moments.at(now)
    today = timezone.localdate()
    start = filtering.day_start(today)
    qs = dossier_base(user=user).select_related("office", "procedure", "assignee", "due_mark")
    over = overdue_q(now)  # past the legal due moment, the clock running (appointment missed included)
    counts = dossier_base(user=user).aggregate(
        received_today=Count("pk", filter=Q(received_at__gte=start)),
        waiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
        late_to_accept=Count("pk", filter=late_to_accept_q(moments)),
        apology_due=Count("pk", filter=stage_q(DueState.APOLOGY_DUE, moments)),
        due_soon=Count("pk", filter=stage_q(DueState.DUE_SOON, moments)),
        overdue=Count("pk", filter=over),
        awaiting_supplement=Count("pk", filter=Q(status=Status.AWAITING_SUPPLEMENT)),
        to_return=Count("pk", filter=Q(status=Status.RESOLVED)),
    )
    href = filtering.figure_href
    figures = [
        ("received_today", "", _("Tiếp nhận hôm nay"), href(received_after=today)),
        ("waiting", "", _("Chờ tiếp nhận từ Cổng DVCQG"), href(status=Status.SUBMITTED)),
        ("late_to_accept", "red", _("Chậm tiếp nhận trực tuyến"), href(due_stage=DueState.LATE_TO_ACCEPT)),
        ("apology_due", "amber", _("Phải gửi phiếu xin lỗi"), href(due_stage=DueState.APOLOGY_DUE)),
        ("due_soon", "amber", _("Sắp đến hạn"), href(due_stage=DueState.DUE_SOON)),
        ("overdue", "red", _("Quá hạn"), href(overdue_open=1)),
        ("awaiting_supplement", "", _("Chờ bổ sung"), href(status=Status.AWAITING_SUPPLEMENT)),
        ("to_return", "", _("Chờ trả kết quả"), href(status=Status.RESOLVED)),
    ]
    return {
        "counts": counts, "limit": DESK_ROWS, "links": {k: url for k, _tone, _label, url in figures},
        "figures": [{"key": k, "tone": tone, "label": label, "n": counts[k], "href": url}
                    for k, tone, label, url in figures],
        "received_today": qs.filter(received_at__gte=start).order_by("-received_at")[:DESK_ROWS],
        "waiting": _with_waiting(qs.filter(status=Status.SUBMITTED)
                                 .annotate(late=Case(When(late_to_accept_q(moments), then=Value(True)),
                                                     default=Value(False), output_field=BooleanField()))
                                 .order_by("-late", F("submitted_at").asc(nulls_last=True), "pk")[:DESK_ROWS], now),
        "late_to_accept": counts["late_to_accept"],
        "due_soon": qs.in_stage(DueState.DUE_SOON, moments).order_by("legal_due_at")[:DESK_ROWS],
        "apology_due": qs.in_stage(DueState.APOLOGY_DUE, moments).order_by("legal_due_at")[:DESK_ROWS],
        "overdue": qs.filter(over).order_by("legal_due_at")[:DESK_ROWS],
        "awaiting_supplement": qs.filter(status=Status.AWAITING_SUPPLEMENT).order_by("paused_at")[:DESK_ROWS],
        "to_return": qs.filter(status=Status.RESOLVED).order_by("appointment_at")[:DESK_ROWS],
    }


DESK_ROWS = 50


def _with_waiting(rows, now) -> list:
    """Each waiting dossier with `waiting` (working time since arrival, a timedelta) and `waiting_label`."""
    from workcal import calendar

    rows = list(rows)
    for d in rows:
        d.waiting = calendar.working_time_between(d.submitted_at, now) if d.submitted_at else None
        if d.waiting is not None:
            hours = int(d.waiting.total_seconds() // 3600)
            d.waiting_label = (_("%(days)s ngày %(hours)s giờ làm việc") % {"days": hours // 8, "hours": hours % 8}
                               if hours >= 8 else _("%(hours)s giờ làm việc") % {"hours": hours})
        else:
            d.waiting_label = ""
    return rows


def procedure_list(*, active_only=True) -> QuerySet:
    qs = Procedure.objects.all()
    return qs.filter(active=True) if active_only else qs


def public_dossier(*, code: str, phone: str) -> Dossier | None:
    """For the public status page: the dossier only when the code and the applicant's phone match."""
    try:
        phone = validate_phone(phone)
    except ValidationError:
        return None
    return (Dossier.objects.select_related("office", "procedure")
            .filter(code=(code or "").strip(), applicant_phone=phone).first())


# --- the director's overdue desk ------------------------------------------------------------------------

DESK_LIST_LIMIT = 200


def overdue_desk(*, user, now: datetime | None = None, office=None) -> dict:
    """Everything the overdue desk shows, in a constant number of queries whatever the number of dossiers:
    the counts, the due-soon / overdue-without-apology / overdue-with-apology lists, late apologies, counts
    per procedure and per officer, and the drafts awaiting signature. Live conditions at `now` (the same
    ones the scan stores), so the page is right even between two scans."""
    now = now or timezone.now()
    base = scope_to_user(Dossier.objects.all(), user)
    if office is not None:
        base = base.filter(office=office)
    moments = Moments.at(now)
    over, soon = stage_q(DueState.OVERDUE, moments), stage_q(DueState.DUE_SOON, moments)
    missed, apology_due = stage_q(DueState.APPOINTMENT_MISSED, moments), stage_q(DueState.APOLOGY_DUE, moments)
    with_apology = Q(reschedule_count__gt=0)
    marked = base.filter(over | soon | missed | apology_due)
    counts = marked.aggregate(
        overdue=Count("pk", filter=over), due_soon=Count("pk", filter=soon),
        appointment_missed=Count("pk", filter=missed), apology_due=Count("pk", filter=apology_due),
        overdue_apologised=Count("pk", filter=over & with_apology),
        overdue_not_apologised=Count("pk", filter=over & ~with_apology),
    )
    rows = base.select_related("office", "procedure", "assignee", "due_mark")
    year = timezone.localtime(now).year
    slips = scope_to_user(ApologySlip.objects.all(), user)
    if office is not None:
        slips = slips.filter(office=office)
    first, last = date(year, 1, 1), date(year, 12, 31)
    late = slips.filter(filtering.slip_filter("late", first, last))
    # Dossiers, not slips: each card counts what the list it links to holds.
    counts["late_apologies"] = base.filter(filtering.apology_q("late", first, last)).count()
    drafts = (slips.filter(filtering.slip_filter("draft"))
              .select_related("dossier", "office", "drafted_by").order_by("drafted_at", "pk"))
    drafts = list(drafts[:DESK_LIST_LIMIT])
    counts["drafts"] = base.filter(filtering.apology_q("draft")).count()
    scope = {"office": office.code} if office is not None else {}
    href = filtering.figure_href
    figures = [
        ("appointment_missed", "red", _("Trễ hẹn đã hẹn lại"), href(due_stage=DueState.APPOINTMENT_MISSED, **scope)),
        ("apology_due", "amber", _("Phải gửi phiếu xin lỗi"), href(due_stage=DueState.APOLOGY_DUE, **scope)),
        ("due_soon", "amber", _("Sắp đến hạn"), href(due_stage=DueState.DUE_SOON, **scope)),
        ("overdue", "red", _("Quá hạn"), href(due_stage=DueState.OVERDUE, **scope)),
        ("overdue_not_apologised", "red", _("Quá hạn, chưa có phiếu xin lỗi"),
         href(due_stage=DueState.OVERDUE, rescheduled=0, **scope)),
        ("overdue_apologised", "", _("Quá hạn, đã xin lỗi và hẹn lại"),
         href(due_stage=DueState.OVERDUE, rescheduled=1, **scope)),
        ("late_apologies", "amber", _("Hồ sơ xin lỗi muộn (%(year)s)") % {"year": year},
         href(apology="late", apology_after=first, apology_before=last, **scope)),
        ("drafts", "", _("Hồ sơ có phiếu xin lỗi chờ ký"), href(apology="draft", **scope)),
    ]
    per_procedure = list(
        marked.values("procedure__code", "procedure__name")
        .annotate(overdue=Count("pk", filter=over), due_soon=Count("pk", filter=soon),
                  apologised=Count("pk", filter=over & with_apology))
        .order_by("-overdue", "-due_soon", "procedure__code"))
    per_officer = list(
        marked.values("assignee_id", "assignee__username", "assignee__first_name", "assignee__last_name")
        .annotate(overdue=Count("pk", filter=over), due_soon=Count("pk", filter=soon),
                  apologised=Count("pk", filter=over & with_apology))
        .order_by("-overdue", "-due_soon", "assignee__username"))
    for row in [*per_procedure, *per_officer]:
        # Each count with the list it stands for (an officer's row only when there is an officer to filter by).
        by = ({"procedure": row["procedure__code"]} if "procedure__code" in row
              else {"assignee": row["assignee__username"]} if row.get("assignee__username") else None)
        row["cells"] = [(key, row[key], href(**stage, **by, **scope) if by is not None else "")
                        for key, stage in (("due_soon", {"due_stage": DueState.DUE_SOON}),
                                           ("overdue", {"due_stage": DueState.OVERDUE}),
                                           ("apologised", {"due_stage": DueState.OVERDUE, "rescheduled": 1}))]
    for row in per_officer:
        full = f"{row['assignee__last_name'] or ''} {row['assignee__first_name'] or ''}".strip()  # family name first
        row["name"] = full or row["assignee__username"] or "Chưa giao cán bộ xử lý"
    return {
        "now": now, "year": year, "counts": counts,
        "figures": [{"key": k, "tone": tone, "label": label, "n": counts[k], "href": url}
                    for k, tone, label, url in figures],
        "appointment_missed": list(rows.filter(missed).order_by("appointment_at", "pk")[:DESK_LIST_LIMIT]),
        "apology_due": list(rows.filter(apology_due).order_by("legal_due_at", "pk")[:DESK_LIST_LIMIT]),
        "due_soon": list(rows.filter(soon).order_by("apologise_by", "pk")[:DESK_LIST_LIMIT]),
        "overdue_not_apologised": list(rows.filter(over & ~with_apology).order_by("legal_due_at", "pk")
                                       [:DESK_LIST_LIMIT]),
        "overdue_apologised": list(rows.filter(over & with_apology).order_by("appointment_at", "pk")
                                   [:DESK_LIST_LIMIT]),
        "late_apologies": list(late.select_related("dossier", "office", "signed_by")
                               .order_by("-issued_at", "-pk")[:DESK_LIST_LIMIT]),
        "drafts": drafts, "per_procedure": per_procedure, "per_officer": per_officer, "limit": DESK_LIST_LIMIT,
    }


# --- the tracking book ---------------------------------------------------------------------------------

def book_dossiers(q, limit: int | None = None):
    """The dossiers received by the office in the range (local days, inclusive), in order: one query."""
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(q.start, time.min), tz)
    until = timezone.make_aware(datetime.combine(q.end + timedelta(days=1), time.min), tz)
    qs = (Dossier.objects.filter(office=q.office, received_at__gte=since, received_at__lt=until)
          .select_related("procedure", "rule_version").order_by("received_at", "pk"))
    return list(qs[:limit] if limit else qs)
