"""The result document generated from the resolve summary when the processing unit uploads none: a simple
official letter (core.documents), rendered to PDF with the slips' engine."""
from core.documents import KV, Document, Para, Signature, fmt_dt

from cases.models import Outcome


def result_document(dossier, *, signer=None) -> Document:
    outcome = Outcome(dossier.outcome).label if dossier.outcome else ""
    blocks = [
        Para(f"{dossier.office.name} thông báo kết quả giải quyết hồ sơ:"),
        KV("Mã hồ sơ", dossier.code),
        KV("Thủ tục", f"{dossier.procedure.name} (mã TTHC {dossier.procedure.code})"),
        KV("Người nộp / chủ hồ sơ", dossier.applicant_name),
        KV("Ngày tiếp nhận", fmt_dt(dossier.received_at)),
        KV("Ngày có kết quả", fmt_dt(dossier.resolved_at)),
        KV("Kết quả", outcome),
    ]
    if dossier.result_summary:
        blocks += [Para("Nội dung:", bold=True), Para(dossier.result_summary)]
    safe = "".join(ch if ch.isalnum() or ch in ".-_" else "-" for ch in dossier.code)
    return Document(office=dossier.office, title="THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ",
                    subtitle=f"Mã hồ sơ: {dossier.code}", day=dossier.resolved_at, blocks=blocks,
                    signatures=[Signature("Thủ trưởng đơn vị", signer.display_name if signer else "")],
                    filename=f"ket-qua-{safe}.pdf")
