from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from workinfrance.api.api import api

admin.site.site_header = admin.site.site_title = _("Work in France — administration")

urlpatterns = [
    path("", include("workinfrance.core.urls")),
    path("comptes/", include("workinfrance.accounts.urls")),
    path("comptes/oidc/", include("workinfrance.oidc.urls")),
    path("comptes/second-facteur/cle/", include("workinfrance.accounts.passkeys")),
    path("demarche/", include("workinfrance.applicant.urls")),
    path("instruction/suivi/", include("workinfrance.followup.urls")),
    path("instruction/", include("workinfrance.backoffice.urls")),
    path("statistiques/", include("workinfrance.stats.urls")),
    path("administration/", include("workinfrance.administration.urls")),
    # The link e-mailed to an expert asked for an opinion (no account).
    path("avis/", include("workinfrance.opinions.urls")),
    # Public verification (/V/<seal>, /.well-known/jwks.json) lives at the root: QR codes stay short.
    path("", include("workinfrance.permits.urls")),
    path("api/v1/", api.urls),
    path("api/", include("workinfrance.api.urls")),
    path("admin/", admin.site.urls),
]

# Error pages rendered without the database (it may be the failing part): workinfrance.core.errors.
handler500 = "workinfrance.core.errors.server_error"
