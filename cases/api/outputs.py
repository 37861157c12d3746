"""The shapes of the dossier's nested output fields, for the OpenAPI schema (issue 13, item 12): what the
SerializerMethodFields of `serializers.py` and `versions.py` return, declared once so the schema says objects,
arrays and nulls where the API answers them (it used to type `applicant` and `apology_slips` as strings)."""
from rest_framework import serializers

from ..models import ApologySlip, ApplicantKind, TimeLimitUnit
from ..limits import MAX_DOCUMENT_CHARS, MAX_TEXT


class ApplicantOut(serializers.Serializer):
    """The applicant as the caller may read it (masked identifiers and no address outside the handling office)."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=[("", "")] + list(ApplicantKind.choices))
    id_number = serializers.CharField(help_text="Masked unless the caller may see personal data.")
    phone = serializers.CharField(help_text="Masked unless the caller may see personal data; \"\" when none.")
    email = serializers.CharField(help_text="Masked unless the caller may see personal data; \"\" when none.")
    address = serializers.CharField(help_text="\"\" unless the caller may see personal data.")


class PublicApplicantOut(serializers.Serializer):
    name = serializers.CharField(help_text="Initials and the given name, e.g. \"N. V. An\".")
    phone = serializers.CharField(help_text="Masked.")


class SupplementRequestOut(serializers.Serializer):
    number = serializers.IntegerField(min_value=1)
    requested_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=MAX_TEXT)
    documents = serializers.ListField(child=serializers.CharField(max_length=MAX_DOCUMENT_CHARS))
    fulfilled_at = serializers.DateTimeField(allow_null=True)


class ApologySlipBrief(serializers.Serializer):
    number = serializers.CharField(help_text="e.g. \"12/PXL-BHXH\"; \"\" while a draft.")
    state = serializers.ChoiceField(choices=ApologySlip.State.choices)
    issued_at = serializers.DateTimeField(allow_null=True)
    new_appointment_at = serializers.DateTimeField()
    is_late = serializers.BooleanField()
    reason = serializers.CharField()


class TimeLimitOut(serializers.Serializer):
    value = serializers.FloatField(min_value=0, help_text="An integer when whole (e.g. 10), else e.g. 0.5.")
    unit = serializers.ChoiceField(choices=TimeLimitUnit.choices)


class RuleVersionBrief(serializers.Serializer):
    id = serializers.IntegerField()
    valid_from = serializers.DateField()
    time_limit = TimeLimitOut()


class ChecklistItemOut(serializers.Serializer):
    """One item of a rule version's documents (DOMAIN.md §8), as listed or as ticked at intake."""

    name = serializers.CharField()
    original = serializers.CharField(required=False, help_text="original / copy / either")
    quantity = serializers.IntegerField(required=False)
    required = serializers.BooleanField(required=False)
