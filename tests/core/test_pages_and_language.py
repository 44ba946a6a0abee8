import datetime

import pytest
from django.urls import reverse

from tests.factories import UserFactory


def test_home_explains_the_service_to_students_and_employers(client, db):
    response = client.get(reverse("core:home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert "Vous êtes étudiant" in content and "Vous êtes employeur" in content
    assert "Contrat de professionnalisation" in content  # categories come from the database
    assert 'href="#content"' in content  # skip link
    assert "Content-Security-Policy" in response


def test_a_first_visit_gets_the_language_the_browser_asks_for(client, db):
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "en"
    assert "You are a student" in response.content.decode()
    assert "Accept-Language" in response["Vary"]  # a shared cache keeps one copy per language
    # Neither language asked for: French, the service's language.
    other = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,*;q=0.5")
    assert other["Content-Language"] == "fr"
    assert client.get(reverse("core:home"))["Content-Language"] == "fr"


def test_the_visitors_choice_wins_over_the_browser(client, db):
    client.post(reverse("core:set_language"), {"language": "fr", "next": "/"})
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert "Vous êtes étudiant" in response.content.decode()


def test_language_switch_to_english_and_back(client, db):
    response = client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    home = client.get(reverse("core:home")).content.decode()
    assert "You are a student" in home
    assert 'lang="en"' in home
    assert "Apprenticeship contract" in home  # bilingual data
    client.post(reverse("core:set_language"), {"language": "fr", "next": "/"})
    assert "Vous êtes étudiant" in client.get(reverse("core:home")).content.decode()


def test_language_choice_is_remembered_on_the_account(client, db):
    user = UserFactory(preferred_language="fr")
    client.force_login(user)
    client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_language_switch_refuses_get(client, db):
    assert client.get(reverse("core:set_language")).status_code == 405


@pytest.mark.parametrize("slug", ["accessibilite", "mentions-legales", "donnees-personnelles"])
def test_information_pages(client, db, slug):
    assert client.get(reverse("core:page", args=[slug])).status_code == 200


def test_unknown_information_page_is_404(client, db):
    assert client.get(reverse("core:page", args=["nope"])).status_code == 404


def test_admin_is_for_administrators_only(client, agent):
    client.force_login(agent)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_flash_messages_are_escaped(client, db):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.ERROR, "<script>alert(1)</script>")
    response = client.get("/")
    storage.update(response)
    client.cookies.update(response.cookies)
    html = client.get(reverse("core:home")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_dates_are_written_day_first_in_both_languages():
    # Issue 15: English pages wrote 03/04/2027 for the 3rd of April, American style.
    from django.utils import formats, translation

    day = datetime.date(2027, 4, 3)
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "03/04/2027"
        assert formats.date_format(day, "DATE_FORMAT") == "3 Apr 2027"
    with translation.override("fr"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "03/04/2027"
        assert formats.date_format(day, "DATE_FORMAT") == "3 avril 2027"
