from django.contrib.auth.decorators import login_required
from django.http import Http404

from workinfrance.dossiers.selectors import dossier_get_for_user


def applicant_required(view):
    """Logged-in applicants only; staff have the back-office (404 rather than hinting at pages)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_applicant:
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def own_dossier(request, uuid):
    """A dossier the applicant is an accepted party of (`dossiers.selectors.dossiers_of_party`: its
    filer or an invited co-applicant), else 404 whether it exists or not."""
    dossier = dossier_get_for_user(user=request.user, uuid=uuid)
    if dossier is None:
        raise Http404
    return dossier
