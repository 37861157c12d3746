"""`{% dossier_papers dossier request.user as papers %}`: what the dossier page's papers panel shows."""
from django import template
from django.utils import timezone

from cases import checklist
from cases.models import Status
from cases.versions import version_in_force
from core import permissions

from .. import selectors
from ..models import Kind

register = template.Library()


@register.simple_tag
def dossier_papers(dossier, user) -> dict:
    rows = list(selectors.attachment_list(dossier=dossier))
    for attachment in rows:
        attachment.dossier = dossier
    readable = permissions.can(user, "read_papers", dossier)
    version = dossier.rule_version or version_in_force(dossier.procedure, timezone.now())
    return {
        "papers": [(a, selectors.content_url(a) if readable and a.is_stored else "") for a in rows
                   if a.kind == Kind.PAPER],
        "results": [(a, selectors.content_url(a) if readable and a.is_stored else "") for a in rows
                    if a.kind == Kind.RESULT],
        "checklist": _choices(dossier, checklist.items_of(version)),
        "may_attach": permissions.can(user, "attach_papers", dossier),
        "may_attach_result": permissions.can(user, "attach_result", dossier),
        "may_generate": dossier.status in (Status.RESOLVED, Status.RETURNED) and bool(dossier.outcome),
    }


@register.filter
def filesize(value) -> str:
    if value is None:
        return "—"
    return f"{value / 1024:.0f} KB" if value < 1024 * 1024 else f"{value / 1024 / 1024:.1f} MB"


def _choices(dossier, items) -> list[tuple[int, dict]]:
    """The checklist items a scan may be tied to: those handed in at intake, or every item of the rule version
    for a dossier whose papers were not ticked (an online one)."""
    handed_in = {d.get("name") for d in dossier.documents or []}
    return [(i, item) for i, item in enumerate(items) if not handed_in or item["name"] in handed_in]
