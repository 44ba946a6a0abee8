from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from workinfrance.procedures.models import Category

# Static information pages: slug -> template.
PAGES = {
    "accessibilite": "core/pages/accessibility.html",
    "mentions-legales": "core/pages/legal.html",
    "donnees-personnelles": "core/pages/privacy.html",
}


def home(request):
    categories = Category.objects.filter(is_active=True)
    return render(request, "core/home.html", {"categories": categories})


def page(request, slug):
    template = PAGES.get(slug)
    if template is None:
        raise Http404
    return render(request, template)


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account so e-mails follow the same language."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if (
        request.user.is_authenticated
        and language in {"fr", "en"}
        and request.user.preferred_language != language
    ):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response
