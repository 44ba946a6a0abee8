"""Tests: same as development, but fast hashing, in-memory e-mail and isolated files."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="wif-test-media-"))
STORAGES = {
    "default": {"BACKEND": "workinfrance.core.files.CommittedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
# Keys of the tests never touch the developer's keyring (tests/permits also use one folder per test).
WIF_SIGNING_KEY_DIR = Path(tempfile.mkdtemp(prefix="wif-test-keys-"))
WIF_SIGNING_KEY_AUTO_CREATE = True
WIF_PADES_AUTO_CREATE = True
# Webhook tests run a receiver on 127.0.0.1 over http.
WIF_WEBHOOK_ALLOW_PRIVATE = True
WIF_WEBHOOK_ALLOW_HTTP = True


def _remove_temporary_folders(creator: int = os.getpid()) -> None:
    # Only in the process that made them: a forked child (a gunicorn worker) exits before its parent.
    if os.getpid() == creator:
        for folder in (MEDIA_ROOT, WIF_SIGNING_KEY_DIR):
            shutil.rmtree(folder, ignore_errors=True)


atexit.register(_remove_temporary_folders)
