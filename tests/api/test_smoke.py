from tests.api.helpers import call, make_token


def test_unit_list_and_detail(client, world):
    token = make_token(world.supervisor, unit=world.paris)
    response = call(client, "GET", "/api/v1/unit/dossiers", token)
    assert response.status_code == 200, response.content
    numbers = {d["number"] for d in response.json()["items"]}
    assert world.in_review.number in numbers and world.lyon_dossier.number not in numbers
    response = call(client, "GET", f"/api/v1/unit/dossiers/{world.in_review.number}", token)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["student_last_name"] == "Ciblee"
