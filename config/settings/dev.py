"""Development: the embedded defaults (SQLite, in-process tasks, e-mails to files)."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)

# `make run` works on a fresh machine: the seal key and a self-made PAdES CA appear at first issuance.
WIF_SIGNING_KEY_AUTO_CREATE = env_bool("WIF_SIGNING_KEY_AUTO_CREATE", True)
WIF_PADES_AUTO_CREATE = env_bool("WIF_PADES_AUTO_CREATE", True)
# A webhook receiver on this machine, over http, while developing.
WIF_WEBHOOK_ALLOW_PRIVATE = env_bool("WIF_WEBHOOK_ALLOW_PRIVATE", True)
WIF_WEBHOOK_ALLOW_HTTP = env_bool("WIF_WEBHOOK_ALLOW_HTTP", True)

# `make run` serves static files as production does: what collectstatic wrote (fingerprinted, compressed),
# by WhiteNoise, with far-future cache headers; re-run `make run` after editing a stylesheet.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
