"""Messages to the applicant (issue 12): on which channels, to which address, and what the dossier page says
about it. Every message to a citizen (the events' notices, the apology slip) asks `citizen_channels`:

* an applicant who opted out at intake gets nothing;
* SMS and Zalo go only to a mobile number (DOMAIN.md §7: a landline `02…` gets e-mail or nothing);
* the preferred channel taken at intake is the only one used while we have an address for it; without a
  preference (or without that address) every channel the message is meant for that we have an address for.
The hours at which SMS and Zalo may reach a citizen are the outbox's (notifications.quiet_hours)."""
import re

from django.utils.translation import gettext_lazy as _

from core.phones import display_phone, national as _national  # noqa: F401 - display_phone re-exported

from .choices import ContactChannel

PHONE_CHANNELS = (ContactChannel.SMS, ContactChannel.ZALO)
EVERY_CHANNEL = ("sms", "zalo", "email")


def is_mobile(phone: str) -> bool:
    """A Vietnamese mobile number (0[35789] and 8 more digits, or +84…)."""
    return bool(re.fullmatch(r"0[35789]\d{8}", _national(phone)))


def is_landline(phone: str) -> bool:
    """A landline (02 and 9 more digits, e.g. 024 3856 1234)."""
    return bool(re.fullmatch(r"02\d{9}", _national(phone)))


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


def page_context(dossier, user) -> dict:
    """What the dossier page shows of the applicant's messages: the notice above, every message with its state
    (a failed one with its "send again" button), the rating or its form, and the result approval. Recipients are
    masked for whoever may not see personal data (cases.privacy's rule)."""
    from core.permissions import can_process, can_see_personal_data
    from notifications.selectors import citizen_messages

    from .services.duties import approval_required, result_approved
    from .services.rating import may_rate
    from .validators import mask_email, mask_phone

    messages = list(citizen_messages(dossier_code=dossier.code))
    if not can_see_personal_data(user, dossier):
        for m in messages:
            m.recipient = mask_email(m.recipient) if m.channel == "email" else mask_phone(m.recipient)
    acting = can_process(user, dossier)
    return {"contact_notice": contact_notice(dossier), "citizen_messages": messages, "may_act": acting,
            "may_rate": acting and may_rate(dossier), "rating": getattr(dossier, "rating", None),
            "approval_required": approval_required(dossier), "result_approved": result_approved(dossier)}
