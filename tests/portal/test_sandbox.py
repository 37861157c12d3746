"""The sandbox itself speaks the contract: envelope, dstcode, control endpoint, lookup, the page of pushes."""
import requests

from portal.client import PortalClient

from .conftest import HANOI


def _post(sandbox, path, body, dstcode="BHXH"):
    headers = {"dstcode": dstcode} if dstcode else {}
    return requests.post(sandbox.url + path, json=body, headers=headers, timeout=5).json()


def test_missing_dstcode_is_refused(sandbox):
    assert _post(sandbox, "/auth", {"username": "bhxh", "password": "bhxh"}, dstcode=None)["error_code"] == "403"


def test_unknown_service(sandbox):
    session = _post(sandbox, "/auth", {"username": "bhxh", "password": "bhxh"})["session"]
    reply = _post(sandbox, "/integration", {"session": session, "madonvi": HANOI, "service": "Khac"})
    assert reply["error_code"] == "404"


def test_control_endpoint_and_generated_stream(sandbox):
    assert _post(sandbox, "/_control", {"action": "dataset", "madonvi": HANOI, "dossiers": 7})["error_code"] == 0
    assert _post(sandbox, "/_control", {"action": "fault", "kind": "busy"})["error_code"] == 0
    assert _post(sandbox, "/_control", {"action": "nope"})["error_code"] == "400"
    client = PortalClient(sandbox.url, backoff=0.01)
    items = client.list_dossiers(HANOI, tungay="20200101000000", trang=1, sobanghi=5)
    more = client.list_dossiers(HANOI, tungay="20200101000000", trang=2, sobanghi=5)
    assert len(items) == 5 and len(more) == 2
    assert [i["MaHoSo"] for i in items][:2] == [f"{HANOI}-200601-0001", f"{HANOI}-200601-0002"]
    since = client.list_dossiers(HANOI, tungay=items[3]["NgayNopHoSo"], trang=1, sobanghi=50)
    assert since[0] == items[3] and len(since) == 4  # tungay is inclusive, oldest first
    assert client.lookup_dossier(HANOI, items[4]["MaHoSo"]) == items[4]
    assert client.lookup_dossier(HANOI, f"{HANOI}-200601-0099") is None


def test_page_of_received_pushes(sandbox):
    client = PortalClient(sandbox.url)
    client.push_pakn_answers(HANOI, [{"MaPAKN": "PAKN.1", "NoiDungTraLoi": "Đã trả lời", "CongKhai": 1}])
    page = requests.get(sandbox.url + "/", timeout=5)
    assert page.status_code == 200 and "DongBoKetQuaPAKN" in page.text and "PAKN.1" in page.text
    assert "Đã nhận" in page.text
    assert requests.get(sandbox.url + "/_state", timeout=5).json()["pushes"][0]["service"] == "DongBoKetQuaPAKN"


def test_invalid_items_now_and_then():
    every = 7
    from portal.sandbox import Stream

    stream = Stream("dossier", 600, invalid_every=every)
    bad = [stream.item(HANOI, i) for i in range(every - 1, 4 * every, every)]
    assert len(bad[0]["SoDienThoai"]) == 6
    assert bad[1]["NgayNopHoSo"][4] == "-" and bad[2]["MaTTHC"] == "9.999999" and bad[3]["TrangThaiHoSo"] == 99


def test_files_are_served_for_tailieunop_links(sandbox):
    reply = requests.get(sandbox.url + "/files/000.00.01.G13-200518-0001/ds.pdf", timeout=5)
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/pdf"
    assert reply.content.startswith(b"%PDF-1.4") and reply.content.rstrip().endswith(b"%%EOF")
    sandbox.file("/files/x/big.pdf", content=b"%PDF-", size=2048)
    assert len(requests.get(sandbox.url + "/files/x/big.pdf", timeout=5).content) == 2048
    _post(sandbox, "/_control", {"action": "file", "path": "/files/x/fake.pdf", "content": "MZ not a pdf",
                                 "content_type": "application/pdf"})
    assert requests.get(sandbox.url + "/files/x/fake.pdf", timeout=5).content == b"MZ not a pdf"
    assert requests.get(sandbox.url + "/nothing", timeout=5).status_code == 404


def test_the_portal_changes_a_status_on_its_side_and_reports_what_it_received(sandbox):
    client = PortalClient(sandbox.url, backoff=0.01)
    sandbox.dataset(HANOI, dossiers=3)
    code = client.list_dossiers(HANOI, tungay="20200101000000", trang=1, sobanghi=5)[1]["MaHoSo"]
    page = requests.post(sandbox.url + "/_status", data={"MaHoSo": code, "TrangThaiHoSo": "7"}, timeout=5)
    assert page.status_code == 200 and code in page.text and "Thay đổi trạng thái" in page.text
    assert client.lookup_dossier(HANOI, code)["TrangThaiHoSo"] == 7
    assert client.list_dossiers(HANOI, tungay="20200101000000", trang=1, sobanghi=5)[1]["TrangThaiHoSo"] == 7
    client.sync_dossiers(HANOI, [{"MaHoSo": code, "TrangThaiHoSo": 2}], updating=False)
    client.update_progress(HANOI, [{"MaHoSo": code, "TrangThai": 4}])
    assert [(service, status) for _, service, _, status in sandbox.received(code)] == \
        [("DongBoHoSoMC", 2), ("CapNhatTienDoHoSoMC", 4)]
    assert client.lookup_dossier(HANOI, code)["TrangThaiHoSo"] == 7  # the portal's own change stands
    assert requests.get(sandbox.url + "/_state", timeout=5).json()["statuses"] == {code: 7}
    sandbox.status(code, None)
    assert client.lookup_dossier(HANOI, code)["TrangThaiHoSo"] == 2
