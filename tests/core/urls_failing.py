"""The site's URLs plus one view that fails, to see the 500 page the service really serves."""

from django.urls import path

from config.urls import *  # noqa: F403
from config.urls import urlpatterns


def failing_view(request):
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("failing/", failing_view)]
