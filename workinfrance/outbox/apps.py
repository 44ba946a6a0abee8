from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "workinfrance.outbox"
    verbose_name = _("Messages sortants")

    def ready(self):
        # Registers the "email" kind; other apps register theirs from their own ready().
        from . import handlers  # noqa: F401
