from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "workinfrance.api"
    verbose_name = _("API")

    def ready(self):
        from django.db.models.signals import post_save

        from workinfrance.core.models import Event

        from .webhooks.services import webhooks_enqueue_for_event

        def enqueue(sender, instance, created, **kwargs):
            if created:
                webhooks_enqueue_for_event(instance)

        # The audit event of a transition is written in the transition's transaction: the deliveries
        # it calls for are too, so a rolled-back decision announces nothing.
        post_save.connect(enqueue, sender=Event, weak=False, dispatch_uid="api.webhooks_on_event")
