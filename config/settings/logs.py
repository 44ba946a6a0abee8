"""Logging on standard output: readable lines in development, one JSON object per line in production.

Every line carries the id of the request or task that wrote it (workinfrance.core.request_id), and
each request ends with one summary line (method, path, status, duration) in the JSON format."""

from django.core.exceptions import ImproperlyConfigured

FORMATS = ("text", "json")


def logging_config(log_format: str, level: str) -> dict:
    if log_format not in FORMATS:
        raise ImproperlyConfigured(f"WIF_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "workinfrance.core.request_id.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "%(levelname)s %(name)s: %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",  # ISO 8601, UTC
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id"]}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"level": "ERROR"},
            # The per-request summary: `make run` has runserver's own access lines.
            "workinfrance.request": {"level": "INFO" if log_format == "json" else "WARNING"},
            # WeasyPrint and fontTools narrate every PDF at INFO level.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # A line per task ("succeeded in …", with the request id that queued it) in production;
            # one per in-process task would drown `make run`'s output.
            "celery.app.trace": {"level": "INFO" if log_format == "json" else "WARNING"},
        },
    }
