from django.urls import path

from . import views

app_name = "permits"

urlpatterns = [
    # What the QR code opens: keep it short and at the root (DESIGN §4).
    path("V/<str:seal>", views.verify, name="verify"),
    path("verifier/", views.verify_form, name="verify_form"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("autorisations/<str:number>/pdf/", views.download, name="download"),
    path("autorisations/<str:number>/retrait/", views.revoke, name="revoke"),
]
