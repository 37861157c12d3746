"""Settings come from the environment; a bad value stops start-up naming the variable."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _clean_env(**env):
    """This process's environment without the variables of this machine's services (and the test settings'
    SECRET_KEY), no .env file, plus `env`."""
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    clean.setdefault("ENV_FILE", os.devnull)
    clean.update(env)
    return clean


def load_settings(**env):
    """Import the settings module in a fresh interpreter with the given environment; return (rc, output)."""
    clean = _clean_env(**env)
    code = ("import bhxh_portal.settings as s, json; print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
            "'broker': s.CELERY_BROKER_URL, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, 'hours': s.OFFICE_HOURS, "
            "'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG, 'static': s.STATIC_ROOT, "
            "'password': s.NATIONAL_PORTAL_PASSWORD, 'portal': s.NATIONAL_PORTAL_URL, 'cutoff': s.SAME_DAY_CUTOFF}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=60)
    return proc.returncode, proc.stdout + proc.stderr


def test_embedded_defaults_need_nothing_installed():
    rc, out = load_settings()
    assert rc == 0, out
    assert '"db": "django.db.backends.sqlite3"' in out
    assert '"broker": "filesystem://"' in out
    assert '"tz": "Asia/Ho_Chi_Minh"' in out and '"lang": "vi"' in out


def test_database_and_redis_urls_switch_backends():
    rc, out = load_settings(DATABASE_URL="postgres://u:p@db:5432/bhxh", REDIS_URL="redis://cache:6379/0")
    assert rc == 0, out
    assert "postgresql" in out
    assert '"broker": "redis://cache:6379/0"' in out
    assert "RedisCache" in out


def test_office_hours_and_booleans_parse():
    rc, out = load_settings(OFFICE_HOURS="08:00-12:00, 13:30-17:30", DEBUG="yes")
    assert rc == 0, out
    assert '"hours": [["08:00", "12:00"], ["13:30", "17:30"]]' in out
    assert '"debug": true' in out


@pytest.mark.parametrize("name,value", [
    ("DATABASE_URL", "mysql://u@h/db"),
    ("DATABASE_URL", "not a url"),
    ("REDIS_URL", "http://cache:6379"),
    ("DEBUG", "maybe"),
    ("OFFICE_HOURS", "17:00-07:30"),
    ("MAX_SUPPLEMENT_REQUESTS", "zero"),
    ("NATIONAL_PORTAL_URL", "ftp://portal"),
    # an uncommented line of an old .env.example: the comment came along into the value
    ("REDIS_URL", "redis://127.0.0.1:6379/0   # cache + Celery broker when set"),
    ("STATIC_ROOT", "staticfiles   # where collectstatic writes"),
    ("PUBLIC_BASE_URL", "http://127.0.0.1:8000      # used in QR codes on receipts"),
    ("DATABASE_URL", "postgres://user:password@127.0.0.1:5432/bhxh      # default: sqlite var/db.sqlite3"),
    ("EMAIL_URL", "smtp+tls://user:password@smtp.example.vn:587    # default: files under var/outbox-mail"),
    # URLs without a host, with blanks, or with a port that is not a number
    ("REDIS_URL", "redis://"),
    ("DATABASE_URL", "postgres://"),
    ("DATABASE_URL", "postgres://u:p@db:5432/"),
    ("NATIONAL_PORTAL_URL", "https:///api"),
    ("NATIONAL_PORTAL_URL", "https://dichvucong.gov.vn:port/api"),
    ("SMS_GATEWAY_URL", "sms.example.vn"),
    ("SMS_GATEWAY_URL", "https://sms.example .vn"),
    ("ZALO_ZNS_URL", "https://"),
    ("ZALO_OAUTH_URL", "oauth.zaloapp.com"),
    ("EMAIL_URL", "smtp://"),
    ("EMAIL_URL", "carrier-pigeon://loft"),
    ("CELERY_BROKER_URL", "kafka://broker:9092"),
    # paths, clock times, levels, numbers
    ("STATIC_ROOT", "var/static files"),
    ("STATIC_ROOT", "manage.py"),
    ("SAME_DAY_CUTOFF", "3pm"),
    ("LOG_LEVEL", "LOUD"),
    ("SYNC_EVERY", " 300"),
    ("SECRET_KEY", "two words"),
])
def test_bad_value_fails_naming_the_variable(name, value):
    rc, out = load_settings(**{name: value})
    assert rc != 0
    assert "ImproperlyConfigured" in out
    assert f"environment variable {name}=" in out


def test_values_are_literal_and_relative_paths_are_from_the_project_folder():
    rc, out = load_settings(NATIONAL_PORTAL_PASSWORD="pa$$w#rd", STATIC_ROOT="var/collected",
                            NATIONAL_PORTAL_URL="https://dichvucong.gov.vn/api/", SAME_DAY_CUTOFF="15:30",
                            DEFAULT_FROM_EMAIL="Một cửa BHXH <mot-cua@bhxh.local>")
    assert rc == 0, out
    assert '"password": "pa$$w#rd"' in out
    assert f'"static": "{ROOT / "var" / "collected"}"' in out
    assert '"portal": "https://dichvucong.gov.vn/api"' in out and '"cutoff": "15:30"' in out


def _with_env_file(tmp_path, text, **env):
    path = tmp_path / "test.env"
    path.write_text(text, encoding="utf-8")
    return load_settings(ENV_FILE=str(path), **env)


def test_env_file_is_read_with_comments_on_their_own_lines(tmp_path):
    rc, out = _with_env_file(tmp_path, "# the portal\nNATIONAL_PORTAL_URL=https://portal.example.vn/api\n\n"
                                       "  # indented comment\nexport NATIONAL_PORTAL_PASSWORD='se#cr$et'\n")
    assert rc == 0, out
    assert '"portal": "https://portal.example.vn/api"' in out and '"password": "se#cr$et"' in out


def test_environment_wins_over_the_env_file(tmp_path):
    rc, out = _with_env_file(tmp_path, "NATIONAL_PORTAL_URL=https://file.example.vn\n",
                             NATIONAL_PORTAL_URL="https://environment.example.vn")
    assert rc == 0, out
    assert '"portal": "https://environment.example.vn"' in out


@pytest.mark.parametrize("line", ["NATIONAL_PORTAL_URL = https://portal.example.vn", "DEBUG true", "debug-mode=1"])
def test_a_line_of_the_env_file_that_is_not_key_value_stops_start_up(tmp_path, line):
    rc, out = _with_env_file(tmp_path, f"# fine\n{line}\n")
    assert rc != 0
    assert "ImproperlyConfigured" in out and "test.env:2: expected KEY=value" in out


def test_a_trailing_comment_in_the_env_file_stops_start_up_naming_the_variable(tmp_path):
    rc, out = _with_env_file(tmp_path, "REDIS_URL=redis://127.0.0.1:6379/0   # cache + Celery broker when set\n")
    assert rc != 0
    assert "environment variable REDIS_URL=" in out and "comments go on their own line" in out


def test_every_line_of_env_example_uncommented_is_accepted(tmp_path):
    """Uncommenting documented lines must give working values, never a comment inside a value."""
    lines = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and "=" in line and line[2:].split("=", 1)[0].isupper():
            key, value = line[2:].split("=", 1)
            if value and key not in {"ENV_FILE", "TEST_DATABASE_URL"}:
                lines.append(f"{key}={value}")
    assert len(lines) > 30
    rc, out = _with_env_file(tmp_path, "\n".join(lines) + "\n")
    assert rc == 0, out
