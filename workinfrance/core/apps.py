from django.apps import AppConfig
from django.contrib.staticfiles import apps as staticfiles_apps


class CoreConfig(AppConfig):
    name = "workinfrance.core"
    verbose_name = "Core"

    def ready(self):
        # beat registers the schedule check; metrics and request_id connect their Celery signals.
        from . import beat, metrics, request_id  # noqa: F401


class StaticFilesConfig(staticfiles_apps.StaticFilesConfig):
    """Django's static files, without the parts of django-dsfr's DSFR copy that no page loads.

    The pages load the bundle of scripts/build_dsfr.py (built from these very files, read where django-dsfr
    installs them), its fonts and icons and the favicons: collecting and compressing the whole DSFR
    distribution (full and per-component stylesheets, legacy scripts, pictograms) would only slow
    collectstatic, which `make run` runs at every start.
    """

    ignore_patterns = [
        *staticfiles_apps.StaticFilesConfig.ignore_patterns,
        *(
            f"dsfr/dist/{part}"
            for part in (
                "dsfr.*",
                "dsfr/*",
                "core/*",
                "component/*",
                "utility/*",
                "layout/*",
                "legacy/*",
                "scheme/*",
                "analytics/*",
                "artwork/*",
                "*.md",
            )
        ),  # fmt: skip
    ]
