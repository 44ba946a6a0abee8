"""The expert's pages, opened by the link of the e-mail: no account, no session.

Every answer is `Cache-Control: no-store`, `X-Robots-Tag: noindex` and `Referrer-Policy: no-referrer`
(the token is in the address); tokens that open nothing are counted per client by the site's throttle
(`accounts.throttle`, scope `opinion_link`)."""

from functools import wraps

from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from workinfrance.accounts.throttle import Throttled, throttle_check, throttle_fail
from workinfrance.dossiers.errors import DossierActionError

from . import services
from .forms import AnswerForm
from .selectors import LinkState, link_state, opinion_for_token, shared_document, shared_sections

THROTTLE_SCOPE = "opinion_link"


def token_page(view):
    """Throttle, find the request behind the token (or answer 404), and set the private headers."""

    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            throttle_check(request, scope=THROTTLE_SCOPE)
        except Throttled as throttled:
            response = render(
                request, "opinions/link.html", {"state": "throttled", "message": throttled.message}
            )
        else:
            opinion = opinion_for_token(token)
            if opinion is None:
                throttle_fail(request, scope=THROTTLE_SCOPE)
                response = render(request, "opinions/link.html", {"state": "unknown"}, status=404)
            else:
                response = view(request, opinion, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


def _ended(request, opinion):
    return render(request, "opinions/link.html", {"state": "ended", "opinion": opinion}, status=410)


# `Referrer-Policy: no-referrer` makes browsers send `Origin: null` with the answer, which Django's CSRF
# check refuses. The token in the address is itself the anti-forgery secret (a forging site would need
# it), so this view is exempt.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@token_page
def expert(request, opinion):
    state = link_state(opinion)
    if state is LinkState.ENDED:
        return _ended(request, opinion)
    if state is LinkState.ANSWERED:
        return render(
            request,
            "opinions/link.html",
            {"state": "answered", "opinion": opinion},
            status=409 if request.method == "POST" else 200,
        )
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_answer(
                opinion=opinion,
                answer=form.cleaned_data["answer"],
                attachment=form.cleaned_data.get("attachment"),
            )
        except DossierActionError as error:
            form.add_error(None, error.message)
        else:
            return redirect("opinions:expert", token=request.resolver_match.kwargs["token"])
    if request.method == "GET":
        services.opinion_view_record(opinion=opinion)
    context = {
        "state": "open",
        "opinion": opinion,
        "dossier": opinion.dossier,
        "sections": shared_sections(opinion),
        "documents": list(opinion.documents.select_related("document_type").order_by("pk")),
        "form": form,
        "token": request.resolver_match.kwargs["token"],
    }
    return render(request, "opinions/expert.html", context, status=400 if form.is_bound else 200)


@require_GET
@token_page
def expert_document(request, opinion, document_id):
    """A document shared with this expert, while the request is open; nothing else, ever."""
    if link_state(opinion) is not LinkState.OPEN:
        return _ended(request, opinion)
    document = shared_document(opinion, document_id)
    if document is None:
        throttle_fail(request, scope=THROTTLE_SCOPE)
        return render(request, "opinions/link.html", {"state": "unknown"}, status=404)
    services.opinion_document_read_record(opinion=opinion, document=document)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.download_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
