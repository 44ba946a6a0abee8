"""Settings shared by every environment. Everything that differs comes from the environment."""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str
from .logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("WIF_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "workinfrance.core.apps.StaticFilesConfig",  # django.contrib.staticfiles, without unused DSFR files
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "workinfrance.core",
    "workinfrance.outbox",
    "workinfrance.accounts",
    "workinfrance.territories",
    "workinfrance.procedures",
    "workinfrance.dossiers",
    "workinfrance.permits",
    "workinfrance.applicant",
    "workinfrance.backoffice",
    "workinfrance.stats",
    "workinfrance.administration",
    "workinfrance.followup",
    "ninja",
    "workinfrance.api",
    "workinfrance.oidc",
    "workinfrance.retention",
]

MIDDLEWARE = [
    "workinfrance.core.request_id.RequestIdMiddleware",
    "workinfrance.core.metrics.RequestMetricsMiddleware",
    "workinfrance.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files are served above, already compressed). Django pads the compressed
    # body at random and masks the CSRF token at each response: no BREACH oracle.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workinfrance.core.middleware.LanguageMiddleware",
    "workinfrance.api.middleware.ApiMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workinfrance.accounts.throttle.ThrottleMiddleware",
    "workinfrance.core.middleware.PrivatePagesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "workinfrance.accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workinfrance.core.middleware.SecurityHeadersMiddleware",
    "workinfrance.core.maintenance.MaintenanceMiddleware",
    # Last, so it sees the view's exception first: a database outage answers 503, reads retried once.
    "workinfrance.core.errors.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "workinfrance" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workinfrance.core.context_processors.service",
            ],
        },
    },
]
# Forms render through one renderer instance (see workinfrance/core/form_renderer.py).
FORM_RENDERER = "workinfrance.core.form_renderer.DsfrFormRenderer"

# Database: SQLite file by default so `make run` needs nothing installed.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Wait for the write lock instead of failing at once when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # `Dossier.Meta.indexes` carries the unit in an index (INCLUDE) on PostgreSQL; SQLite has no
    # such columns and builds the index without it, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Scale-out: a read replica for statistics and exports (workinfrance/core/db_router.py); without
# DATABASE_REPLICA_URL every read goes to the primary.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            env_str("DATABASE_REPLICA_URL", ""), conn_max_age=env_int("DB_CONN_MAX_AGE", 0)
        ),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["workinfrance.core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Passwords (refused to staff of a unit that requires ProConnect), and FranceConnect/ProConnect sessions.
AUTHENTICATION_BACKENDS = [
    "workinfrance.oidc.backends.PasswordBackend",
    "workinfrance.oidc.backends.OidcBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:after_login"
LOGOUT_REDIRECT_URL = "core:home"
# One throttle for every way in (workinfrance/accounts/throttle.py): per-scope overrides of its
# rules, e.g. {"login": {"identifier_free": 3}}; the trusted-device cookie that spares the owner.
WIF_THROTTLE_RULES: dict = {}
WIF_THROTTLE_DEVICE_COOKIE = "wif_device"
WIF_THROTTLE_DEVICE_MAX_AGE = 365 * 24 * 3600
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
WIF_TRUSTED_PROXIES = env_list("WIF_TRUSTED_PROXIES", [])
# /metrics (workinfrance.core.metrics) answers only a bearer token or these client addresses/networks;
# with neither set it answers no one (404).
WIF_METRICS_TOKEN = env_str("WIF_METRICS_TOKEN", "")
WIF_METRICS_ALLOWED_IPS = env_list("WIF_METRICS_ALLOWED_IPS", [])

# Internationalisation: French first, English for foreign students.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates day first (29/11/2026), not American: workinfrance/core/formats/en/formats.py.
FORMAT_MODULE_PATH = ["workinfrance.core.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "workinfrance" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # The offline scanner's npm libraries, file by file from node_modules (permits/scanner_assets.py).
    "workinfrance.permits.scanner_assets.VendorFinder",
]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads are never served as static media: only through views that check who may see them.
MEDIA_URL = None
STORAGES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": env_str("DEFAULT_FILE_STORAGE", "workinfrance.core.files.CommittedFileSystemStorage")
    },
    # Fingerprinted names (cached for ever by browsers), brotli and gzip copies: collectstatic prepares them.
    "staticfiles": {"BACKEND": "workinfrance.core.staticfiles.FingerprintedStaticFilesStorage"},
}
# Scale-out: documents and permits in an S3-compatible bucket (django-storages) when WIF_S3_BUCKET is
# set, so that several web and worker machines share them; credentials from the usual AWS_*
# variables or these.
WIF_S3_BUCKET = env_str("WIF_S3_BUCKET", "")
if WIF_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "workinfrance.core.s3.CommittedS3Storage",
        "OPTIONS": {
            "bucket_name": WIF_S3_BUCKET,
            "endpoint_url": env_str("WIF_S3_ENDPOINT_URL"),
            "region_name": env_str("WIF_S3_REGION"),
            "access_key": env_str("WIF_S3_ACCESS_KEY_ID"),
            "secret_key": env_str("WIF_S3_SECRET_ACCESS_KEY"),
            "location": env_str("WIF_S3_PREFIX", ""),
            # Private objects, read only through the views that check who may see them.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
FILE_UPLOAD_PERMISSIONS = 0o640
# Large uploads are spooled here (local disk, not the shared storage); files older than any upload
# are left by killed web workers and removed at start-up and by the periodic clean-up.
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", str(VAR_DIR / "upload-tmp"))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
WIF_UPLOAD_TEMP_MAX_AGE_SECONDS = env_int("WIF_UPLOAD_TEMP_MAX_AGE_SECONDS", 3600)
# Staged files (core.files) older than this are abandoned transactions: removed by the clean-up.
WIF_STAGED_FILE_MAX_AGE_SECONDS = env_int("WIF_STAGED_FILE_MAX_AGE_SECONDS", 3600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Upper bound for one uploaded document (bytes).
WIF_UPLOAD_MAX_BYTES = env_int("WIF_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Files in force for one document type (a residence permit's front and back, a multi-page scan).
WIF_UPLOAD_MAX_FILES_PER_TYPE = env_int("WIF_UPLOAD_MAX_FILES_PER_TYPE", 5)
# The legal ceiling of weekly working hours (Code du travail L3121-20), above any category's own.
WIF_WEEKLY_HOURS_CEILING = env_int("WIF_WEEKLY_HOURS_CEILING", 48)
# The inbox tabs count their dossiers exactly up to this many, then say "more than".
WIF_INBOX_TAB_COUNT_CAP = env_int("WIF_INBOX_TAB_COUNT_CAP", 1000)
# Largest request body, refused (413) from its declared length before it is read: one document
# and the form around it.
WIF_REQUEST_MAX_BYTES = env_int("WIF_REQUEST_MAX_BYTES", WIF_UPLOAD_MAX_BYTES + 2 * 1024 * 1024)
# Largest image accepted (width × height, checked before decoding) and longest PDF.
WIF_UPLOAD_MAX_PIXELS = env_int("WIF_UPLOAD_MAX_PIXELS", 40_000_000)
WIF_UPLOAD_MAX_PDF_PAGES = env_int("WIF_UPLOAD_MAX_PDF_PAGES", 200)

# E-mail: written to files under var/ by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Work in France <ne-pas-repondre@workinfrance.beta.gouv.fr>"
)

# Redis: cache, throttling and Celery broker when configured.
REDIS_URL = env_str("REDIS_URL", "")
# Redis failures degrade to "no cache" (workinfrance.core.cache); short timeouts so a hung server
# costs little.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "workinfrance.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a Redis broker in production; without one, tasks run in-process (eager).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Results are kept briefly, only for health checks (`manage.py check_worker`).
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL or None)
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_EAGER_PROPAGATES = False
# Crashes: a task is acknowledged only once done (acks_late), and given back to the queue when its
# worker process dies (reject_on_worker_lost): every task here is idempotent (a PDF or an outbox row
# already done is skipped). If the whole worker host dies, the Redis broker hands unacknowledged tasks
# out again after the visibility timeout (10 minutes, not Redis's default hour); every task finishes
# well within it, and the long nightly statistics rebuild is acknowledged at start instead.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A web request queueing a task after commit must not wait long for a dead broker: the outbox
# sweep and the permit sweep pick up what could not be queued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# No task result is read but the worker health check's: without results, queueing a task never
# waits for the result store (it retried 20 times, one second apart, when Redis was down).
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "interval_start": 0}}
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# Outbox (workinfrance.outbox.services): delivery retries with exponential backoff, then gives up.
WIF_OUTBOX_RETRY_BASE_SECONDS = env_int("WIF_OUTBOX_RETRY_BASE_SECONDS", 30)
WIF_OUTBOX_RETRY_MAX_SECONDS = env_int("WIF_OUTBOX_RETRY_MAX_SECONDS", 3600)
# 30 attempts span about 24 hours (1 h between attempts once capped): the retry window of webhooks.
WIF_OUTBOX_MAX_ATTEMPTS = env_int("WIF_OUTBOX_MAX_ATTEMPTS", 30)
# How long a queued message is left to its task before the sweep queues it again (seconds).
WIF_OUTBOX_DISPATCH_GRACE_SECONDS = env_int("WIF_OUTBOX_DISPATCH_GRACE_SECONDS", 120)
WIF_OUTBOX_SWEEP_SECONDS = env_int("WIF_OUTBOX_SWEEP_SECONDS", 30)

# Planned outages: while this file exists every page shows the maintenance page (manage.py maintenance).
WIF_MAINTENANCE_FILE = env_str("WIF_MAINTENANCE_FILE", str(VAR_DIR / "maintenance.on"))

# Public address of the service: links in e-mails and the permit's QR code.
WIF_PUBLIC_URL = env_str("WIF_PUBLIC_URL", "HTTP://127.0.0.1:8000")
WIF_SERVICE_NAME = "Work in France"

# Second factor of staff (workinfrance/accounts/second_factor.py): TOTP apps and WebAuthn passkeys.
OTP_TOTP_ISSUER = "Work in France"
# One throttle for every way in (the second-factor step included): not the libraries' own counters.
OTP_TOTP_THROTTLE_FACTOR = 0
# The admin never shows TOTP secrets; a lost factor is reset with the audited user action.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_WEBAUTHN_RP_NAME = "Work in France"
# Passkeys are bound to this domain (the public address's host unless told otherwise) and accepted
# only from these origins: a look-alike site cannot use them. Browsers offer passkeys to https sites
# and to http://localhost only: with an http address (development), that is where they work.
_public = urlsplit(WIF_PUBLIC_URL.lower())
_passkey_site = (
    _public
    if _public.scheme == "https"
    else _public._replace(netloc=_public.netloc.replace("127.0.0.1", "localhost"))
)
OTP_WEBAUTHN_RP_ID = env_str("WIF_WEBAUTHN_RP_ID", "") or _passkey_site.hostname
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WIF_WEBAUTHN_ORIGINS", [f"{_passkey_site.scheme}://{_passkey_site.netloc}"]
)
# A passkey is a second factor here, after the password: never a way in on its own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Security headers (see workinfrance.core.middleware for the Content-Security-Policy).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "SAMEORIGIN"

# Logs on standard output: readable lines here, one JSON object per line in production
# (WIF_LOG_FORMAT, config/settings/logs.py).
WIF_LOG_FORMAT = env_str("WIF_LOG_FORMAT", "text")
LOGGING = logging_config(WIF_LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))
# Celery's processes keep this configuration for JSON logs instead of installing their own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = WIF_LOG_FORMAT != "json"

# Signing keys of permits: private keys live in files outside the repository and the database.
WIF_SIGNING_KEY_DIR = Path(
    env_str("WIF_SIGNING_KEY_DIR", str(Path.home() / ".local/share/workinfrance/keys"))
)

# django-dsfr: mark optional fields rather than required ones (current DSFR guidance), and
# escape the content of alerts (flash messages may quote what a user typed).
DSFR_MARK_OPTIONAL_FIELDS = True
DSFR_CONTENT_IS_SAFE = False

# Static files: whitenoise serves them; in development and tests straight from the apps.
WHITENOISE_USE_FINDERS = DEBUG

# Development only: create the seal key and the PAdES CA on first issuance (docs/permits.md).
WIF_SIGNING_KEY_AUTO_CREATE = env_bool("WIF_SIGNING_KEY_AUTO_CREATE", False)
# Issuer (CWT `iss`) written in every seal.
WIF_SEAL_ISSUER = env_str("WIF_SEAL_ISSUER", "FR-WIF")
# How long an offline verifier may rely on a revocation list before it must fetch a newer one.
WIF_REVOCATIONS_RENEW_SECONDS = env_int("WIF_REVOCATIONS_RENEW_SECONDS", 2 * 24 * 3600)
# PAdES certificate of the permit PDFs; empty paths mean the files of WIF_PADES_DIR.
WIF_PADES_DIR = env_str("WIF_PADES_DIR", "")
WIF_PADES_KEY_FILE = env_str("WIF_PADES_KEY_FILE", "")
WIF_PADES_CERT_FILE = env_str("WIF_PADES_CERT_FILE", "")
WIF_PADES_CHAIN_FILES = env_list("WIF_PADES_CHAIN_FILES", [])
WIF_PADES_AUTO_CREATE = env_bool("WIF_PADES_AUTO_CREATE", False)
# Periodic tasks (Celery beat; the required ones are checked at beat start, workinfrance.core.beat):
# - outbox-sweep: outgoing messages still pending (broker outage, lost task) are queued again;
# - permits-issue-missing-pdfs: accepted dossiers whose PDF is missing get it (every 5 minutes);
# - files-clean-temporary: finishes file moves of committed rows, removes abandoned staged files
#   and upload spools of killed workers (hourly);
# - stats-refresh / stats-rebuild: statistics catch up every minute, rebuilt from the whole
#   history at night (also forgets dossiers deleted by the retention purge).
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "workinfrance.outbox.tasks.sweep_outbox", "schedule": WIF_OUTBOX_SWEEP_SECONDS},
    "permits-issue-missing-pdfs": {
        "task": "workinfrance.permits.tasks.issue_missing_permit_pdfs",
        "schedule": 300,
    },
    "files-clean-temporary": {"task": "workinfrance.core.tasks.clean_temporary_files", "schedule": 3600},
    "stats-refresh": {"task": "workinfrance.stats.tasks.refresh_statistics", "schedule": 60},
    "api-webhooks-settle": {"task": "workinfrance.api.webhooks.tasks.settle_failed_webhooks", "schedule": 60},
    # Beat, broker and a worker alive: the heartbeat's time is a metric (workinfrance.core.metrics).
    "beat-heartbeat": {
        "task": "workinfrance.core.tasks.beat_heartbeat",
        "schedule": env_int("WIF_BEAT_HEARTBEAT_SECONDS", 60),
    },
    "stats-rebuild": {
        "task": "workinfrance.stats.tasks.rebuild_statistics",
        "schedule": crontab(hour=3, minute=30),
    },
    # Follow-up (workinfrance.followup): the agents' alert digest and the renewal reminders every
    # morning, each unit's report for the previous month on the first day of the month.
    "followup-alerts-digest": {
        "task": "workinfrance.followup.tasks.send_alert_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "followup-renewal-reminders": {
        "task": "workinfrance.followup.tasks.send_renewal_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "followup-monthly-reports": {
        "task": "workinfrance.followup.tasks.produce_monthly_reports",
        "schedule": crontab(day_of_month=1, hour=5, minute=0),
    },
    # Retention: idle drafts warned then deleted, expired personal data erased (docs/retention.md).
    "retention-purge": {
        "task": "workinfrance.retention.tasks.purge_personal_data",
        "schedule": crontab(hour=2, minute=15),
    },
}
# Retention periods (docs/retention.md; the personal-data page reads them from here): months after
# the date each one counts from; drafts are deleted only after a warning sent that many days before.
WIF_RETENTION_DRAFT_MONTHS = env_int("WIF_RETENTION_DRAFT_MONTHS", 6)  # last change of a draft
WIF_RETENTION_DRAFT_WARNING_DAYS = env_int("WIF_RETENTION_DRAFT_WARNING_DAYS", 14)
WIF_RETENTION_DECIDED_MONTHS = env_int("WIF_RETENTION_DECIDED_MONTHS", 24)  # refusal or closing
WIF_RETENTION_ACCEPTED_MONTHS = env_int("WIF_RETENTION_ACCEPTED_MONTHS", 24)  # end of the permit
WIF_RETENTION_DOCUMENTS_MONTHS = env_int("WIF_RETENTION_DOCUMENTS_MONTHS", 3)  # same dates
WIF_RETENTION_AUDIT_MONTHS = env_int("WIF_RETENTION_AUDIT_MONTHS", 12)  # trace of reads and actions
WIF_RETENTION_ACCOUNT_MONTHS = env_int("WIF_RETENTION_ACCOUNT_MONTHS", 24)  # last sign-in
WIF_RETENTION_BATCH = env_int("WIF_RETENTION_BATCH", 500)  # rows per transaction
# Pages read the statistics after a catch-up when the last one is older than this (seconds).
WIF_STATS_REFRESH_SECONDS = env_int("WIF_STATS_REFRESH_SECONDS", 60)
# Renewal reminders (workinfrance.followup): sent this many days after the permit's start, or one
# month before its end if that comes first (the original service's dates).
WIF_RENEWAL_REMINDER_AFTER_DAYS = env_int("WIF_RENEWAL_REMINDER_AFTER_DAYS", 330)
WIF_RENEWAL_REMINDER_BEFORE_END_MONTHS = env_int("WIF_RENEWAL_REMINDER_BEFORE_END_MONTHS", 1)

# REST API (workinfrance.api): requests per token, and anonymous single verifications per client,
# in each window of WIF_API_THROTTLE_WINDOW seconds.
WIF_API_THROTTLE_WINDOW = env_int("WIF_API_THROTTLE_WINDOW", 60)
WIF_API_TOKEN_RATE = env_int("WIF_API_TOKEN_RATE", 600)
WIF_API_VERIFY_ANONYMOUS_RATE = env_int("WIF_API_VERIFY_ANONYMOUS_RATE", 30)
# Webhooks: retries every base x 3^n seconds for WIF_WEBHOOK_RETRY_HOURS, then the endpoint is disabled.
WIF_WEBHOOK_RETRY_BASE_SECONDS = env_int("WIF_WEBHOOK_RETRY_BASE_SECONDS", 60)
WIF_WEBHOOK_RETRY_HOURS = env_int("WIF_WEBHOOK_RETRY_HOURS", 24)
# Receivers on private or loopback addresses, and plain http://, only in development (SSRF).
WIF_WEBHOOK_ALLOW_PRIVATE = env_bool("WIF_WEBHOOK_ALLOW_PRIVATE", False)
WIF_WEBHOOK_ALLOW_HTTP = env_bool("WIF_WEBHOOK_ALLOW_HTTP", False)
# FranceConnect (applicants) and ProConnect (employers, agents): OpenID Connect providers. A provider
# without issuer, client id and secret is not offered. README.md lists the redirect URIs to declare.
WIF_OIDC_PROVIDERS = {
    name: {
        "issuer": env_str(f"WIF_{name.upper()}_ISSUER", ""),
        "client_id": env_str(f"WIF_{name.upper()}_CLIENT_ID", ""),
        "client_secret": env_str(f"WIF_{name.upper()}_CLIENT_SECRET", ""),
        "token_endpoint_auth_method": env_str(f"WIF_{name.upper()}_TOKEN_AUTH_METHOD", "client_secret_post"),
    }
    for name in ("franceconnect", "proconnect")
}
# Seconds allowed to each call to a provider (discovery, keys, token, userinfo).
WIF_OIDC_TIMEOUT = env_int("WIF_OIDC_TIMEOUT", 5)
