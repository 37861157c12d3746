"""Settings for bhxh-portal.

Everything comes from the environment (django-environ, documented in .env.example). With nothing set the
portal runs on embedded defaults: a SQLite file under var/ and a Celery broker on the local file system,
so a real worker and beat run without Redis. A bad value stops start-up with a message naming the variable.
"""
import os
from pathlib import Path

from .beat import beat_schedule
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
    _proxy_ssl_header,
    _token,
    _url,
    _years,
    check_secret_key,
    local_secret_key,
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
# Required in production (docker-compose.yml refuses to start without it); a placeholder or weak key stops start-up
# when DEBUG is off. Unset, this installation's own random key is generated once into var/secret_key.
SECRET_KEY = check_secret_key(setting("SECRET_KEY", _token, None) or local_secret_key(VAR_DIR / "secret_key"),
                              debug=DEBUG)
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
    "attachments",
    "signing",
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
    "core.replica.ReplicaMiddleware",
    "workcal.middleware.CalendarScopeMiddleware",
    "core.middleware.SessionTimeoutMiddleware",
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



def tuned(db: dict) -> dict:
    """A database's connection options. SQLite: several processes (web, worker, beat) share the file, so wait
    for locks instead of failing. PostgreSQL: no JIT compilation — the planner switches it on for the large
    report and dashboard aggregates, where compiling costs 0.9–1.8 s per statement (measured by
    bench/bench_reports.py) and saves less than it costs; the queries are short and many, not few and long."""
    options = db.setdefault("OPTIONS", {})
    if db["ENGINE"] == "django.db.backends.sqlite3":
        options.update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    elif "postgresql" in db["ENGINE"]:
        options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
    return db


DATABASES = {"default": tuned(setting("DATABASE_URL", _db, None) or {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": str(VAR_DIR / "db.sqlite3"),
})}
# A read replica for the dashboard, oversight, reports and exports (core/replica.py); unset = all on DATABASE_URL.
REPORTS_DATABASE = setting("REPORTS_DATABASE_URL", _db, None)
if REPORTS_DATABASE:
    DATABASES["reports"] = {**tuned(REPORTS_DATABASE), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# After a write, the same client reads from the primary for this many seconds (longer than the replica's lag).
REPORTS_REPLICA_PIN = setting("REPORTS_REPLICA_PIN", _positive_int, 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's four validators (issue 13): not like the username, name or e-mail; at least 10 characters (a
# passphrase an officer can type at the desk, longer than the 8 that let `12345678` through); not one of the
# 20,000 common passwords; not all digits. Demo and test accounts are set directly (set_password), not validated.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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
WHITENOISE_USE_FINDERS = True
# Files: where papers and signed documents are kept, and the signing keys (bhxh_portal/settings_files.py).
from .settings_files import *  # noqa: E402,F401,F403

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
# A publish while the broker is down gives up within about a second (the outbox row is already committed and the
# periodic sweep delivers it later), so an intake never waits on Redis.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# One queue per kind of work, so that a stalled national portal never delays a citizen's SMS: each is consumed
# by its own worker service in docker-compose.yml; `make run` runs one worker consuming all of them.
CELERY_TASK_DEFAULT_QUEUE = "celery"
WORKER_QUEUES = ("celery", "sync", "messages", "scan", "reports")
CELERY_TASK_ROUTES = {
    "portal.tasks.*": {"queue": "sync"},  # the national portal: pulls, pushes, look-ups
    "attachments.tasks.*": {"queue": "sync"},  # papers fetched from the national portal
    "notifications.tasks.*": {"queue": "messages"},  # SMS, Zalo, e-mail to citizens; officer alerts
    "cases.tasks.scan_overdue": {"queue": "scan"},
    "cases.tasks.recompute_deadlines": {"queue": "scan"},
    "cases.tasks.director_digest": {"queue": "reports"},
    "reports.tasks.*": {"queue": "reports"},
}
# The longest wait between two delivery attempts of an outbox row (seconds): after an outage, every message and
# push is tried again within this time; and the first success towards a gateway or the portal releases at once
# the other rows for it that were waiting out their back-off (notifications.delivery).
OUTBOX_BACKOFF_MAX = setting("OUTBOX_BACKOFF_MAX", _positive_int, 300)

SCAN_OVERDUE_EVERY = setting("SCAN_OVERDUE_EVERY", _positive_int, 300)  # seconds
SYNC_EVERY = setting("SYNC_EVERY", _positive_int, 300)
PORTAL_PUSH_EVERY = setting("PORTAL_PUSH_EVERY", _positive_int, 60)  # seconds: sweep of dossier changes not pushed
PORTAL_SWEEP_EVERY = setting("PORTAL_SWEEP_EVERY", _positive_int, 1800)  # seconds: TraCuuHoSo of open portal dossiers
OUTBOX_EVERY = setting("OUTBOX_EVERY", _positive_int, 60)
DIRECTOR_DIGEST_AT = setting("DIRECTOR_DIGEST_AT", _clock, "07:00")  # local time (TIME_ZONE) of the daily e-mail
TALLY_COMPACT_EVERY = setting("TALLY_COMPACT_EVERY", _positive_int, 600)  # seconds: folding reports.tally's deltas
# The periodic tasks and their intervals (the settings above): bhxh_portal.beat.
CELERY_BEAT_SCHEDULE = beat_schedule(globals())

# --- API -----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",  # documents the error responses of every operation
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public": "30/min", "login": "10/min", "verify": "20/min"},
    "DATETIME_FORMAT": "iso-8601",
    "URL_FORMAT_OVERRIDE": None,  # `?format=` belongs to the report endpoints (json/csv/xlsx/pdf)
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bhxh-portal API",
    "DESCRIPTION": "Một cửa BHXH: hồ sơ TTHC, PAKN, báo cáo.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for signed-in officers (issue 13): anonymous callers get 401.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
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
        "ApplicantKindEnum": "cases.choices.ApplicantKind",
        "AttachmentKindEnum": "attachments.models.Kind",
        "RatingLevelEnum": "cases.choices.RatingLevel",
        "OfficeLevelEnum": "core.models.Office.Level",
    },
}

# How long an idempotency key (intake's `Idempotency-Key`, the intake page's token) and its stored answer are kept.
IDEMPOTENCY_KEY_HOURS = setting("IDEMPOTENCY_KEY_HOURS", _positive_int, 24)

# --- Security ------------------------------------------------------------------------------------------
LOGIN_FAILURE_LIMIT = setting("LOGIN_FAILURE_LIMIT", _positive_int, 5)
LOGIN_FAILURE_WINDOW = setting("LOGIN_FAILURE_WINDOW", _positive_int, 900)  # seconds
# Failed logins from one client address, whatever the accounts (password spraying from one machine).
LOGIN_ADDRESS_FAILURE_LIMIT = setting("LOGIN_ADDRESS_FAILURE_LIMIT", _positive_int, 30)
# How many reverse proxies in front of the app append to X-Forwarded-For: 0 = trust REMOTE_ADDR only.
NUM_PROXIES = setting("NUM_PROXIES", _non_negative_int, 0)
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
# An API token lives this many seconds from its issue (10 hours: a working day); logout and any password change
# revoke it earlier. An expired token is a 401.
API_TOKEN_TTL = setting("API_TOKEN_TTL", _positive_int, 10 * 3600)
# A session ends after this many seconds without a request (sliding), and in any case this many seconds after
# signing in (core.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = setting("SESSION_IDLE_TIMEOUT", _positive_int, 30 * 60)
SESSION_LIFETIME = setting("SESSION_LIFETIME", _positive_int, 12 * 3600)
SESSION_COOKIE_AGE = SESSION_LIFETIME
SESSION_COOKIE_HTTPONLY = True

# HTTPS (issue 13): secure by default when DEBUG is off, each settable. `make run` serves plain HTTP on 127.0.0.1
# and turns the redirect and the secure cookies off for its own processes (bhxh_portal/runplan.py).
SECURE_SSL_REDIRECT = setting("SECURE_SSL_REDIRECT", _bool, not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the health checks call http://127.0.0.1:8000/healthz inside the container
SECURE_HSTS_SECONDS = setting("SECURE_HSTS_SECONDS", _non_negative_int, 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = setting("SECURE_HSTS_INCLUDE_SUBDOMAINS", _bool, not DEBUG)
SECURE_HSTS_PRELOAD = setting("SECURE_HSTS_PRELOAD", _bool, not DEBUG)
SESSION_COOKIE_SECURE = setting("SESSION_COOKIE_SECURE", _bool, not DEBUG)
CSRF_COOKIE_SECURE = setting("CSRF_COOKIE_SECURE", _bool, not DEBUG)
# Which request header says the client spoke HTTPS to the reverse proxy: trusted only behind one (NUM_PROXIES).
SECURE_PROXY_SSL_HEADER = setting("SECURE_PROXY_SSL_HEADER", _proxy_ssl_header,
                                  ("HTTP_X_FORWARDED_PROTO", "https") if NUM_PROXIES else None)

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
# API lists count exactly up to this many rows; beyond it (PostgreSQL) `count` is the planner's estimate and
# the response carries `count_estimated: true`. 0 = always exact.
LIST_EXACT_COUNT_LIMIT = setting("LIST_EXACT_COUNT_LIMIT", _non_negative_int, 200_000)
# The years of the working-day table, built by `migrate` / `manage.py workcal_rebuild`, never by a read; a date
# outside them is an error ("CALENDAR_OUT_OF_RANGE").
WORKCAL_YEARS = setting("WORKCAL_YEARS", _years, (2015, 2040))
PUBLIC_BASE_URL = setting("PUBLIC_BASE_URL", _url(["http", "https"]), "http://127.0.0.1:8000")
# SMS and Zalo reach citizens only inside these local hours; a message outside them is held until the next opening
# and delivered then, in the order written (notifications.quiet_hours). E-mail and officer alerts are not held.
CITIZEN_MESSAGE_HOURS = setting("CITIZEN_MESSAGE_HOURS", _hours, [("07:00", "21:00")])
DEMO_PASSWORD = setting("DEMO_PASSWORD", str, "demo-pass-2020")

# --- Gateways: the national portal, SMS, Zalo (bhxh_portal/settings_gateways.py); e-mail ----------------
from .settings_gateways import *  # noqa: E402,F401,F403

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
