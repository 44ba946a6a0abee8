import datetime

import pytest
from django.utils import timezone

from workinfrance.accounts.models import Role
from workinfrance.dossiers import services
from workinfrance.dossiers.errors import ActorNotAllowed, DossierActionError, TransitionNotAllowed
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import FilerKind
from workinfrance.permits.models import Permit
from workinfrance.territories.models import Department

from tests.dossiers.helpers import dossier_in_state, events_of, upload
from tests.factories import PDF_BYTES, UserFactory, category


def test_draft_create_prefills_the_student_filing_for_themselves(applicant):
    dossier = services.dossier_draft_create(
        actor=applicant, category=category(), filer_kind=FilerKind.STUDENT
    )
    assert dossier.state == State.DRAFT
    assert (dossier.student_first_name, dossier.student_email) == (applicant.first_name, applicant.email)
    assert events_of(dossier) == ["dossier.create"]


def test_staff_cannot_create_drafts(agent):
    with pytest.raises(ActorNotAllowed):
        services.dossier_draft_create(actor=agent, category=category(), filer_kind=FilerKind.EMPLOYER)


def test_draft_update_records_changed_field_names_only(applicant):
    dossier = services.dossier_draft_create(
        actor=applicant, category=category(), filer_kind=FilerKind.EMPLOYER
    )
    services.dossier_draft_update(
        dossier=dossier,
        actor=applicant,
        changes={"employer_siret": "732 829 320 00074", "employer_name": "ACME"},
    )
    assert dossier.employer_siret == "73282932000074"
    services.dossier_draft_update(dossier=dossier, actor=applicant, changes={"employer_name": "ACME"})
    assert events_of(dossier) == ["dossier.create", "dossier.update"]
    event = dossier.__class__.objects.get(pk=dossier.pk)
    assert event.employer_name == "ACME"


def test_draft_update_refused_to_others_and_once_submitted(applicant, other_applicant, paris, agent):
    dossier = services.dossier_draft_create(
        actor=applicant, category=category(), filer_kind=FilerKind.EMPLOYER
    )
    with pytest.raises(ActorNotAllowed):
        services.dossier_draft_update(dossier=dossier, actor=other_applicant, changes={"job_title": "x"})
    in_review = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    with pytest.raises(TransitionNotAllowed):
        services.dossier_draft_update(dossier=in_review, actor=applicant, changes={"job_title": "x"})
    with pytest.raises(ValueError):
        services.dossier_draft_update(dossier=dossier, actor=applicant, changes={"state": State.ACCEPTED})


def test_routing_data_is_fixed_after_submission(applicant, paris, agent):
    dossier = dossier_in_state(State.AWAITING_COMPLEMENTS, applicant=applicant, unit=paris, assignee=agent)
    with pytest.raises(DossierActionError):
        services.dossier_draft_update(
            dossier=dossier, actor=applicant, changes={"department": Department.objects.get(code="69")}
        )
    services.dossier_draft_update(dossier=dossier, actor=applicant, changes={"job_title": "Développeuse"})
    assert dossier.job_title == "Développeuse"


def test_agent_message_emails_the_applicant(
    applicant, paris, agent, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_post(
            dossier=dossier,
            actor=agent,
            body="Votre passeport est illisible : détail confidentiel.",
            attachments=[upload(PDF_BYTES, "modele.pdf")],
        )
    assert message.from_staff
    assert message.attachments.get().original_name == "modele.pdf"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [applicant.email]
    assert "confidentiel" not in mail.body
    assert f"/demarche/dossiers/{dossier.uuid}/" in mail.body
    assert "Un agent a écrit" in mail.body and "An agent wrote" in mail.body


def test_applicant_message_sends_no_email(
    applicant, paris, agent, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = dossier_in_state(State.ACCEPTED, applicant=applicant, unit=paris, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_post(dossier=dossier, actor=applicant, body="Mon contrat a pris fin.")
    assert not message.from_staff
    assert mailoutbox == []
    assert "message.post" in events_of(dossier)


@pytest.mark.parametrize("who", ["other_applicant", "lyon_agent", "administrator"])
def test_strangers_cannot_post(applicant, paris, agent, lyon, who, request):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    actor = UserFactory(role=Role.ADMINISTRATOR) if who == "administrator" else request.getfixturevalue(who)
    with pytest.raises(ActorNotAllowed):
        services.message_post(dossier=dossier, actor=actor, body="Bonjour")
    assert dossier.messages.count() == 0


def test_no_thread_before_submission_and_no_empty_message(applicant, paris, agent):
    draft = dossier_in_state(State.DRAFT, applicant=applicant)
    with pytest.raises(TransitionNotAllowed):
        services.message_post(dossier=draft, actor=applicant, body="Bonjour")
    dossier = dossier_in_state(State.SUBMITTED, applicant=applicant, unit=paris)
    with pytest.raises(DossierActionError):
        services.message_post(dossier=dossier, actor=applicant, body="   ")


def test_renewal_prefills_a_new_draft_once(applicant, paris, supervisor):
    source = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=supervisor)
    services.dossier_accept(dossier=source, actor=supervisor, terms=services.permit_terms_proposed(source))
    permit = Permit.objects.get(dossier=source)
    renewal = services.dossier_renew(dossier=source, actor=applicant)
    assert renewal.state == State.DRAFT
    assert renewal.renewal_of == source
    assert renewal.previous_permit_number == permit.number
    assert renewal.employer_siret == source.employer_siret
    assert renewal.student_last_name == source.student_last_name
    assert renewal.contract_start is None and renewal.contract_end is None
    assert renewal.documents.count() == 0
    assert services.dossier_renew(dossier=source, actor=applicant) == renewal


def test_renewal_only_from_accepted_and_by_owner(applicant, other_applicant, paris, agent):
    refused = dossier_in_state(State.REFUSED, applicant=applicant, unit=paris, assignee=agent)
    with pytest.raises(TransitionNotAllowed):
        services.dossier_renew(dossier=refused, actor=applicant)
    accepted = dossier_in_state(State.ACCEPTED, applicant=applicant, unit=paris, assignee=agent)
    with pytest.raises(ActorNotAllowed):
        services.dossier_renew(dossier=accepted, actor=other_applicant)


def test_resubmit_answers_the_complement_request(applicant, paris, agent):
    dossier = dossier_in_state(State.AWAITING_COMPLEMENTS, applicant=applicant, unit=paris, assignee=agent)
    before = timezone.now() - datetime.timedelta(seconds=1)
    services.dossier_resubmit(dossier=dossier, actor=applicant)
    request = dossier.complement_requests.get()
    assert request.answered_at is not None
    # Back in review with the agent who asked, not in the unit's "to take" queue.
    assert dossier.state == State.IN_REVIEW
    assert dossier.assignee == agent
    assert dossier.submitted_at > before


def test_complements_only_of_the_dossier_category(applicant, paris, agent):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    foreign = category("medical_intern").document_types.filter(code="passport")
    with pytest.raises(DossierActionError):
        services.dossier_request_complements(
            dossier=dossier, actor=agent, document_types=foreign, message="Passeport ?"
        )
    dossier.refresh_from_db()
    assert dossier.state == State.IN_REVIEW
