"""The papers kept in an S3-compatible store through django-storages (ATTACHMENTS_S3_* settings): a real S3 API
server (moto's, started as a subprocess on a free loopback port) receives the desk upload and serves it back."""
import socket
import subprocess
import sys
import time

import pytest
import requests

from .conftest import PDF, read, upload

pytestmark = pytest.mark.django_db
BUCKET = "bhxh-papers"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_server():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(url, timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.05)
        else:
            pytest.fail("moto's S3 server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_papers_are_stored_in_and_served_from_an_s3_compatible_store(s3_server, settings, receive, cast, as_user):
    import boto3

    from bhxh_portal.settings import s3_storage

    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=s3_server, **keys).create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(
        bucket=BUCKET, endpoint=s3_server, access_key="test", secret_key="test", region="us-east-1", prefix="hs")}
    dossier = receive()
    api = as_user(cast["reception_hn"])
    row = api.post(f"/api/v1/dossiers/{dossier.code}/attachments/", {"file": upload("so.pdf", PDF), "document": "0"},
                   format="multipart").json()
    objects = boto3.client("s3", endpoint_url=s3_server, **keys).list_objects_v2(Bucket=BUCKET)["Contents"]
    assert len(objects) == 1 and objects[0]["Key"].startswith(f"hs/attachments/{dossier.pk}/")
    assert objects[0]["Size"] == len(PDF)
    response = api.get(row["url"])
    assert response.status_code == 200 and read(response) == PDF and response["Content-Type"] == "application/pdf"
