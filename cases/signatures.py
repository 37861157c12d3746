"""The signed copies of the desk's documents: the one interface between cases and the signing app.

* `apology_sign(slip=..., actor=...)`: the director's or deputy's own signature, made when they press
  "Ký và phát hành" (cases.services.apology calls it inside the issue transaction: a failure rolls it back).
* `sealed_copy(kind, obj)`: the office's seal on the receipt (Form 01), the supplement request (Form 02), the
  desk's guidance slip (02/03) and the refusal slip (Form 03); made the first time the slip is issued as PDF,
  the same stored bytes ever after.
* `result_seal(dossier=..., pdf=..., title=..., filename=...)`: the seal on a result document produced
  elsewhere (the attachments app), at the bottom of its last page.

Each document carries a QR code of its verification page (signing.services.verify_url).
"""
from __future__ import annotations

import io

from core.documents import QR
from core.documents.pdf import render_pdf_with_slots
from signing import selectors as signing_selectors
from signing.pades import Box
from signing.services import Rendered, document_seal_once, document_sign

from .documents import slips

VERIFY_CAPTION = "Xác thực chữ ký số của văn bản này: quét mã QR hoặc truy cập địa chỉ dưới đây."

_SEALED = {  # kind -> (document builder, reference, dossier code)
    "receipt": (slips.receipt_document, lambda d: f"receipt:{d.code}", lambda d: d.code),
    "refusal": (slips.refusal_document, lambda d: f"refusal:{d.code}", lambda d: d.code),
    "supplement": (slips.supplement_document, lambda r: f"supplement:{r.dossier.code}:{r.number}",
                   lambda r: r.dossier.code),
    "guidance": (slips.guidance_document, lambda g: f"guidance:{g.number}", lambda g: ""),
}


def _renderer(doc):
    def render(url: str) -> Rendered:
        doc.blocks.append(QR(url, VERIFY_CAPTION))
        pdf, slots = render_pdf_with_slots(doc)
        page, rect = slots[-1]  # the issuing side signs in the last signature block
        return Rendered(pdf, Box(page, rect))

    return render


def apology_reference(slip) -> str:
    return f"apology:{slip.pk}"


def apology_sign(*, slip, actor, at=None):
    """Sign the issued apology slip as `actor` (the director or deputy who pressed the button)."""
    doc = slips.apology_document(slip)
    return document_sign(kind="apology", reference=apology_reference(slip), office=slip.office, title=doc.title,
                         filename=doc.filename, render=_renderer(doc), signer_user=actor,
                         dossier_code=slip.dossier.code, reason="Ký và phát hành phiếu xin lỗi và hẹn lại ngày trả "
                         "kết quả", at=at or slip.issued_at)


def apology_signed(slip):
    return signing_selectors.signed_document_for("apology", apology_reference(slip))


def sealed_copy(kind: str, obj):
    """The office-sealed copy of a slip (signed once, stored, served as is afterwards)."""
    build, reference, code = _SEALED[kind]
    doc = build(obj)
    office = obj.office if hasattr(obj, "office") else obj.dossier.office
    return document_seal_once(kind=kind, reference=reference(obj), office=office, title=doc.title,
                              filename=doc.filename, render=_renderer(doc), dossier_code=code(obj))


def result_seal(*, dossier, pdf: bytes, title: str, filename: str, reference: str = ""):
    """Seal a result document made elsewhere: the box goes at the bottom right of its last page."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    last = int(reader.root["/Pages"]["/Count"]) - 1
    page, _ = reader.find_page_for_modification(last)
    box = page.get_object().get("/MediaBox") or reader.root["/Pages"].get("/MediaBox") or [0, 0, 595, 842]
    width = float(box[2]) - float(box[0])

    def render(url: str) -> Rendered:
        return Rendered(pdf, Box(last, (width - 290, 20, width - 20, 90)))

    return document_seal_once(kind="result", reference=reference or f"result:{dossier.code}", office=dossier.office,
                              title=title, filename=filename, render=render, dossier_code=dossier.code)


def slip_spec(dossier, action: str) -> dict | None:
    """What the applicant's e-mail about an event attaches (notifications.delivery.ATTACHMENT_SOURCES["slip"]):
    the receipt when received or accepted, the supplement request, the refusal slip."""
    kind = {"receive": "receipt", "accept": "receipt", "request-supplement": "supplement",
            "refuse": "refusal"}.get(action)
    if kind is None:
        return None
    return {"source": "slip", "kind": kind, "code": dossier.code, "number": dossier.supplement_count}


def slip_attachment(spec: dict) -> tuple[str, bytes]:
    """The office-sealed slip a spec names, as an e-mail attachment."""
    signed = _sealed_slip(spec)
    return signed.filename, signed.read()


def slip_link(spec: dict) -> str:
    """The download link of the office-sealed slip a spec names (for an SMS): the same stored bytes."""
    from signing.services import download_url

    return download_url(_sealed_slip(spec))


def _sealed_slip(spec: dict):
    """The office-sealed slip a spec names, sealed now if it was not yet (at delivery, after the commit)."""
    from .models import Dossier

    dossier = Dossier.objects.select_related("office__parent", "procedure", "received_by").get(code=spec["code"])
    obj = dossier
    if spec["kind"] == "supplement":
        obj = dossier.supplement_requests.select_related("requested_by").get(number=spec["number"])
        obj.dossier = dossier
    return sealed_copy(spec["kind"], obj)
