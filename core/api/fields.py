from rest_framework import serializers


class DateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, but a moment that cannot be placed in the time zone (year 1, year 9999 …) is a
    field error instead of an OverflowError (a 500)."""

    default_error_messages = {"overflow": "Ngày giờ nằm ngoài phạm vi cho phép."}

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:
            self.fail("overflow")
