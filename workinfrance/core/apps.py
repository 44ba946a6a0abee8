from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "workinfrance.core"
    verbose_name = "Core"
