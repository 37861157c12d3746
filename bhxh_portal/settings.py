"""Settings for bhxh-portal.

Everything comes from the environment (django-environ, documented in .env.example). With nothing set the
portal runs on embedded defaults: a SQLite file under var/ and a Celery broker on the local file system,
so a real worker and beat run without Redis. A bad value stops start-up with a message naming the variable.
"""
import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from .env import (  # the casts that validate each setting
    _bool,
    _clock,
    _db,
    _email_url,
    _float,
    _hours,
    _int,
    _list,
    _log_level,
    _non_negative_int,
    _parsed_url,
    _path,
    _positive_int,
    _token,
    _url,
    _years,
    read_env_file,
    setting,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
# The one file of KEY=value lines read besides the environment (which wins). ENV_FILE names another one
# (`python -m bhxh_portal.runplan` and its tests use it); it is never read any other way.
ENV_FILE = Path(os.environ.get("ENV_FILE") or BASE_DIR / ".env")

read_env_file(ENV_FILE)

DEBUG = setting("DEBUG", _bool, False)
SECRET_KEY = setting("SECRET_KEY", _token, "insecure-dev-key-change-me-bhxh-portal-0000000000")
ALLOWED_HOSTS = setting("ALLOWED_HOSTS", _list, ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = setting("CSRF_TRUSTED_ORIGINS", _list, [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "workcal",
    "cases",
    "feedback",
    "notifications",
    "portal",
    "reports",
    "legal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "core.middleware.NulRefusalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bhxh_portal.urls"
WSGI_APPLICATION = "bhxh_portal.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
                "notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {"default": setting("DATABASE_URL", _db, None) or {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": str(VAR_DIR / "db.sqlite3"),
}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FORMAT_MODULE_PATH = ["bhxh_portal.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = setting("STATIC_ROOT", _path, str(VAR_DIR / "staticfiles"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Cache, broker -------------------------------------------------------------------------------------
REDIS_URL = setting("REDIS_URL", _url(["redis", "rediss"]), None)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}

BROKER_DIR = VAR_DIR / "broker"
_BROKERS = {"redis", "rediss", "amqp", "amqps", "filesystem", "memory"}
CELERY_BROKER_URL = setting(
    "CELERY_BROKER_URL", lambda raw: _parsed_url(raw, _BROKERS, {"filesystem", "memory"}) and raw, None,
) or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"data_folder_in": str(BROKER_DIR), "data_folder_out": str(BROKER_DIR),
     "control_folder": str(BROKER_DIR / "control"), "store_processed": False}
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    (BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

SCAN_OVERDUE_EVERY = setting("SCAN_OVERDUE_EVERY", _positive_int, 300)  # seconds
SYNC_EVERY = setting("SYNC_EVERY", _positive_int, 300)
OUTBOX_EVERY = setting("OUTBOX_EVERY", _positive_int, 60)
DIRECTOR_DIGEST_AT = setting("DIRECTOR_DIGEST_AT", _clock, "07:00")  # local time (TIME_ZONE) of the daily e-mail
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.heartbeat", "schedule": timedelta(seconds=60), "options": {"expires": 50}},
    "scan-overdue": {
        "task": "cases.tasks.scan_overdue",
        "schedule": timedelta(seconds=SCAN_OVERDUE_EVERY),
        "options": {"expires": SCAN_OVERDUE_EVERY * 0.9},
    },
    "deliver-outbox": {
        "task": "notifications.tasks.deliver_pending",
        "schedule": timedelta(seconds=OUTBOX_EVERY),
        "options": {"expires": OUTBOX_EVERY * 0.9},
    },
    "director-digest": {
        "task": "cases.tasks.director_digest",
        "schedule": crontab(hour=int(DIRECTOR_DIGEST_AT[:2]), minute=int(DIRECTOR_DIGEST_AT[3:])),
        "options": {"expires": 3600},
    },
    "portal-sync": {
        "task": "portal.tasks.sync_all",
        "schedule": timedelta(seconds=SYNC_EVERY),
        "options": {"expires": SYNC_EVERY * 0.9},
    },
}

# --- API -----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",  # documents the error responses of every operation
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public": "30/min", "login": "10/min"},
    "DATETIME_FORMAT": "iso-8601",
    "URL_FORMAT_OVERRIDE": None,  # `?format=` belongs to the report endpoints (json/csv/xlsx/pdf)
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bhxh-portal API",
    "DESCRIPTION": "Một cửa BHXH: hồ sơ TTHC, PAKN, báo cáo.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request and response bodies as separate components: read-only fields are not asked for, write-only
    # fields are not promised (issue 13, item 12).
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "cases.models.Status",
        "FeedbackStatusEnum": "feedback.models.Status",
        "DossierChannelEnum": "cases.choices.Channel",
        "SourceEnum": "cases.choices.Source",  # the same two values for dossiers and feedback
    },
}

# --- Security ------------------------------------------------------------------------------------------
LOGIN_FAILURE_LIMIT = setting("LOGIN_FAILURE_LIMIT", _positive_int, 5)
LOGIN_FAILURE_WINDOW = setting("LOGIN_FAILURE_WINDOW", _positive_int, 900)  # seconds
# Failed logins from one client address, whatever the accounts (password spraying from one machine).
LOGIN_ADDRESS_FAILURE_LIMIT = setting("LOGIN_ADDRESS_FAILURE_LIMIT", _positive_int, 30)
# How many reverse proxies in front of the app append to X-Forwarded-For: 0 = trust REMOTE_ADDR only.
NUM_PROXIES = setting("NUM_PROXIES", _non_negative_int, 0)
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
SESSION_COOKIE_AGE = 12 * 3600
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Domain defaults (DOMAIN.md "our default"; per office / per procedure values win) --------------------
OFFICE_HOURS = setting("OFFICE_HOURS", _hours, [("07:30", "11:30"), ("13:00", "17:00")])
SAME_DAY_CUTOFF = setting("SAME_DAY_CUTOFF", _clock, "15:00")
MAX_SUPPLEMENT_REQUESTS = setting("MAX_SUPPLEMENT_REQUESTS", _positive_int, 1)
MAX_RESCHEDULES = setting("MAX_RESCHEDULES", _positive_int, 1)
APOLOGY_LEAD_WORKING_DAYS = setting("APOLOGY_LEAD_WORKING_DAYS", _positive_int, 1)
FEEDBACK_ANSWER_DAYS = setting("FEEDBACK_ANSWER_DAYS", _positive_int, 10)
FEEDBACK_FORWARD_DAYS = setting("FEEDBACK_FORWARD_DAYS", _positive_int, 5)
# An online dossier still `submitted` longer than this many working hours after arrival is late to accept.
ONLINE_ACCEPT_HOURS = setting("ONLINE_ACCEPT_HOURS", _positive_int, 8)
# The years of the working-day table, built by `migrate` / `manage.py workcal_rebuild`, never by a read; a date
# outside them is an error ("CALENDAR_OUT_OF_RANGE").
WORKCAL_YEARS = setting("WORKCAL_YEARS", _years, (2015, 2040))
PUBLIC_BASE_URL = setting("PUBLIC_BASE_URL", _url(["http", "https"]), "http://127.0.0.1:8000")
DEMO_PASSWORD = setting("DEMO_PASSWORD", str, "demo-pass-2020")

# --- Gateways ------------------------------------------------------------------------------------------
NATIONAL_PORTAL_URL = setting("NATIONAL_PORTAL_URL", _url(["http", "https"]), None)
NATIONAL_PORTAL_USERNAME = setting("NATIONAL_PORTAL_USERNAME", str, "bhxh")
NATIONAL_PORTAL_PASSWORD = setting("NATIONAL_PORTAL_PASSWORD", str, "bhxh")
NATIONAL_PORTAL_DSTCODE = setting("NATIONAL_PORTAL_DSTCODE", _token, "BHXH")
NATIONAL_PORTAL_PAGE_SIZE = setting("NATIONAL_PORTAL_PAGE_SIZE", _positive_int, 200)
NATIONAL_PORTAL_TIMEOUT = setting("NATIONAL_PORTAL_TIMEOUT", _positive_int, 20)
NATIONAL_PORTAL_RETRIES = setting("NATIONAL_PORTAL_RETRIES", _int, 3)  # per call, on network errors, 5xx, busy
NATIONAL_PORTAL_BACKOFF = setting("NATIONAL_PORTAL_BACKOFF", _float, 1.0)  # seconds, doubled per retry

SMS_GATEWAY_URL = setting("SMS_GATEWAY_URL", _url(["http", "https"]), None)
SMS_API_KEY = setting("SMS_API_KEY", str, "")
SMS_SECRET_KEY = setting("SMS_SECRET_KEY", str, "")
SMS_BRANDNAME = setting("SMS_BRANDNAME", _token, "BHXHVN")
ZALO_ZNS_URL = setting("ZALO_ZNS_URL", _url(["http", "https"]), None)
ZALO_OAUTH_URL = setting("ZALO_OAUTH_URL", _url(["http", "https"]), None)
ZALO_APP_ID = setting("ZALO_APP_ID", _token, "")
ZALO_SECRET_KEY = setting("ZALO_SECRET_KEY", str, "")
ZALO_REFRESH_TOKEN = setting("ZALO_REFRESH_TOKEN", str, "")

_email = setting("EMAIL_URL", _email_url, None)
if _email:
    vars().update(_email)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "outbox-mail")
DEFAULT_FROM_EMAIL = setting("DEFAULT_FROM_EMAIL", str, "mot-cua@bhxh.local")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": setting("LOG_LEVEL", _log_level, "INFO")},
}
