from django.urls import path

from . import views

app_name = "administration"
urlpatterns = [
    path("unites/", views.units, name="units"),
    path("unites/nouvelle/", views.unit_create, name="unit_create"),
    path("unites/<int:unit_id>/", views.unit_detail, name="unit"),
    path("unites/<int:unit_id>/inviter/", views.staff_invite, name="staff_invite"),
    path("agents/<int:user_id>/desactiver/", views.staff_deactivate, name="staff_deactivate"),
]
