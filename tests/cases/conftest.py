import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection

from tests.conftest import CITIZEN  # noqa: F401 - shared by the tests of this folder

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args):
    """An aware Asia/Ho_Chi_Minh datetime: local(2025, 4, 24, 9, 0)."""
    return datetime(*args, tzinfo=VN)


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
