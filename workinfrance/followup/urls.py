from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("rapports/", views.reports, name="reports"),
    path("rapports/<int:pk>/", views.report_download, name="report_download"),
    path("renouvellements/", views.renewals, name="renewals"),
    path("renouvellements/export.csv", views.renewals_csv, name="renewals_csv"),
    path("renouvellements/export.xlsx", views.renewals_xlsx, name="renewals_xlsx"),
]
