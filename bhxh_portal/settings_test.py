"""Test settings: SQLite in memory unless TEST_DATABASE_URL names a PostgreSQL database."""
import os

os.environ.setdefault("SECRET_KEY", "Tq8vXk2pR7nW4zLm9sJd3Fh6Bc1Gy5Ne0Ua-Vi8Oo2Pl7Kk4Jj6Hh9Gg3Ff1Dd5Ss_tests")

from .settings import *  # noqa: E402,F401,F403
from .settings import VAR_DIR, _db, setting, tuned  # noqa: E402

TEST_DATABASE = setting("TEST_DATABASE_URL", _db, None)
if TEST_DATABASE:
    DATABASES = {"default": tuned(TEST_DATABASE)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "test.sqlite3")}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks queued by tests go to an in-memory broker unless a test starts a real worker on Redis.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Papers stored by tests that do not choose their own folder never land among the real ones.
MEDIA_ROOT = str(VAR_DIR / "test-media")
# Tests sign with a throw-away CA of their own, issued on demand for any signer or office.
SIGNING_DIR = str(VAR_DIR / "test-signing")
SIGNING_DEMO_KEYS_ON_DEMAND = True
SIGNING_TSA_URL = None
# The test client and the live server speak plain HTTP (tests/core/test_deploy_security.py checks the defaults).
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
# Messages to citizens are never held in tests whatever the hour they run at (tests/notifications/test_quiet_hours.py
# sets the production hours itself); [] = no quiet hours.
CITIZEN_MESSAGE_HOURS = []
