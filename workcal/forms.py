from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Office
from workcal import calendar
from workcal.models import CalendarOverride

INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]


class DueDateForm(forms.Form):
    """The calculator on the calendar page: received at + time limit (+ office) → legal due moment."""

    start = forms.DateTimeField(
        label=_("Thời điểm tiếp nhận"), input_formats=INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Nhập thời điểm tiếp nhận."),
                        "invalid": _("Thời điểm tiếp nhận không hợp lệ (dd/mm/yyyy HH:MM).")},
    )
    days = forms.IntegerField(
        label=_("Thời hạn (ngày làm việc)"), min_value=0, max_value=1000,
        error_messages={"required": _("Nhập số ngày làm việc."),
                        "invalid": _("Số ngày làm việc phải là số nguyên."),
                        "min_value": _("Số ngày làm việc không được âm."),
                        "max_value": _("Số ngày làm việc không được vượt quá 1000.")},
    )
    office = forms.ModelChoiceField(
        label=_("Đơn vị (giờ làm việc)"), queryset=Office.objects.none(), required=False, to_field_name="code",
        empty_label=_("Giờ làm việc mặc định"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.current().order_by("code")

    def clean_office(self):
        office = self.cleaned_data.get("office")
        if office is not None:
            try:
                calendar.office_hours(office)
            except (TypeError, ValueError) as exc:
                raise forms.ValidationError(_("Giờ làm việc khai báo cho đơn vị này không hợp lệ.")) from exc
        return office


class CalendarOverrideForm(forms.ModelForm):
    """The admin's form: a day inside the years the working-day table covers (settings.WORKCAL_YEARS)."""

    class Meta:
        model = CalendarOverride
        fields = ["date", "kind", "note"]

    def clean_date(self):
        day = self.cleaned_data["date"]
        first, last = calendar.covered_years()
        if not first <= day.year <= last:
            raise forms.ValidationError(
                _("Ngày phải thuộc các năm %(first)s–%(last)s của lịch làm việc (WORKCAL_YEARS)."),
                code="out_of_range", params={"first": first, "last": last})
        return day
