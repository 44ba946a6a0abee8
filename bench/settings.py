"""Settings of the web benchmarks: the development defaults, without debug, plus a bare view."""

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# As in production (config.settings.prod): connections kept and checked before reuse.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
