"""Production: refuses to start without its secrets; secure cookies and HTTPS."""

from pathlib import Path

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str
from .logs import logging_config

SECRET_KEY = env_str("SECRET_KEY", required=True)
if SECRET_KEY.startswith("dev-only"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set to a real secret in production.")
env_str("DATABASE_URL", required=True)
# One connection per worker, kept between requests (opening one costs more than most pages), and
# checked before a request reuses it, so a restarted or failed-over database costs no error page.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]  # noqa: F405
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
REDIS_URL = env_str("REDIS_URL", required=True)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {
    "default": {
        "BACKEND": "workinfrance.core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": REDIS_CACHE_OPTIONS,  # noqa: F405
    }
}
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("ALLOWED_HOSTS must list the service's host names in production.")
WIF_PUBLIC_URL = env_str("WIF_PUBLIC_URL", required=True)
WIF_SIGNING_KEY_DIR = Path(env_str("WIF_SIGNING_KEY_DIR", required=True))

DEBUG = False
# False only where the proxy in front already redirects plain HTTP to HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Off by default: joining the browsers' preload list is for the parent domain's owner to decide
# (README, "manage.py check --deploy").
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 8 * 3600
# Webhooks only to public HTTPS receivers (SSRF), whatever the environment says.
WIF_WEBHOOK_ALLOW_PRIVATE = False
WIF_WEBHOOK_ALLOW_HTTP = False

# One JSON object per log line, with the request id (config/settings/logs.py); Celery's processes log
# through the same configuration instead of their own format.
WIF_LOG_FORMAT = env_str("WIF_LOG_FORMAT", "json")
LOGGING = logging_config(WIF_LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = WIF_LOG_FORMAT != "json"
