"""Pages of the overdue desk and the apology and reschedule slip (namespace "cases"):

* `cases:overdue` — ho-so-qua-han/ — the director's overdue desk (director, deputy, processor, admin);
* `cases:apology_draft` — ho-so/<code>/xin-loi/ — GET the form, POST it from the dossier page's panel:
  `action=draft` saves a draft for a director or deputy to sign, `action=issue` (signers only) signs at once;
* `cases:apology_sign` — ho-so/<code>/xin-loi/<pk>/ky/ — POST: "Ký và phát hành" a draft in one click.

Thin: parse input, call one service or selector, render. Rules and their messages live in cases.services.apology.
"""
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core import permissions
from core.errors import DomainError
from core.permissions import capability_required
from core.scoping import visible_offices

from .. import selectors
from ..models import ApologySlip, Dossier
from ..services import apology


@capability_required("view_overdue_desk")
def overdue_desk(request):
    offices = visible_offices(request.user).order_by("code")
    office = None
    if request.GET.get("office"):
        office = offices.filter(code=request.GET["office"]).first()
    data = selectors.overdue_desk(user=request.user, office=office)
    return render(request, "cases/overdue/desk.html", {
        **data, "offices": offices, "office": office,
    })


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class LocalDateTimeInput(forms.DateTimeInput):
    """<input type="datetime-local">: always rendered as YYYY-MM-DDTHH:MM (the only value the browser takes), also
    when the form comes back with what the officer typed as dd/mm/yyyy HH:MM."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    def format_value(self, value):
        if isinstance(value, str):
            for fmt in DATETIME_FORMATS:
                try:
                    value = datetime.strptime(value.strip(), fmt)
                    break
                except ValueError:
                    continue
            else:
                return value
        return super().format_value(value)


class ApologyForm(forms.Form):
    reason = forms.CharField(
        label="Lý do chậm trả kết quả", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Vui lòng ghi rõ lý do chậm trả kết quả."},
    )
    new_appointment_at = forms.DateTimeField(
        label="Ngày hẹn trả kết quả mới",
        input_formats=DATETIME_FORMATS, widget=LocalDateTimeInput,
        error_messages={"required": "Vui lòng nhập ngày hẹn trả kết quả mới.",
                        "invalid": "Ngày hẹn không hợp lệ; nhập dạng dd/mm/yyyy HH:MM."},
    )
    action = forms.ChoiceField(choices=[("draft", "Lưu dự thảo"), ("issue", "Ký và phát hành")], required=False)


def _dossier(request, code) -> Dossier:
    try:
        return selectors.dossier_get(user=request.user, code=code)
    except Dossier.DoesNotExist as exc:
        raise Http404("Không tìm thấy hồ sơ.") from exc


def _back(request, dossier) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("cases:detail", kwargs={"code": dossier.code})


def _issued_message(slip) -> str:
    late = " (xin lỗi muộn: sau thời hạn phải gửi phiếu)" if slip.is_late else ""
    return (f"Đã ký, phát hành phiếu xin lỗi số {slip.number_label}; ngày hẹn trả kết quả mới "
            f"{_local(slip.new_appointment_at)}{late}. Đã gửi thông báo cho người nộp.")


def _local(moment) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


@login_required
@require_http_methods(["GET", "POST"])
def apology_draft(request, code):
    dossier = _dossier(request, code)
    if not (permissions.can_draft_apology(request.user, dossier) or permissions.can_sign_apology(request.user, dossier)):
        raise PermissionDenied(permissions.capability("draft_apology").message)  # read-only roles (issue 13)
    form = ApologyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            issue = d.get("action") == "issue"
            try:
                if issue and request.POST.get("confirm") != "1" and permissions.can_sign_apology(request.user,
                                                                                                 dossier):
                    return _confirm(request, dossier, d["reason"], d["new_appointment_at"], None)
                if issue:
                    slip = apology.apology_slip_issue(actor=request.user, dossier=dossier, reason=d["reason"],
                                                      new_appointment_at=d["new_appointment_at"])
                    messages.success(request, _issued_message(slip))
                else:
                    slip = apology.apology_slip_draft(actor=request.user, dossier=dossier, reason=d["reason"],
                                                      new_appointment_at=d["new_appointment_at"])
                    messages.success(request, "Đã lưu dự thảo phiếu xin lỗi; chờ Giám đốc hoặc Phó Giám đốc ký, "
                                              "phát hành.")
                return redirect(_back(request, dossier))
            except DomainError as exc:
                field = exc.extra.get("field")
                form.add_error(field if field in form.fields else None, exc.message)
                status = exc.status
        else:
            status = 400
    return render(request, "cases/overdue/apology_form.html", {
        "dossier": dossier, "form": form,
        "can_sign": permissions.can_sign_apology(request.user, dossier),
        "can_draft": permissions.can_draft_apology(request.user, dossier) and apology.may_reschedule(dossier),
        "next": _back(request, dossier),
    }, status=status)


@login_required
@require_POST
def apology_sign(request, code, pk):
    dossier = _dossier(request, code)
    slip = get_object_or_404(ApologySlip, dossier=dossier, pk=pk)
    try:
        if (request.POST.get("confirm") != "1" and slip.state == ApologySlip.State.DRAFT
                and permissions.can_sign_apology(request.user, dossier)):
            return _confirm(request, dossier, slip.reason, slip.new_appointment_at, slip)
        slip = apology.apology_slip_sign(actor=request.user, slip=slip)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _issued_message(slip))
    return redirect(_back(request, dossier))


def _confirm(request, dossier, reason, new_appointment_at, slip):
    """Signing asks for confirmation first (issue 12): the slip as it will be issued and, channel by channel, the
    message the applicant will receive. "Xác nhận ký và phát hành" posts the same form again with confirm=1."""
    from django.utils import timezone

    preview = apology.apology_preview(dossier=dossier, reason=reason, new_appointment_at=new_appointment_at,
                                      slip=slip)
    action = (reverse("cases:apology_sign", kwargs={"code": dossier.code, "pk": slip.pk}) if slip is not None
              else reverse("cases:apology_draft", kwargs={"code": dossier.code}))
    local = timezone.localtime(new_appointment_at) if timezone.is_aware(new_appointment_at) else new_appointment_at
    return render(request, "cases/overdue/apology_confirm.html", {
        "dossier": dossier, "preview": preview, "action": action, "draft": slip, "reason": reason,
        "new_appointment_value": f"{local:%Y-%m-%dT%H:%M}", "next": _back(request, dossier),
    })
