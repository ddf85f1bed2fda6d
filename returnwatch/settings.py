"""Settings, read from environment variables with safe development defaults.

Production sets at least SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and FIELD_ENCRYPTION_KEY
(see docs/deploy.md).
"""

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RETURNWATCH_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


DEBUG = env_bool("DEBUG", False)
# Development default only; production must set SECRET_KEY (check --deploy warns otherwise).
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dev-insecure-returnwatch-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

# Fernet keys, comma-separated; the first encrypts, all decrypt (for key rotation).
# The development default is public: never use it for real data.
FIELD_ENCRYPTION_KEY = os.environ.get(
    "FIELD_ENCRYPTION_KEY", "ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtZm9yLXJlYWw="
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",  # intcomma: thousands separators in every public count
    "rest_framework",
    "drf_spectacular",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "returnwatch.accounts",
    "returnwatch.audit",
    "returnwatch.incidents",
    "returnwatch.library",
    "returnwatch.intake",
    "returnwatch.complaints",
    "returnwatch.exports",
    "returnwatch.api",
    "returnwatch.imports",
    "returnwatch.maps",
    "returnwatch.subscriptions",
]

MIDDLEWARE = [
    # Outermost, so static files and error pages get the same headers (returnwatch/security.py).
    "returnwatch.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for pages and JSON (static files come precompressed from whitenoise, above it).
    # Django's GZipMiddleware pads each answer with random bytes against BREACH (4.2+).
    "django.middleware.gzip.GZipMiddleware",
    "returnwatch.security.QueryStringMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "returnwatch.languages.WorkspaceLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Inside authentication, so it knows who asked (returnwatch/security.py).
    "returnwatch.security.NoStoreMiddleware",
]

ROOT_URLCONF = "returnwatch.urls"
WSGI_APPLICATION = "returnwatch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "returnwatch" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "returnwatch.context_processors.site",
                "returnwatch.incidents.queues.workspace_queues",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'returnwatch.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if os.environ.get("TEST_DATABASE_NAME"):
    # Several checkouts testing at once on one PostgreSQL server each need their own test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE transactions plus a busy
    # timeout make concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
# Axes first: it refuses sign-in attempts for locked accounts before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 for new and changed passwords; older hashes still verify and are upgraded on sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Languages: English at the bare address, others under a prefix (/es/…).
LANGUAGE_CODE = "en"
LANG_INFO["ht"] = {
    "bidi": False,
    "code": "ht",
    "name": "Haitian Creole",
    "name_local": "Kreyòl ayisyen",
}
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ht", _("Haitian Creole")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
]
# Every public page is offered in these (docs/translations.md); tests/test_languages.py fails
# when a public string lacks a translation in one of them.
SITE_LANGUAGES = ["en", "es", "ht", "pt", "fr"]
# The workspace (/staff/, /admin/) is translated into these only.
WORKSPACE_LANGUAGES = ["en", "es"]
LOCALE_PATHS = [BASE_DIR / "returnwatch" / "locale"]
FORMAT_MODULE_PATH = ["returnwatch.formats"]  # dates in Creole (Django has no ht formats)
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "returnwatch" / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served publicly: archived files are staff-only downloads
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Stored files (archived documents, tip attachments, captures): local disk under MEDIA_ROOT,
# or S3-compatible object storage (MinIO, Ceph RGW, AWS) when STORAGE_BUCKET is set, so several
# app servers read and write the same files (docs/deploy.md "Several app servers").


def object_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """STORAGES["default"] for an S3-compatible bucket, from STORAGE_* environment variables."""
    return {
        "BACKEND": "returnwatch.storage.LockedS3Storage",
        "OPTIONS": {
            "bucket_name": env["STORAGE_BUCKET"],
            "endpoint_url": env.get("STORAGE_ENDPOINT_URL") or None,
            "access_key": env.get("STORAGE_ACCESS_KEY") or None,
            "secret_key": env.get("STORAGE_SECRET_KEY") or None,
            "region_name": env.get("STORAGE_REGION") or None,
            "location": env.get("STORAGE_PREFIX", ""),
            # Never overwrite: a name already taken gets a new name (the app keeps the first,
            # files.attach); under object lock the store keeps every version besides.
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,  # never public: downloads go through the workspace
            "addressing_style": env.get("STORAGE_ADDRESSING_STYLE") or None,
        },
    }


if os.environ.get("STORAGE_BUCKET"):
    STORAGES["default"] = object_storage(os.environ)
# Object-lock retention (days, COMPLIANCE mode) given to every stored file where the bucket has
# object lock enabled: until that date the stored version can be neither deleted nor altered
# (a write under the same name would only add a newer version, which verify_integrity reports).
STORAGE_OBJECT_LOCK_DAYS = int(os.environ.get("STORAGE_OBJECT_LOCK_DAYS", "0"))
# Serve from the apps' folders only where collectstatic has not run (development, tests):
# finders would shadow the collected files and the .gz files beside them.
WHITENOISE_USE_FINDERS = DEBUG or not any(STATIC_ROOT.iterdir())
# Files browsers ask for at the root of the site (/favicon.ico), served by whitenoise.
WHITENOISE_ROOT = BASE_DIR / "returnwatch" / "webroot"

# Archived document files
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024)))
DOCUMENT_ALLOWED_TYPES = env_list(
    "DOCUMENT_ALLOWED_TYPES",
    "application/pdf,text/html,text/plain,image/jpeg,image/png,image/webp,audio/mpeg,audio/ogg,"
    "video/mp4,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Tips from the public (docs/intake.md): file limits, and how many tips one client may send
# per hour (counted under a salted hash of its address, kept in the cache for a day at most).
# Spreadsheet imports (docs/researchers.md): a whole export of another ReturnWatch fits.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "500000"))
TIP_MAX_FILE_BYTES = int(os.environ.get("TIP_MAX_FILE_BYTES", str(20 * 1024 * 1024)))
TIP_MAX_TOTAL_BYTES = int(os.environ.get("TIP_MAX_TOTAL_BYTES", str(50 * 1024 * 1024)))
TIP_MAX_FILES = int(os.environ.get("TIP_MAX_FILES", "10"))
TIP_RATE_LIMIT_PER_HOUR = int(os.environ.get("TIP_RATE_LIMIT_PER_HOUR", "20"))
# Behind a reverse proxy every client arrives from the proxy's address: set this so the rate
# limit counts per client (from the last X-Forwarded-For entry, which the proxy appends).
TIP_TRUST_X_FORWARDED_FOR = env_bool("TIP_TRUST_X_FORWARDED_FOR", False)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DATA_LICENSE = os.environ.get("DATA_LICENSE", "CC-BY-4.0")
# /map/: cities with fewer matching published incidents than this are drawn as their state.
RETURNWATCH_MAP_MIN_CITY_INCIDENTS = int(os.environ.get("RETURNWATCH_MAP_MIN_CITY_INCIDENTS", "1"))

# One process (make run, tests): memory. Several app servers: REDIS_URL (Django's Redis cache),
# so cached statistics and facet counts are shared and invalidated for all at once; one machine
# with several gunicorn workers may use a CACHE_LOCATION directory instead (docs/deploy.md).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "returnwatch"),
        }
    }
elif os.environ.get("CACHE_LOCATION"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ["CACHE_LOCATION"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions and cookies
SESSION_COOKIE_HTTPONLY = True
# Saved on every request, so the age is the inactivity limit: a staff session ends after
# SESSION_COOKIE_AGE seconds without a request (default two hours), and with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
X_FRAME_OPTIONS = "DENY"
# "same-origin", not "no-referrer": with no-referrer Chromium sends `Origin: null` on every
# form POST and Django's CSRF check refuses it (403). Other sites still get no referrer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS: on by default in production for HSTS; the redirect only when asked for, so the test
# suite and `make run` keep working over http (production sets SECURE_SSL_REDIRECT=1).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):  # behind a proxy that sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Two-factor sign-in (django-otp): TOTP apps and one-time recovery codes.
OTP_TOTP_ISSUER = "ReturnWatch"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Roles that may not work without a second factor.
TWO_FACTOR_REQUIRED_ROLES = ["editor", "admin"]

# Sign-in throttling (django-axes): lock an account after AXES_FAILURE_LIMIT failures, by
# username only: no IP address is read or stored (the IP callable returns None).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "returnwatch.accounts.lockout.no_ip_address"
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit log instead
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "csrfmiddlewaretoken"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_HTTP_RESPONSE_CODE = 429  # django-axes' default, named here for the lockout page
# W006 warns that without the IP an attacker may rotate user agents: with username-only lockout
# axes sums failures over every row of the username, so rotating does not help (tested).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Ed25519 keys (base64 seeds, comma-separated; the first signs) for audit entries, checkpoints
# and row digests. The development default is PUBLIC (returnwatch/audit/signing.py): production
# sets its own (`manage.py audit_keygen`), kept out of the database and of backups.
AUDIT_SIGNING_KEY = os.environ.get(
    "AUDIT_SIGNING_KEY", "ZGV2LW9ubHktYXVkaXQta2V5LW5vdC1mb3ItcmVhbCE="
)
# A file outside the database that holds the signed head of the audit chain, rewritten after
# every change (catches entries cut off the end). Empty: no checkpoint (check --deploy warns).
AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE", "")
# age X25519 public key (age1…) that backups are encrypted to; the private key stays offline.
BACKUP_PUBLIC_KEY = os.environ.get("BACKUP_PUBLIC_KEY", "")

# Mail (followed searches, docs/subscriptions.md; reports to ADMINS): printed on the console in
# development; production sets EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the
# SMTP server below (docs/deploy.md). Mail is sent by the task-queue worker, never a request.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "returnwatch@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# Followed searches: how long a confirmation link works, the hour (UTC) of the daily digest,
# and how many subscribe attempts one client may make in an hour (counted like tips).
SUBSCRIPTION_CONFIRM_DAYS = int(os.environ.get("SUBSCRIPTION_CONFIRM_DAYS", "7"))
SUBSCRIPTION_DIGEST_HOUR = int(os.environ.get("SUBSCRIPTION_DIGEST_HOUR", "6"))
SUBSCRIBE_RATE_LIMIT_PER_HOUR = int(os.environ.get("SUBSCRIBE_RATE_LIMIT_PER_HOUR", "10"))

# Logs never carry IP addresses: Django's request logging is kept, runserver's and
# gunicorn's access logs are configured without the remote address (docs/deploy.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.server": {"handlers": [], "propagate": False}},
}

# API (docs/api.md): public reads, researchers' tokens for writes, anonymous rate limit.
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute")
API_USER_RATE = os.environ.get("API_USER_RATE", "1200/minute")
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "returnwatch.api.schema.ApiSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "returnwatch.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["returnwatch.api.auth.ReadOnlyOrResearcher"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "returnwatch.api.auth.AnonymousThrottle",
        "returnwatch.api.auth.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE, "user": API_USER_RATE},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ReturnWatch API",
    "DESCRIPTION": "Published incidents of violence against asylum seekers returned to Mexico, "
    "their statistics, vocabularies and library; token-authenticated writes for researchers. "
    "See /data/ for every field.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# ---------------------------------------------------------------- task queue and web captures
# Background work runs in huey workers (returnwatch/taskqueue.py, docs/deploy.md): a SQLite
# queue in VAR_DIR by default, Redis when HUEY_REDIS_URL is set. Captures (docs/evidence.md):
# the system Chromium records a page into a WACZ archive with a screenshot, a PDF and its
# text, and a manifest signed with the server's Ed25519 key.
from returnwatch import taskqueue  # noqa: E402

INSTALLED_APPS += ["huey.contrib.djhuey", "returnwatch.evidence"]
HUEY = taskqueue.huey_settings(VAR_DIR)

CAPTURE_CHROMIUM = os.environ.get("CAPTURE_CHROMIUM", "/usr/bin/chromium")
# Limits of one capture: wall-clock seconds, and bytes of everything the page loads.
CAPTURE_TIMEOUT_SECONDS = int(os.environ.get("CAPTURE_TIMEOUT_SECONDS", "90"))
CAPTURE_MAX_BYTES = int(os.environ.get("CAPTURE_MAX_BYTES", str(100 * 1024 * 1024)))
CAPTURE_MAX_REDIRECTS = int(os.environ.get("CAPTURE_MAX_REDIRECTS", "10"))
# Hosts never captured (a host also blocks its subdomains); admins add more in /admin/.
CAPTURE_BLOCKED_HOSTS = env_list("CAPTURE_BLOCKED_HOSTS", "")
# Private, loopback and link-local addresses are refused unless this is on (tests only).
CAPTURE_ALLOW_PRIVATE_ADDRESSES = env_bool("CAPTURE_ALLOW_PRIVATE_ADDRESSES", False)
# The Ed25519 key that signs capture manifests: a PEM file. Development creates one in VAR_DIR;
# production sets EVIDENCE_SIGNING_KEY_FILE to a key it keeps (and backs up) itself.
EVIDENCE_SIGNING_KEY_FILE = os.environ.get(
    "EVIDENCE_SIGNING_KEY_FILE", str(VAR_DIR / "evidence-signing-key.pem")
)
# RFC 3161 time-stamp authorities (comma-separated URLs) and their CA certificates (a PEM
# file with the roots that verify their tokens). Empty: manifests are signed, not time-stamped.
EVIDENCE_TSA_URLS = env_list("EVIDENCE_TSA_URLS", "")
EVIDENCE_TSA_ROOTS_FILE = os.environ.get("EVIDENCE_TSA_ROOTS_FILE", "")
