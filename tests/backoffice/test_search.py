"""What agents type finds the dossier: parts of numbers, e-mail addresses, names without their
accents or with a typo (PostgreSQL), the best match first."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workinfrance.backoffice.selectors import InboxQuery, inbox_page, inbox_queryset
from workinfrance.dossiers.models import Dossier

from tests.backoffice.conftest import filed
from tests.factories import UnitFactory, agent_of


def search(user, text: str) -> list:
    return list(inbox_queryset(user=user, query=InboxQuery(tab="all", q=text)))


def first_page(user, text: str) -> list:
    return list(inbox_page(user=user, query=InboxQuery(tab="all", q=text), page_number=1).object_list)


def test_parts_of_a_number_with_or_without_leading_zeros(agent, paris):
    others = [filed() for _ in range(11)]
    wanted = filed()
    year, dept, sequence = wanted.number.split("-")[1:]
    assert sequence == "000012"
    for text in (
        "12",
        "000012",
        f"{dept}-000012",
        f"{dept}-12",
        f"{year}-{dept}-12",
        f"WIF-{year}-{dept}-12",
    ):
        assert search(agent, text) == [wanted], text
    assert search(agent, f"{int(year) - 1}-{dept}-12") == []
    assert search(agent, "2") == [others[1]]


def test_a_number_part_never_reaches_another_unit(agent, lyon_agent, paris, lyon):
    filed()
    assert search(lyon_agent, "1") == []


def test_email_address_of_the_student_or_the_employer(agent, paris):
    student = filed(student_email="Amina.Haddad@Example.org")
    employer = filed(employer_contact_email="rh@boulangerie.example")
    filed(student_email="amina.haddad@example.com")
    assert search(agent, "amina.haddad@example.ORG ") == [student]
    assert search(agent, "RH@boulangerie.example") == [employer]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("stored", "typed"),
    [("Lefèvre", "Lefevre"), ("Lefevre", "Lefèvre"), ("Hélène", "helene"), ("Gonçalves", "goncal")],
)
def test_names_with_or_without_their_accents(agent, paris, stored, typed):
    wanted = filed(student_last_name=stored)
    filed(student_last_name="Martin")
    assert search(agent, typed) == [wanted]


@pytest.mark.postgres
@pytest.mark.parametrize("typed", ["Hadadd", "amina hadadd", "Haddda", "Boulangeire"])
def test_a_word_with_a_typo_is_corrected_to_the_nearest_names(agent, paris, typed):
    wanted = filed(
        student_first_name="Amina", student_last_name="Haddad", employer_name="Boulangerie du Port"
    )
    filed(student_first_name="Léa", student_last_name="Martin", employer_name="Garage central")
    assert search(agent, typed) == [wanted]


@pytest.mark.postgres
def test_a_typo_is_corrected_to_the_word_one_slip_away_not_to_the_most_similar_looking(agent, paris):
    sharma = filed(student_first_name="Camila", student_last_name="Sharma")
    filed(student_first_name="Emre", student_last_name="Sahin")
    sofia = filed(student_first_name="Sofia", student_last_name="Park")
    roux = filed(student_first_name="Lina", student_last_name="Roux")
    # "sahrma" shares more trigrams with "sahin" (three letters changed) than with "sharma" (two
    # letters swapped); "soifa" and "rolx" share too few with "sofia" and "roux" for pg_trgm's
    # default threshold.
    assert search(agent, "Sahrma") == [sharma]
    assert search(agent, "Soifa") == [sofia]
    assert search(agent, "Soifa Park") == [sofia]
    assert search(agent, "Rolx") == [roux]


@pytest.mark.postgres
def test_a_word_that_exists_is_not_corrected(agent, paris):
    haddad, hadad = filed(student_last_name="Haddad"), filed(student_last_name="Hadad")
    assert search(agent, "Hadad") == [hadad]
    # "hadda" starts a known word: the agent may still be typing, nothing is corrected.
    assert search(agent, "hadda") == [haddad]


@pytest.mark.postgres
def test_a_name_match_comes_before_older_employer_matches(agent, paris):
    older = [filed(employer_name="Garage Haddad", student_last_name="Martin") for _ in range(3)]
    student = filed(student_first_name="Amina", student_last_name="Haddad", employer_name="Boulangerie")
    assert first_page(agent, "Haddad")[0] == student
    assert search(agent, "Haddad")[0] == older[0], "exports and plain lists keep the filing order"


@pytest.mark.postgres
def test_the_student_named_exactly_as_typed_comes_first(agent, paris):
    # Older dossiers whose text holds the same words as well: a hyphenated name, an employer.
    hyphenated = filed(student_first_name="Thaïs", student_last_name="Park-Kim")  # ranks as "Kim"
    employer = filed(student_first_name="Thaïs", student_last_name="Roux", employer_name="Kim Conseil")
    exact = filed(student_first_name="Thaïs", student_last_name="Kim")
    for typed in ("Thaïs Kim", "thais kim", "Kim Thaïs"):
        assert first_page(agent, typed) == [exact, hyphenated, employer], typed
    assert search(agent, "Thaïs Kim") == [hyphenated, employer, exact], "plain lists keep the filing order"


def test_many_matches_are_listed_in_filing_order(agent, paris, monkeypatch):
    from workinfrance.backoffice import selectors

    monkeypatch.setattr(selectors.CappedPaginator, "SEARCH_CAP", 2)
    dossiers = [filed(employer_name="Garage Haddad", student_last_name="Martin") for _ in range(2)]
    dossiers.append(filed(student_last_name="Haddad"))
    assert first_page(agent, "Haddad") == dossiers


@pytest.mark.postgres
def test_the_last_word_is_a_prefix_until_it_is_a_whole_known_word(agent, paris):
    dupont, dupontel = filed(student_last_name="Dupont"), filed(student_last_name="Dupontel")
    assert set(search(agent, "Dupo")) == {dupont, dupontel}, "still typing: every name it starts"
    # A whole word that dossiers contain is that word alone (as a prefix it would read the index
    # entries of every word it starts: ten times the cost at a million dossiers).
    assert search(agent, "Dupont") == [dupont]
    assert search(agent, "Dupontel") == [dupontel]

    # Two letters make a word too ("Ba", "Ly"): as a prefix "ba" would read every name it starts.
    ba = filed(student_first_name="Mariam", student_last_name="Ba")
    bakari = filed(student_first_name="Mariam", student_last_name="Bakari")
    assert search(agent, "Mariam Ba") == [ba]
    assert set(search(agent, "Mariam B")) == {ba, bakari}


@pytest.mark.postgres
def test_a_page_of_few_matches_searches_the_text_index_once(agent, paris, lyon):
    wanted = filed(student_last_name="Haddad")
    filed(student_last_name="Haddad", department="69")  # the Rhône unit's: never listed
    with CaptureQueriesContext(connection) as queries:
        assert first_page(agent, "Haddad") == [wanted]
    # The keys are read under every condition once; the page then reads those rows by key.
    assert sum("@@" in query["sql"] for query in queries) == 1


@pytest.mark.postgres
def test_an_agent_of_two_units_finds_the_matches_of_both_and_no_other(paris, lyon):
    marseille = UnitFactory(name="Unité des Bouches-du-Rhône", department_codes=["13"])
    both = agent_of(paris)
    both.units.add(lyon)
    in_paris, in_lyon = filed(student_last_name="Haddad"), filed(student_last_name="Haddad", department="69")
    filed(student_last_name="Haddad", department="13")
    with CaptureQueriesContext(connection) as queries:
        assert set(search(both, "Haddad")) == {in_paris, in_lyon}
    # The text index is asked for the two units' matches alone (the unit condition stays the rule).
    [text_search] = [query["sql"] for query in queries if "@@" in query["sql"]]
    asked = {int(pk) for pk in re.findall(r"#unit(\d+)", text_search)}
    assert asked == {paris.pk, lyon.pk} and marseille.pk not in asked


@pytest.mark.postgres
def test_the_search_column_follows_the_dossier_to_another_unit(agent, lyon_agent, paris, lyon):
    moved = filed(student_last_name="Haddad")
    Dossier.objects.filter(pk=moved.pk).update(unit=lyon)
    assert search(agent, "Haddad") == []
    assert search(lyon_agent, "Haddad") == [moved]
