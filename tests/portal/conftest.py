"""A live contract server (portal.sandbox) on a free loopback port for every portal test: the client talks real
HTTP to it; nothing of our own is mocked."""
import json
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings

FIXTURES = Path(django_settings.BASE_DIR) / "fixtures" / "national_portal"
HANOI = "000.00.01.G13"


def fixture_items(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["result"]


@pytest.fixture
def sandbox(settings):
    """An empty portal (no generated stream unless a test asks for one) wired into the settings."""
    from portal.sandbox import Sandbox

    box = Sandbox(backlog=0, pakn_backlog=0, interval=600)
    # As box.serve(), with a short poll interval: shutdown() waits for the serving loop to notice, which
    # with the default 0.5 s was half a second of every portal test.
    httpd = box.server()
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, name=box.thread_name,
                     daemon=True).start()
    box.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    settings.NATIONAL_PORTAL_URL = box.url
    settings.NATIONAL_PORTAL_BACKOFF = 0.01
    settings.NATIONAL_PORTAL_TIMEOUT = 5
    yield box
    box.release()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def portal_client(sandbox):
    from portal.client import PortalClient

    return PortalClient(sandbox.url, backoff=0.01)


@pytest.fixture
def catalogue(procedures):
    """The procedure catalogue (built once per session, see tests/conftest.py)."""
    return procedures


@pytest.fixture
def hanoi(offices, catalogue):
    return offices["01"]
