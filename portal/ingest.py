"""Validation of pulled items: a portal object → the fields of our row, or `Invalid` with every reason in
Vietnamese (CONTRACTS.md §2: "an item that fails validation is kept aside with its raw payload and the reason").

Pure functions, no queries: the page's catalogue lookups are passed in, so a page costs a constant number of
queries whatever its size.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from cases.codes import is_dossier_code
from cases.models import ApplicantKind, Channel, Source, Status
from cases.search import normalise
from cases.validators import validate_applicant_id, validate_phone

from . import contract

CHANNELS = {1: Channel.DIRECT, 2: Channel.ONLINE, 3: Channel.POSTAL}  # KenhThucHien
APPLICANT_KINDS = {1: ApplicantKind.CITIZEN, 2: ApplicantKind.ENTERPRISE, 3: ApplicantKind.ORGANISATION,
                   4: ApplicantKind.ORGANISATION}  # LoaiDoiTuong
DOSSIER_DATES = {"NgayTiepNhan": "ngày tiếp nhận", "NgayHenTra": "ngày hẹn trả", "NgayTra": "ngày trả"}
# What the portal's own status makes of a dossier on its first pull: withdrawn (7) or refused (3) there is stored
# so, closed, and cannot be accepted; any other status waits for an officer (`submitted`), the portal's code is
# kept beside it (portal.models.PortalLink) and a disagreement recorded where it says more than "submitted".
FIRST_PULL_STATUS = {3: Status.REFUSED, 7: Status.WITHDRAWN}


class Invalid(Exception):
    def __init__(self, reasons: list[str], code: str = ""):
        super().__init__("; ".join(reasons))
        self.reasons, self.code = reasons, code

    @property
    def reason(self) -> str:
        return " ".join(r if r.endswith(".") else r + "." for r in self.reasons)


@dataclass
class Parsed:
    code: str
    stamp: str  # the item's date as yyyyMMddHHmmss, for the cursor
    fields: dict
    portal: dict = field(default_factory=dict)  # what the portal says beside our row: status code, NgayTiepNhan


def item_code(item, key: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    return value.strip() if isinstance(value, str) else ""


def item_stamp(item, key: str) -> str:
    """The item's date when it is a real yyyyMMddHHmmss moment not in the future, else "" (a future date must
    never carry the pull cursor past items not pulled yet)."""
    value = item.get(key) if isinstance(item, dict) else None
    if not contract.valid_stamp(value) or contract.parse_stamp(value) > _latest_allowed():
        return ""
    return value


def _text(item, key, limit=None) -> str:
    value = item.get(key)
    if value is None:
        return ""
    value = str(value).strip()
    return value[:limit] if limit else value


def _int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _latest_allowed() -> datetime:
    return timezone.now() + timedelta(minutes=contract.FUTURE_TOLERANCE_MINUTES)


def _moment(item, key, label, reasons, *, required, not_future=False) -> datetime | None:
    value = item.get(key)
    if value in (None, ""):
        if required:
            reasons.append(f"Thiếu {label} ({key})")
        return None
    if not isinstance(value, str) or not contract.STAMP.match(value):
        reasons.append(f"{label.capitalize()} ({key}) “{value}” không đúng định dạng yyyyMMddHHmmss")
        return None
    try:
        moment = contract.parse_stamp(value)
    except ValueError:
        reasons.append(f"{label.capitalize()} ({key}) “{value}” không phải là ngày giờ có thật")
        return None
    if not_future and moment > _latest_allowed():
        reasons.append(f"{label.capitalize()} ({key}) “{value}” ở tương lai")
        return None
    return moment


def _code(item, key, label, limit, reasons) -> str:
    code = item_code(item, key)
    if not code:
        reasons.append(f"Thiếu {label} ({key})")
    elif len(code) > limit:
        reasons.append(f"{label.capitalize()} ({key}) dài quá {limit} ký tự")
    return code


def _phone(item, reasons) -> str:
    value = _text(item, "SoDienThoai")
    if not value:
        return ""
    try:
        return validate_phone(value)
    except ValidationError:
        reasons.append(f"Số điện thoại (SoDienThoai) “{value}” không hợp lệ")
        return ""


def _email(item, reasons) -> str:
    value = _text(item, "Email")
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        reasons.append(f"Thư điện tử (Email) “{value}” không hợp lệ")
        return ""
    return value[:254]


def _not_object(item):
    if not isinstance(item, dict):
        raise Invalid(["Phần tử không phải là một đối tượng JSON (object)"])


def parse_dossier(item, procedures: dict[str, int]) -> Parsed:
    """A dossier object → the fields of a `submitted` Dossier from the national portal (CONTRACTS.md §2)."""
    _not_object(item)
    reasons = []
    code = _code(item, "MaHoSo", "mã hồ sơ", 60, reasons)
    if code and len(code) <= 60 and not is_dossier_code(code):
        reasons.append(f"Mã hồ sơ (MaHoSo) “{code}” không đúng mẫu <mã cơ quan>-<YYMMDD>-<số thứ tự 4 chữ số> "
                       "(Thông tư 01/2018/TT-VPCP)")
    submitted_at = _moment(item, "NgayNopHoSo", "ngày nộp hồ sơ", reasons, required=True, not_future=True)
    dates = {key: _moment(item, key, label, reasons, required=False) for key, label in DOSSIER_DATES.items()}
    procedure_code = _text(item, "MaTTHC")
    procedure_id = procedures.get(procedure_code)
    if not procedure_code:
        reasons.append("Thiếu mã thủ tục hành chính (MaTTHC)")
    elif procedure_id is None:
        reasons.append(f"Mã thủ tục (MaTTHC) “{procedure_code}” không có trong danh mục thủ tục")
    channel = CHANNELS.get(_int(item.get("KenhThucHien")))
    if channel is None:
        reasons.append(f"Kênh thực hiện (KenhThucHien) “{item.get('KenhThucHien')}” phải là 1, 2 hoặc 3")
    kind = APPLICANT_KINDS.get(_int(item.get("LoaiDoiTuong")))
    if kind is None:
        reasons.append(f"Loại đối tượng (LoaiDoiTuong) “{item.get('LoaiDoiTuong')}” phải từ 1 đến 4")
    name = _text(item, "ChuHoSo", 200)
    if not name:
        reasons.append("Thiếu tên chủ hồ sơ (ChuHoSo)")
    id_number = _text(item, "SoGiayToChuHoSo")
    if kind is not None:
        try:
            id_number = validate_applicant_id(kind, id_number)
        except ValidationError as exc:
            reasons.append(f"Số giấy tờ chủ hồ sơ (SoGiayToChuHoSo) “{id_number}” không hợp lệ: "
                           f"{' '.join(exc.messages)}")
    phone, email = _phone(item, reasons), _email(item, reasons)
    status = _int(item.get("TrangThaiHoSo"))
    if status is None or not 1 <= status <= 10:
        reasons.append(f"Trạng thái hồ sơ (TrangThaiHoSo) “{item.get('TrangThaiHoSo')}” ngoài khoảng 1–10")
    if reasons:
        raise Invalid(reasons, code=code)
    portal = {"status": status, "received_at": dates["NgayTiepNhan"]}
    return Parsed(code=code, stamp=item["NgayNopHoSo"], portal=portal, fields={
        "code": code, "procedure_id": procedure_id, "status": FIRST_PULL_STATUS.get(status, Status.SUBMITTED),
        "channel": channel, "source": Source.NATIONAL_PORTAL, "applicant_name": name,
        "search_name": normalise(name), "applicant_kind": kind,
        "applicant_id_number": id_number[:20], "applicant_phone": phone, "applicant_email": email,
        "applicant_address": _text(item, "DiaChi", 300), "summary": _text(item, "TrichYeuHoSo"),
        "submitted_at": submitted_at, "portal_payload": item,
    })


def parse_pakn(item, madonvi: str) -> Parsed:
    """A PAKN object → the fields of a FeedbackItem from the national PAKN system (CONTRACTS.md §2)."""
    _not_object(item)
    reasons = []
    code = _code(item, "MaPAKN", "mã PAKN", 40, reasons)
    received_at = _moment(item, "NgayGui", "ngày gửi", reasons, required=True, not_future=True)
    title = _text(item, "TieuDe", 500)
    if not title:
        reasons.append("Thiếu tiêu đề (TieuDe)")
    addressed_to = _text(item, "MaDonVi")
    if addressed_to and addressed_to != madonvi:
        reasons.append(f"Mã đơn vị (MaDonVi) “{addressed_to}” không phải đơn vị đang đồng bộ ({madonvi})")
    related = _text(item, "MaHoSoLienQuan")
    if len(related) > 60:
        reasons.append("Mã hồ sơ liên quan (MaHoSoLienQuan) dài quá 60 ký tự")
    phone, email = _phone(item, reasons), _email(item, reasons)
    if reasons:
        raise Invalid(reasons, code=code)
    return Parsed(code=code, stamp=item["NgayGui"], fields={
        "code": code, "title": title, "content": _text(item, "NoiDung"), "field_code": _text(item, "MaLinhVuc", 60),
        "sender_name": _text(item, "HoTen", 200), "sender_phone": phone, "sender_email": email,
        "sender_address": _text(item, "DiaChi", 300), "received_at": received_at, "related_dossier_code": related,
        "raw_payload": item,
    })
