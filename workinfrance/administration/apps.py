from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """Pages for administrators and supervisors: units, their departments, their staff."""

    name = "workinfrance.administration"
