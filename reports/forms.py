from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.scoping import visible_offices

YEARS = (2000, 2100)


class PeriodForm(forms.Form):
    """?from=&to=[&office=] with dates as dd/mm/yyyy or ISO; errors in the active language (Vietnamese by default)."""

    start = forms.DateField(label=_("Từ ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                            error_messages={"invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")})
    end = forms.DateField(label=_("Đến ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                          error_messages={"invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")})
    office = forms.CharField(label=_("Đơn vị"), required=False)

    def __init__(self, data, *, user):
        data = {"start": data.get("from", ""), "end": data.get("to", ""), "office": data.get("office", "")}
        super().__init__(data)
        self.user = user

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["start"] = data.get("start") or date(today.year, 1, 1)
        data["end"] = data.get("end") or today
        if not (YEARS[0] <= data["start"].year <= YEARS[1] and YEARS[0] <= data["end"].year <= YEARS[1]):
            self.add_error("end", gettext("Kỳ báo cáo phải trong các năm %(first)s–%(last)s.")
                           % {"first": YEARS[0], "last": YEARS[1]})
        elif data["start"] > data["end"]:
            self.add_error("end", gettext("“Đến ngày” phải sau “Từ ngày”."))
        elif (data["end"] - data["start"]).days > 3660:
            self.add_error("end", gettext("Kỳ báo cáo tối đa 10 năm."))
        code = (data.get("office") or "").strip()
        data["office_obj"] = None
        if code:
            office = visible_offices(self.user).current().filter(code=code).first()
            if office is None:
                self.add_error("office", gettext("Không có đơn vị mã “%(code)s” trong phạm vi của bạn.")
                               % {"code": code})
            data["office_obj"] = office
        return data

    def shown(self, name: str) -> str:
        """What the period field shows: the date in force (the default when left blank) as dd/mm/yyyy, or what
        was typed when it is not a date."""
        if self.is_valid() and self.cleaned_data.get(name):
            return f"{self.cleaned_data[name]:%d/%m/%Y}"
        return self.data.get(name, "")

    @property
    def shown_start(self) -> str:
        return self.shown("start")

    @property
    def shown_end(self) -> str:
        return self.shown("end")

    def api_errors(self):
        names = {"start": "from", "end": "to", "office": "office"}
        return {names.get(k, k): v for k, v in self.errors.items()}
