"""The sandbox serves the papers of the dossiers it hands out (TaiLieuNop), so a pull against it fetches them:
the whole loop of `make run` (issue 11, papers in)."""
import pytest
from pypdf import PdfReader

from attachments.models import Attachment
from cases.models import Dossier
from portal import services
from portal.models import Kind
from portal.sandbox_files import paper

from .conftest import HANOI

pytestmark = pytest.mark.django_db


def test_a_pull_from_the_sandbox_fetches_each_dossiers_papers(sandbox, hanoi, settings, tmp_path, after_commit):
    settings.MEDIA_ROOT = str(tmp_path)
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json", madonvi=HANOI)
    with after_commit():
        services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    dossiers = Dossier.objects.filter(office=hanoi)
    papers = Attachment.objects.filter(dossier__in=dossiers)
    assert dossiers.count() == 5 and papers.count() == 5
    assert set(papers.values_list("fetch_status", "content_type")) == {("fetched", "application/pdf")}
    first = papers.get(portal_file_id="000.00.01.G13-200518-0001-1")
    with first.file.open("rb") as fh:
        assert "000.00.01.G13-200518-0001" in PdfReader(fh).pages[0].extract_text()


def test_the_sandbox_serves_only_paper_paths():
    assert paper("/files/000.00.01.G13-200518-0001/ds.pdf").startswith(b"%PDF-1.4")
    assert paper("/files/../../etc/passwd") is None and paper("/other") is None
