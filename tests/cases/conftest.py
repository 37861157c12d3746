import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args):
    """An aware Asia/Ho_Chi_Minh datetime: local(2025, 4, 24, 9, 0)."""
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def procedures(db):
    from cases.catalogue import load_procedures
    from cases.models import Procedure

    load_procedures()
    return {p.code: p for p in Procedure.objects.all()}


CITIZEN = {"name": "Nguyễn Văn Ánh", "kind": "citizen", "id_number": "001085012345", "phone": "0912345678",
           "email": "anh@example.vn", "address": "Cầu Giấy, Hà Nội"}


@pytest.fixture
def receive(cast, procedures):
    """receive(code="1.009020", at=None, officer="reception_hn", **applicant) → a received dossier."""
    from cases.services import dossier_receive
    from cases.validators import validate_phone

    def make(code="1.009020", at=None, officer="reception_hn", channel="direct", **applicant):
        data = {**CITIZEN, **applicant}
        data["phone"] = validate_phone(data["phone"]) if data.get("phone") else ""
        return dossier_receive(actor=cast[officer], procedure=procedures[code], applicant=data, channel=channel,
                               summary="Hồ sơ thử", received_at=at)

    return make


def run_concurrently(n, target):
    """Run target(i) in n threads released at the same moment (each with its own database connection);
    return (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def work(i):
        try:
            barrier.wait(timeout=30)
            results.append(target(i))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors
