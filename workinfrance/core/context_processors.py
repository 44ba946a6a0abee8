from django.conf import settings


def service(request):
    return {"SERVICE_NAME": settings.WIF_SERVICE_NAME}
