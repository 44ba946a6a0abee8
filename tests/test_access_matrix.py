"""Every URL of the site, for every kind of visitor (DESIGN §7): who gets the page, who does not.

Denied means: anonymous visitors are sent to the login page (or get 404); signed-in users get 403 or 404
(404 where confirming that an object exists would already leak something). The expectations are
written per URL name; a URL added without an expectation fails `test_every_url_is_covered`."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from workinfrance.accounts.models import Role
from workinfrance.api.models import WebhookDelivery
from workinfrance.api.tokens import token_create
from workinfrance.api.webhooks import services as webhook_services
from workinfrance.backoffice.services import (
    batch_create,
    dossier_label_add,
    label_create,
    saved_filter_create,
)
from workinfrance.dossiers import party_services, services
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import MessageTemplate, RefusalReason
from workinfrance.followup.services import monthly_report_produce
from workinfrance.opinions import services as opinion_services
from workinfrance.permits.models import DecisionLetter

from tests.dossiers.helpers import dossier_in_state
from tests.factories import PDF_BYTES, UserFactory, agent_of, supervisor_of

ROLES = [
    "anonymous",
    "applicant_a",
    "applicant_b",
    # The employer's contact, invited by applicant_a (the student) and accepted (issue 15).
    "party_a",
    "agent_paris",
    "supervisor_paris",
    "agent_lyon",
    "supervisor_lyon",
    "administrator",
]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
PARIS_STAFF = {"agent_paris", "supervisor_paris"}
STAFF = PARIS_STAFF | {"agent_lyon", "supervisor_lyon"}
SUPERVISORS = {"supervisor_paris", "supervisor_lyon"}
APPLICANTS = {"applicant_a", "applicant_b", "party_a"}
PARTIES_A = {"applicant_a", "party_a"}

# URL name -> (kwargs builder name, roles that get a 200 on GET). POST-only views are listed in
# POST_ONLY: a GET must never change anything nor show anything there.
EXPECTED = {
    "core:home": (None, EVERYONE),
    "core:page": ("page", EVERYONE),
    "core:healthz": (None, EVERYONE),
    "core:readyz": (None, EVERYONE),
    "core:metrics": (None, set()),  # 404 unless WIF_METRICS_TOKEN or an allowed address is set
    "accounts:signup": (None, {"anonymous"}),  # signed-in users are sent to their home
    "accounts:resend_confirmation": (None, EVERYONE),
    "accounts:login": (None, {"anonymous"}),
    "accounts:password_reset": (None, EVERYONE),
    "accounts:password_reset_done": (None, EVERYONE),
    "accounts:password_reset_complete": (None, EVERYONE),
    # Staff signed in here have given their second factor (force_login): the step sends them on.
    "accounts:second_factor": (None, set()),
    "accounts:second_factor_recovery": (None, set()),
    "accounts:second_factor_setup": (None, STAFF | {"administrator"}),
    "accounts:recovery_codes": (None, STAFF | {"administrator"}),
    "otp_webauthn:js-i18n-catalog": (None, EVERYONE),
    "applicant:guide": (None, EVERYONE),
    "applicant:dashboard": (None, APPLICANTS),
    "applicant:new": (None, APPLICANTS),
    "applicant:dossier": ("dossier", PARTIES_A),
    "applicant:step": ("step", PARTIES_A),
    "applicant:document": ("document", PARTIES_A | PARIS_STAFF),
    "applicant:mandate": ("dossier", PARTIES_A),
    "applicant:checklist": ("checklist", EVERYONE),
    "applicant:mandate_template": (None, EVERYONE),
    # The link itself is the credential: anyone holding it sees whom it invites; staff are not invited.
    "applicant:invitation": ("invitation", {"anonymous"} | APPLICANTS),
    "backoffice:inbox": (None, STAFF),
    "backoffice:export_csv": (None, STAFF),
    "backoffice:export_xlsx": (None, STAFF),
    "backoffice:workload": (None, SUPERVISORS),
    "backoffice:labels": (None, SUPERVISORS),
    "backoffice:label": ("label", {"supervisor_paris"}),
    "backoffice:batch": ("batch", {"agent_paris"}),  # its author only
    "backoffice:batch_status": ("batch", {"agent_paris"}),
    "backoffice:message_templates": (None, SUPERVISORS),
    "backoffice:message_template": ("message_template", {"supervisor_paris"}),
    "backoffice:opinion_answer_file": ("opinion", PARIS_STAFF),
    # The expert's pages: public, but only with a valid token (tests/opinions: anything else is refused).
    "opinions:expert": ("opinion_token", EVERYONE),
    "opinions:expert_document": ("opinion_document", EVERYONE),
    "backoffice:dossier": ("dossier", PARIS_STAFF),
    "backoffice:decision_letter": ("dossier", PARIS_STAFF),
    "backoffice:document": ("document", PARIS_STAFF),
    "backoffice:document_download": ("document", PARIS_STAFF),
    "stats:public": (None, EVERYONE),
    "stats:public_csv": (None, EVERYONE),
    "stats:unit": (None, SUPERVISORS),
    "followup:reports": (None, STAFF),
    "followup:report_download": ("report", PARIS_STAFF),
    "followup:renewals": (None, STAFF),
    "followup:renewals_csv": (None, STAFF),
    "followup:renewals_xlsx": (None, STAFF),
    "permits:verify": ("seal", EVERYONE),
    "permits:verify_form": (None, EVERYONE),
    "permits:jwks": (None, EVERYONE),
    "permits:revocations": (None, EVERYONE),
    "permits:scanner": (None, EVERYONE),
    "permits:scanner_sw": (None, EVERYONE),
    "permits:scanner_manifest": (None, EVERYONE),
    "permits:download": ("permit", PARTIES_A | PARIS_STAFF),
    "permits:revoke": ("permit", {"supervisor_paris"}),
    # The signed decision letter of a refusal: the dossier's applicant and the unit's staff.
    "permits:decision_letter": ("decision_letter", {"applicant_a"} | PARIS_STAFF),
    "api:tokens": (None, SUPERVISORS),
    "api:webhooks": (None, SUPERVISORS),
    "api:webhook": ("webhook", {"supervisor_paris"}),
    "administration:units": (None, SUPERVISORS | {"administrator"}),
    "administration:unit_create": (None, {"administrator"}),
    "administration:unit": ("unit", {"supervisor_paris", "administrator"}),
}
POST_ONLY = {
    "core:set_language": None,
    "accounts:logout": None,
    "oidc:logout": None,
    "oidc:start": "provider",
    "otp_webauthn:credential-registration-begin": None,
    "otp_webauthn:credential-registration-complete": None,
    "otp_webauthn:credential-authentication-begin": None,
    "otp_webauthn:credential-authentication-complete": None,
    "applicant:upload": "upload",
    "applicant:autosave": "step",
    "applicant:document_remove": "document",
    "applicant:submit": "dossier",
    "applicant:resubmit": "dossier",
    "applicant:message": "dossier",
    "applicant:renew": "dossier",
    "applicant:invite": "dossier",
    "backoffice:note_add": "dossier",
    "backoffice:message_post": "dossier",
    "backoffice:action": "action",
    "backoffice:saved_filter_create": None,
    "backoffice:saved_filter_delete": "saved_filter",
    "backoffice:columns": None,
    "backoffice:label_delete": "label",
    "backoffice:batch_start": None,
    "backoffice:batch_accept": None,
    "backoffice:dossier_labels": "dossier",
    "backoffice:message_template_delete": "message_template",
    "backoffice:opinion_request": "dossier",
    "backoffice:opinion_cancel": "opinion",
    "api:token_revoke": "token",
    "api:webhook_enable": "webhook",
    "api:webhook_delete": "webhook",
    "api:delivery_replay": "delivery",
    "administration:staff_invite": "unit",
    "administration:staff_deactivate": "member",
}
# Token links and the role router are covered by the accounts tests.
NOT_HERE = {"accounts:confirm_email", "accounts:password_reset_confirm", "accounts:after_login"}
# The OpenID Connect return addresses and the pending-link pages: tests/oidc drives them over HTTP
# (without a state or a pending link in the session they refuse, whoever asks).
NOT_HERE |= {"oidc:callback", "oidc:link", "oidc:link_email", "oidc:logout_return"}


def url_names(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            # The REST API (token calls, no session) has its own matrix: tests/api/test_access.py.
            if pattern.namespace in ("admin", "api-v1"):
                continue
            yield from url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_is_covered():
    assert set(url_names()) == set(EXPECTED) | set(POST_ONLY) | NOT_HERE


@pytest.fixture
def world(paris, lyon, django_capture_on_commit_callbacks):
    users = {
        "applicant_a": UserFactory(),
        "applicant_b": UserFactory(),
        "party_a": UserFactory(),
        "agent_paris": agent_of(paris),
        "supervisor_paris": supervisor_of(paris),
        "agent_lyon": agent_of(lyon),
        "supervisor_lyon": supervisor_of(lyon),
        "administrator": UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True),
    }
    dossier = dossier_in_state(
        State.IN_REVIEW, applicant=users["applicant_a"], unit=paris, assignee=users["agent_paris"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_accept(
            dossier=dossier, actor=users["agent_paris"], terms=services.permit_terms_proposed(dossier)
        )
    refused = dossier_in_state(
        State.IN_REVIEW, applicant=users["applicant_a"], unit=paris, assignee=users["agent_paris"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_refuse(
            dossier=refused, actor=users["agent_paris"], reason=RefusalReason.HOURS, comment=""
        )
    letter = DecisionLetter.objects.get(dossier=refused)
    draft = dossier_in_state(State.DRAFT, applicant=users["applicant_a"], documents=False)
    for joined in (dossier, draft):
        token = party_services.party_invite(
            dossier=joined, actor=users["applicant_a"], side="employer", email=users["party_a"].email
        )
        party_services.party_accept(token=token, user=users["party_a"])
    pending_token = party_services.party_invite(
        dossier=draft, actor=users["applicant_a"], side="mandatary", email="someone@example.test"
    )
    permit = dossier.permits.get()
    document = dossier.documents.first()
    endpoint, _secret = webhook_services.endpoint_create(
        actor=users["supervisor_paris"],
        url="http://127.0.0.1:9/hook",
        event_types=["dossier.decided"],
        unit=paris,
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_type="dossier.decided", payload={})
    token = token_create(
        actor=users["supervisor_paris"],
        name="matrix",
        scopes=["dossiers:read"],
        expires_at=timezone.now() + timezone.timedelta(days=1),
        unit=paris,
    ).token
    report = monthly_report_produce(unit=paris, month=timezone.localdate().replace(day=1))
    label = label_create(actor=users["supervisor_paris"], unit=paris, name="Urgent", colour="pink-tuile")
    dossier_label_add(dossier=dossier, actor=users["agent_paris"], label=label)
    batch = batch_create(actor=users["agent_paris"], action="take", references=[str(dossier.uuid)])
    saved_filter = saved_filter_create(actor=users["agent_paris"], name="Mes filtres", query_string="tab=all")
    reviewed = dossier_in_state(
        State.IN_REVIEW, applicant=users["applicant_a"], unit=paris, assignee=users["agent_paris"]
    )
    shared = reviewed.documents.first()
    due = timezone.localdate() + timezone.timedelta(days=7)
    answered = opinion_services.opinion_request(
        dossier=reviewed,
        actor=users["agent_paris"],
        expert_email="x@prefecture.test",
        question="?",
        due_date=due,
    )
    opinion_services.opinion_answer(
        opinion=answered,
        answer="Titre valable.",
        attachment=SimpleUploadedFile("avis.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    pending = opinion_services.opinion_request(
        dossier=reviewed,
        actor=users["agent_paris"],
        expert_email="y@prefecture.test",
        question="?",
        due_date=due,
        documents=[shared],
    )
    message_template = MessageTemplate.objects.create(unit=paris, title="Relance", body="Bonjour")
    kwargs = {
        None: {},
        "report": {"pk": report.pk},
        "page": {"slug": "accessibilite"},
        "provider": {"provider": "franceconnect"},
        "dossier": {"uuid": dossier.uuid},
        "checklist": {"code": dossier.category.code},
        "invitation": {"token": pending_token},
        "step": {"uuid": draft.uuid, "step": "student"},
        "document": {"uuid": dossier.uuid, "document_id": document.pk},
        "upload": {"uuid": dossier.uuid, "document_type_id": document.document_type_id},
        "action": {"uuid": dossier.uuid, "name": "reopen"},
        "permit": {"number": permit.number},
        "decision_letter": {"uuid": letter.uuid},
        "seal": {"seal": permit.seal.rsplit("/V/", 1)[-1]},
        "webhook": {"pk": endpoint.pk},
        "token": {"pk": token.pk},
        "delivery": {"pk": endpoint.pk, "delivery_pk": delivery.pk},
        "unit": {"unit_id": dossier.unit_id},
        "member": {"user_id": users["agent_paris"].pk},
        "label": {"pk": label.pk},
        "batch": {"uuid": batch.uuid},
        "saved_filter": {"pk": saved_filter.pk},
        "message_template": {"pk": message_template.pk},
        "opinion": {"uuid": reviewed.uuid, "pk": answered.pk},
        "opinion_token": {"token": opinion_services.opinion_token(pending)},
        "opinion_document": {"token": opinion_services.opinion_token(pending), "document_id": shared.pk},
    }
    return users, kwargs, dossier


def get_as(client, users, role, url):
    if role != "anonymous":
        client.force_login(users[role])
    return client.get(url)


def refusal_problem(role, url, response) -> str | None:
    if role == "anonymous":
        if response.status_code == 404 or (
            response.status_code == 302 and "/comptes/connexion/" in response.url
        ):
            return None
    elif response.status_code in {403, 404}:
        return None
    elif response.status_code == 302 and response.url.startswith(
        ("/comptes/", "/demarche/", "/instruction/")
    ):
        return None  # sent to their own home, never shown the content
    return f"{url} answered {response.status_code} to {role}"


# One test per visitor, every URL inside: the world (with a signed permit PDF) is built once per visitor.
@pytest.mark.parametrize("role", ROLES)
def test_get_access(client, world, role):
    users, kwargs, _dossier = world
    problems = []
    for name, (builder, allowed) in sorted(EXPECTED.items()):
        url = reverse(name, kwargs=kwargs[builder])
        response = get_as(client, users, role, url)
        if role in allowed:
            if response.status_code != 200:
                problems.append(f"{url} ({name}) answered {response.status_code} instead of 200 to {role}")
        elif problem := refusal_problem(role, url, response):
            problems.append(f"{problem} ({name})")
    assert problems == []


@pytest.mark.parametrize("role", ROLES)
def test_post_only_views_refuse_get(client, world, role):
    users, kwargs, dossier = world
    problems = []
    for name, builder in sorted(POST_ONLY.items()):
        url = reverse(name, kwargs=kwargs[builder])
        response = get_as(client, users, role, url)
        if response.status_code not in {302, 404, 405}:
            problems.append(f"GET {url} ({name}) answered {response.status_code} to {role}")
    dossier.refresh_from_db()
    assert dossier.state == State.ACCEPTED
    assert problems == []


@pytest.mark.parametrize("role", ROLES)
def test_autosave_writes_only_for_the_owner_of_an_editable_dossier(client, world, role):
    """The background save of a step checks what the step page checks: the applicant's own dossier,
    while editable. Everyone else is turned away and nothing is written."""
    users, kwargs, dossier = world
    draft_url = reverse("applicant:autosave", kwargs=kwargs["step"])
    filed_url = reverse("applicant:autosave", kwargs={"uuid": dossier.uuid, "step": "student"})
    if role != "anonymous":
        client.force_login(users[role])
    draft_answer = client.post(draft_url, {"student_city": f"Ville de {role}"})
    filed_answer = client.post(filed_url, {"student_city": f"Ville de {role}"})
    if role == "applicant_a":
        assert draft_answer.status_code == 200
        assert filed_answer.status_code == 409  # accepted: no longer editable
    elif role == "party_a":  # the employer's side of both: the student's part is not theirs to write
        assert draft_answer.status_code == 409, draft_answer.content
        assert filed_answer.status_code == 409  # the accepted dossier: no longer editable
    else:
        assert refusal_problem(role, draft_url, draft_answer) is None
        assert refusal_problem(role, filed_url, filed_answer) is None
    dossier.refresh_from_db()
    assert dossier.student_city != f"Ville de {role}"
    cities = set(type(dossier).objects.values_list("student_city", flat=True))
    assert (f"Ville de {role}" in cities) == (role == "applicant_a")
