"""Settings of the gateways the portal calls (CONTRACTS.md §1.5, §2): the national portal and its pushes, the SMS
and Zalo gateways; read from the environment like every setting (bhxh_portal/env.py). Imported by settings.py."""
from .env import _float, _int, _positive_int, _token, _url, setting

NATIONAL_PORTAL_URL = setting("NATIONAL_PORTAL_URL", _url(["http", "https"]), None)
NATIONAL_PORTAL_USERNAME = setting("NATIONAL_PORTAL_USERNAME", str, "bhxh")
NATIONAL_PORTAL_PASSWORD = setting("NATIONAL_PORTAL_PASSWORD", str, "bhxh")
NATIONAL_PORTAL_DSTCODE = setting("NATIONAL_PORTAL_DSTCODE", _token, "BHXH")
NATIONAL_PORTAL_PAGE_SIZE = setting("NATIONAL_PORTAL_PAGE_SIZE", _positive_int, 200)
NATIONAL_PORTAL_TIMEOUT = setting("NATIONAL_PORTAL_TIMEOUT", _positive_int, 20)
NATIONAL_PORTAL_RETRIES = setting("NATIONAL_PORTAL_RETRIES", _int, 3)  # per call, on network errors, 5xx, busy
NATIONAL_PORTAL_BACKOFF = setting("NATIONAL_PORTAL_BACKOFF", _float, 1.0)  # seconds, doubled per retry
PORTAL_PUSH_BATCH = setting("PORTAL_PUSH_BATCH", _positive_int, 500)  # dossiers per DongBoHoSoMC call
PORTAL_SWEEP_BATCH = setting("PORTAL_SWEEP_BATCH", _positive_int, 200)  # dossiers looked up per sweep batch
PORTAL_LOOKUP_THREADS = setting("PORTAL_LOOKUP_THREADS", _positive_int, 8)  # TraCuuHoSo calls in parallel
PORTAL_PUSH_THREADS = setting("PORTAL_PUSH_THREADS", _positive_int, 2)  # push batches in flight at once (PostgreSQL)

SMS_GATEWAY_URL = setting("SMS_GATEWAY_URL", _url(["http", "https"]), None)
SMS_API_KEY = setting("SMS_API_KEY", str, "")
SMS_SECRET_KEY = setting("SMS_SECRET_KEY", str, "")
SMS_BRANDNAME = setting("SMS_BRANDNAME", _token, "BHXHVN")
ZALO_ZNS_URL = setting("ZALO_ZNS_URL", _url(["http", "https"]), None)
ZALO_OAUTH_URL = setting("ZALO_OAUTH_URL", _url(["http", "https"]), None)
ZALO_APP_ID = setting("ZALO_APP_ID", _token, "")
ZALO_SECRET_KEY = setting("ZALO_SECRET_KEY", str, "")
ZALO_REFRESH_TOKEN = setting("ZALO_REFRESH_TOKEN", str, "")
