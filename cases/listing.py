"""The dossier list page's filters: the same names as the API's (`GET /dossiers/`), parsed into the selector's
`filters` dict (cases.selectors.dossier_list)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.scoping import visible_offices

from .filtering import APOLOGY_CHOICES, STATUS_GROUP_CHOICES, TIMELINESS_CHOICES, YES_NO
from .models import Channel, DueState, Procedure, Status

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100  # a date filter outside these years is refused, not sent to the database


def _sane_year(day):
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise forms.ValidationError(_("Năm phải từ %(first)s đến %(last)s."), code="year",
                                    params={"first": EARLIEST_YEAR, "last": LATEST_YEAR})


sane_year = _sane_year  # (the feedback list's date filters too)

LIST_STAGES = [(v, label) for v, label in DueState.choices
               if v and v not in (DueState.FORWARD_DUE_SOON, DueState.FORWARD_OVERDUE)]


class ListFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Tìm kiếm"))
    status = forms.ChoiceField(choices=[("", _("Mọi trạng thái"))] + list(Status.choices), required=False,
                               label=_("Trạng thái"))
    overdue = forms.ChoiceField(choices=[("", _("Mọi hạn")), ("1", _("Quá hạn")), ("0", _("Chưa quá hạn"))],
                                required=False, label=_("Hạn"))
    due_stage = forms.ChoiceField(choices=[("", _("Mọi tình trạng hạn"))] + LIST_STAGES, required=False,
                                  label=_("Tình trạng hạn"))
    procedure = forms.ChoiceField(required=False, label=_("Thủ tục"))
    channel = forms.ChoiceField(choices=[("", _("Mọi kênh"))] + list(Channel.choices), required=False,
                                label=_("Kênh"))
    received_after = forms.DateField(required=False, validators=[_sane_year], label=_("Tiếp nhận từ ngày"),
                                     widget=forms.DateInput(attrs={"type": "date"}))
    received_before = forms.DateField(required=False, validators=[_sane_year], label=_("đến ngày"),
                                      widget=forms.DateInput(attrs={"type": "date"}))
    assignee = forms.ChoiceField(required=False, label=_("Cán bộ xử lý"))
    received_by = forms.ChoiceField(required=False, label=_("Cán bộ tiếp nhận"))
    # The filters a figure links to (cases.filtering): kept as hidden fields while set, named on the page.
    status_group = forms.ChoiceField(choices=[("", "")] + STATUS_GROUP_CHOICES, required=False,
                                     label=_("Nhóm trạng thái"))
    overdue_open = forms.ChoiceField(choices=[("", "")] + YES_NO, required=False,
                                     label=_("Đang quá hạn (chưa có kết quả)"))
    rescheduled = forms.ChoiceField(choices=[("", "")] + YES_NO, required=False, label=_("Đã hẹn lại"))
    office = forms.CharField(required=False, max_length=20, label=_("Đơn vị"))
    province = forms.CharField(required=False, max_length=20, label=_("Tỉnh (gồm đơn vị cấp huyện)"))
    resolved_after = forms.DateField(required=False, validators=[_sane_year], label=_("Giải quyết từ ngày"))
    resolved_before = forms.DateField(required=False, validators=[_sane_year], label=_("Giải quyết đến ngày"))
    timeliness = forms.ChoiceField(choices=[("", "")] + TIMELINESS_CHOICES, required=False,
                                   label=_("Kết quả giải quyết"))
    apology = forms.ChoiceField(choices=[("", "")] + APOLOGY_CHOICES, required=False, label=_("Phiếu xin lỗi"))
    apology_after = forms.DateField(required=False, validators=[_sane_year], label=_("Phát hành từ ngày"))
    apology_before = forms.DateField(required=False, validators=[_sane_year], label=_("Phát hành đến ngày"))
    over_visit_limit = forms.ChoiceField(choices=[("", "")] + YES_NO, required=False,
                                         label=_("Đi lại quá số lần quy định"))
    came_back = forms.ChoiceField(choices=[("", "")] + YES_NO, required=False,
                                  label=_("Quay lại trong 30 ngày"))

    HIDDEN = ("status_group", "overdue_open", "rescheduled", "office", "province", "resolved_after", "resolved_before",
              "timeliness", "apology", "apology_after", "apology_before", "over_visit_limit", "came_back")

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.fields["procedure"].choices = [("", _("Mọi thủ tục"))] + [
            (code, f"{code} – {name}"[:90]) for code, name in
            Procedure.objects.order_by("code").values_list("code", "name")]
        officers = [(u, f"{last} {first}".strip() or u) for u, last, first in
                    User.objects.filter(office__in=visible_offices(user), is_active=True)
                    .order_by("username").values_list("username", "last_name", "first_name")]
        self.fields["assignee"].choices = [("", _("Mọi cán bộ xử lý"))] + officers
        self.fields["received_by"].choices = [("", _("Mọi cán bộ tiếp nhận"))] + officers

    def filters(self) -> dict:
        """The selector's filters from a valid form (days stay days: cases.filtering reads a day as the whole
        local day, the end day included)."""
        d = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if "overdue" in d:
            d["overdue"] = d["overdue"] == "1"
        return d

    def hidden_filters(self) -> list[tuple]:
        """The figure filters set now (name, raw value, label, shown value): kept when the form is sent again."""
        if not self.is_bound:
            return []
        out = []
        for name in self.HIDDEN:
            value = self.data.get(name)
            if value:
                field = self.fields[name]
                shown = dict(field.choices).get(value, value) if hasattr(field, "choices") else value
                out.append((name, value, field.label, shown))
        return out

