"""Names and formats of the national portal contract (CONTRACTS.md §2), in one place."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAMP = re.compile(r"[0-9]{14}\Z")  # ASCII digits only, nothing after (no trailing newline)
FUTURE_TOLERANCE_MINUTES = 10  # clocks differ a little; a submission dated later than that is an error
EPOCH = "20200101000000"  # `tungay` of an office's first pull

# Services of POST {base}/integration.
LIST_DOSSIERS = "LayDanhSachHoSo"
LOOKUP_DOSSIER = "TraCuuHoSo"
SYNC_DOSSIERS = "DongBoHoSoMC"
UPDATE_PROGRESS = "CapNhatTienDoHoSoMC"
LIST_PAKN = "LayDanhSachPAKN"
PAKN_ANSWERS = "DongBoKetQuaPAKN"
SERVICES = (LIST_DOSSIERS, LOOKUP_DOSSIER, SYNC_DOSSIERS, UPDATE_PROGRESS, LIST_PAKN, PAKN_ANSWERS)
MAX_PAGE_SIZE = 500  # `sobanghi` ≤ 500

SUCCESS_CODES = {"0", "00"}
SESSION_EXPIRED = "401"
# Replies that mean "try again later": the portal's busy code and server-side failures.
BUSY_CODES = {"-1", "-2", "429", "500", "502", "503", "504"}


def error_code(reply) -> str:
    """`error_code` as a string: 0, "0" and "00" all mean success."""
    return str(reply.get("error_code", "")).strip() if isinstance(reply, dict) else ""


def is_success(code) -> bool:
    return str(code).strip() in SUCCESS_CODES


def parse_stamp(value) -> datetime:
    """`yyyyMMddHHmmss` in local (Asia/Ho_Chi_Minh) time → an aware datetime. Raises ValueError."""
    if not isinstance(value, str) or not STAMP.match(value):
        raise ValueError("format")
    return datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:12]),
                    int(value[12:14]), tzinfo=LOCAL_TZ)


def valid_stamp(value) -> bool:
    try:
        parse_stamp(value)
    except ValueError:
        return False
    return True


def format_stamp(moment) -> str:
    """An aware datetime → `yyyyMMddHHmmss` local time; None → "" (the contract's empty date)."""
    return timezone.localtime(moment, LOCAL_TZ).strftime("%Y%m%d%H%M%S") if moment else ""
