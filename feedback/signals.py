"""Events of the feedback domain that other apps subscribe to (the domain does not import them).

* `feedback_answer_published(item)`: sent inside the transaction that published an approved answer; the
  national-portal adapter subscribes to send it back to the national PAKN system (portal.apps).
"""
from django.dispatch import Signal

feedback_answer_published = Signal()
