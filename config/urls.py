from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("workinfrance.core.urls")),
    path("comptes/", include("workinfrance.accounts.urls")),
    path("admin/", admin.site.urls),
]
