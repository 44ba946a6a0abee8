from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "workinfrance.stats"
