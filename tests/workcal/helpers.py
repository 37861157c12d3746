from datetime import datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day, hour=0, minute=0):
    """An aware moment in Asia/Ho_Chi_Minh."""
    return datetime(year, month, day, hour, minute, tzinfo=VN)
