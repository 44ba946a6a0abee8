from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "workinfrance.retention"
    verbose_name = "Conservation des données"
