"""The PAKN state machine is one table (feedback.services.TRANSITIONS): it is the contract (CONTRACTS.md §1.4),
and it drives what the services allow, what the page offers and the actions of the history."""
import pytest

from core.errors import DomainError
from feedback import services
from feedback.models import Status

from .test_handling import make_item  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

BEFORE_ANSWER = {"new", "classified", "assigned"}
CONTRACT = {
    "classify": (BEFORE_ANSWER, "classified"),
    "assign": (BEFORE_ANSWER, "assigned"),
    "forward": (BEFORE_ANSWER, "forwarded"),
    "draft-answer": ({"classified", "assigned", "answered_draft", "approved"}, "answered_draft"),
    "approve": ({"answered_draft"}, "approved"),
    "publish": ({"approved"}, "published"),
    "close": ({"new", "classified", "assigned", "answered_draft", "approved"}, "closed"),
}
BODIES = {"classify": {"category": "proposal"}, "assign": {"assignee": "chuyenvien.hn"},
          "forward": {"agency": "Sở Lao động"}, "draft-answer": {"answer": "Trả lời"}, "approve": {},
          "publish": {"public": True}, "close": {"reason": "Khiếu nại, không thuộc phạm vi"}}


def test_the_transition_table_is_the_contract():
    table = {action: ({str(s) for s in t.sources}, str(t.target)) for action, t in services.TRANSITIONS.items()}
    assert table == CONTRACT


@pytest.mark.parametrize("action", list(CONTRACT))
@pytest.mark.parametrize("status", Status.values)
def test_every_action_from_every_status(action, status, make_item, cast):  # noqa: F811
    item = make_item(status=status, category="proposal" if status != "new" else "",
                     answer="Trả lời" if status in ("answered_draft", "approved") else "")
    director = cast["director_hn"]
    sources, target = CONTRACT[action]
    assert (action in services.allowed_actions(item, director)) == (status in sources)
    if status in sources:
        item = services.run_action(action, actor=director, item=item, body=BODIES[action])
        expected = status if action == "classify" and status != "new" else target
        assert item.status == expected
        event = item.events.order_by("-id").first()
        assert (event.action, event.from_status, event.to_status) == (action, status, expected)
    else:
        with pytest.raises(DomainError) as exc:
            services.run_action(action, actor=director, item=item, body=BODIES[action])
        assert (exc.value.code, exc.value.status) == ("ACTION_NOT_ALLOWED", 409)
        assert item.events.count() == 0


def test_an_unknown_action_is_404(make_item, cast):  # noqa: F811
    with pytest.raises(DomainError) as exc:
        services.run_action("resolve", actor=cast["director_hn"], item=make_item(), body={})
    assert (exc.value.code, exc.value.status) == ("UNKNOWN_ACTION", 404)
