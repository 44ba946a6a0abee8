from django.contrib.auth import views as auth_views
from django.urls import path

from . import second_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("confirmer/<uidb64>/<token>/", views.confirm_email, name="confirm_email"),
    path("confirmer/renvoyer/", views.resend_confirmation, name="resend_confirmation"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("accueil/", views.after_login, name="after_login"),
    path("mot-de-passe/", views.password_reset, name="password_reset"),
    path("mot-de-passe/envoye/", views.password_reset_done, name="password_reset_done"),
    path("mot-de-passe/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("mot-de-passe/termine/", views.password_reset_complete, name="password_reset_complete"),
    path("second-facteur/", second_factor_views.second_factor, name="second_factor"),
    path(
        "second-facteur/secours/", second_factor_views.second_factor_recovery, name="second_factor_recovery"
    ),
    path("second-facteur/activer/", second_factor_views.second_factor_setup, name="second_factor_setup"),
    path("second-facteur/codes-de-secours/", second_factor_views.recovery_codes, name="recovery_codes"),
]
