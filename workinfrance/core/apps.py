from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "workinfrance.core"
    verbose_name = "Core"

    def ready(self):
        from . import beat  # noqa: F401  (registers the beat schedule check)
