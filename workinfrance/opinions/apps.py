from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    """Opinions ("avis") asked of another service by e-mail, answered through a secure link."""

    name = "workinfrance.opinions"
