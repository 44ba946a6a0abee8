from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "workinfrance.permits"
    verbose_name = _("Autorisations")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from workinfrance.dossiers.permit_office import permit_office_register

        from .services import DossierPermitOffice

        permit_office_register(DossierPermitOffice())

        from .models import Permit
        from .revocation_feed import revocation_list_forget
        from .selectors import permit_forget

        def forget(sender, instance, **kwargs):
            permit_forget(instance)
            revocation_list_forget()

        # weak=False: the receiver is a local function, nothing else keeps it alive.
        post_save.connect(forget, sender=Permit, weak=False, dispatch_uid="permits.forget_on_save")
        post_delete.connect(forget, sender=Permit, weak=False, dispatch_uid="permits.forget_on_delete")
