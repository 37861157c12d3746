"""Private services for the fault drills, each on a free loopback port in a temporary folder, started and stopped
by the test — never the machine's own PostgreSQL or Redis: a private `redis-server`, a private PostgreSQL cluster
(initdb/pg_ctl, as the `postgres` OS user when run as root), and our web application under gunicorn."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.workers import ROOT, app_environment, free_port, wait_for


def _binary(pattern: str) -> str | None:
    found = sorted(glob.glob(pattern))
    return found[-1] if found else None


REDIS_SERVER = shutil.which("redis-server")
PG_BIN = os.path.dirname(_binary("/usr/lib/postgresql/*/bin/initdb") or "") or None


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, 10, "the private redis-server")

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class PrivatePostgres:
    """A throw-away cluster: `initdb` in a temporary folder, trust authentication, fsync off, on a free port."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="bhxh-drill-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.as_postgres = os.geteuid() == 0  # PostgreSQL refuses to run as root
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
                  "--locale=C.UTF-8")
        self.start()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/bhxh"

    def _run(self, program, *args, check=True):
        command = [os.path.join(PG_BIN, program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=60)

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30", "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop", check=False)

    def psql(self, sql: str, database="bhxh") -> str:
        return self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                         "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql).stdout.strip()

    def copy_of(self, source_url: str):
        """Create database `bhxh` as a copy of `source_url` (schema and rows: the test database's reference data)."""
        self.psql("CREATE DATABASE bhxh", database="postgres")
        dump = subprocess.run([os.path.join(PG_BIN, "pg_dump"), "--no-owner", "--no-privileges", source_url],
                              check=True, capture_output=True, timeout=120)
        command = [os.path.join(PG_BIN, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d",
                   "bhxh", "-q", "-v", "ON_ERROR_STOP=1"]
        subprocess.run(command, input=dump.stdout, check=True, capture_output=True, timeout=120)

    def remove(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class WebServer:
    """Our application under gunicorn (one worker, a few threads), as docker-compose runs it."""

    def __init__(self, log_dir: Path, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / "gunicorn.log"
        self.output = open(log_dir / "web.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "bhxh_portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--threads", "4", "--timeout", "60", "--error-logfile", str(self.log)],
            cwd=ROOT, env=app_environment(ALLOWED_HOSTS="127.0.0.1", **env), stdout=self.output,
            stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self._up, 60, "gunicorn to answer")

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.log.read_text(errors='replace')[-3000:]}")
        try:
            urllib.request.urlopen(self.url + "/api/v1/offices/", timeout=2)
        except urllib.error.HTTPError:
            return True  # it answers (401/403 without a login)
        except OSError:
            return False
        return True

    def request(self, method, path, body=None, headers=None, timeout=30):
        """(status, parsed JSON or text, headers, seconds taken) of one HTTP call."""
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                status, raw, answer_headers = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            status, raw, answer_headers = error.code, error.read(), error.headers
        taken = time.monotonic() - started
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode(errors="replace")
        return status, parsed, answer_headers, taken

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.output.close()


def pbkdf2(password: str) -> str:
    """The hash the production settings verify (the test settings use a fast MD5 hasher, which they do not)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    return PBKDF2PasswordHasher().encode(password, "faultdrillsalt")
