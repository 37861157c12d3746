"""Query-parameter parsing for the calendar API (messages in Vietnamese; no rules here)."""
import re

from rest_framework import serializers

from django.utils.translation import gettext as _

from core.models import Office
from workcal import calendar, rules
from workcal.errors import CalendarError

START_MESSAGES = {
    "required": "Thiếu thời điểm tiếp nhận (start).",
    "null": "Thiếu thời điểm tiếp nhận (start).",
    "blank": "Thiếu thời điểm tiếp nhận (start).",
    "invalid": "Thời điểm tiếp nhận không hợp lệ; dùng định dạng ISO 8601, ví dụ 2025-04-24T09:00:00+07:00.",
    "date": "Thời điểm tiếp nhận cần cả ngày và giờ, ví dụ 2025-04-24T09:00.",
    "overflow": "Thời điểm tiếp nhận nằm ngoài phạm vi cho phép.",
    "make_aware": "Thời điểm tiếp nhận không hợp lệ theo múi giờ Việt Nam.",
}
DAYS_MESSAGES = {
    "required": "Thiếu số ngày làm việc (days).",
    "null": "Thiếu số ngày làm việc (days).",
    "invalid": "Số ngày làm việc phải là một số nguyên.",
    "min_value": "Số ngày làm việc không được âm.",
    "max_value": "Số ngày làm việc không được vượt quá {max_value}.",
    "max_string_length": "Số ngày làm việc quá dài.",
}
YEAR_MESSAGES = {
    "invalid": "Năm phải là một số nguyên, ví dụ 2026.",
    "min_value": "Năm phải từ {min_value} trở đi.",
    "max_value": "Năm không được sau {max_value}.",
    "max_string_length": "Năm không hợp lệ.",
}
MAX_DAYS = 1000


class QueryDateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment from a query string. A '+07:00' offset typed unencoded arrives as ' 07:00' (a '+'
    in a query string means a space), so that is repaired. A naive value is Asia/Ho_Chi_Minh local time."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            value = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value.strip())
        return super().to_internal_value(value)


class DueDateQuery(serializers.Serializer):
    start = QueryDateTimeField(help_text="Thời điểm tiếp nhận, ISO 8601 (không có múi giờ = giờ Việt Nam).",
                               error_messages=START_MESSAGES)
    days = serializers.IntegerField(min_value=0, max_value=MAX_DAYS, error_messages=DAYS_MESSAGES,
                                    help_text="Thời hạn giải quyết, số ngày làm việc (0 = trong ngày).")
    office = serializers.CharField(required=False, allow_blank=False, max_length=20,
                                   help_text="Mã đơn vị BHXH, để dùng giờ làm việc của đơn vị đó.",
                                   error_messages={"blank": "Mã đơn vị không được để trống."})

    def validate_start(self, value):
        first, last = calendar.covered_years()
        if not first <= value.year <= last:
            raise serializers.ValidationError(
                _("Thời điểm tiếp nhận phải trong các năm %(first)s–%(last)s của lịch làm việc.")
                % {"first": first, "last": last}, code=CalendarError.OUT_OF_RANGE.code)
        return value

    def validate_office(self, code):
        office = Office.objects.current().filter(code=code).first()
        if office is None:
            raise serializers.ValidationError("Không tìm thấy đơn vị BHXH có mã này.")
        try:
            calendar.office_hours(office)
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError("Giờ làm việc khai báo cho đơn vị này không hợp lệ.") from exc
        return office


class DueDateResult(serializers.Serializer):
    due_at = serializers.DateTimeField(help_text="Thời hạn giải quyết theo quy định (giờ Việt Nam).")
    clock_start = serializers.DateTimeField(help_text="Thời điểm bắt đầu tính thời hạn.")
    apologise_by = serializers.DateTimeField(help_text="Hạn chót gửi phiếu xin lỗi và hẹn lại.")
    days = serializers.IntegerField()
    provisional = serializers.BooleanField(help_text="Hạn giải quyết rơi vào năm chưa công bố lịch nghỉ chính thức.")


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=rules.MIN_YEAR, max_value=rules.MAX_YEAR,
                                    error_messages=YEAR_MESSAGES, help_text="Năm, mặc định năm hiện tại.")

    def validate_year(self, value):
        first, last = calendar.covered_years()
        if value is not None and not first <= value <= last:
            raise serializers.ValidationError(
                _("Năm phải trong các năm %(first)s–%(last)s của lịch làm việc.") % {"first": first, "last": last},
                code=CalendarError.OUT_OF_RANGE.code)
        return value


class CalendarDay(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField()
    source = serializers.ChoiceField(choices=[rules.SOURCE_PACKAGE, rules.SOURCE_OVERRIDE])


class YearCalendar(serializers.Serializer):
    year = serializers.IntegerField()
    days_off = CalendarDay(many=True)
    makeup_working_days = CalendarDay(many=True)
