"""Pages with personal data are never kept by a browser or a proxy (issue 11, point 9)."""

from django.urls import reverse

from tests.test_access_matrix import EXPECTED, ROLES, get_as, world  # noqa: F401 (fixture)


def never_kept(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives and "public" not in directives


def test_every_page_a_signed_in_user_sees_is_no_store_and_private(client, world):  # noqa: F811
    users, kwargs, _dossier = world
    kept = []
    for role in [r for r in ROLES if r != "anonymous"]:  # one world for all (it issues a signed PDF)
        for name, (builder, allowed) in sorted(EXPECTED.items()):
            if role not in allowed:
                continue
            response = get_as(client, users, role, reverse(name, kwargs=kwargs[builder]))
            if response.status_code == 200 and not never_kept(response):
                kept.append(f"{name} as {role}: {response.get('Cache-Control')!r}")
    assert kept == []


def test_the_answer_to_a_form_is_not_kept(client, db):
    response = client.post(reverse("accounts:login"), {"username": "someone@example.test", "password": "x"})
    assert "someone@example.test" in response.content.decode()  # the page echoes the address
    assert never_kept(response)


def test_public_pages_stay_cacheable_and_the_verdict_is_not(client, world):  # noqa: F811
    _users, kwargs, _dossier = world
    assert not never_kept(client.get(reverse("permits:jwks")))
    assert never_kept(client.get(reverse("permits:verify", kwargs=kwargs["seal"])))
