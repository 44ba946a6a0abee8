"""Browser tests (tests/e2e): the real service, DEBUG off, on the throw-away database and folders the tests give.

Self-contained on purpose: whatever the developer's environment holds (Redis, SMTP), tasks run in-process,
the cache is in memory and e-mails are written to files under WIF_VAR_DIR/mail, where the tests read them."""

from .base import *  # noqa: F403

DEBUG = False
# Static files as production serves them: tests/e2e/service.py runs collectstatic first.
WHITENOISE_USE_FINDERS = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"  # noqa: F405
# The journeys create and log into several accounts: fast hashing keeps the suite quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
