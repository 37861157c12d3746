"""What the national-portal adapter sends (attachments.selectors.portal_papers / portal_results) and the
time-limited signed links it carries: served without an account while valid, 403 when tampered with, 410 once
expired."""
import pytest
import time_machine
from django.utils import timezone

from attachments import links, selectors, services
from attachments.models import Attachment

from .conftest import PDF, PNG, read, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(media, receive, cast):
    dossier = receive()
    return services.attachment_upload(actor=cast["reception_hn"], dossier=dossier, upload=upload("so.pdf", PDF),
                                      document="Sổ BHXH")


def _path(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_portal_papers_are_tai_lieu_nop_items_with_a_signed_link_our_portal_serves(paper, client, settings):
    items = selectors.portal_papers(paper.dossier)
    assert items == [{"TepDinhKemId": f"{paper.dossier.code}-BHXH-{paper.pk}", "TenTepDinhKem": "so.pdf",
                      "DuongDanTaiTepTin": items[0]["DuongDanTaiTepTin"]}]
    link = items[0]["DuongDanTaiTepTin"]
    assert link.startswith(settings.PUBLIC_BASE_URL.rstrip("/") + "/tep/")
    response = client.get(_path(link))  # no login: the portal has no account with us
    assert response.status_code == 200 and read(response) == PDF and response["Content-Type"] == "application/pdf"
    assert "so.pdf" in response["Content-Disposition"]


def test_a_signed_link_expires_after_its_ttl(paper, client, settings):
    settings.ATTACHMENT_LINK_TTL = 3600
    path = _path(selectors.portal_papers(paper.dossier)[0]["DuongDanTaiTepTin"])
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=59)):
        assert client.get(path).status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=61)):
        response = client.get(path)
        assert response.status_code == 410 and "hết hạn" in response.content.decode()


def test_a_tampered_or_foreign_link_is_refused(paper, client, cast, media):
    token = links.make_token(paper)
    other = services.attachment_upload(actor=cast["reception_hn"], dossier=paper.dossier,
                                       upload=upload("cccd.png", PNG, "image/png"), document="1")
    forged = token.replace(f":{paper.pk}:", f":{other.pk}:")  # another file, the same signature
    for bad in (forged, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "abc", f"p:{paper.pk}:x:y"):
        assert client.get(f"/tep/{bad}/").status_code == 403, bad
    assert client.get(f"/tep/{token}/").status_code == 200
    Attachment.objects.filter(pk=paper.pk).update(sha256="0" * 64)  # the file the link named is not this one
    assert client.get(f"/tep/{token}/").status_code == 403


def test_portal_papers_leave_out_the_portals_own_papers(paper, portal_files, offices, after_commit):
    from .test_fetch import _pull

    portal_files.files["/f/ds.pdf"] = PDF
    pulled = _pull(offices, after_commit, ("ds.pdf", "/f/ds.pdf"))
    assert Attachment.objects.get(dossier=pulled).fetch_status == "fetched"
    assert selectors.portal_papers(pulled) == []
    assert selectors.portal_results(paper.dossier) == []
