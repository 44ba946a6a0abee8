from django.urls import path

from . import views

app_name = "backoffice"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("pilotage/", views.workload, name="workload"),
    path("filtres/", views.saved_filter_create, name="saved_filter_create"),
    path("filtres/<int:pk>/supprimer/", views.saved_filter_delete, name="saved_filter_delete"),
    path("colonnes/", views.columns_set, name="columns"),
    path("etiquettes/", views.labels, name="labels"),
    path("etiquettes/<int:pk>/", views.label_edit, name="label"),
    path("etiquettes/<int:pk>/supprimer/", views.label_delete, name="label_delete"),
    path("lots/", views.batch_start, name="batch_start"),
    path("lots/accepter/", views.batch_accept, name="batch_accept"),
    path("lots/<uuid:uuid>/", views.batch_detail, name="batch"),
    path("lots/<uuid:uuid>/etat.json", views.batch_status, name="batch_status"),
    path("dossiers/<uuid:uuid>/etiquettes/", views.dossier_labels, name="dossier_labels"),
    path("dossiers/<uuid:uuid>/", views.dossier_detail, name="dossier"),
    path("dossiers/<uuid:uuid>/decision/", views.decision_letter, name="decision_letter"),
    path("dossiers/<uuid:uuid>/notes/", views.note_add, name="note_add"),
    path("dossiers/<uuid:uuid>/messages/", views.message_post, name="message_post"),
    path("dossiers/<uuid:uuid>/actions/<slug:name>/", views.dossier_action, name="action"),
    path("dossiers/<uuid:uuid>/pieces/<int:document_id>/", views.document_view, name="document"),
    path(
        "dossiers/<uuid:uuid>/pieces/<int:document_id>/telecharger/",
        views.document_download,
        name="document_download",
    ),
]
