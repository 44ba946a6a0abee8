def test_not_found_page_speaks_the_visitors_language(client, db):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/nothing-here/").content.decode()
    assert "Page not found" in english and 'lang="en"' in english
