from django.urls import path

from . import health, metrics, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("langue/", views.set_language, name="set_language"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
