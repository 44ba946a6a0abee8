from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("workinfrance.core.urls")),
    path("comptes/", include("workinfrance.accounts.urls")),
    path("demarche/", include("workinfrance.applicant.urls")),
    path("instruction/", include("workinfrance.backoffice.urls")),
    path("statistiques/", include("workinfrance.stats.urls")),
    # Public verification (/V/<seal>, /.well-known/jwks.json) lives at the root: QR codes stay short.
    path("", include("workinfrance.permits.urls")),
    path("admin/", admin.site.urls),
]
