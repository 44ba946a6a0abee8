from django.urls import path

from . import views

app_name = "permits"

urlpatterns = [
    # What the QR code opens: keep it short and at the root (DESIGN §4).
    path("V/<str:seal>", views.verify, name="verify"),
    path("verifier/", views.verify_form, name="verify_form"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path(".well-known/revocations", views.revocations, name="revocations"),
    path("verifier/scanner/", views.scanner, name="scanner"),
    path("verifier/scanner/sw.js", views.scanner_service_worker, name="scanner_sw"),
    path("verifier/scanner/manifest.webmanifest", views.scanner_manifest, name="scanner_manifest"),
    path("autorisations/<str:number>/pdf/", views.download, name="download"),
    path("autorisations/<str:number>/retrait/", views.revoke, name="revoke"),
    path("decisions/<uuid:uuid>/pdf/", views.decision_letter_download, name="decision_letter"),
]
