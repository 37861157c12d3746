"""Test settings: SQLite in memory unless TEST_DATABASE_URL names a PostgreSQL database."""
import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-for-bhxh-portal-tests-000000000")

from .settings import *  # noqa: E402,F401,F403
from .settings import VAR_DIR, _db, setting  # noqa: E402

TEST_DATABASE = setting("TEST_DATABASE_URL", _db, None)
if TEST_DATABASE:
    DATABASES = {"default": TEST_DATABASE}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "test.sqlite3")}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks queued by tests go to an in-memory broker unless a test starts a real worker on Redis.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Messages to citizens are never held in tests whatever the hour they run at (tests/notifications/test_quiet_hours.py
# sets the production hours itself); [] = no quiet hours.
CITIZEN_MESSAGE_HOURS = []
