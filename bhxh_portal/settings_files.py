"""Settings of the files the portal keeps: the dossiers' papers (attachments) and the signed documents
(signing), read from the environment like every setting (bhxh_portal/env.py). Imported by settings.py."""
from pathlib import Path

from .env import _bool, _non_negative_int, _path, _positive_int, _token, _url, setting

VAR_DIR = Path(__file__).resolve().parent.parent / "var"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Dossier papers (attachments): a local folder by default, never served as static files (only through views
# that check who asks); an S3-compatible store when ATTACHMENTS_S3_BUCKET is set (django-storages).
MEDIA_ROOT = setting("MEDIA_ROOT", _path, str(VAR_DIR / "media"))
MEDIA_URL = "/media/"  # not routed: files are read through attachments.views


def s3_storage(*, bucket, endpoint=None, access_key=None, secret_key=None, region=None, prefix="") -> dict:
    """The STORAGES entry of an S3-compatible store (django-storages); files are read through our views only."""
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": bucket, "endpoint_url": endpoint, "access_key": access_key, "secret_key": secret_key,
        "region_name": region, "location": prefix, "default_acl": None, "file_overwrite": False,
        "querystring_auth": True}}


ATTACHMENTS_S3_BUCKET = setting("ATTACHMENTS_S3_BUCKET", _token, "")
if ATTACHMENTS_S3_BUCKET:
    STORAGES["default"] = s3_storage(
        bucket=ATTACHMENTS_S3_BUCKET,
        endpoint=setting("ATTACHMENTS_S3_ENDPOINT", _url(["http", "https"]), None),
        access_key=setting("ATTACHMENTS_S3_ACCESS_KEY", _token, None),
        secret_key=setting("ATTACHMENTS_S3_SECRET_KEY", _token, None),
        region=setting("ATTACHMENTS_S3_REGION", _token, None),
        prefix=setting("ATTACHMENTS_S3_PREFIX", _token, ""))
ATTACHMENT_MAX_BYTES = setting("ATTACHMENT_MAX_BYTES", _positive_int, 20 * 1024 * 1024)
ATTACHMENT_LINK_TTL = setting("ATTACHMENT_LINK_TTL", _positive_int, 7 * 24 * 3600)  # seconds: links for the portal
RESULT_LINK_TTL = setting("RESULT_LINK_TTL", _positive_int, 30 * 24 * 3600)  # seconds: the applicant's download
ATTACHMENT_FETCH_RETRIES = setting("ATTACHMENT_FETCH_RETRIES", _non_negative_int, 5)
ATTACHMENT_FETCH_BACKOFF = setting("ATTACHMENT_FETCH_BACKOFF", _positive_int, 60)  # seconds, doubled per attempt

# --- Signed documents (signing app) -----------------------------------------------------------------------
# The demo key store: throw-away CA, PKCS#12 files and their passphrase files (manage.py signing_demo_keys).
SIGNING_DIR = setting("SIGNING_DIR", _path, str(VAR_DIR / "signing"))
# Issue a TEST key from the demo CA when a signer or an office has none (demo and tests only, never production).
SIGNING_DEMO_KEYS_ON_DEMAND = setting("SIGNING_DEMO_KEYS_ON_DEMAND", _bool, False)
# RFC 3161 time-stamping service: signatures are PAdES B-T (B-LT with the CRLs on file) when set.
SIGNING_TSA_URL = setting("SIGNING_TSA_URL", _url(["http", "https"]), None)
SIGNING_TSA_TIMEOUT = setting("SIGNING_TSA_TIMEOUT", _positive_int, 10)
# The PKCS#11 module a token key uses when its row names none (Debian's SoftHSM2 by default).
SIGNING_PKCS11_MODULE = setting("SIGNING_PKCS11_MODULE", _token, "/usr/lib/softhsm/libsofthsm2.so")
# Largest PDF the verification page and API accept (MB).
SIGNING_VERIFY_MAX_MB = setting("SIGNING_VERIFY_MAX_MB", _positive_int, 20)
