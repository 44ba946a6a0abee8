"""Every decision told and signed (issue 15): the holder's e-mail on revocation and reopening, the
tracking page of a revoked permit, no renewal from it, the supervisor back on the dossier, and the
PAdES-signed decision letters of refusals and revocations (checked with poppler, someone else's reader)."""

import re
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from workinfrance.core.events import events_for
from workinfrance.core.verbs import Verb
from workinfrance.dossiers import notifications, party_services
from workinfrance.dossiers import services as dossier_services
from workinfrance.dossiers.errors import TransitionNotAllowed
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier, RefusalReason
from workinfrance.permits import services
from workinfrance.permits.models import DecisionKind, DecisionLetter, Permit

from tests.dossiers.helpers import dossier_in_state
from tests.factories import UserFactory, agent_of, complete_draft, supervisor_of
from tests.permits.helpers import accept

ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)
REASON = "Contrat rompu d'un commun accord & <fin de l'essai>"


def poppler(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def pdf_checked(letter: DecisionLetter, tmp_path: Path) -> str:
    """The letter's PDF passes pdfsig as validly signed over the whole file; returns its text."""
    path = tmp_path / f"{letter.uuid}.pdf"
    path.write_bytes(DecisionLetter.objects.get(pk=letter.pk).pdf.read())
    signature = poppler("pdfsig", str(path))
    assert "Signature Validation: Signature is Valid." in signature
    assert "Total document signed" in signature
    return re.sub(r"\s+", " ", poppler("pdftotext", "-layout", str(path), "-"))


def stray_files(settings) -> list[Path]:
    """Decision letter PDFs in storage, in place or staged (the dossier's own documents aside)."""
    media = Path(settings.MEDIA_ROOT)
    return [p for pattern in ("decisions/**/*", "tmp/**/*") for p in media.glob(pattern) if p.is_file()]


def revoke(permit, *, supervisor, capture, reason=REASON):
    with capture(execute=True):
        return services.permit_revoke_by_supervisor(permit=permit, actor=supervisor, reason=reason)


def emails_to(mailoutbox, address):
    return [mail for mail in mailoutbox if mail.to == [address]]


# --- E-mails ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "a été révoquée par le service instructeur"), ("en", "has been revoked by the unit")],
)
def test_revocation_emails_the_holder_once_in_their_language(
    paris, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks, language, expected
):
    applicant = UserFactory(preferred_language=language, first_name="Zoë O'Neil")
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    mailoutbox.clear()
    revoke(permit, supervisor=supervisor, capture=django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    [mail] = mailoutbox
    assert mail.to == [applicant.email]
    assert expected in mail.body and REASON in mail.body and permit.number in mail.body
    assert "Zoë O'Neil" in mail.body
    link = reverse("applicant:dossier", kwargs={"uuid": permit.dossier.uuid})
    assert link in mail.body
    for text in (mail.subject, mail.body):
        assert not ENTITY.search(text), text
    # Revoking again is refused, and tells nobody twice.
    with pytest.raises(services.PermitActionError):
        revoke(
            Permit.objects.get(pk=permit.pk),
            supervisor=supervisor,
            capture=django_capture_on_commit_callbacks,
        )
    assert len(mailoutbox) == 1


def test_revocation_reaches_every_party_each_in_their_language(
    paris, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    """The employer who joined the student's dossier is told too (issue 15: both parties)."""
    student = UserFactory(preferred_language="fr")
    employer = UserFactory(preferred_language="en")
    draft = complete_draft(applicant=student)
    token = party_services.party_invite(dossier=draft, actor=student, side="employer", email=employer.email)
    party_services.party_accept(token=token, user=employer)
    permit = accept(draft, agent=agent, capture=django_capture_on_commit_callbacks)
    mailoutbox.clear()
    revoke(permit, supervisor=supervisor, capture=django_capture_on_commit_callbacks)

    [to_student] = emails_to(mailoutbox, student.email)
    [to_employer] = emails_to(mailoutbox, employer.email)
    assert len(mailoutbox) == 2
    assert "a été révoquée par le service instructeur" in to_student.body
    assert "has been revoked by the unit" in to_employer.body
    assert REASON in to_student.body and REASON in to_employer.body


@pytest.mark.parametrize(("language", "expected"), [("fr", "a été rouverte"), ("en", "has been reopened")])
def test_reopening_emails_the_reason_once_instead_of_the_bare_state(
    paris, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks, language, expected
):
    applicant = UserFactory(preferred_language=language)
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.dossier_reopen(dossier=permit.dossier, actor=supervisor, reason=REASON)

    [mail] = mailoutbox
    assert mail.to == [applicant.email]
    assert expected in mail.body and REASON in mail.body and permit.number in mail.body
    for text in (mail.subject, mail.body):
        assert not ENTITY.search(text), text


# --- The holder's page, renewal, the supervisor's way back ---------------------------------------


@pytest.fixture
def revoked(applicant, agent, supervisor, django_capture_on_commit_callbacks):
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    return revoke(permit, supervisor=supervisor, capture=django_capture_on_commit_callbacks)


def test_tracking_page_of_a_revoked_permit(client, applicant, revoked):
    client.force_login(applicant)
    html = client.get(reverse("applicant:dossier", kwargs={"uuid": revoked.dossier.uuid})).content.decode()
    assert "Autorisation révoquée" in html
    assert (
        "Contrat rompu d&#x27;un commun accord &amp; &lt;fin de l&#x27;essai&gt;" in html
    )  # escaped in HTML
    assert revoked.revoked_at.strftime("%d/%m/%Y") in html
    assert re.search(r"— Autorisation n° " + re.escape(revoked.number) + " révoquée", html)  # the history
    assert "Voies et délais de recours" in html
    # No PDF of the permit, no renewal: an explanation instead.
    assert reverse("permits:download", kwargs={"number": revoked.number}) not in html
    assert reverse("applicant:renew", kwargs={"uuid": revoked.dossier.uuid}) not in html
    assert "n'est plus proposé" in html
    letter = revoked.decision_letters.get()
    assert reverse("permits:decision_letter", kwargs={"uuid": letter.uuid}) in html


def test_renewal_is_refused_from_a_revoked_permit(client, applicant, revoked):
    with pytest.raises(TransitionNotAllowed):
        dossier_services.dossier_renew(dossier=revoked.dossier, actor=applicant)
    client.force_login(applicant)
    response = client.post(reverse("applicant:renew", kwargs={"uuid": revoked.dossier.uuid}))
    assert response["Location"] == reverse("applicant:dossier", kwargs={"uuid": revoked.dossier.uuid})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "L'autorisation de ce dossier a été révoquée : elle ne peut pas être renouvelée."
    ]
    assert not Dossier.objects.filter(renewal_of=revoked.dossier).exists()


def test_renewal_still_offered_from_a_permit_in_force(
    client, applicant, agent, django_capture_on_commit_callbacks
):
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    renewal = dossier_services.dossier_renew(dossier=permit.dossier, actor=applicant)
    assert renewal.renewal_of_id == permit.dossier_id


def test_supervisor_lands_back_on_the_dossier_after_revoking(
    client, applicant, agent, supervisor, django_capture_on_commit_callbacks
):
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    client.force_login(supervisor)
    url = reverse("permits:revoke", kwargs={"number": permit.number})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Contrat rompu."})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:dossier", kwargs={"uuid": permit.dossier.uuid})
    page = client.get(response["Location"])
    html = page.content.decode()
    assert (
        f"L&#x27;autorisation {permit.number} est retirée." in html
        or f"L'autorisation {permit.number} est retirée." in html
    )
    assert 'data-testid="permit-status">Retirée' in html
    letter = DecisionLetter.objects.get(permit=permit)
    assert reverse("permits:decision_letter", kwargs={"uuid": letter.uuid}) in html


# --- Decision letters --------------------------------------------------------------------------


def test_refusal_letter_is_signed_and_says_why_and_how_to_appeal(
    applicant, paris, agent, django_capture_on_commit_callbacks, tmp_path
):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.dossier_refuse(
            dossier=dossier,
            actor=agent,
            reason=RefusalReason.HOURS,
            comment="35 h prévues pour 17,5 h permises.",
        )
    letter = DecisionLetter.objects.get(dossier=dossier)
    assert (letter.kind, letter.language, letter.permit) == (DecisionKind.REFUSAL, "fr", None)
    text = pdf_checked(letter, tmp_path)
    assert "Décision de refus" in text and dossier.number in text
    assert "Durée du travail supérieure à la limite autorisée" in text
    assert "35 h prévues pour 17,5 h permises." in text
    assert "Voies et délais de recours" in text and "deux mois" in text and "Télérecours" in text
    assert "code du travail" in text and "R. 421-1" in text
    assert paris.signatory_name in text
    assert [e.verb for e in events_for(letter).order_by("pk")] == [
        Verb.DECISION_LETTER_ISSUE,
        Verb.DECISION_LETTER_PDF,
    ]


def test_revocation_letter_is_signed_in_the_holders_language(
    paris, agent, supervisor, django_capture_on_commit_callbacks, tmp_path
):
    applicant = UserFactory(preferred_language="en")
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    revoke(permit, supervisor=supervisor, capture=django_capture_on_commit_callbacks)
    letter = DecisionLetter.objects.get(permit=permit)
    assert (letter.kind, letter.language, letter.dossier_id) == (
        DecisionKind.REVOCATION,
        "en",
        permit.dossier_id,
    )
    text = pdf_checked(letter, tmp_path)
    assert f"Decision to withdraw the temporary work authorisation No. {permit.number}" in text
    assert "Contrat rompu d'un commun accord & <fin de l'essai>" in text
    assert "How and when to appeal" in text and "two months" in text
    assert paris.signatory_name in text


def test_decision_letter_download_is_for_the_parties_and_the_units_staff_and_audited(
    client, applicant, paris, lyon, agent, revoked
):
    letter = revoked.decision_letters.get()
    url = reverse("permits:decision_letter", kwargs={"uuid": letter.uuid})
    expectations = [
        (applicant, 200),
        (agent_of(paris), 200),
        (supervisor_of(paris), 200),
        (UserFactory(), 404),
        (agent_of(lyon), 404),
        (supervisor_of(lyon), 404),
    ]
    for user, status in expectations:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Type"] == "application/pdf"
            assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
            assert b"".join(response.streaming_content).startswith(b"%PDF")
        client.logout()
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    downloads = events_for(letter).filter(verb=Verb.DECISION_LETTER_DOWNLOAD)
    assert downloads.count() == 3


def test_no_letter_and_no_file_when_the_refusal_fails(
    applicant, paris, agent, django_capture_on_commit_callbacks, settings
):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    with (
        mock.patch.object(notifications, "state_changed", side_effect=RuntimeError("outbox down")),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        dossier_services.dossier_refuse(dossier=dossier, actor=agent, reason=RefusalReason.HOURS, comment="")
    assert callbacks == []
    assert not DecisionLetter.objects.exists()
    assert Dossier.objects.get(pk=dossier.pk).state == State.IN_REVIEW
    assert stray_files(settings) == []


def test_no_stray_pdf_when_the_letters_pdf_cannot_be_saved(
    applicant, paris, agent, django_capture_on_commit_callbacks, settings
):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    with mock.patch.object(services, "decision_letter_pdf_schedule"):  # the worker is late
        with django_capture_on_commit_callbacks(execute=True):
            dossier_services.dossier_refuse(
                dossier=dossier, actor=agent, reason=RefusalReason.HOURS, comment=""
            )
    letter = DecisionLetter.objects.get(dossier=dossier)
    with (
        mock.patch.object(DecisionLetter, "save", side_effect=RuntimeError("database gone")),
        pytest.raises(RuntimeError),
    ):
        services.decision_letter_pdf_issue(letter_id=letter.pk)
    assert stray_files(settings) == []
    assert DecisionLetter.objects.get(pk=letter.pk).pdf == ""
    # The sweep produces it once things work again.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.decision_letters_pdf_issue_missing() == [letter.pk]
    assert DecisionLetter.objects.get(pk=letter.pk).pdf.name.startswith("decisions/")


def test_the_applicants_list_says_revoked_too(
    client, applicant, agent, revoked, django_capture_on_commit_callbacks
):
    still_valid = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    client.force_login(applicant)
    html = client.get(reverse("applicant:dashboard")).content.decode()
    rows = {
        number: row
        for row in html.split("<tr")
        for number in (revoked.dossier.number, still_valid.dossier.number)
        if number in row
    }
    assert "Autorisation révoquée" in rows[revoked.dossier.number]
    assert "Autorisation révoquée" not in rows[still_valid.dossier.number]
    assert "Accepté" in rows[still_valid.dossier.number]
