"""The world the access matrix (tests/core/test_access_matrix.py) runs in: one set of objects per office — Hà Nội
(01, the cast's own office) and Hồ Chí Minh City (79, the other office) — built once per module on top of the
session's reference data, plus the helpers that turn a route and an actor into a request and its outcome."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

ACTORS = {  # actor → key of the cast (tests/conftest.py CAST); "anon" is no login
    "reception": "reception_hn", "processor": "processor_hn", "director": "director_hn", "deputy": "deputy_hn",
    "legal": "legal", "admin": "admin",
}
OWN, OTHER = "own", "other"
PHONE = "0912345678"
NAMES = {"01": "Nguyễn Văn Ánh", "79": "Lê Thị Phương Nam"}  # each office's applicant, told apart in what is read


@dataclass
class Side:
    """One office's objects."""

    office: object
    dossier: object        # received, then a supplement requested (awaiting_supplement): slip number 1
    refused: object        # refused at intake: the refusal slip
    guidance: object       # an intake guidance slip
    apology: object        # a draft apology slip of `dossier`
    feedback: object
    quarantine: object
    alerts: dict = field(default_factory=dict)  # actor → an alert addressed to that officer

    def values(self, actor):
        """What a rule's query string and URL may name: {code}, {office}, {number}, …"""
        return {"code": self.dossier.code, "office": self.office.code, "phone": PHONE}


def build_side(cast, procedures, offices, office_code, reception_key, signer_key, alert_users) -> Side:
    from cases.models import ApologySlip
    from cases.services import dossier_receive, dossier_refuse, dossier_request_supplement, intake_guidance_issue
    from feedback.models import FeedbackItem
    from notifications.models import Channel, OutboxMessage
    from portal.models import Kind, QuarantinedItem
    from tests.conftest import CITIZEN
    from tests.factories import FeedbackItemFactory

    from cases.validators import validate_phone

    officer, procedure, now = cast[reception_key], procedures["1.009020"], timezone.now()
    applicant = {**CITIZEN, "phone": validate_phone(PHONE), "name": NAMES[office_code]}

    def receive():
        return dossier_receive(actor=officer, procedure=procedure, applicant=applicant, channel="direct",
                               summary="Hồ sơ ma trận quyền")

    dossier = receive()
    dossier = dossier_request_supplement(actor=officer, dossier=dossier, reason="Thiếu tờ khai",
                                         documents=["Tờ khai TK1-TS"])
    refused = dossier_refuse(actor=officer, dossier=receive(), reason="Không thuộc thẩm quyền")
    guidance = intake_guidance_issue(actor=officer, kind="supplement", procedure=procedure, applicant=applicant,
                                     reason="Thiếu giấy tờ", documents=["Tờ khai TK1-TS"])
    apology = ApologySlip.objects.create(
        dossier=dossier, office=dossier.office, reason="Chờ xác minh", original_appointment_at=dossier.appointment_at,
        new_appointment_at=dossier.appointment_at + timedelta(days=3), legal_due_at=dossier.legal_due_at,
        drafted_by=cast[signer_key], drafted_at=now)
    office = offices[office_code]
    feedback = FeedbackItemFactory(office=office, code=f"PAKN.20260101.{office_code.zfill(4)}")
    quarantine = QuarantinedItem.objects.create(office=office, kind=Kind.DOSSIER, code=f"BAD-{office_code}",
                                                reason="Sai định dạng", raw={}, fingerprint=f"matrix-{office_code}",
                                                first_seen_at=now, last_seen_at=now)
    alerts = {actor: OutboxMessage.objects.create(
        channel=Channel.OFFICER, kind="assigned", idempotency_key=f"matrix-{office_code}-{actor}",
        recipient_user=user, office=user.office, subject="Hồ sơ được giao", state="sent")
        for actor, user in alert_users.items()}
    assert FeedbackItem.objects.filter(pk=feedback.pk).exists()
    return Side(office, dossier, refused, guidance, apology, feedback, quarantine, alerts)


def build_world(cast, procedures, offices) -> dict[str, Side]:
    own_users = {actor: cast[key] for actor, key in ACTORS.items()}
    return {
        OWN: build_side(cast, procedures, offices, "01", "reception_hn", "director_hn", own_users),
        OTHER: build_side(cast, procedures, offices, "79", "reception_hcm", "director_hcm",
                          {"director": cast["director_hcm"]}),
    }


# --- the URL conf ------------------------------------------------------------------------------------------

def routes() -> dict[str, object]:
    """Every named route of the URL conf, `namespace:name` → its URLPattern; unnamed ones under `?<pattern>`."""
    found: dict[str, object] = {}

    def walk(resolver, namespaces, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespaces + ([pattern.namespace] if pattern.namespace else [])
                walk(pattern, ns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                name = ":".join(namespaces + [pattern.name]) if pattern.name else f"?{prefix}{pattern.pattern}"
                found.setdefault(name, pattern)

    walk(get_resolver(), [], "")
    return found


# --- outcomes ----------------------------------------------------------------------------------------------

LOGIN_PAGES = ("/dang-nhap/?next=", "/admin/login/?next=")


def outcome(response) -> str:
    """'login' (401, or a redirect to a login page), else the status code as text."""
    if response.status_code == 401:
        return "login"
    if response.status_code in (301, 302) and response.get("Location", "").startswith(LOGIN_PAGES):
        return "login"
    return str(response.status_code)


def body_text(response) -> str:
    """The text a user would read in the response: HTML/JSON/CSV as text, XLSX cells, PDF text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    if "pdf" in kind:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", "replace")
