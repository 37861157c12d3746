"""What the local stand-ins of outside systems (national portal, SMS/Zalo gateways) share: a threaded HTTP
server on loopback, started in a daemon thread, and a quiet handler that answers JSON or HTML."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    """Mixin of a stand-in: `serve()` starts it in a daemon thread and sets `.url`."""

    thread_name = "stand-in"

    def handler_class(self) -> type:
        raise NotImplementedError

    def server(self, host="127.0.0.1", port=0) -> ThreadingHTTPServer:
        handler = type("Handler", (self.handler_class(),), {"sandbox": self})
        httpd = ThreadingHTTPServer((host, port), handler)
        httpd.daemon_threads = True
        return httpd

    def serve(self, host="127.0.0.1", port=0):
        """Start in a daemon thread; returns the server (`.server_address`, `.shutdown()`); sets `.url`."""
        httpd = self.server(host, port)
        threading.Thread(target=httpd.serve_forever, name=self.thread_name, daemon=True).start()
        self.url = f"http://{host}:{httpd.server_address[1]}"
        return httpd


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sandbox = None  # set by LoopbackServer.server()

    def log_message(self, fmt, *args):  # quiet: the stand-in's own page shows what matters
        pass

    def _send(self, status, body, content_type="application/json; charset=utf-8"):
        """bytes as they are, str as HTML, anything else as JSON."""
        if isinstance(body, str):
            data, content_type = body.encode(), "text/html; charset=utf-8"
        elif isinstance(body, bytes):
            data = body
        else:
            data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the caller gave up (time-out) or was killed
            self.close_connection = True
