"""Identifiers of Vietnamese citizens and enterprises (DOMAIN.md §7). Each validator returns the normalised
value or raises django.core.exceptions.ValidationError with a Vietnamese message."""
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_CCCD = re.compile(r"^\d{12}$")
_CMND = re.compile(r"^\d{9}$")
_TAX = re.compile(r"^(\d{10})(?:-(\d{3}))?$")
_SI_NUMBER = re.compile(r"^\d{10}$")


def _digits_only(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")


def validate_citizen_id(value: str) -> str:
    """CCCD (12 digits: province 001–096, century-and-sex digit, two-digit birth year) or the old CMND (9)."""
    value = _digits_only(value)
    if _CMND.match(value):
        return value
    if not _CCCD.match(value):
        raise ValidationError(_("Số định danh phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND)."), code="invalid")
    province = int(value[:3])
    if not 1 <= province <= 96:
        raise ValidationError(_("Ba chữ số đầu của CCCD phải là mã tỉnh từ 001 đến 096."), code="invalid")
    century = 1900 + 100 * (int(value[3]) // 2)
    birth_year = century + int(value[4:6])
    if birth_year > date.today().year:
        raise ValidationError(_("Mã thế kỷ, giới tính và năm sinh trong CCCD không hợp lệ."), code="invalid")
    return value


def tax_check_digit(first_nine: str) -> int | None:
    """Digit 10 of a tax code: 10 − (Σ weight·digit mod 11); None when that is not a single digit."""
    check = 10 - sum(w * int(d) for w, d in zip(TAX_WEIGHTS, first_nine)) % 11
    return check if check <= 9 else None


def validate_tax_code(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    match = _TAX.match(value)
    if not match:
        raise ValidationError(_("Mã số thuế phải gồm 10 chữ số, có thể kèm -NNN cho chi nhánh."), code="invalid")
    digits = match.group(1)
    if tax_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError(_("Mã số thuế không đúng (sai chữ số kiểm tra)."), code="checksum")
    return value


def validate_phone(value: str) -> str:
    """Mobile 0[35789]xxxxxxxx or landline 02xxxxxxxxx (or +84…); stored as +84…."""
    raw = re.sub(r"[\s.\-()]", "", value or "")
    if raw.startswith("+84"):
        national = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        national = "0" + raw[2:]
    else:
        national = raw
    if re.fullmatch(r"0[35789]\d{8}", national) or re.fullmatch(r"02\d{9}", national):
        return "+84" + national[1:]
    raise ValidationError(_("Số điện thoại không hợp lệ: di động 10 số (ví dụ 0912 345 678) "
                            "hoặc cố định 11 số bắt đầu bằng 02."), code="invalid")


def validate_si_number(value: str) -> str:
    value = _digits_only(value)
    if not _SI_NUMBER.match(value):
        raise ValidationError(_("Mã số BHXH phải gồm 10 chữ số."), code="invalid")
    return value


def validate_date_of_birth(value: date) -> date:
    """A date of birth is not in the future (local date) and not before 1900."""
    from django.utils import timezone

    if value > timezone.localdate():
        raise ValidationError(_("Ngày sinh không được ở tương lai."), code="future")
    if value.year < 1900:
        raise ValidationError(_("Ngày sinh phải từ năm 1900."), code="invalid")
    return value


def mask_si_number(value: str) -> str:
    return value[:2] + "*" * 5 + value[-3:] if value else ""


def validate_applicant_id(kind: str, value: str) -> str:
    """A citizen gives a CCCD/CMND; an enterprise its tax code; an organisation a tax code or a budget code."""
    if not (value or "").strip():
        raise ValidationError(_("Vui lòng nhập số giấy tờ."), code="required")
    if kind == "citizen":
        return validate_citizen_id(value)
    if kind == "enterprise":
        return validate_tax_code(value)
    value = value.strip()
    if re.fullmatch(r"\d{7}", value):  # mã đơn vị có quan hệ với ngân sách
        return value
    return validate_tax_code(value)


def mask_id(value: str) -> str:
    if not value:
        return ""
    keep = 3 if len(value) > 8 else 2
    return value[:keep] + "*" * max(len(value) - 2 * keep, 3) + value[-keep:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    return value[:4] + "*" * max(len(value) - 7, 3) + value[-3:]


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return ""
    name, domain = value.split("@", 1)
    return name[:1] + "***@" + domain
