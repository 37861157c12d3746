"""Messages to the applicant (issue 12): on which channels, to which address, and what the dossier page says
about it. Every message to a citizen (the events' notices, the apology slip) asks `citizen_channels`:

* an applicant who opted out at intake gets nothing;
* SMS and Zalo go only to a mobile number (DOMAIN.md §7: a landline `02…` gets e-mail or nothing);
* the preferred channel taken at intake is the only one used while we have an address for it; without a
  preference (or without that address) every channel the message is meant for that we have an address for.
The hours at which SMS and Zalo may reach a citizen are the outbox's (notifications.quiet_hours)."""
import re

from django.utils.translation import gettext_lazy as _

from .choices import ContactChannel

PHONE_CHANNELS = (ContactChannel.SMS, ContactChannel.ZALO)
EVERY_CHANNEL = ("sms", "zalo", "email")


def _national(phone: str) -> str:
    raw = re.sub(r"[\s.\-()]", "", phone or "")
    if raw.startswith("+84"):
        return "0" + raw[3:]
    if raw.startswith("84") and len(raw) in (11, 12):
        return "0" + raw[2:]
    return raw


def is_mobile(phone: str) -> bool:
    """A Vietnamese mobile number (0[35789] and 8 more digits, or +84…)."""
    return bool(re.fullmatch(r"0[35789]\d{8}", _national(phone)))


def is_landline(phone: str) -> bool:
    """A landline (02 and 9 more digits, e.g. 024 3856 1234)."""
    return bool(re.fullmatch(r"02\d{9}", _national(phone)))


def display_phone(phone: str) -> str:
    """"+84983456789" → "0983 456 789"; "+842438561234" → "024 3856 1234"; a masked number keeps its stars."""
    national = _national(phone)
    if not national:
        return ""
    if national.startswith("02") and len(national) == 11:
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return national


def addresses(dossier) -> dict[str, str]:
    mobile = dossier.applicant_phone if is_mobile(dossier.applicant_phone) else ""
    return {"sms": mobile, "zalo": mobile, "email": dossier.applicant_email or ""}


def citizen_channels(dossier, meant_for=EVERY_CHANNEL) -> list[tuple[str, str]]:
    """[(channel, recipient)] a message meant for the channels `meant_for` goes out on, by the rules above."""
    if dossier.messages_opt_out:
        return []
    have = addresses(dossier)
    preferred = dossier.contact_channel
    if preferred and have.get(preferred):
        return [(preferred, have[preferred])]
    return [(channel, have[channel]) for channel in meant_for if have.get(channel)]


def contact_notice(dossier) -> str:
    """What the dossier page says when messages cannot reach the applicant as one would expect ("" otherwise)."""
    if dossier.messages_opt_out:
        return str(_("Người nộp từ chối nhận thông báo: không gửi SMS, Zalo hay thư điện tử."))
    if dossier.applicant_phone and is_landline(dossier.applicant_phone):
        if dossier.applicant_email:
            return str(_("Số điện thoại là số cố định: không gửi SMS, Zalo; thông báo được gửi qua thư điện tử."))
        return str(_("Số điện thoại là số cố định và không có thư điện tử: người nộp không nhận được thông báo "
                     "nào, vui lòng báo trực tiếp."))
    preferred = dossier.contact_channel
    if preferred and not addresses(dossier).get(preferred):
        return str(_("Không có địa chỉ cho kênh người nộp chọn (%(channel)s): thông báo được gửi qua các kênh "
                     "khác có thể.") % {"channel": ContactChannel(preferred).label})
    return ""
