from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("langue/", views.set_language, name="set_language"),
    path("pages/<slug:slug>/", views.page, name="page"),
]
