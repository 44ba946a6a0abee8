from django.urls import path

from . import views

app_name = "oidc"

urlpatterns = [
    path("lier/", views.link, name="link"),
    path("lier/<str:token>/", views.link_email, name="link_email"),
    path("deconnexion/", views.sign_out, name="logout"),
    path("deconnexion/retour/", views.logout_return, name="logout_return"),
    # <provider> is "franceconnect" or "proconnect" (providers.py); an unconfigured one is a 404.
    path("<str:provider>/connexion/", views.start, name="start"),
    path("<str:provider>/retour/", views.callback, name="callback"),
]
