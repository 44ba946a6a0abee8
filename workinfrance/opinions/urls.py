from django.urls import path

from . import views

app_name = "opinions"

urlpatterns = [
    path("<str:token>/", views.expert, name="expert"),
    path("<str:token>/pieces/<int:document_id>/", views.expert_document, name="expert_document"),
]
