"""Searching dossiers by what agents type: a number or part of one, a SIRET/SIREN, an e-mail
address, names (student, employer) with or without accents, with a typo.

Each kind has its own indexed path (PostgreSQL; see dossiers migration 0003):
- a full number: the unique index; a part of one ("123", "000123", "75-000123",
  "2026-75-123"): the (unit, sequence) expression index;
- 14 digits: SIRET (exact), 9 digits: SIREN (range over the SIRET index);
- an e-mail address: the lower-cased e-mail indexes (student, employer contact);
- words: full text on `search_vector` (French, unaccented), the last word also as a prefix unless
  it is a known word, and the agent's units as lexemes of the same index;
  a word that no dossier contains is replaced by its nearest words of `dossiers_search_word`
  (candidates by trigrams, kept within two edits and ranked by edit distance). Name searches
  carry a relevance (`search_rank`) that the inbox sorts by: the student named exactly as typed
  first, then the text's rank (a student's name weighs more than an employer's).
On SQLite (`make run`): the same number, SIRET and e-mail paths; words by substring, no typos.
"""

import re
from collections.abc import Iterable

from django.db import connections
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from workinfrance.dossiers.search_document import units_tsquery

SEARCH_FIELDS = ("number", "student_first_name", "student_last_name", "employer_name", "employer_siret")
NUMBER_PATTERN = re.compile(r"^WIF-\d{4}-\w{2,3}-\d{6}$")
# What an agent copies of a number: [WIF-][year-][department-]sequence, leading zeros optional.
NUMBER_PART_PATTERN = re.compile(
    r"^(?:WIF-?)?(?:(?P<year>(?:19|20)\d\d)-)?(?:(?P<dept>\d[0-9AB]|\d\d\d)-)?(?P<seq>\d{1,8})$"
)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WORD_PATTERN = re.compile(r"\w+")
SEARCH_CONFIG = "wif_search"  # dossiers migration 0003
NUMBER_SEQUENCE_SQL = "(substring({table}.number FROM '-([0-9]{{1,9}})$'))::integer"
CORRECTIONS_PER_WORD = 3
MAX_EDITS = 2  # one slip: a letter left out, doubled or replaced (1), two letters swapped (2)
SHORT_WORD = 5  # up to this length, every one-letter slip is looked up by key (trigrams miss them)
ALPHABET = "abcdefghijklmnopqrstuvwxyz"  # the known words' letters (unaccented, lower case)


def search_terms(text: str) -> list[str]:
    """Words of the query; a dossier number's parts and a spaced SIRET become searchable words."""
    compact = re.sub(r"(?<=\d)\s+(?=\d)", "", text.strip())
    return WORD_PATTERN.findall(compact.lower())[:8]


def _exact_filter(text: str, vendor: str, table: str) -> Q | None:
    """Numbers, SIRET/SIREN and e-mail addresses by exact, indexed comparison."""
    compact = re.sub(r"\s+", "", text)
    if NUMBER_PATTERN.match(compact.upper()):
        return Q(number=compact.upper())
    if compact.isdigit() and len(compact) == 14:
        return Q(employer_siret=compact)
    if compact.isdigit() and len(compact) == 9:
        # A SIREN: every establishment of the company (a range, so the SIRET index serves it).
        return Q(employer_siret__gte=compact, employer_siret__lte=compact + "99999")
    if EMAIL_PATTERN.match(compact):
        return Q(email_student=compact.lower()) | Q(email_employer=compact.lower())
    part = NUMBER_PART_PATTERN.match(compact.upper())
    if part:
        return _number_part_filter(int(part["seq"]), part["year"], part["dept"], vendor, table)
    return None


def _number_part_filter(sequence: int, year: str | None, dept: str | None, vendor: str, table: str) -> Q:
    if vendor == "postgresql":
        matches = Q(
            RawSQL(  # noqa: S611 (our own table name; the sequence is a bound parameter)
                f"{NUMBER_SEQUENCE_SQL.format(table=table)} = %s", [sequence], output_field=BooleanField()
            )
        )
    else:
        matches = Q(number__endswith=f"-{sequence:06d}")
    if year:
        matches &= Q(number__startswith=f"WIF-{year}-")
    if dept:
        matches &= Q(number__contains=f"-{dept}-")
    return matches


def dossiers_search(queryset: QuerySet, text: str, *, units: Iterable[int] = ()) -> QuerySet:
    """The dossiers matching `text`; name searches are annotated with a relevance, `search_rank`.

    `units`: the units the queryset is already restricted to (never a permission: the queryset's
    own condition is the rule). Name searches then ask the text index for those units' matches
    alone, instead of every match nationwide ANDed with a bitmap of the whole unit."""
    vendor = connections[queryset.db].vendor
    table = f'"{queryset.model._meta.db_table}"'
    exact = _exact_filter(text, vendor, table)
    if exact is not None:
        queryset = queryset.alias(
            email_student=Lower("student_email"), email_employer=Lower("employer_contact_email")
        )
        return queryset.filter(exact)
    terms = search_terms(text)
    if not terms:
        return queryset
    if vendor == "postgresql":
        tsquery = _tsquery(terms, queryset.db)
        typed = f"to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"
        in_units = " && %s::tsquery" if units else ""
        # The user's words are a bound parameter; only our own table name is interpolated.
        matches = RawSQL(  # noqa: S611
            f"{table}.search_vector @@ ({typed}{in_units})",
            [tsquery, units_tsquery(units)] if units else [tsquery],
            output_field=BooleanField(),
        )
        # A dossier whose student is named exactly as typed (in any order, accents aside) comes
        # first: "Thaïs Kim" before "Thaïs Park-Kim", whose text matches the same words as well.
        full_name = f"{table}.student_first_name || ' ' || {table}.student_last_name"
        rank = RawSQL(  # noqa: S611
            f"ts_rank({table}.search_vector, {typed}) + CASE WHEN strip(to_tsvector('{SEARCH_CONFIG}'::regconfig, "
            f"{full_name})) = strip(to_tsvector('{SEARCH_CONFIG}'::regconfig, %s)) THEN 1 ELSE 0 END",
            [tsquery, text],
            output_field=FloatField(),
        )
        return queryset.filter(matches).alias(search_rank=rank)
    words = Q()
    for term in terms:
        any_field = Q()
        for field in SEARCH_FIELDS:
            any_field |= Q(**{f"{field}__icontains": term})
        words &= any_field
    return queryset.filter(words)


def _slips(word: str) -> set[str]:
    """The words one slip away that trigrams miss: two neighbouring letters swapped ("soifa" ->
    "sofia"), and for a short word, where one changed letter leaves few trigrams in common ("rolx"
    -> "roux"), every word with one letter left out, replaced or added (about 300 for 5 letters)."""
    slips = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    if len(word) <= SHORT_WORD:
        for i in range(len(word) + 1):
            slips.update(word[:i] + letter + word[i:] for letter in ALPHABET)
            if i < len(word):
                slips.add(word[:i] + word[i + 1 :])
                slips.update(word[:i] + letter + word[i + 1 :] for letter in ALPHABET)
    slips.discard(word)
    return slips


def _tsquery(terms: list[str], database: str) -> str:
    """Whole words; the last one also as a prefix while it is not a known word (the agent may still
    be typing): "boulangerie dup" finds "Boulangerie Dupont", "traore" is the word Traoré alone
    (as a prefix it costs ten times more at scale: every word starting "traor" is read). A word no
    dossier contains becomes the alternatives nearest to it ("hadadd" -> "haddad | hadad")."""
    corrections, last_is_known = _corrections(terms, database)
    parts = []
    for index, term in enumerate(terms):
        last = index == len(terms) - 1
        alternatives = corrections.get(index)
        if alternatives:
            parts.append("(" + " | ".join(alternatives) + ")")
        else:
            parts.append(f"{term}:*" if last and not last_is_known else term)
    return " & ".join(parts)


def _corrections(terms: list[str], database: str) -> tuple[dict[int, list[str]], bool]:
    """For each word (by position) that no dossier's names contain, its nearest known words; and
    whether the last word is a known word (whole).

    Nearest: one typing slip away (a letter left out, doubled or replaced: edit distance 1; two
    letters swapped: 2), ranked by edits then trigram distance. Candidates: the words sharing
    enough trigrams (pg_trgm's index at its default threshold), and the slips trigrams miss
    (`_slips`), looked up by key. Trigram similarity alone ranked "sahin" before "sharma" for
    "sahrma", and found nothing for "soifa" or "rolx". (A lower trigram threshold finds those too,
    but reads thousands of candidates: 40 ms a word among 170,000 words.)
    Numbers and short words are never corrected, nor is a last word that a known word starts with
    (the agent may still be typing); it is then searched as a prefix unless it is a word itself."""
    candidates = [
        (index, term)
        for index, term in enumerate(terms)
        if len(term) >= 4 and not any(c.isdigit() for c in term)
    ]
    slips = [(index, slip) for index, term in candidates for slip in sorted(_slips(term))]
    last = len(terms) - 1
    with connections[database].cursor() as cursor:
        cursor.execute(
            """
            WITH input AS (
                SELECT position, unaccent(term) AS term, position = %s AS is_last
                FROM unnest(%s::int[], %s::text[]) AS input(position, term)
            ), slips AS (
                SELECT position, unaccent(slip) AS slip
                FROM unnest(%s::int[], %s::text[]) AS slips(position, slip)
            )
            SELECT t.position, suggestion.words
            FROM input AS t
            CROSS JOIN LATERAL (
                SELECT array_agg(word ORDER BY edits, distance, word) AS words FROM (
                    SELECT word, levenshtein(word, t.term) AS edits, word <-> t.term AS distance
                    FROM (
                        SELECT word FROM dossiers_search_word WHERE word %% t.term
                        UNION
                        SELECT word FROM dossiers_search_word
                        WHERE word IN (SELECT slip FROM slips WHERE position = t.position)
                    ) AS found
                    WHERE levenshtein_less_equal(word, t.term, %s) <= %s
                    ORDER BY edits, distance, word LIMIT %s
                ) AS nearest
            ) AS suggestion
            WHERE NOT EXISTS (SELECT 1 FROM dossiers_search_word WHERE word = t.term)
              AND NOT (t.is_last AND EXISTS (
                  SELECT 1 FROM dossiers_search_word WHERE word LIKE t.term || '%%'))
              AND suggestion.words IS NOT NULL
            UNION ALL
            SELECT -1, NULL WHERE EXISTS (SELECT 1 FROM dossiers_search_word WHERE word = unaccent(%s))
            """,
            [
                last,
                [index for index, _ in candidates],
                [term for _, term in candidates],
                [index for index, _ in slips],
                [slip for _, slip in slips],
                MAX_EDITS,
                MAX_EDITS,
                CORRECTIONS_PER_WORD,
                terms[last],
            ],
        )
        rows = cursor.fetchall()
    corrections = {position: words for position, words in rows if position >= 0}
    return corrections, any(position == -1 for position, _ in rows)
