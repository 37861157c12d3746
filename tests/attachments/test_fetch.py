"""Papers in (issue 11): the `TaiLieuNop` of a pulled dossier fetched in the background from the national
portal's host only, size-limited, type sniffed, SHA-256 stored; listed and served to the officer (session and
token) before acceptance; a refused or failing file loses nothing else; a failed fetch is retried and shown."""
import copy
import hashlib
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from attachments import services
from attachments.models import Attachment, FetchStatus
from cases.models import Dossier, DossierEvent, Status
from portal.services import store_dossier_page

from .conftest import EXE, PDF, PNG, read

pytestmark = pytest.mark.django_db
CODE = "000.00.01.G13-200518-0101"


def _item(code=CODE, papers=()):
    page = json.loads((Path(django_settings.BASE_DIR) / "fixtures" / "national_portal" / "dossiers_page_1.json")
                      .read_text(encoding="utf-8"))
    item = copy.deepcopy(page["result"][0])
    item["MaHoSo"] = code
    item["TaiLieuNop"] = [{"TepDinhKemId": f"{code}-{n}", "TenTepDinhKem": name, "DuongDanTaiTepTin": link}
                          for n, (name, link) in enumerate(papers, 1)]
    return item


def _pull(offices, after_commit, *papers, code=CODE):
    with after_commit():
        store_dossier_page(office=offices["01"], items=[_item(code, papers)])
    return Dossier.objects.get(code=code)


def _papers(dossier):
    return {a.name: a for a in Attachment.objects.filter(dossier=dossier)}


def test_pulled_papers_are_fetched_listed_and_served_with_the_officers_session_and_token(
        portal_files, offices, cast, after_commit, client, api):
    portal_files.files["/files/a/ds.pdf"] = PDF
    portal_files.files["/files/a/cccd.png"] = PNG
    dossier = _pull(offices, after_commit, ("Danh sách.pdf", "/files/a/ds.pdf"), ("CCCD.png", "/files/a/cccd.png"))
    assert dossier.status == Status.SUBMITTED  # before any officer accepted it
    papers = _papers(dossier)
    assert {n: (a.fetch_status, a.content_type, a.size, a.sha256) for n, a in papers.items()} == {
        "Danh sách.pdf": ("fetched", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest()),
        "CCCD.png": ("fetched", "image/png", len(PNG), hashlib.sha256(PNG).hexdigest())}
    assert DossierEvent.objects.filter(dossier=dossier, action="attach").count() == 2

    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", args=[CODE])).content.decode()
    assert "Danh sách.pdf" in page and "CCCD.png" in page and "Đã tải từ Cổng DVCQG" in page
    listing = client.get(f"/api/v1/dossiers/{CODE}/attachments/").json()
    assert listing["count"] == 2
    row = next(r for r in listing["results"] if r["name"] == "Danh sách.pdf")
    assert {k: row[k] for k in ("document", "size", "content_type", "source")} == {
        "document": None, "size": len(PDF), "content_type": "application/pdf", "source": "national_portal"}
    response = client.get(row["url"])
    assert response.status_code == 200 and read(response) == PDF
    assert response["Content-Type"] == "application/pdf" and "filename" in response["Content-Disposition"]

    token = Token.objects.create(user=cast["processor_hn"]).key
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    detail = api.get(f"/api/v1/dossiers/{CODE}/").json()
    png = next(r for r in detail["attachments"] if r["name"] == "CCCD.png")
    response = api.get(png["url"])
    assert response.status_code == 200 and read(response) == PNG and response["Content-Type"] == "image/png"
    api.credentials()
    assert api.get(png["url"]).status_code in (401, 403)  # no credentials, no file


def test_oversized_or_disguised_papers_are_refused_and_nothing_else_is_lost(portal_files, offices, cast,
                                                                            after_commit, settings, client):
    settings.ATTACHMENT_MAX_BYTES = 4096
    portal_files.files["/f/ok.pdf"] = PDF
    portal_files.files["/f/big.pdf"] = PDF + b"0" * 10_000            # declared Content-Length over the limit
    portal_files.files["/f/stream.pdf"] = PDF + b"0" * 10_000         # no Content-Length: cut while streaming
    portal_files.no_length.add("/f/stream.pdf")
    portal_files.files["/f/ds.pdf"] = EXE                              # an executable named .pdf
    dossier = _pull(offices, after_commit, ("ok.pdf", "/f/ok.pdf"), ("big.pdf", "/f/big.pdf"),
                    ("stream.pdf", "/f/stream.pdf"), ("ds.pdf", "/f/ds.pdf"))
    papers = _papers(dossier)
    assert papers["ok.pdf"].fetch_status == FetchStatus.FETCHED and papers["ok.pdf"].is_stored
    for name, code in (("big.pdf", "UPLOAD_TOO_LARGE"), ("stream.pdf", "UPLOAD_TOO_LARGE"),
                       ("ds.pdf", "UPLOAD_TYPE_REFUSED")):
        assert (papers[name].fetch_status, papers[name].last_error_code, papers[name].is_stored) == \
            ("failed", code, False), name
        assert portal_files.hits[f"/f/{name}"] == 1  # refused for good: not fetched again
    assert "không phải PDF, JPEG hoặc PNG" in papers["ds.pdf"].last_error
    assert DossierEvent.objects.filter(dossier=dossier, action="attach-failed").count() == 3
    # The dossier itself is intact and can be accepted.
    client.force_login(cast["reception_hn"])
    assert client.post(reverse("cases:action", args=[CODE, "accept"])).status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_a_paper_on_another_host_is_refused_without_a_request_to_it(portal_files, other_host, offices,
                                                                   after_commit):
    other_host.files["/x.pdf"] = PDF
    portal_files.redirects["/r.pdf"] = other_host.url + "/x.pdf"
    dossier = _pull(offices, after_commit, ("x.pdf", other_host.url + "/x.pdf"), ("r.pdf", "/r.pdf"),
                    ("tricky.pdf", f"{portal_files.url}@127.0.0.2:1/x.pdf"))
    papers = _papers(dossier)
    assert {n: a.last_error_code for n, a in papers.items()} == {
        "x.pdf": "ATTACHMENT_OTHER_HOST", "r.pdf": "ATTACHMENT_OTHER_HOST", "tricky.pdf": "ATTACHMENT_OTHER_HOST"}
    assert all(a.fetch_status == "failed" for a in papers.values())
    assert sum(other_host.hits.values()) == 0
    assert "chỉ tải tệp từ máy chủ của Cổng DVCQG" in papers["x.pdf"].last_error


def test_a_failed_fetch_is_retried_with_back_off_and_shown_on_the_dossier_page(portal_files, offices, cast,
                                                                              settings, client):
    settings.ATTACHMENT_FETCH_RETRIES = 2
    portal_files.files["/f/ds.pdf"] = PDF
    portal_files.failures["/f/ds.pdf"] = 5
    store_dossier_page(office=offices["01"], items=[_item(CODE, [("ds.pdf", "/f/ds.pdf")])])
    paper = Attachment.objects.get(dossier__code=CODE)
    first = services.portal_paper_fetch(paper.pk)
    assert first.status == "retry" and first.retry_in == settings.ATTACHMENT_FETCH_BACKOFF
    paper.refresh_from_db()
    assert paper.fetch_status == "pending" and paper.attempts == 1 and paper.next_attempt_at is not None
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", args=[CODE])).content.decode()
    assert "Đang chờ tải" in page and "sẽ thử lại" in page and "HTTP 503" in page
    second = services.portal_paper_fetch(paper.pk)
    assert second.retry_in == 2 * settings.ATTACHMENT_FETCH_BACKOFF  # the back-off doubles
    assert services.portal_paper_fetch(paper.pk).status == "failed"  # retries used up
    page = client.get(reverse("cases:detail", args=[CODE])).content.decode()
    assert "Không tải được" in page and "Tải lại" in page
    assert DossierEvent.objects.filter(dossier__code=CODE, action="attach-failed").count() == 1
    # The officer asks again once the portal is back: fetched.
    portal_files.failures["/f/ds.pdf"] = 0
    response = client.post(reverse("attachments:retry", args=[CODE, paper.pk]))
    assert response.status_code == 302
    assert services.portal_paper_fetch(paper.pk).status == "fetched"
    paper.refresh_from_db()
    assert paper.fetch_status == "fetched" and paper.sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_failing_portal_is_retried_by_the_worker_until_the_file_comes(portal_files, offices, after_commit):
    portal_files.files["/f/ds.pdf"] = PDF
    portal_files.failures["/f/ds.pdf"] = 2
    dossier = _pull(offices, after_commit, ("ds.pdf", "/f/ds.pdf"))
    paper = _papers(dossier)["ds.pdf"]
    assert paper.fetch_status == "fetched" and paper.attempts == 3 and portal_files.hits["/f/ds.pdf"] == 3


def test_a_re_pulled_dossier_registers_its_papers_once(portal_files, offices, after_commit):
    portal_files.files["/f/ds.pdf"] = PDF
    dossier = _pull(offices, after_commit, ("ds.pdf", "/f/ds.pdf"))
    _pull(offices, after_commit, ("ds.pdf", "/f/ds.pdf"))
    assert Attachment.objects.filter(dossier=dossier).count() == 1 and portal_files.hits["/f/ds.pdf"] == 1


def test_the_due_sweep_fetches_papers_whose_message_was_lost(portal_files, offices, settings):
    from django.utils import timezone

    from attachments.tasks import fetch_due_papers
    from bhxh_portal.celery import app

    portal_files.files["/f/ds.pdf"] = PDF
    store_dossier_page(office=offices["01"], items=[_item(CODE, [("ds.pdf", "/f/ds.pdf")])])  # never committed
    Attachment.objects.update(next_attempt_at=timezone.now() - timezone.timedelta(minutes=10))
    app.conf.task_always_eager = True
    try:
        assert fetch_due_papers() == 1
    finally:
        app.conf.task_always_eager = False
    assert Attachment.objects.get().fetch_status == "fetched"


def test_without_a_configured_portal_nothing_is_fetched_and_the_paper_waits(offices, settings, media):
    settings.NATIONAL_PORTAL_URL = None
    store_dossier_page(office=offices["01"], items=[_item(CODE, [("ds.pdf", "/f/ds.pdf")])])
    paper = Attachment.objects.get()
    outcome = services.portal_paper_fetch(paper.pk)
    paper.refresh_from_db()
    assert outcome.status == "retry" and paper.fetch_status == "pending"
    assert paper.last_error_code == "ATTACHMENT_PORTAL_NOT_CONFIGURED"


def test_fetch_health_counts_waiting_and_failed_papers_per_office(portal_files, offices, after_commit):
    from attachments.selectors import fetch_health

    portal_files.files["/f/ok.pdf"] = PDF
    _pull(offices, after_commit, ("ok.pdf", "/f/ok.pdf"), ("gone.pdf", "/f/gone.exe"))
    Attachment.objects.filter(name="gone.pdf").update(fetch_status="failed")
    store_dossier_page(office=offices["01"], items=[_item("000.00.01.G13-200518-0102", [("w.pdf", "/f/w.pdf")])])
    health = fetch_health(office_ids=[offices["01"].pk, offices["79"].pk])
    assert {k: health[offices["01"].pk][k] for k in ("pending", "failed")} == {"pending": 1, "failed": 1}
    assert health[offices["01"].pk]["oldest_pending"] is not None and offices["79"].pk not in health


def test_the_sync_page_shows_each_offices_papers_waiting_and_failed(portal_files, offices, after_commit, client,
                                                                     cast):
    """Issue 11: the sync page lists, per office, the applicants' papers still to fetch and those that failed."""
    portal_files.files["/f/ok.pdf"] = PDF
    _pull(offices, after_commit, ("ok.pdf", "/f/ok.pdf"), ("gone.pdf", "/f/gone.exe"))
    Attachment.objects.filter(name="gone.pdf").update(fetch_status="failed")
    store_dossier_page(office=offices["01"], items=[_item("000.00.01.G13-200518-0102", [("w.pdf", "/f/w.pdf")])])
    client.force_login(cast["director_hn"])
    page = client.get(reverse("portal:health")).content.decode()
    row = page.split(f'<span class="muted">{offices["01"].agency_code}</span>', 1)[1].split("</tr>", 1)[0]
    assert "1 chờ tải, 1 lỗi" in row.split('class="papers">', 1)[1] and "chờ lâu nhất" in row
