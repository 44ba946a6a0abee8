"""Development: the embedded defaults (SQLite, in-process tasks, e-mails to files)."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
WHITENOISE_USE_FINDERS = True
