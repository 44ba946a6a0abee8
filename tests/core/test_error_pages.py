import json

import pytest
from django.test import Client

from workinfrance.core.maintenance import maintenance_off, maintenance_on


def test_not_found_page_speaks_the_visitors_language(client, db):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/nothing-here/").content.decode()
    assert "Page not found" in english and 'lang="en"' in english


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    return Client(raise_request_exception=False)


def test_a_bug_shows_the_service_layout_and_tells_staff_to_reload_the_dossier(failing_site, db):
    response = failing_site.get("/failing/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Erreur du service" in page and "fr-header" in page
    assert "rechargez la page du dossier" in page
    assert "Content-Security-Policy" in response  # the service's headers still apply
    failing_site.cookies["django_language"] = "en"
    english = failing_site.get("/failing/").content.decode()
    assert 'lang="en"' in english and "reload the dossier page" in english


def test_forbidden_page_in_the_service_layout(client, applicant):
    client.force_login(applicant)
    response = client.get("/instruction/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Accès refusé" in page and "fr-header" in page


@pytest.fixture
def maintenance(settings, tmp_path):
    settings.WIF_MAINTENANCE_FILE = str(tmp_path / "maintenance.on")
    yield
    maintenance_off()


def test_maintenance_switch_shows_the_page_everywhere_but_health_and_keys(client, db, maintenance):
    assert client.get("/").status_code == 200
    maintenance_on(notice="Retour prévu à 14 h.")
    for url in ("/", "/verifier/", "/instruction/", "/comptes/connexion/"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "Service en maintenance" in response.content.decode()
        assert response["Retry-After"] == "300"
    assert "Retour prévu à 14 h." in client.get("/").content.decode()
    assert client.get("/healthz").status_code == 200
    assert client.get("/.well-known/jwks.json").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503 and json.loads(ready.content)["maintenance"] is True
    client.cookies["django_language"] = "en"
    assert "Service under maintenance" in client.get("/").content.decode()
    maintenance_off()
    assert client.get("/").status_code == 200


def test_maintenance_command(db, maintenance, capsys):
    from django.core.management import call_command

    call_command("maintenance", "on", "--notice", "Jusqu'à midi")
    assert "maintenance on" in capsys.readouterr().out
    call_command("maintenance", "off")
    assert "maintenance off" in capsys.readouterr().out


def test_generic_429_page(rf, db):
    from workinfrance.core.errors import error_response

    response = error_response(rf.get("/"), 429, retry_after=60)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "Trop de demandes" in response.content.decode()
