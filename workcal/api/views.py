"""Calendar API: parse the query, call workcal.calendar, answer. Authentication is the project default."""
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from workcal import calendar, years

from .serializers import DueDateQuery, DueDateResult, YearCalendar, YearQuery


class DueDateView(APIView):
    """The legal due moment of a dossier received at `start` with a time limit of `days` working days."""

    @extend_schema(parameters=[DueDateQuery, OpenApiParameter(
                       "start", OpenApiTypes.DATETIME, required=True, description=DueDateQuery().fields["start"].help_text,
                       examples=[OpenApiExample("Thứ Năm trước dịp 30/4", value="2025-04-24T09:00:00+07:00")])],
                   responses=DueDateResult, summary="Tính thời hạn giải quyết")
    def get(self, request):
        query = DueDateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, days = query.validated_data["start"], query.validated_data["days"]
        office = query.validated_data.get("office")
        try:
            due_at = calendar.legal_due_at(start, days, office=office)
            result = {"due_at": due_at, "clock_start": calendar.clock_start(start, office=office),
                      "apologise_by": calendar.apologise_by(due_at, office=office), "days": days,
                      "provisional": years.is_provisional(due_at)}
        except calendar.CalendarRangeError as exc:
            raise ValidationError({"start": [str(exc)]}) from exc
        return Response(DueDateResult(result).data)


class YearCalendarView(APIView):
    """Days off and make-up working days of one year."""

    @extend_schema(parameters=[YearQuery], responses=YearCalendar, summary="Lịch ngày nghỉ, ngày làm bù của một năm")
    def get(self, request):
        query = YearQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        return Response(YearCalendar(calendar.year_calendar(year)).data)
