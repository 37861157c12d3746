"""PAKN handling (CONTRACTS.md §1.4): classify, assign, forward, draft, approve, publish, close."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import FeedbackEvent
from notifications.models import OutboxMessage
from tests.factories import FeedbackItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_item(offices):
    def make(code="PAKN.20200512.0012", office="01", **extra):
        return FeedbackItemFactory(code=code, office=offices[office], **extra)

    return make


def act(api, item, action, **body):
    return api.post(f"/api/v1/feedback/{item.pk}/actions/{action}/", body, format="json")


def test_the_whole_answer_path_pushes_the_answer_to_the_national_system(as_user, cast, make_item):
    item = make_item()
    officer = as_user(cast["reception_hn"])
    assert act(officer, item, "classify", category="conduct").json()["status"] == "classified"
    assert act(officer, item, "assign", assignee="chuyenvien.hn").json()["assignee"] == "chuyenvien.hn"
    assert act(officer, item, "draft-answer", answer="BHXH đã xác nhận danh sách ngày 15/5/2020.").json()[
        "status"] == "answered_draft"
    refused = act(officer, item, "approve")
    assert refused.status_code == 403 and refused.json()["code"] == "FEEDBACK_SIGNER_REQUIRED"
    director = as_user(cast["director_hn"])
    assert act(director, item, "approve").json()["status"] == "approved"
    published = act(director, item, "publish", public=True).json()
    assert published["status"] == "published" and published["is_public"] is True
    push = OutboxMessage.objects.get(channel="portal", kind="pakn.answer")
    assert push.payload["answer"]["MaPAKN"] == item.code and push.payload["answer"]["CongKhai"] == 1
    assert push.payload["answer"]["NguoiTraLoi"] == cast["director_hn"].display_name
    actions = list(FeedbackEvent.objects.filter(item=item).values_list("action", flat=True))
    assert actions == ["classify", "assign", "draft-answer", "approve", "publish"]


def test_actions_not_allowed_now_are_409(as_user, cast, make_item):
    item = make_item()
    api = as_user(cast["reception_hn"])
    response = act(api, item, "publish", public=True)
    assert response.status_code == 409 and response.json()["code"] == "ACTION_NOT_ALLOWED"
    assert act(api, item, "draft-answer", answer="x").status_code == 409  # classify first
    assert act(api, item, "fly").status_code == 404
    assert act(api, item, "classify", category="gossip").status_code == 400


def test_revising_an_approved_answer_needs_a_new_approval(as_user, cast, make_item):
    item = make_item()
    api, director = as_user(cast["reception_hn"]), cast["director_hn"]
    act(api, item, "classify", category="proposal")
    act(api, item, "draft-answer", answer="Trả lời lần 1")
    act(as_user(director), item, "approve")
    api = as_user(cast["reception_hn"])
    body = act(api, item, "draft-answer", answer="Trả lời sửa").json()
    assert body["status"] == "answered_draft" and body["answer"] == "Trả lời sửa"
    assert act(api, item, "publish", public=False).status_code == 409


def test_forward_outside_our_competence(as_user, cast, make_item):
    item = make_item()
    body = act(as_user(cast["reception_hn"]), item, "forward", agency="Bộ Lao động - Thương binh và Xã hội",
               note="Thuộc thẩm quyền Bộ").json()
    assert body["status"] == "forwarded" and body["forwarded_to"].startswith("Bộ Lao động")
    assert FeedbackEvent.objects.get(item=item, action="forward").data == {"late": False}
    assert act(as_user(cast["reception_hn"]), make_item("PAKN.X.2"), "forward", agency=" ").status_code == 400


def test_complaints_are_marked_out_of_scope_and_closed_with_a_reason(as_user, cast, make_item):
    item = make_item()
    api = as_user(cast["reception_hn"])
    act(api, item, "classify", category="out_of_scope")
    assert act(api, item, "close", reason="").status_code == 400
    body = act(api, item, "close", reason="Khiếu nại: chuyển giải quyết theo Luật Khiếu nại").json()
    assert body["status"] == "closed" and body["category"] == "out_of_scope"


def test_scope_and_read_only(as_user, cast, make_item):
    item = make_item()
    assert as_user(cast["reception_hcm"]).get(f"/api/v1/feedback/{item.pk}/").status_code == 404
    assert as_user(cast["reception_hcm"]).get("/api/v1/feedback/").json()["count"] == 0
    legal = as_user(cast["legal"])
    assert legal.get(f"/api/v1/feedback/{item.pk}/").json()["sender"]["phone"] == "+849*****111"
    assert act(legal, item, "classify", category="conduct").status_code == 403


def test_list_filters_and_constant_queries(as_user, cast, make_item):
    api = as_user(cast["reception_hn"])
    make_item()

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            data = api.get(url).json()
        return len(ctx.captured_queries), data

    few, _ = count("/api/v1/feedback/")
    for i in range(8):
        make_item(f"PAKN.20200513.{i:04d}", title="Đề nghị kéo dài tạm dừng đóng")
    many, data = count("/api/v1/feedback/")
    assert data["count"] == 9 and many == few > 0
    assert api.get("/api/v1/feedback/?q=kéo dài").json()["count"] == 8
    assert api.get("/api/v1/feedback/?q=PAKN.20200512").json()["count"] == 1
    assert api.get("/api/v1/feedback/?status=new&source=national_portal").json()["count"] == 9
    assert api.get("/api/v1/feedback/?status=bogus").status_code == 400


def test_feedback_pages(client, cast, make_item):
    item = make_item()
    client.force_login(cast["reception_hn"])
    assert "PAKN.20200512.0012" in client.get("/phan-anh/").content.decode()
    page = client.get(f"/phan-anh/{item.pk}/").content.decode()
    assert "Phân loại" in page and "Chậm xác nhận danh sách" in page
    client.post(f"/phan-anh/{item.pk}/thao-tac/classify/", {"category": "conduct"})
    item.refresh_from_db()
    assert item.status == "classified"
    client.force_login(cast["reception_hcm"])
    assert client.get(f"/phan-anh/{item.pk}/").status_code == 404


def test_conduct_feedback_names_the_officer_and_counts_on_the_directors_dashboard(as_user, cast, make_item):
    item = make_item(title="Cán bộ yêu cầu nộp thêm giấy tờ nhiều lần")
    body = act(as_user(cast["reception_hn"]), item, "classify", category="conduct", officer="chuyenvien.hn").json()
    assert body["officer"] == "chuyenvien.hn"
    officers = as_user(cast["director_hn"]).get("/api/v1/dashboard/").json()["officers"]
    assert [(o["username"], o["conduct_feedback"]) for o in officers] == [("chuyenvien.hn", 1)]
    assert as_user(cast["director_hcm"]).get("/api/v1/dashboard/").json()["officers"] == []
    other = make_item("PAKN.X.9")
    response = act(as_user(cast["reception_hn"]), other, "classify", category="conduct", officer="tiepnhan.hcm")
    assert response.status_code == 400 and response.json()["code"] == "ASSIGNEE_INVALID"
