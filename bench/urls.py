from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare(request):
    """The reference: a Django view doing nothing, behind the same middleware as every page."""
    return HttpResponse("ok", content_type="text/plain")


# Last, so that resolving its address costs as much as the pages of the site.
urlpatterns = [*site_urlpatterns, path("bench/bare/", bare)]
