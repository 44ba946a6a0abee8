"""Co-applicants (issue 15): the parties of a dossier, their invitation, what each side edits,
who gets the e-mails and the permit, and who sees nothing."""

import datetime

import pypdfium2
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from workinfrance.core.events import events_for
from workinfrance.core.verbs import Verb
from workinfrance.dossiers import party_services, services
from workinfrance.dossiers.errors import ActorNotAllowed, DossierActionError
from workinfrance.dossiers.lifecycle import Actor, State, actor_kinds
from workinfrance.dossiers.models import DossierParty, FilerKind, PartySide, PartyStatus
from workinfrance.dossiers.party_services import InvitationError
from workinfrance.dossiers.selectors import dossiers_of_party, editable_parts, party_may_view
from workinfrance.outbox.models import OutboxMessage

from tests.dossiers.helpers import dossier_in_state
from tests.factories import DossierFactory, UserFactory, agent_of, category, complete_draft


def invite(dossier, actor, side, email):
    return party_services.party_invite(dossier=dossier, actor=actor, side=side, email=email)


@pytest.fixture
def employer(db):
    return UserFactory(email="rh@atelier.test", first_name="Jean")


@pytest.fixture
def student(db):
    return UserFactory(email="amina@etu.test", first_name="Amina")


@pytest.fixture
def employer_draft(employer):
    """Filed by the employer through the service (so the filer is a party row)."""
    dossier = services.dossier_draft_create(
        actor=employer, category=category(), filer_kind=FilerKind.EMPLOYER
    )
    template = DossierFactory(applicant=employer)
    for field in ("student_first_name", "student_last_name", "employer_name", "job_title", "department"):
        setattr(dossier, field, getattr(template, field))
    template.delete()
    dossier.save()
    return dossier


def joined(dossier, inviter, user, side):
    token = invite(dossier, inviter, side, user.email)
    return party_services.party_accept(token=token, user=user)


# --- The filer is a party -----------------------------------------------------------------------------


def test_the_filer_is_a_joined_party_from_creation(employer_draft, employer):
    party = DossierParty.objects.get(dossier=employer_draft)
    assert (party.side, party.status, party.user) == (PartySide.EMPLOYER, PartyStatus.JOINED, employer)


def test_database_keeps_one_party_per_side(employer_draft, student):
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierParty.objects.create(
            dossier=employer_draft,
            side=PartySide.EMPLOYER,
            status=PartyStatus.JOINED,
            email="x@y.test",
            user=student,
            accepted_at=timezone.now(),
        )


def test_database_refuses_an_invited_party_bound_to_an_account(employer_draft, student):
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierParty.objects.create(
            dossier=employer_draft,
            side=PartySide.STUDENT,
            status=PartyStatus.INVITED,
            email="x@y.test",
            user=student,
            token_hash="0" * 64,
        )


# --- The invitation's life ----------------------------------------------------------------------------


def test_invitation_e_mails_a_single_use_link_and_is_audited(employer_draft, employer, student):
    token = invite(employer_draft, employer, PartySide.STUDENT, student.email)
    mail = OutboxMessage.objects.get(payload__to=student.email)
    assert party_services.invitation_url(token) in mail.payload["body"]
    assert "&#x27;" not in mail.payload["subject"] + mail.payload["body"]
    assert "invites you" in mail.payload["body"]  # French, then English
    party = DossierParty.objects.get(dossier=employer_draft, side=PartySide.STUDENT)
    assert party.token_hash == party_services.token_hash(token) and token not in str(party.__dict__)
    assert events_for(employer_draft).filter(verb=Verb.PARTY_INVITE).count() == 1


def test_accepting_binds_the_account_and_opens_the_dossier(employer_draft, employer, student):
    assert not party_may_view(employer_draft, student)
    party = joined(employer_draft, employer, student, PartySide.STUDENT)
    assert (party.user, party.status) == (student, PartyStatus.JOINED)
    assert party_may_view(employer_draft, student)
    assert list(dossiers_of_party(student)) == [employer_draft]
    assert Actor.OWNER in actor_kinds(employer_draft, student)
    assert events_for(employer_draft).filter(verb=Verb.PARTY_ACCEPT, actor=student).count() == 1


def test_a_used_link_says_so(employer_draft, employer, student, other_applicant):
    token = invite(employer_draft, employer, PartySide.STUDENT, student.email)
    party_services.party_accept(token=token, user=student)
    with pytest.raises(InvitationError, match="déjà été utilisée"):
        party_services.party_accept(token=token, user=other_applicant, other_email_confirmed=True)


def test_an_expired_link_says_so(employer_draft, employer, student):
    token = invite(employer_draft, employer, PartySide.STUDENT, student.email)
    DossierParty.objects.filter(side=PartySide.STUDENT).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(InvitationError, match="expiré"):
        party_services.party_accept(token=token, user=student)
    assert not party_may_view(employer_draft, student)


def test_an_unknown_or_replaced_link_says_so(employer_draft, employer, student):
    first = invite(employer_draft, employer, PartySide.STUDENT, "ancienne@etu.test")
    invite(employer_draft, employer, PartySide.STUDENT, student.email)  # sent again, corrected
    with pytest.raises(InvitationError, match="pas valide"):
        party_services.party_accept(token=first, user=student, other_email_confirmed=True)
    with pytest.raises(InvitationError, match="pas valide"):
        party_services.party_accept(token="made-up", user=student)


def test_another_address_must_be_confirmed(employer_draft, employer, other_applicant):
    token = invite(employer_draft, employer, PartySide.STUDENT, "amina@etu.test")
    with pytest.raises(InvitationError, match="amina@etu.test"):
        party_services.party_accept(token=token, user=other_applicant)
    party = party_services.party_accept(token=token, user=other_applicant, other_email_confirmed=True)
    assert party.user == other_applicant


def test_the_inviter_own_account_cannot_take_the_place(employer_draft, employer):
    token = invite(employer_draft, employer, PartySide.STUDENT, "amina@etu.test")
    with pytest.raises(InvitationError, match="fait déjà partie"):
        party_services.party_accept(token=token, user=employer, other_email_confirmed=True)


def test_staff_accounts_cannot_join(employer_draft, employer, paris):
    token = invite(employer_draft, employer, PartySide.STUDENT, "amina@etu.test")
    with pytest.raises(InvitationError, match="compte usager"):
        party_services.party_accept(token=token, user=agent_of(paris), other_email_confirmed=True)


def test_only_a_party_invites_and_a_joined_side_is_not_invited_again(
    employer_draft, employer, student, other_applicant
):
    with pytest.raises(ActorNotAllowed):
        invite(employer_draft, other_applicant, PartySide.STUDENT, "x@etu.test")
    joined(employer_draft, employer, student, PartySide.STUDENT)
    with pytest.raises(DossierActionError, match="déjà rejoint"):
        invite(employer_draft, employer, PartySide.STUDENT, "x@etu.test")
    with pytest.raises(DossierActionError, match="adresse e-mail valide"):
        invite(employer_draft, employer, PartySide.MANDATARY, "pas-une-adresse")


# --- Each side edits its part -------------------------------------------------------------------------


def test_before_the_other_side_joins_the_filer_fills_everything(employer_draft, employer):
    assert editable_parts(employer_draft, employer) == {"student", "employer"}
    services.dossier_draft_update(
        dossier=employer_draft, actor=employer, changes={"student_birth_place": "Oran"}
    )


def test_once_joined_each_side_edits_only_its_part(employer_draft, employer, student):
    joined(employer_draft, employer, student, PartySide.STUDENT)
    assert editable_parts(employer_draft, student) == {"student"}
    assert editable_parts(employer_draft, employer) == {"employer"}
    services.dossier_draft_update(
        dossier=employer_draft, actor=student, changes={"student_birth_place": "Oran"}
    )
    services.dossier_draft_update(dossier=employer_draft, actor=employer, changes={"job_title": "Vendeuse"})
    with pytest.raises(ActorNotAllowed, match="remplie par l'employeur"):
        services.dossier_draft_update(dossier=employer_draft, actor=student, changes={"job_title": "Cheffe"})
    with pytest.raises(ActorNotAllowed, match="remplie par l'étudiant"):
        services.dossier_draft_update(
            dossier=employer_draft, actor=employer, changes={"student_birth_place": "X"}
        )
    with pytest.raises(ActorNotAllowed, match="créé la demande"):
        services.dossier_draft_update(
            dossier=employer_draft, actor=student, changes={"previous_permit_number": "1"}
        )
    employer_draft.refresh_from_db()
    assert (employer_draft.student_birth_place, employer_draft.job_title) == ("Oran", "Vendeuse")


def step_url(dossier, slug):
    return reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": slug})


def test_the_step_pages_show_the_other_part_read_only(client, employer_draft, employer, student):
    joined(employer_draft, employer, student, PartySide.STUDENT)
    client.force_login(student)
    page = client.get(step_url(employer_draft, "job")).content.decode()
    assert 'id="read-only-note"' in page and "remplie par l&#x27;employeur" in page
    assert 'name="job_title"' not in page and "Enregistrer et continuer" not in page
    response = client.post(step_url(employer_draft, "job"), {"job_title": "Cheffe"})
    assert response.status_code == 200
    employer_draft.refresh_from_db()
    assert employer_draft.job_title != "Cheffe"
    own = client.get(step_url(employer_draft, "student")).content.decode()
    assert 'name="student_birth_place"' in own and 'id="read-only-note"' not in own
    client.force_login(employer)
    assert 'id="read-only-note"' in client.get(step_url(employer_draft, "student")).content.decode()
    assert 'name="job_title"' in client.get(step_url(employer_draft, "job")).content.decode()


# --- Both parties kept in the loop --------------------------------------------------------------------


def test_both_parties_get_the_state_e_mails_and_the_permit(
    client, student, employer, paris, django_capture_on_commit_callbacks
):
    agent = agent_of(paris)
    dossier = complete_draft(applicant=student)
    token = invite(dossier, student, PartySide.EMPLOYER, employer.email)
    party_services.party_accept(token=token, user=employer)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=employer)  # any party may file it
        services.dossier_take(dossier=dossier, actor=agent)
        services.message_post(dossier=dossier, actor=agent, body="Bonjour")
        services.dossier_accept(dossier=dossier, actor=agent, terms=services.permit_terms_proposed(dossier))
    for user in (student, employer):
        subjects = list(
            OutboxMessage.objects.filter(payload__to=user.email).values_list("payload__subject", flat=True)
        )
        assert any(str(State.ACCEPTED.label) in s for s in subjects), (user.email, subjects)
        assert any("Nouveau message" in s for s in subjects)
        bodies = OutboxMessage.objects.filter(payload__to=user.email).values_list("payload__body", flat=True)
        assert any(f"Bonjour {user.first_name}" in body for body in bodies)
        client.force_login(user)
        permit = dossier.permits.get()
        response = client.get(reverse("permits:download", kwargs={"number": permit.number}))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert client.get(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})).status_code == 200


def test_a_non_party_sees_nothing(client, student, employer, other_applicant, paris):
    dossier = dossier_in_state(State.SUBMITTED, applicant=student, unit=paris)
    joined(dossier, student, employer, PartySide.EMPLOYER)
    client.force_login(other_applicant)
    for url in (
        reverse("applicant:dossier", kwargs={"uuid": dossier.uuid}),
        reverse("applicant:mandate", kwargs={"uuid": dossier.uuid}),
        step_url(dossier, "student"),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("applicant:invite", kwargs={"uuid": dossier.uuid}), {"side": "mandatary"}
        ).status_code
        == 404
    )
    assert dossier not in dossiers_of_party(other_applicant)
    assert Actor.OWNER not in actor_kinds(dossier, other_applicant)


def test_the_dashboard_lists_a_joined_dossier_and_an_invitation_link_survives_sign_in(
    client, employer_draft, employer, student
):
    token = invite(employer_draft, employer, PartySide.STUDENT, student.email)
    url = reverse("applicant:invitation", kwargs={"token": token})
    page = client.get(url).content.decode()
    assert "Se connecter" in page
    client.force_login(student)
    # Signing in lands on the dashboard, which sends back to the invitation.
    assert client.get(reverse("applicant:dashboard"))["Location"] == url
    assert client.get(reverse("applicant:dashboard")).status_code == 200  # once only
    response = client.post(url, {})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == reverse("applicant:dossier", kwargs={"uuid": employer_draft.uuid})
    assert client.get(reverse("applicant:dashboard")).status_code == 200
    reused = client.get(url)
    assert reused.status_code == 410 and "déjà été utilisée" in reused.content.decode()


def test_invite_view_proposes_the_typed_address_and_sends(client, employer_draft, employer):
    employer_draft.student_email = "amina@etu.test"
    employer_draft.save()
    client.force_login(employer)
    page = client.get(reverse("applicant:dossier", kwargs={"uuid": employer_draft.uuid})).content.decode()
    assert 'value="amina@etu.test"' in page
    response = client.post(
        reverse("applicant:invite", kwargs={"uuid": employer_draft.uuid}),
        {"side": "student", "invite-student-email": "amina@etu.test"},
    )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(payload__to="amina@etu.test").exists()


# --- Mandate step and printable PDFs ------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_mandate_step_only_when_someone_else_than_the_employer_files(
    client, employer_draft, employer, student
):
    client.force_login(employer)
    assert client.get(step_url(employer_draft, "mandate")).status_code == 404
    assert client.get(reverse("applicant:mandate", kwargs={"uuid": employer_draft.uuid})).status_code == 404
    dossier = DossierFactory(applicant=student, filer_kind=FilerKind.STUDENT)
    client.force_login(student)
    page = client.get(step_url(dossier, "mandate")).content.decode()
    assert reverse("applicant:mandate", kwargs={"uuid": dossier.uuid}) in page


@pytest.mark.parametrize(("language", "title"), [("fr", "Mandat de l"), ("en", "Employer")])
def test_mandate_pdf_is_prefilled_in_both_languages(client, student, language, title):
    dossier = DossierFactory(applicant=student, filer_kind=FilerKind.STUDENT, employer_name="Atelier Durand")
    client.force_login(student)
    response = client.get(reverse("applicant:mandate", kwargs={"uuid": dossier.uuid}) + f"?lang={language}")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert title in text
    for value in ("Atelier Durand", dossier.employer_siret, dossier.student_last_name.upper(), "Jean Dupont"):
        assert value in text, value


@pytest.mark.parametrize(
    ("language", "heading"), [("fr", "Pièces obligatoires"), ("en", "Mandatory documents")]
)
def test_checklist_pdf_lists_the_category_documents_in_both_languages(client, db, language, heading):
    response = client.get(
        reverse("applicant:checklist", kwargs={"code": "apprenticeship"}) + f"?lang={language}"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert heading in text
    for doc_type in category().document_types.all():
        label = doc_type.name if language == "fr" else (doc_type.name_en or doc_type.name)
        assert label[:25] in text.replace("\r\n", " ").replace("\n", " "), label


def test_the_migration_back_fills_every_filer_as_a_joined_party(student, employer):
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("workinfrance.dossiers.migrations.0008_dossier_parties")
    by_student = DossierFactory(applicant=student, filer_kind=FilerKind.STUDENT)
    by_employer = DossierFactory(applicant=employer, filer_kind=FilerKind.EMPLOYER)
    assert not DossierParty.objects.exists()  # factories write rows as they were before the migration

    class Editor:
        quote_name = staticmethod(connection.ops.quote_name)

        @staticmethod
        def execute(sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.backfill_filers(apps, Editor())
    rows = set(DossierParty.objects.values_list("dossier_id", "side", "status", "user_id", "email"))
    assert rows == {
        (by_student.pk, "student", PartyStatus.JOINED, student.pk, student.email),
        (by_employer.pk, "employer", PartyStatus.JOINED, employer.pk, employer.email),
    }
    assert not DossierParty.objects.filter(accepted_at__isnull=True).exists()


def test_the_other_party_may_renew_and_files_the_renewal(student, employer, paris):
    dossier = dossier_in_state(State.ACCEPTED, applicant=student, unit=paris)
    joined(dossier, student, employer, PartySide.EMPLOYER)
    renewal = services.dossier_renew(dossier=dossier, actor=employer)
    assert (renewal.applicant, renewal.filer_kind) == (employer, FilerKind.EMPLOYER)
    party = DossierParty.objects.get(dossier=renewal)
    assert (party.user, party.side, party.status) == (employer, PartySide.EMPLOYER, PartyStatus.JOINED)
