"""The size bounds of what an officer types or a client sends (issue 13): the same numbers on the page forms and
in the API serializers (and so in the schema). A list of 100,000 papers made a 47-second slip PDF."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_DOCUMENTS = 100        # items in a `documents` list (checklist handed in, papers to supplement)
MAX_DOCUMENT_CHARS = 300   # characters of one item
MAX_TEXT = 4000            # summary, reason, result_summary
MAX_NOTE = 500             # a hand-over note
MAX_UNIT = 200             # a unit's name (hand-over), returned_to


def check_documents(items) -> None:
    """Raise ValidationError (Vietnamese) when a documents list is too long or one of its items is."""
    if len(items) > MAX_DOCUMENTS:
        raise ValidationError(_("Danh sách giấy tờ tối đa %(max)s mục (đang có %(count)s)."), code="too_many",
                              params={"max": MAX_DOCUMENTS, "count": len(items)})
    if any(len(str(item)) > MAX_DOCUMENT_CHARS for item in items):
        raise ValidationError(_("Mỗi giấy tờ tối đa %(max)s ký tự."), code="too_long",
                              params={"max": MAX_DOCUMENT_CHARS})
