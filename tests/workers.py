"""Helpers of the tests that run real processes: Celery workers on Redis (one per queue, as docker-compose runs
them), a misbehaving national portal, free ports and bounded waits."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict=None) -> str:
    """The URL of a Django connection's database (the test database by default)."""
    if settings_dict is None:
        from django.db import connection

        settings_dict = connection.settings_dict
    auth = quote(settings_dict["USER"] or "") + (":" + quote(settings_dict["PASSWORD"])
                                                 if settings_dict["PASSWORD"] else "")
    return (f"postgres://{auth}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/"
            f"{settings_dict['NAME']}")


def app_environment(**extra) -> dict:
    """The environment of a process of ours (worker, web server) reading the production settings module."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bhxh_portal.settings", "ENV_FILE": str(ROOT / "var" / "no.env"),
           "SECRET_KEY": "fd-3k9QzT7pLw2xV8nR4mB6cJ1hY5sG0aE-uN_oI9tK2qW7eZ4rX8vC3bM6nL1pA", "DEBUG": "false",
           "LOG_LEVEL": "WARNING",
           # plain HTTP on 127.0.0.1, as `make run` (the production defaults redirect to HTTPS)
           "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
           # the drills run at any hour: a citizen's SMS is never held for the morning here (as in the test settings)
           "CITIZEN_MESSAGE_HOURS": "00:00-23:59",
           # the slips the applicant's e-mails attach are sealed with a throw-away TEST key, as in the test settings
           "SIGNING_DEMO_KEYS_ON_DEMAND": "true", "SIGNING_DIR": str(ROOT / "var" / "test-signing")}
    env.pop("TEST_DATABASE_URL", None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Worker:
    """`celery worker -Q <queues>` as its own process group, logging to a file; `ready()` waits for it."""

    def __init__(self, queues: str, log_dir: Path, *, pool="solo", concurrency=1, beat=False, **env):
        self.name = queues.replace(",", "-")
        self.log = log_dir / f"worker-{self.name}.log"
        command = [sys.executable, "-m", "celery", "-A", "bhxh_portal", "worker", "-Q", queues,
                   "-n", f"{self.name}-{os.getpid()}@%h", f"--pool={pool}", f"--concurrency={concurrency}",
                   "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO", "-f", str(self.log)]
        if beat:
            command += ["-B", "-s", str(log_dir / f"beat-{self.name}")]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=app_environment(**env), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def ready(self, timeout=60):
        wait_for(lambda: " ready." in self.output() or self.proc.poll() is not None, timeout, f"worker {self.name}")
        assert self.proc.poll() is None, f"worker {self.name} exited:\n{self.output()[-3000:]}"
        return self

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


def producer(broker_url: str):
    """A Celery client publishing as the web process does: the routes of the settings pick each task's queue."""
    from celery import Celery
    from django.conf import settings

    app = Celery("producer", broker=broker_url)
    app.conf.task_routes = settings.CELERY_TASK_ROUTES
    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    return app


def purge(redis_url: str, *queues: str):
    import redis

    client = redis.Redis.from_url(redis_url)
    # Also what killed workers left unacknowledged (kombu restores it to its queue after the visibility time-out).
    client.delete(*queues, "unacked", "unacked_index", "unacked_mutex")
    client.close()


class MisbehavingPortal:
    """A national portal that answers every call after `delay` seconds, with `body` (bytes; default a valid
    empty reply). Counts the calls it received and those it finished."""

    def __init__(self, *, delay=0.0, body=b'{"error_code": 0, "message": "", "session": "s", "result": []}',
                 content_type="application/json"):
        self.delay, self.body, self.content_type = delay, body, content_type
        self.received = self.answered = 0
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with stub.lock:
                    stub.received += 1
                time.sleep(stub.delay)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", stub.content_type)
                    self.send_header("Content-Length", str(len(stub.body)))
                    self.end_headers()
                    self.wfile.write(stub.body)
                except OSError:
                    return
                with stub.lock:
                    stub.answered += 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
