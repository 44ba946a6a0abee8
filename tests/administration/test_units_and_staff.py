"""Units, departments and staff from the service's own pages (issue 16): a department belongs to
one unit at most, invitations by e-mail (the person chooses their password), deactivation with the
dossiers left to reassign. Who may see each page is in tests/test_access_matrix.py."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from workinfrance.accounts.models import Role, User
from workinfrance.accounts.staff_services import StaffAdminError, staff_deactivate, staff_invite
from workinfrance.core.models import Event
from workinfrance.dossiers.lifecycle import State
from workinfrance.territories.models import Department, Unit, UnitDepartment
from workinfrance.territories.services import UnitAdminError, unit_save

from tests.dossiers.helpers import dossier_in_state
from tests.factories import UnitFactory, UserFactory, supervisor_of

UNIT_FIELDS = {
    "name": "Unité des Bouches-du-Rhône",
    "address": "55 boulevard Périer, 13008 Marseille",
    "contact_email": "moe-13@example.test",
    "signatory_name": "Pour le préfet, Jeanne Roux",
}


@pytest.fixture
def administrator(db):
    return UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


def _events(verb):
    return list(Event.objects.filter(verb=verb).values_list("data", flat=True))


def test_an_administrator_creates_a_unit_with_its_departments(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("administration:unit_create"), {**UNIT_FIELDS, "departments": ["13", "84"]}
    )
    unit = Unit.objects.get(name=UNIT_FIELDS["name"])
    assert response.status_code == 302 and response["Location"] == reverse(
        "administration:unit", kwargs={"unit_id": unit.pk}
    )
    assert sorted(unit.departments.values_list("code", flat=True)) == ["13", "84"]
    assert _events("unit.create") == [
        {
            "fields": sorted([*UNIT_FIELDS, "require_proconnect"]),
            "departments_added": ["13", "84"],
            "departments_removed": [],
        }
    ]


def test_a_second_unit_cannot_claim_a_department_already_covered(client, administrator, paris):
    client.force_login(administrator)
    response = client.post(
        reverse("administration:unit_create"), {**UNIT_FIELDS, "departments": ["13", "75"]}
    )
    assert response.status_code == 200
    assert "Déjà couverts par une autre unité : 75 (Unité de Paris)." in response.content.decode()
    assert not Unit.objects.filter(name=UNIT_FIELDS["name"]).exists()  # nothing half-made
    # The service refuses it too, and the database is the last word.
    other = UnitFactory(department_codes=["13"])
    with pytest.raises(UnitAdminError, match="75 \\(Unité de Paris\\)"):
        unit_save(
            actor=administrator,
            unit=other,
            data={},
            departments=Department.objects.filter(code__in=["13", "75"]),
        )
    assert list(other.departments.values_list("code", flat=True)) == ["13"]
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitDepartment.objects.create(unit=other, department_id="75")


def test_moving_a_department_between_units_is_two_audited_changes(administrator, paris):
    marseille = UnitFactory(department_codes=["13"])
    unit_save(actor=administrator, unit=paris, data={}, departments=Department.objects.filter(code="75"))
    unit_save(
        actor=administrator,
        unit=marseille,
        data={},
        departments=Department.objects.filter(code__in=["13", "92"]),
    )
    assert list(paris.departments.values_list("code", flat=True)) == ["75"]
    assert sorted(marseille.departments.values_list("code", flat=True)) == ["13", "92"]
    changes = [(e["departments_added"], e["departments_removed"]) for e in _events("unit.update")]
    assert changes == [([], ["92"]), (["92"], [])]


def test_a_supervisor_changes_their_units_signatory_but_not_what_it_covers(client, paris, supervisor):
    client.force_login(supervisor)
    url = reverse("administration:unit", kwargs={"unit_id": paris.pk})
    form = client.get(url).context["form"]
    assert set(form.fields) == {"address", "contact_email", "signatory_name"}
    response = client.post(
        url,
        {
            "address": paris.address,
            "contact_email": paris.contact_email,
            "signatory_name": "Pour le préfet, Ana Lopes",
            "name": "Renamed",  # not in the form: ignored
            "departments": ["69"],
        },
    )
    assert response.status_code == 302
    paris.refresh_from_db()
    assert paris.signatory_name == "Pour le préfet, Ana Lopes" and paris.name == "Unité de Paris"
    assert sorted(paris.departments.values_list("code", flat=True)) == ["75", "92"]
    assert _events("unit.update")[-1]["fields"] == ["signatory_name"]
    with pytest.raises(UnitAdminError):
        unit_save(actor=supervisor, unit=paris, data={"name": "x"})
    with pytest.raises(UnitAdminError):
        unit_save(actor=supervisor, unit=paris, data={}, departments=Department.objects.filter(code="69"))


def test_a_supervisor_invites_an_agent_who_chooses_a_password(
    client, paris, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    url = reverse("administration:staff_invite", kwargs={"unit_id": paris.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "first_name": "Inès",
                "last_name": "Haddad",
                "email": "ines.haddad@example.test",
                "role": "agent",
                "language": "fr",
            },
        )
    assert response.status_code == 302
    invited = User.objects.get(email="ines.haddad@example.test")
    assert invited.role == Role.AGENT and list(invited.units.all()) == [paris]
    assert not invited.has_usable_password()  # nobody typed a password for her
    assert _events("staff.invite") == [{"unit": paris.pk, "role": "agent"}]
    (mail,) = mailoutbox
    assert mail.to == ["ines.haddad@example.test"] and "Unité de Paris" in mail.subject
    link = re.search(r"https?://\S+/comptes/mot-de-passe/\S+/", mail.body).group(0)
    client.logout()
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else "/" + path,
        {"new_password1": "Un-mot-de-passe-2026!", "new_password2": "Un-mot-de-passe-2026!"},
    )
    assert done.status_code == 302
    invited.refresh_from_db()
    assert invited.check_password("Un-mot-de-passe-2026!")
    # The link is spent once used.
    again = client.get("/" + path, follow=True)
    assert "new_password1" not in again.content.decode()


def test_invitations_stay_within_what_the_inviter_manages(paris, lyon, supervisor, agent):
    with pytest.raises(StaffAdminError):  # a supervisor does not make supervisors
        staff_invite(
            actor=supervisor,
            unit=paris,
            email="x@example.test",
            first_name="X",
            last_name="Y",
            role=Role.SUPERVISOR,
        )
    with pytest.raises(StaffAdminError):  # nor staff another unit
        staff_invite(
            actor=supervisor,
            unit=lyon,
            email="x@example.test",
            first_name="X",
            last_name="Y",
            role=Role.AGENT,
        )
    with pytest.raises(StaffAdminError, match="existe déjà"):
        staff_invite(
            actor=supervisor,
            unit=paris,
            email=agent.email.upper(),
            first_name="X",
            last_name="Y",
            role=Role.AGENT,
        )
    with pytest.raises(StaffAdminError):  # agents invite nobody
        staff_invite(
            actor=agent, unit=paris, email="x@example.test", first_name="X", last_name="Y", role=Role.AGENT
        )
    assert not User.objects.filter(email="x@example.test").exists()


def test_an_existing_address_is_refused_at_the_field_with_nothing_lost(client, paris, supervisor, agent):
    client.force_login(supervisor)
    response = client.post(
        reverse("administration:staff_invite", kwargs={"unit_id": paris.pk}),
        {
            "first_name": "Inès",
            "last_name": "Haddad",
            "email": agent.email,
            "role": "agent",
            "language": "fr",
        },
    )
    assert response.status_code == 200
    form = response.context["invite_form"]
    assert "existe déjà" in form.errors["email"][0]
    assert 'value="Inès"' in response.content.decode()


def test_deactivating_an_agent_ends_their_access_and_lists_their_dossiers(
    client, paris, supervisor, agent, applicant
):
    held = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent, documents=False)
    agent_client = type(client)()
    agent_client.force_login(agent)
    assert agent_client.get(reverse("backoffice:inbox")).status_code == 200
    client.force_login(supervisor)
    response = client.post(reverse("administration:staff_deactivate", kwargs={"user_id": agent.pk}))
    assert response.status_code == 200
    assert reverse("backoffice:dossier", kwargs={"uuid": held.uuid}) in response.content.decode()
    agent.refresh_from_db()
    assert not agent.is_active
    assert len(_events("staff.deactivate")) == 1
    # The agent's open session no longer opens anything.
    assert agent_client.get(reverse("backoffice:inbox")).status_code == 302


def test_deactivation_stays_within_what_the_actor_manages(paris, lyon, supervisor, lyon_supervisor, agent):
    other_supervisor = supervisor_of(paris)
    for actor, target in [(lyon_supervisor, agent), (supervisor, other_supervisor), (supervisor, supervisor)]:
        with pytest.raises(StaffAdminError):
            staff_deactivate(actor=actor, user=target)
    assert (
        User.objects.filter(pk__in=[agent.pk, other_supervisor.pk, supervisor.pk], is_active=True).count()
        == 3
    )


def test_another_units_agent_is_not_found(client, lyon_supervisor, agent):
    client.force_login(lyon_supervisor)
    response = client.post(reverse("administration:staff_deactivate", kwargs={"user_id": agent.pk}))
    assert response.status_code == 404
    agent.refresh_from_db()
    assert agent.is_active
