"""A real streaming replica (issue 14), built by the compose profile's own scripts: a private primary cluster is
prepared by `deploy/postgres/init-replication.sh`, a second cluster is cloned from it and started as a hot standby
by `deploy/postgres/start-replica.sh` (pg_basebackup -R, then WAL streaming), and the portal runs under gunicorn
with DATABASE_URL on the primary and REPORTS_DATABASE_URL on the standby — what `COMPOSE_PROFILES=postgres-replica
docker compose up` starts, without Docker.

What it proves: the dashboard is read from the standby (with the standby's replay paused, a dossier received on the
primary is on the officer's list at once and on the director's dashboard only once replay resumes), the standby
refuses writes, and the primary streams to it."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.cases.test_api import INTAKE
from tests.workers import ROOT, database_url, free_port, wait_for

from .servers import PG_BIN, WebServer, pbkdf2

pytestmark = [pytest.mark.faults, pytest.mark.postgres]
PASSWORD = "replica-Passw0rd-2026"
SCRIPTS = ROOT / "deploy" / "postgres"


class Standby:
    """start-replica.sh as the compose service runs it, on a free port, as the `postgres` OS user under root."""

    def __init__(self, primary):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="bhxh-replica-pg-"))
        self.data = self.dir / "data"
        self.data.mkdir()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            for path in (self.dir, self.data):
                shutil.chown(path, "postgres", "postgres")
        env = _env(PGDATA=str(self.data), PRIMARY_HOST="127.0.0.1", PRIMARY_PORT=str(primary.port),
                   REPLICATION_USER="replicator", REPLICATION_PASSWORD=PASSWORD)
        options = ["-p", str(self.port), "-k", str(self.dir), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        self.log = open(self.dir / "standby.log", "wb")  # noqa: SIM115 - closed in stop()
        with open(SCRIPTS / "start-replica.sh", "rb") as script:  # read by us: the checkout may be closed to others
            self.proc = subprocess.Popen(_as_postgres(self.as_postgres, ["bash", "-s", "--", *options], env),
                                         stdin=script, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/bhxh"
        wait_for(self._in_recovery, 60, "the standby to stream")

    def psql(self, sql: str) -> subprocess.CompletedProcess:
        return subprocess.run([os.path.join(PG_BIN, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                               "postgres", "-d", "bhxh", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              capture_output=True, text=True, timeout=30)

    def _in_recovery(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError("the standby exited:\n" + (self.dir / "standby.log").read_text(errors="replace"))
        return self.psql("SELECT pg_is_in_recovery()").stdout.strip() == "t"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # smart shutdown of the postmaster the script exec'd
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _env(**extra) -> dict:
    return {"PATH": f"{PG_BIN}:/usr/bin:/bin", "LANG": "C.UTF-8", **extra}


def _as_postgres(as_postgres: bool, command: list[str], env: dict) -> list[str]:
    command = ["env", "-i", *[f"{k}={v}" for k, v in env.items()], *command]
    return ["runuser", "-u", "postgres", "--", *command] if as_postgres else command


def _init_replication(primary):
    """The primary's init script (docker-entrypoint-initdb.d in compose), then a reload for its pg_hba line."""
    env = _env(POSTGRES_USER="postgres", POSTGRES_DB="bhxh", PGDATA=str(primary.data), PGHOST="127.0.0.1",
               PGPORT=str(primary.port), REPLICATION_PASSWORD=PASSWORD)
    with open(SCRIPTS / "init-replication.sh", "rb") as script:
        subprocess.run(_as_postgres(primary.as_postgres, ["bash", "-s"], env), stdin=script, check=True,
                       capture_output=True, timeout=60)
    primary._run("pg_ctl", "-D", str(primary.data), "reload")


@pytest.mark.django_db
def test_the_dashboard_reads_a_streaming_standby_cloned_by_the_compose_scripts(private_postgres, tmp_path):
    primary = private_postgres
    primary.copy_of(database_url())  # the schema and the reference data of the test database
    for username in ("tiepnhan.hn", "giamdoc.hn"):
        primary.psql(f"UPDATE core_user SET password = '{pbkdf2(PASSWORD)}' WHERE username = '{username}'")
    _init_replication(primary)
    assert primary.psql("SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'") == "t"
    standby = Standby(primary)
    web = None
    try:
        assert primary.psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == "1"
        refused = standby.psql("CREATE TABLE written_on_the_standby (id int)")
        assert refused.returncode != 0 and "read-only transaction" in refused.stderr

        web = WebServer(tmp_path, DATABASE_URL=primary.url, REPORTS_DATABASE_URL=standby.url,
                        CELERY_BROKER_URL="memory://", REDIS_URL="")
        tokens = {}
        for username in ("tiepnhan.hn", "giamdoc.hn"):
            status, body, *_ = web.request("POST", "/api/v1/auth/token/", {"username": username, "password": PASSWORD})
            assert status == 200, body
            tokens[username] = {"Authorization": f"Token {body['token']}"}

        def dashboard_open() -> int:
            status, body, *_ = web.request("GET", "/api/v1/dashboard/", headers=tokens["giamdoc.hn"])
            assert status == 200, body
            return body["tiles"]["open"]

        def listed() -> int:
            status, body, *_ = web.request("GET", "/api/v1/dossiers/?status=received", headers=tokens["giamdoc.hn"])
            assert status == 200, body
            return body["count"]

        before, on_list = dashboard_open(), listed()
        assert standby.psql("SELECT pg_wal_replay_pause()").returncode == 0
        status, body, *_ = web.request("POST", "/api/v1/dossiers/", INTAKE, tokens["tiepnhan.hn"])
        assert status == 201, body
        assert listed() == on_list + 1  # the list: the primary
        assert dashboard_open() == before  # the dashboard: the standby, its replay paused
        assert standby.psql("SELECT pg_wal_replay_resume()").returncode == 0
        wait_for(lambda: dashboard_open() == before + 1, 30, "the standby to replay the intake")
    finally:
        if web:
            web.stop()
        standby.stop()
