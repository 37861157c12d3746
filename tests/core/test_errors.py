"""Error codes live in one enum per app (`<app>/errors.py`), each member with a translatable message; event
actions live in `<app>/events.py`. Read from the source with `ast`: no code or action is written elsewhere."""
import ast
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cases.events import DossierAction
from core.errors import CoreError, DomainError, ErrorCode
from feedback.events import FeedbackAction

from .test_i18n import VIETNAMESE_LETTERS

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "workcal", "cases", "feedback", "notifications", "portal", "reports", "signing"]
ERROR_MODULES = ["core.errors", "cases.errors", "feedback.errors", "workcal.errors"]


def _enums():
    for name in ERROR_MODULES:
        importlib.import_module(name)
    found, todo = [], [ErrorCode]
    while todo:
        cls = todo.pop()
        found += cls.__subclasses__()
        todo += cls.__subclasses__()
    return found


MEMBERS = [member for cls in _enums() for member in cls]
CODES = {member.code for member in MEMBERS}
ACTIONS = set(DossierAction.values) | set(FeedbackAction.values)


def _params(message: str) -> dict:
    return {name: "1" for name in re.findall(r"%\((\w+)\)s", message)}


def test_every_app_that_raises_has_its_enum():
    assert {cls.__name__ for cls in _enums()} >= {"CoreError", "DossierError", "FeedbackError", "CalendarError"}
    assert all(re.fullmatch(r"[A-Z][A-Z_]{5,}", code) for code in CODES)
    assert {"ACTION_NOT_ALLOWED", "SUPPLEMENT_ALREADY_REQUESTED", "APOLOGY_NOT_ALLOWED", "READ_ONLY_ROLE",
            "REASON_REQUIRED", "FEEDBACK_SIGNER_REQUIRED", "CALENDAR_OUT_OF_RANGE"} <= CODES


@pytest.mark.parametrize("member", MEMBERS, ids=lambda m: f"{type(m).__name__}.{m.name}")
def test_every_error_message_has_an_english_translation(member):
    params = _params(str(member.message))
    with translation.override("vi"):
        vietnamese = member.format(**params)
    with translation.override("en"):
        english = member.format(**params)
    assert english != vietnamese, f"{member.name} has no English entry in django.po"
    assert not VIETNAMESE_LETTERS.search(english), english


def test_domain_error_takes_an_enum_member_and_translates_when_read():
    with pytest.raises(TypeError):
        DomainError("READ_ONLY_ROLE")
    error = DomainError(CoreError.UNKNOWN_ACTION, action="fly")
    assert (error.code, error.status) == ("UNKNOWN_ACTION", 404)
    with translation.override("vi"):
        assert error.as_dict() == {"code": "UNKNOWN_ACTION", "detail": "Không có thao tác “fly”."}
    with translation.override("en"):
        assert error.as_dict() == {"code": "UNKNOWN_ACTION", "detail": "There is no action “fly”."}


# --- the API and the pages in English ---------------------------------------------------------------------

@pytest.fixture
def received(receive):
    return receive()


def _refused_return(client, code):
    return client.post(f"/api/v1/dossiers/{code}/actions/return/", {}, content_type="application/json")


@pytest.mark.django_db
def test_api_error_detail_follows_the_language_cookie(client, cast, received):
    client.force_login(cast["reception_hn"])
    response = _refused_return(client, received.code)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "ACTION_NOT_ALLOWED" and body["current_status"] == "received"
    assert body["detail"] == "Không thể thực hiện “Trả kết quả” với hồ sơ đang ở trạng thái “Đã tiếp nhận”."

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _refused_return(client, received.code)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "ACTION_NOT_ALLOWED"
    assert body["detail"].startswith("Cannot “") and not VIETNAMESE_LETTERS.search(body["detail"]), body["detail"]
    translation.deactivate()


@pytest.mark.django_db
def test_refused_action_on_the_dossier_page_reads_in_english(client, cast, received):
    client.force_login(cast["reception_hn"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(reverse("cases:action", kwargs={"code": received.code, "action": "return"}),
                       follow=True).content.decode()
    translation.deactivate()
    assert "Không thể thực hiện" not in page
    assert "Cannot “" in page and "a dossier whose status is" in page


# --- no code or action written outside errors.py / events.py ----------------------------------------------

def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path.name in ("errors.py", "events.py"):
                continue
            yield path


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _is_action_expr(node) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "action") or \
        (isinstance(node, ast.Name) and node.id == "action")


def _action_literals(tree):
    """String constants used as an event or transition action: `action="…"`, `x.action == "…"`,
    `action in ("…", …)`, `{"action": "…"}`."""
    def strings(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            for elt in node.elts:
                yield from strings(elt)

    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("action", "action__in"):
            yield from strings(node.value)
        elif isinstance(node, ast.Compare) and any(_is_action_expr(n) for n in [node.left, *node.comparators]):
            for n in [node.left, *node.comparators]:
                yield from strings(n)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "action":
                    yield from strings(value)


def test_no_error_code_or_action_is_written_outside_errors_and_events():
    codes, actions = [], []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        docstrings = _docstrings(tree)
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                words = set(re.split(r"[,\s]+", node.value.strip()))  # "CODE" or "CODE_A, CODE_B"
                if words and words <= CODES:
                    codes.append(f"{where}:{node.lineno} {node.value!r}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "DomainError":
                if node.args and isinstance(node.args[0], ast.Constant):
                    codes.append(f"{where}:{node.lineno} DomainError({node.args[0].value!r})")
        actions += [f"{where}:{n.lineno} {n.value!r}" for n in _action_literals(tree) if n.value in ACTIONS]
    assert not codes, f"error codes written outside errors.py: {codes}"
    assert not actions, f"event actions written outside events.py: {actions}"


def test_the_source_scan_catches_a_literal():
    """The scan of the test above finds what it looks for (so that an empty result means something)."""
    tree = ast.parse('record(d, action="resolve")\nif e.action in ("receive", "x"): pass\n{"action": "pull"}')
    assert sorted(n.value for n in _action_literals(tree)) == ["pull", "receive", "resolve", "x"]
