"""portal.client against the live sandbox: log-in and session reuse, re-login on "401", retries on network
errors, 5xx and busy replies, failures in plain Vietnamese (CONTRACTS.md §2)."""
import pytest

from portal.client import PortalClient, PortalError

from .conftest import HANOI

SINCE = "20200101000000"


def _auth_calls(sandbox):
    return [c for c in sandbox.state()["calls"] if c["path"] == "/auth"]


def _list(client):
    return client.list_dossiers(HANOI, tungay=SINCE, trang=1)


def test_session_is_logged_in_once_and_reused_across_clients(sandbox, portal_client):
    _list(portal_client)
    _list(portal_client)
    _list(PortalClient(sandbox.url))  # another worker: the session comes from the cache
    assert len(_auth_calls(sandbox)) == 1


def test_every_call_carries_the_dstcode_header(sandbox, settings):
    settings.NATIONAL_PORTAL_DSTCODE = "BHXH-TEST"
    _list(PortalClient(sandbox.url))
    calls = sandbox.state()["calls"]
    assert calls and {c["dstcode"] for c in calls} == {"BHXH-TEST"}


def test_expired_session_logs_in_again_once_and_succeeds(sandbox, portal_client):
    sandbox.dataset(HANOI, dossiers=3)
    _list(portal_client)
    sandbox.fault("expire")
    assert len(_list(portal_client)) == 3
    assert len(_auth_calls(sandbox)) == 2
    codes = [c["error_code"] for c in sandbox.state()["calls"] if c["path"] == "/integration"]
    assert codes == [0, "401", 0]


def test_server_error_then_success(sandbox, portal_client):
    sandbox.dataset(HANOI, dossiers=2)
    sandbox.fault("http500")
    assert len(_list(portal_client)) == 2


def test_busy_then_success(sandbox, portal_client):
    sandbox.dataset(HANOI, dossiers=2)
    sandbox.fault("busy", times=2)
    assert len(_list(portal_client)) == 2
    codes = [c["error_code"] for c in sandbox.state()["calls"] if c["path"] == "/integration"]
    assert codes == ["-1", "-1", 0]


def test_retries_give_up_with_a_vietnamese_message(sandbox):
    client = PortalClient(sandbox.url, retries=2, backoff=0.01)
    sandbox.fault("busy", times=5)
    with pytest.raises(PortalError) as exc:
        _list(client)
    assert "đang bận" in str(exc.value)
    assert len([c for c in sandbox.state()["calls"] if c["path"] == "/integration"]) == 3


def test_non_json_reply_is_a_failure_without_retry(sandbox, portal_client):
    sandbox.fault("garbage")
    with pytest.raises(PortalError) as exc:
        _list(portal_client)
    assert "không phải JSON" in str(exc.value)
    assert len([c for c in sandbox.state()["calls"] if c["path"] == "/integration"]) == 1


def test_time_out_is_retried(sandbox):
    sandbox.dataset(HANOI, dossiers=1)
    sandbox.fault("stall", seconds=1.5)
    client = PortalClient(sandbox.url, timeout=0.5, retries=1, backoff=0.01)
    assert len(_list(client)) == 1


def test_unreachable_portal_is_a_failure(db):
    client = PortalClient("http://127.0.0.1:9", retries=1, backoff=0.01, timeout=1)
    with pytest.raises(PortalError) as exc:
        _list(client)
    assert "Không kết nối được" in str(exc.value)


def test_other_error_codes_fail_at_once(sandbox, portal_client):
    sandbox.script("LayDanhSachHoSo", reply={"error_code": "99", "message": "Sai tham số", "result": []})
    with pytest.raises(PortalError) as exc:
        _list(portal_client)
    assert "Sai tham số" in str(exc.value) and exc.value.code == "99"


@pytest.mark.parametrize("code", [0, "0", "00"])
def test_success_codes(sandbox, portal_client, code):
    sandbox.script("LayDanhSachHoSo", reply={"error_code": code, "message": "", "result": [{"MaHoSo": "x"}]})
    assert _list(portal_client) == [{"MaHoSo": "x"}]


def test_wrong_password_is_a_failure(sandbox):
    with pytest.raises(PortalError):
        PortalClient(sandbox.url, password="sai", retries=0).login()
