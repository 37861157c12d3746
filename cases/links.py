"""Where each slip of a dossier is read: the URL of its page or PDF, and the list the dossier page shows."""
from django.urls import reverse

from .models import Dossier, Status


_KINDS = {
    "receipt": ("cases:receipt", lambda o: {"code": o.code}),
    "refusal": ("cases:refusal_slip", lambda o: {"code": o.code}),
    "control": ("cases:control_slip", lambda o: {"code": o.code}),
    "supplement": ("cases:supplement_slip", lambda o: {"code": o.dossier.code, "number": o.number}),
    "guidance": ("cases:guidance_slip", lambda o: {"number": o.number}),
    "apology": ("cases:apology_slip", lambda o: {"code": o.dossier.code, "pk": o.pk}),
}


def slip_url(kind: str, obj, pdf: bool = False) -> str:
    """The URL of a slip page (or its PDF). kind: receipt | refusal | control (a Dossier), supplement (a
    SupplementRequest), guidance (an IntakeGuidance), apology (an ApologySlip)."""
    try:
        name, kwargs = _KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown slip kind {kind!r}; one of {', '.join(_KINDS)}") from None
    url = reverse(name, kwargs=kwargs(obj))
    return f"{url}?format=pdf" if pdf else url


def dossier_slips(dossier: Dossier) -> list[dict]:
    """The slips a dossier has, for its page: [{"label", "url", "pdf_url"}] (two queries)."""
    out = []

    def add(label, kind, obj):
        out.append({"label": label, "url": slip_url(kind, obj), "pdf_url": slip_url(kind, obj, pdf=True)})

    if dossier.received_at is not None:
        add("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "receipt", dossier)
        add("Phiếu kiểm soát quá trình giải quyết hồ sơ", "control", dossier)
    for req in dossier.supplement_requests.order_by("number"):
        req.dossier = dossier
        add(f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (lần {req.number})", "supplement", req)
    if dossier.status == Status.REFUSED:
        add("Phiếu từ chối tiếp nhận giải quyết hồ sơ", "refusal", dossier)
    for slip in dossier.apology_slips.order_by("drafted_at", "pk"):
        slip.dossier = dossier
        state = slip.number_label or "dự thảo"
        add(f"Phiếu xin lỗi và hẹn lại ngày trả kết quả ({state})", "apology", slip)
    return out


# --- the applicant's rating link (in the result message; no login, no phone to type) -----------------------

RATING_SALT = "cases.rating-link"


def rating_token(code: str) -> str:
    from django.core import signing

    return signing.dumps(code, salt=RATING_SALT, compress=True)


def rating_code(token: str, max_age_days: int = 365) -> str | None:
    """The dossier code a rating link was made for, or None for a forged or expired link."""
    from django.core import signing

    try:
        return signing.loads(token, salt=RATING_SALT, max_age=max_age_days * 86400)
    except signing.BadSignature:
        return None


def public_rating_url(code: str) -> str:
    from django.conf import settings

    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('cases:rating_link', kwargs={'token': rating_token(code)})}"
