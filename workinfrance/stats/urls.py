from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.public, name="public"),
    path("export.csv", views.public_csv, name="public_csv"),
    path("unite/", views.unit, name="unit"),
]
