"""Search queries drawn at random from the loaded data, by kind, each with the dossier it must find.

The kinds are what agents type (issue 21): a last name, first + last name, an employer's name in
one and two words, full and partial numbers with and without leading zeros, a SIRET, an e-mail
address, a name with one typo, a name typed without the accent the data has.
"""

import random
import unicodedata
from dataclasses import dataclass

KINDS = (
    "last name",
    "first + last name",
    "employer, one word",
    "employer, two words",
    "full number",
    "number sequence",
    "sequence, no zeros",
    "dept + sequence",
    "SIRET",
    "e-mail",
    "name with a typo",
    "name without accent",
)


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    dossier_id: int


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def with_typo(word: str, rng: random.Random) -> str:
    """One edit that agents make: two letters swapped, one left out, doubled or replaced."""
    letters = list(word)
    position = rng.randrange(1, len(letters) - 1)  # the first letter is rarely wrong
    edit = rng.choice(("swap", "drop", "double", "replace"))
    if edit == "swap" and letters[position] != letters[position + 1]:
        letters[position], letters[position + 1] = letters[position + 1], letters[position]
    elif edit == "drop":
        del letters[position]
    elif edit == "double":
        letters.insert(position, letters[position])
    else:
        letters[position] = rng.choice([c for c in "aeiourstnl" if c != letters[position].lower()])
    return "".join(letters)


def draw(unit_ids, per_kind: int, seed: int = 21) -> list[Query]:
    """`per_kind` queries of every kind, from dossiers of the given units drawn at random."""
    from django.db import connection

    from workinfrance.dossiers.lifecycle import State

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        # REPEATABLE: the same sample from one run to the next (setseed() does not seed TABLESAMPLE),
        # so that two runs compare the code, not two draws.
        cursor.execute(
            """
            SELECT id, number, student_first_name, student_last_name, employer_name, employer_siret,
                   student_email
            FROM dossiers_dossier TABLESAMPLE SYSTEM (2) REPEATABLE (%s)
            WHERE unit_id = ANY(%s) AND state <> %s
            ORDER BY id
            """,
            [seed, list(unit_ids), State.DRAFT.value],
        )
        rows = cursor.fetchall()
    rng.shuffle(rows)
    plain = rows[: per_kind * 10]
    accented = [row for row in rows if strip_accents(row[2] + row[3]) != row[2] + row[3]][:per_kind]
    queries = []
    for pk, number, first, last, employer, siret, email in plain[:per_kind]:
        _, year, dept, sequence = number.split("-")
        # The longest word of the name (a hyphenated last name's part, or else the first name).
        typo_source = max([*last.split("-"), first], key=len)
        queries += [
            Query("last name", last, pk),
            Query("first + last name", f"{first} {last}", pk),
            Query("employer, one word", employer.split()[0], pk),
            Query("employer, two words", " ".join(employer.split()[:2]), pk),
            Query("full number", number, pk),
            Query("number sequence", sequence, pk),
            Query("sequence, no zeros", str(int(sequence)), pk),
            Query("dept + sequence", f"{dept}-{sequence}", pk),
            Query("SIRET", siret, pk),
            Query("e-mail", email, pk),
            Query("name with a typo", with_typo(typo_source, rng), pk),
        ]
    for pk, _number, first, last, *_rest in accented:
        queries.append(Query("name without accent", strip_accents(f"{first} {last}"), pk))
    return queries
