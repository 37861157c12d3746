"""Vietnamese phone numbers as people read them (issue 12): stored `+84983456789`, shown `0983 456 789`;
a landline `+842438561234` is shown `024 3856 1234`. A masked number (`+849*****678`) keeps its stars."""
import re


def national(phone: str) -> str:
    raw = re.sub(r"[\s.\-()]", "", phone or "")
    if raw.startswith("+84"):
        return "0" + raw[3:]
    if raw.startswith("84") and len(raw) in (11, 12):
        return "0" + raw[2:]
    return raw


def display_phone(phone: str) -> str:
    number = national(phone)
    if not number:
        return ""
    if number.startswith("02") and len(number) == 11:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if len(number) == 10:
        return f"{number[:4]} {number[4:7]} {number[7:]}"
    return number
