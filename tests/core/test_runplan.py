"""`make run` decides which local stand-ins to start by reading .env the way the settings read it
(bhxh_portal.runplan), never by letting make parse .env."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_VARIABLES = {"SMS_GATEWAY_URL", "SMS_API_KEY", "SMS_SECRET_KEY", "ZALO_ZNS_URL", "ZALO_OAUTH_URL",
                     "ZALO_APP_ID", "ZALO_SECRET_KEY", "ZALO_REFRESH_TOKEN"}


def run_plan(tmp_path, text, **env):
    """`python -m bhxh_portal.runplan --print` with `text` as the .env file; returns (rc, plan or output)."""
    path = tmp_path / "run.env"
    path.write_text(text, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items()
             if k not in {"NATIONAL_PORTAL_URL", "SMS_GATEWAY_URL", "PORT", "SANDBOX_PORT", "GATEWAY_SANDBOX_PORT"}}
    clean.update(ENV_FILE=str(path), **env)
    proc = subprocess.run([sys.executable, "-m", "bhxh_portal.runplan", "--print"], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60)
    if proc.returncode:
        return proc.returncode, proc.stdout + proc.stderr
    return 0, json.loads(proc.stdout)


def test_nothing_configured_starts_both_stand_ins(tmp_path):
    rc, plan = run_plan(tmp_path, "# nothing but a comment\n")
    assert rc == 0, plan
    assert plan["processes"] == ["web", "worker", "beat", "sandbox", "gateways"]
    assert plan["environment"]["NATIONAL_PORTAL_URL"] == "http://127.0.0.1:8765"
    assert plan["environment"]["SMS_GATEWAY_URL"] == "http://127.0.0.1:8767"
    assert GATEWAY_VARIABLES <= set(plan["environment"])
    assert plan["environment"]["PORT"] == "8000"


def test_configured_portal_and_gateway_start_no_stand_in_whatever_their_values_hold(tmp_path):
    """`#` and `$` in values: make would have cut the line at `#` and expanded `$$`; the settings keep both."""
    rc, plan = run_plan(tmp_path, "# the real portal\n"
                                  "NATIONAL_PORTAL_URL=https://dichvucong.gov.vn/api\n"
                                  "NATIONAL_PORTAL_PASSWORD=pa$$w#rd\n"
                                  "SMS_GATEWAY_URL=https://sms.example.vn/#/send\n"
                                  "SMS_API_KEY=k$ey\nSMS_SECRET_KEY=s#ecret\n"
                                  "PORT=9000\n")
    assert rc == 0, plan
    assert plan["processes"] == ["web", "worker", "beat"]
    assert plan["environment"] == {"PORT": "9000", "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
                                   "CSRF_COOKIE_SECURE": "false",  # runserver speaks plain HTTP
                                   "PUBLIC_BASE_URL": "http://127.0.0.1:9000"}


def test_only_the_portal_configured_starts_the_gateway_stand_in_on_the_given_port(tmp_path):
    rc, plan = run_plan(tmp_path, "NATIONAL_PORTAL_URL=https://dichvucong.gov.vn/api\n",
                        GATEWAY_SANDBOX_PORT="9767")
    assert rc == 0, plan
    assert plan["processes"] == ["web", "worker", "beat", "gateways"]
    assert plan["environment"]["SMS_GATEWAY_URL"] == "http://127.0.0.1:9767"
    assert "NATIONAL_PORTAL_URL" not in plan["environment"]


@pytest.mark.parametrize("line", ["NATIONAL_PORTAL_URL=https://dichvucong.gov.vn/api   # the real one",
                                  "NATIONAL_PORTAL_URL = https://dichvucong.gov.vn/api"])
def test_a_misread_line_stops_make_run_before_anything_starts(tmp_path, line):
    rc, out = run_plan(tmp_path, line + "\n")
    assert rc != 0
    assert "ImproperlyConfigured" in out


def test_the_makefile_does_not_parse_env():
    makefile = (ROOT / "Makefile").read_text()
    assert "include .env" not in makefile
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "-m bhxh_portal.runplan" in run and "honcho" not in run


def test_honcho_gets_the_computed_environment_and_does_not_read_env_again(monkeypatch, settings):
    from bhxh_portal import runplan

    calls = []
    monkeypatch.setattr(runplan.os, "execve", lambda path, argv, env: calls.append((path, argv, env)))
    monkeypatch.setattr(runplan.os, "chdir", lambda path: None)
    monkeypatch.setattr("bhxh_portal.settings.NATIONAL_PORTAL_URL", None)
    monkeypatch.setattr("bhxh_portal.settings.SMS_GATEWAY_URL", "https://sms.example.vn")
    runplan.main([])
    (path, argv, env), = calls
    assert Path(path).name == "honcho"
    assert argv[1:] == ["start", "-e", os.devnull, "-f", "Procfile", "web", "worker", "beat", "sandbox"]
    assert env["NATIONAL_PORTAL_URL"] == "http://127.0.0.1:8765"


def test_make_run_gives_qr_codes_and_message_links_its_own_host_and_port(tmp_path):
    """Issue 12: the receipt's QR pointed at http://127.0.0.1:8000 whatever the port."""
    rc, plan = run_plan(tmp_path, "PORT=9123\n")
    assert rc == 0, plan
    assert plan["environment"]["PUBLIC_BASE_URL"] == "http://127.0.0.1:9123"
    rc, plan = run_plan(tmp_path, "PORT=9123\nPUBLIC_BASE_URL=https://motcua.baohiemxahoi.gov.vn\n")
    assert rc == 0, plan
    assert "PUBLIC_BASE_URL" not in plan["environment"]  # a configured address wins
