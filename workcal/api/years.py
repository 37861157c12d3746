"""GET /calendar/years/: each year the engine knows, announced or provisional (CONTRACTS.md)."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from workcal import years


class OverrideDay(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    note = serializers.CharField()


class CalendarYearRow(serializers.Serializer):
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["announced", "provisional"])
    source = serializers.CharField(help_text="Văn bản công bố lịch nghỉ của năm.")
    source_date = serializers.DateField(allow_null=True)
    announced_by = serializers.CharField(allow_null=True)
    announced_at = serializers.DateTimeField(allow_null=True)
    overrides = OverrideDay(many=True, help_text="Các ngày quản trị viên điều chỉnh trong năm.")


class CalendarYearsView(ListAPIView):
    """The years of the working-day calendar, each announced (with its notice) or provisional. A paginated
    list (the schema said a single row)."""

    serializer_class = CalendarYearRow
    filter_backends = []

    def get_queryset(self):
        return years.calendar_years()

    @extend_schema(summary="Các năm lịch nghỉ: đã công bố hay tạm tính")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
