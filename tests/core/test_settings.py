"""Settings come from the environment; a bad value stops start-up naming the variable."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    """Import the settings module in a fresh interpreter with the given environment; return (rc, output)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL"}}
    clean.update(env)
    code = ("import bhxh_portal.settings as s, json; print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
            "'broker': s.CELERY_BROKER_URL, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, 'hours': s.OFFICE_HOURS, "
            "'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG}))")
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
])
def test_bad_value_fails_naming_the_variable(name, value):
    rc, out = load_settings(**{name: value})
    assert rc != 0
    assert "ImproperlyConfigured" in out
    assert f"environment variable {name}=" in out
