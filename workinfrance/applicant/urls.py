from django.urls import path

from . import views

app_name = "applicant"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("guide/", views.guide, name="guide"),
    path("nouvelle-demande/", views.dossier_new, name="new"),
    path("dossiers/<uuid:uuid>/", views.dossier, name="dossier"),
    path("dossiers/<uuid:uuid>/etapes/<slug:step>/", views.step, name="step"),
    path("dossiers/<uuid:uuid>/etapes/<slug:step>/brouillon/", views.autosave, name="autosave"),
    path("dossiers/<uuid:uuid>/pieces/<int:document_type_id>/", views.upload, name="upload"),
    path("dossiers/<uuid:uuid>/deposer/", views.submit, name="submit"),
    path("dossiers/<uuid:uuid>/renvoyer/", views.resubmit, name="resubmit"),
    path("dossiers/<uuid:uuid>/messages/", views.message, name="message"),
    path("dossiers/<uuid:uuid>/renouveler/", views.renew, name="renew"),
    path("dossiers/<uuid:uuid>/documents/<int:document_id>/", views.document, name="document"),
    path("dossiers/<uuid:uuid>/inviter/", views.invite, name="invite"),
    path("dossiers/<uuid:uuid>/mandat.pdf", views.mandate, name="mandate"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("pieces/<slug:code>.pdf", views.checklist, name="checklist"),
    path("modeles/mandat.pdf", views.mandate_template, name="mandate_template"),
    path(
        "dossiers/<uuid:uuid>/documents/<int:document_id>/retirer/",
        views.document_remove,
        name="document_remove",
    ),
]
