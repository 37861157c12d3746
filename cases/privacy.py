"""The applicant's personal data as a given user may read it: the one masking rule of the pages, the API and
the slips. Who reads it in full is `core.permissions.can_see_personal_data` (the handling office and
administrators); everyone else reads the identifiers masked and no address."""
from core.permissions import can_see_personal_data

from .validators import mask_email, mask_id, mask_phone, mask_si_number


def applicant_for(user, obj, *, masked: bool = False) -> dict:
    """{"name", "kind", "id_number", "phone", "email", "address"} of a Dossier or IntakeGuidance for `user`.
    `masked=True` masks whoever reads (lists)."""
    full = not masked and can_see_personal_data(user, obj)
    return {
        "name": obj.applicant_name, "kind": getattr(obj, "applicant_kind", ""),
        "id_number": obj.applicant_id_number if full else mask_id(obj.applicant_id_number),
        "phone": obj.applicant_phone if full else mask_phone(obj.applicant_phone),
        "email": obj.applicant_email if full else mask_email(obj.applicant_email),
        "address": obj.applicant_address if full else "",
    }


def mask_applicant(user, obj):
    """The same rule applied to the in-memory row (for documents built from the row); never saved."""
    shown = applicant_for(user, obj)
    obj.applicant_id_number, obj.applicant_phone = shown["id_number"], shown["phone"]
    obj.applicant_email, obj.applicant_address = shown["email"], shown["address"]
    return obj


def intake_details_for(user, dossier, *, masked: bool = False) -> dict:
    """The SI number, date of birth and result delivery taken at intake, by the same rule: whoever may not see
    personal data reads the SI number masked, the birth year only and no postal address."""
    full = not masked and can_see_personal_data(user, dossier)
    born = dossier.date_of_birth
    return {
        "social_insurance_number": dossier.social_insurance_number if full
        else mask_si_number(dossier.social_insurance_number),
        "date_of_birth": (born.isoformat() if full else f"{born:%Y}") if born else None,
        "result_delivery": dossier.result_delivery,
        "postal_address": dossier.postal_address if full else "",
    }
