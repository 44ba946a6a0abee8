from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("acces/", views.tokens, name="tokens"),
    path("acces/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/reactiver/", views.webhook_enable, name="webhook_enable"),
    path("webhooks/<int:pk>/supprimer/", views.webhook_delete, name="webhook_delete"),
    path(
        "webhooks/<int:pk>/livraisons/<int:delivery_pk>/rejouer/",
        views.delivery_replay,
        name="delivery_replay",
    ),
]
