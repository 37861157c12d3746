"""`{% signed_documents_panel dossier %}`: the dossier page lists the documents issued for it with a digital
signature (issue 15): what, signed by whom and when, at which PAdES level, with the verification page and, for
those who may read the applicant's data in full, the signed PDF itself (the exact bytes the applicant received)."""
from django import template

from core import permissions

from ..models import SignedDocument
from ..services import download_url, verify_url

register = template.Library()


@register.inclusion_tag("signing/_panel.html", takes_context=True)
def signed_documents_panel(context, dossier):
    user = context["request"].user
    full = permissions.can_see_personal_data(user, dossier)
    documents = SignedDocument.objects.filter(dossier_code=dossier.code).select_related("office").order_by(
        "signed_at", "id")
    return {"documents": [{"doc": d, "verify": verify_url(d.token) if full else "",
                           "download": download_url(d) if full else ""} for d in documents]}
