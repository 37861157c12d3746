"""A stand-in of the national portal's file host on a free loopback port (core.loopback): it serves the files a
test puts in it, can fail the first requests, redirect, or omit Content-Length; every request is counted. A
second one plays "another host"."""
import io
import threading
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.loopback import LoopbackServer, QuietHandler



def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


PDF = _pdf("Quyet dinh")  # a real, readable PDF: a result document gets the office's seal added to it
BROKEN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"  # PDF magic only
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64  # a Windows executable


class FileHost(LoopbackServer):
    thread_name = "file-host"

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.redirects: dict[str, str] = {}
        self.failures: Counter = Counter()  # path → how many next requests answer 503
        self.no_length: set[str] = set()
        self.hits: Counter = Counter()
        self.lock = threading.Lock()

    def handler_class(self):
        return FileHandler


class FileHandler(QuietHandler):
    def do_GET(self):  # noqa: N802
        box, path = self.sandbox, self.path
        with box.lock:
            box.hits[path] += 1
            failing = box.failures[path] > 0
            if failing:
                box.failures[path] -= 1
        if failing:
            return self._send(503, {"error": "busy"})
        if path in box.redirects:
            self.send_response(302)
            self.send_header("Location", box.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path not in box.files:
            return self._send(404, {"error": "not found"})
        body = box.files[path]
        if path in box.no_length:  # streamed without a declared size, the connection closed at the end
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for start in range(0, len(body), 4096):
                try:
                    self.wfile.write(body[start:start + 4096])
                except (BrokenPipeError, ConnectionResetError):
                    return None
            return None
        return self._send(200, body, content_type="application/pdf")  # the declared type is never trusted


def _serve(host: FileHost):
    httpd = host.server()
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    host.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    return httpd


@pytest.fixture
def portal_files(settings, tmp_path):
    """The national portal's host: NATIONAL_PORTAL_URL points at it; files are stored under a temporary folder."""
    host = FileHost()
    httpd = _serve(host)
    settings.NATIONAL_PORTAL_URL = host.url + "/api"
    settings.NATIONAL_PORTAL_TIMEOUT = 5
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield host
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def other_host():
    host = FileHost()
    httpd = _serve(host)
    yield host
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


__all__ = ["EXE", "JPEG", "PDF", "PNG", "io", "read", "upload"]
