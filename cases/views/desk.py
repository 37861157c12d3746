"""Pages of the one-stop desk. Thin: parse input, call one service or selector, render."""
from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core import idempotency
from core.api.pagination import EstimatingPaginator
from core.errors import CoreError, DomainError
from core.models import User
from core.permissions import capability_required

from .. import checklist, selectors, services, visits
from .. import contact as applicant_messages
from ..codes import dossier_url
from ..events import DossierAction
from ..export import EXPORT_FORMATS, ExportTooLarge, export_response
from ..forms import ActionForm, IntakeForm, SearchForm
from ..listing import ListFilterForm
from ..models import Dossier, IntakeGuidance, Outcome, ProcessStep, ResultDelivery, Status
from ..privacy import applicant_for, intake_details_for
from ..services import apology
from ..links import dossier_slips
from . import bulk

PAGE_SIZE = 30


@capability_required("view_desk")
def desk(request):
    """Today's desk: received today, waiting from the portal, due soon, overdue, to return."""
    return render(request, "cases/desk.html", {"desk": selectors.desk_summary(user=request.user),
                                               "search": SearchForm()})


@capability_required("view_dossiers")
def dossier_list(request):
    form = ListFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_valid() else {}
    for field, errors in (form.errors.items() if form.is_bound else ()):
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    qs = selectors.dossier_list(user=request.user, filters=filters)
    fmt = request.GET.get("format")
    if fmt in EXPORT_FORMATS:
        try:
            return export_response(qs, fmt)
        except ExportTooLarge as exc:
            messages.error(request, str(exc))
            query = request.GET.copy()
            query.pop("format")
            return redirect(reverse("cases:list") + "?" + query.urlencode())
    sort = request.GET.get("sort", "")
    if sort == bulk.SORT_WAITING:
        qs = qs.order_by(F("submitted_at").asc(nulls_last=True), "id")  # the longest waiting first
    if filters.get("q"):
        exact = qs.filter(code=filters["q"].strip()).first()
        if exact is not None and request.GET.get("page") is None and (url := dossier_url(exact.code)):
            return redirect(url)
    # Exact counts (each figure's number equals its list), except a search: exact up to 1,000, then estimated.
    page = EstimatingPaginator(qs, PAGE_SIZE, exact_limit=0).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    waiting = filters.get("status") == Status.SUBMITTED  # online dossiers waiting: waiting time, bulk decisions
    rows = bulk.waiting_rows(page.object_list) if waiting else page.object_list
    return render(request, "cases/list.html", {"page": page, "rows": rows, "form": form, "query": query.urlencode(),
                                               "waiting": waiting, "sort": sort,
                                               "here": request.get_full_path()})


@capability_required("receive")
def intake(request):
    form = IntakeForm(request.POST or None, request.FILES or None, initial={"channel": "direct", "decision": "receive"})
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["intake_token"]
        try:
            if not token:
                return redirect(_intake_decide(request, form)[1]["url"])
            outcome = idempotency.run_once(user=request.user, key=f"intake-form:{token}", scope="page:intake",
                                           data=form.submitted(), run=lambda: _intake_decide(request, form))
            if outcome.replayed:
                messages.info(request, gettext("Biểu mẫu này đã được gửi và xử lý trước đó: đây là kết quả lần đó "
                                               "(không tiếp nhận trùng)."))
            return redirect(outcome.body["url"])
        except DomainError as exc:
            if exc.error is CoreError.IDEMPOTENCY_KEY_REUSED:
                form.renew_token()
                exc = DomainError(CoreError.INTAKE_FORM_ALREADY_SENT)
            form.add_error(None, exc.message)
    return render(request, "cases/intake.html", {"form": form}, status=400 if form.errors else 200)


def _intake_decide(request, form) -> tuple[int, dict]:
    """Receive the dossier, or issue Form 02/03; (302, {"url"}) of the page to show next."""
    d = form.cleaned_data
    if d["decision"] == "receive":
        dossier = services.dossier_receive(actor=request.user, procedure=d["procedure"],
                                           applicant=form.applicant(), channel=d["channel"],
                                           summary=d["summary"], documents=form.ticked_documents(),
                                           papers=form.intake_papers(), **form.details())
        messages.success(request, gettext("Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả được in trên "
                                          "giấy tiếp nhận.") % {"code": dossier.code})
        return 302, {"url": reverse("cases:detail", kwargs={"code": dossier.code}) + "?new=1"}
    guidance = services.intake_guidance_issue(
        actor=request.user, kind=d["decision"], procedure=d["procedure"], applicant=form.applicant(),
        reason=d["reason"], documents=(form.supplement_documents() if d["decision"] == "supplement"
                                       else form.document_list()))
    messages.success(request, gettext("Đã lập %(slip)s số %(number)s.")
                     % {"slip": guidance.get_kind_display().lower(), "number": guidance.number})
    return 302, {"url": _guidance_url(guidance)}


def _guidance_url(guidance: IntakeGuidance) -> str:
    return reverse("cases:guidance_slip", kwargs={"number": guidance.number})


def _get(request, code) -> Dossier:
    try:
        return selectors.dossier_get(user=request.user, code=code)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


@capability_required("view_dossiers")
def dossier_detail(request, code):
    dossier = _get(request, code)
    applicant = applicant_for(request.user, dossier)
    context = {
        "dossier": dossier,
        "events": selectors.dossier_events(dossier=dossier),
        "steps": ProcessStep.objects.filter(dossier=dossier).select_related("handler"),
        "actions": services.allowed_actions(dossier, request.user),
        "labels": services.ACTION_LABELS, "Action": DossierAction,
        "outcomes": Outcome.choices,
        "assignees": User.objects.filter(office_id__in=[dossier.office_id, dossier.office.parent_id],
                                         role__in=["processor", "reception"], is_active=True).order_by("username"),
        "id_number": applicant["id_number"],
        "phone": applicant["phone"], "email": applicant["email"], "address": applicant["address"],
        "details": intake_details_for(request.user, dossier),
        "original_labels": checklist.ORIGINAL_LABELS,
    }
    context["visits"] = visits.dossier_visits(dossier)
    context["over_visit_limit"] = visits.is_over_visit_limit(dossier)
    context["closed_before"] = visits.closed_before(dossier)
    context["return_channels"] = ResultDelivery.choices
    context["return_channel"] = visits.default_return_channel(dossier)
    context["may_reschedule"] = apology.may_reschedule(dossier)
    context["slips"] = dossier_slips(dossier)
    context.update(applicant_messages.page_context(dossier, request.user))
    return render(request, "cases/detail.html", context)


@capability_required("process")  # the read-only Legal Department gets a 403, not a redirect (issue 13)
@require_POST
def dossier_action(request, code, action):
    dossier = _get(request, code)
    form = ActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("cases:detail", code=dossier.code)
    d = form.cleaned_data
    body = {"assignee": d.get("assignee"), "reason": d.get("reason", ""), "outcome": d.get("outcome", ""),
            "documents": form.document_list(),
            "result_summary": d.get("result_summary", ""), "returned_to": d.get("returned_to", ""),
            "unit": d.get("unit", ""), "note": d.get("note", ""), "in_person": None,
            "channel": d.get("channel") or None}
    try:
        services.run_action(action, actor=request.user, dossier=dossier, body=body)
        label = services.ACTION_LABELS.get(action, action)
        messages.success(request, gettext("Đã thực hiện: %(action)s.") % {"action": label})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", code=dossier.code)


def public_lookup(request):
    """The citizen's status page (no login): dossier code + phone."""
    code, phone = request.GET.get("ma", "").strip(), request.GET.get("dt", "").strip()
    dossier, searched = None, bool(code and phone)
    if searched:
        from ..api.views import PublicThrottle

        throttle = PublicThrottle()
        if not throttle.allow_request(request, None):
            return render(request, "cases/public_lookup.html", {"code": code, "throttled": True}, status=429)
        dossier = selectors.public_dossier(code=code, phone=phone)
    from ..services.rating import may_rate

    return render(request, "cases/public_lookup.html",
                  {"code": code, "phone": phone, "dossier": dossier, "searched": searched,
                   "may_rate": dossier is not None and may_rate(dossier), "rate_hidden": {"ma": code, "dt": phone},
                   "rating": getattr(dossier, "rating", None) if dossier is not None else None},
                  status=404 if searched and dossier is None else 200)
