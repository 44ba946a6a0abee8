import pytest
from django.utils import translation

from workinfrance.territories.models import Department
from workinfrance.territories.routing import RoutingError, unit_for_department

from tests.factories import UnitFactory


def test_every_french_department_is_loaded_closed(db):
    assert Department.objects.count() == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976", "75", "01", "95"} <= set(
        Department.objects.values_list("code", flat=True)
    )
    assert not Department.objects.filter(is_open=True).exists()


def test_open_department_routes_to_its_unit(paris, lyon):
    assert unit_for_department("75") == paris
    assert unit_for_department(" 92 ") == paris
    assert unit_for_department("69") == lyon


def test_overseas_and_corsican_codes_route(db):
    unit = UnitFactory(department_codes=["2A", "974"])
    assert unit_for_department("2a") == unit
    assert unit_for_department("974") == unit


def test_closed_department_says_so_and_where_to_go(paris):
    with translation.override("fr"), pytest.raises(RoutingError) as error:
        unit_for_department("13")
    assert "Bouches-du-Rhône" in error.value.message
    assert "pas encore ouvert" in error.value.message
    assert "DREETS ou DDETS" in error.value.message
    assert error.value.department.code == "13"


def test_closed_department_message_in_english(paris):
    with translation.override("en"), pytest.raises(RoutingError) as error:
        unit_for_department("13")
    assert "is not open to Work in France yet" in error.value.message


def test_unknown_department_is_a_clear_error(db):
    with translation.override("fr"), pytest.raises(RoutingError) as error:
        unit_for_department("99")
    assert "« 99 »" in error.value.message
    assert error.value.department is None


def test_open_department_without_unit_is_a_clear_error(db):
    Department.objects.filter(code="33").update(is_open=True)
    with translation.override("fr"), pytest.raises(RoutingError) as error:
        unit_for_department("33")
    assert "Aucune unité" in error.value.message


def test_closed_department_shows_the_administrators_guidance(db):
    Department.objects.filter(code="13").update(closed_guidance="DDETS 13, 55 bd Périer, Marseille.")
    with pytest.raises(RoutingError) as error:
        unit_for_department("13")
    assert error.value.message.endswith("DDETS 13, 55 bd Périer, Marseille.")
