"""Back-office at scale: load N synthetic dossiers into PostgreSQL, then time inbox, search and export.

    python bench/backoffice_inbox.py                 # 100,000 dossiers
    python bench/backoffice_inbox.py --million       # 1,000,000 dossiers
    python bench/backoffice_inbox.py --skip-load     # measure again on what is loaded

Uses its own database (default wif_bench on 127.0.0.1, dropped and recreated). Dossiers are
generated inside PostgreSQL (INSERT ... SELECT over generate_series), so loading a million takes
minutes. Measurements run in a fresh child process so its peak memory is the export's, not the
loader's. Targets at 1M on 2 cores: inbox p95 <= 50 ms, search p95 <= 100 ms, CSV export <= 60 s
within 150 MB.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = 12
AGENTS_PER_UNIT = 4
APPLICANTS = 5000
BIGGEST_UNIT_SHARE = 0.3  # Paris receives about a third of the files
LAST_NAMES = str.split(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel "
    "Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François "
    "Martinez Haddad Benali Nguyen Tran Diallo Traore Kone Cisse Camara Mendy Chen Wang Li Zhang Liu Yang "
    "Huang Zhao Wu Zhou Kumar Singh Sharma Patel Gupta Khan Ahmed Ali Hassan Hussein Mohamed Ibrahim Yilmaz "
    "Kaya Demir Şahin Çelik Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa "
    "Ribeiro Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira "
    "Nunes Marques Machado Mendes Freitas Cardoso Ramos Gonçalves Santana Teixeira Kim Lee Park Choi Jung "
    "Kang Cho Yoon Jang Lim Okafor Adeyemi Mensah Owusu Boateng Asante Ndiaye Fall Sow Ba Sy Diop Gueye "
    "Lefèvre Ménard Gérard Lemaître Noël Hébert Séguin Thébault Béranger Müller Pérez Rodríguez Núñez"
)
FIRST_NAMES = str.split(
    "Amina Yasmine Sofia Inès Lina Nour Sara Meriem Fatima Aya Mohamed Youssef Amine Karim Mehdi Rayan "
    "Ali Omar Walid Nabil Linh Minh Anh Hoa Wei Jing Xin Hui Priya Ananya Arjun Rohan Aisha Kwame Kofi "
    "Ama Fatou Moussa Ibrahima Awa Mariam Lucas Gabriel Léo Emma Jade Louise Alice Chloé Camila Mateo "
    "Hélène Anaïs Noémie Maëlle Zoé Clément Jérôme Frédéric Raphaël Joël Thaïs Océane"
)
EMPLOYER_WORDS = str.split(
    "Boulangerie Conseil Informatique Logistique Restauration Services Bâtiment Transports Hôtellerie "
    "Commerce Santé Énergie Bureau Études Ingénierie Numérique Agence Atelier Clinique Laboratoire"
)
CITIES = str.split(
    "Paris Lyon Marseille Toulouse Nice Nantes Strasbourg Montpellier Bordeaux Lille Rennes Reims"
)


def ascii_fold(word: str) -> str:
    """ "Hélène" -> "helene": what an e-mail address made from a name looks like."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


NATIONALITIES = ["algérienne", "marocaine", "tunisienne", "chinoise", "sénégalaise", "ivoirienne", "indienne"]


def sql_array(words) -> str:
    return "ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def setup_django(server: str, database: str) -> None:
    os.environ["DATABASE_URL"] = f"{server}/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import django

    django.setup()


def recreate_database(server: str, database: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def load(n: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from workinfrance.accounts.models import Role, User
    from workinfrance.dossiers.models import Dossier
    from workinfrance.permits.models import Permit
    from workinfrance.procedures.models import Category
    from workinfrance.territories.models import Department, Unit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    departments = list(Department.objects.order_by("code").values_list("code", flat=True))
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(email=f"applicant{i}@bench.test", role=Role.APPLICANT, password="!")
                for i in range(APPLICANTS)
            ]
        )
        units = []
        for index in range(UNITS):
            unit = Unit.objects.create(
                name=f"Unité {index}",
                address="1 rue",
                contact_email=f"u{index}@bench.test",
                signatory_name="X",
            )
            codes = departments[index * 3 : index * 3 + 3]
            unit.departments.set(codes)
            Department.objects.filter(code__in=codes).update(is_open=True)
            unit_agents = []
            for a in range(AGENTS_PER_UNIT):
                role = Role.SUPERVISOR if a == 0 else Role.AGENT
                user = User.objects.create_user(
                    f"agent{index}-{a}@bench.test",
                    "bench-password-1",
                    role=role,
                    first_name="Agent",
                    last_name=f"{index}-{a}",
                )
                user.units.set([unit])
                unit_agents.append(user.pk)
            units.append((unit.pk, codes[0], unit_agents))
        # One reader of every unit: exports the whole base.
        everyone = User.objects.create_user("national@bench.test", "bench-password-1", role=Role.SUPERVISOR)
        everyone.units.set([pk for pk, _code, _agents in units])
    category_ids = list(Category.objects.values_list("pk", flat=True))
    applicant_ids = list(User.objects.filter(role=Role.APPLICANT).values_list("pk", flat=True))
    print(f"  accounts and units: {time.perf_counter() - started:.1f} s")

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_unit (idx int, unit_id bigint, dept varchar(3), agents bigint[])"
        )
        for idx, (pk, code, unit_agents) in enumerate(units):
            cursor.execute("INSERT INTO bench_unit VALUES (%s, %s, %s, %s)", [idx, pk, code, unit_agents])
    started = time.perf_counter()
    expressions = dossier_expressions(category_ids, applicant_ids)
    columns = [f.column for f in Dossier._meta.concrete_fields if f.column != "id" and not f.generated]
    from workinfrance.dossiers.lifecycle import State

    q = {state: sql_literal(state) for state in State}
    select = ",\n".join(expressions.get(column) or default_expression(Dossier, column) for column in columns)
    with connection.cursor() as cursor:
        indexes = indexes_drop(cursor, "dossiers_dossier")
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            f"""
            INSERT INTO dossiers_dossier ({", ".join(columns)})
            SELECT {select}
            FROM (
                SELECT g, r, u.unit_id, u.dept, u.agents, state, filed_at,
                       row_number() OVER (PARTITION BY u.dept, extract(year FROM filed_at) ORDER BY filed_at, g) AS seq
                FROM (
                    SELECT g, random() AS r,
                           CASE WHEN random() < {BIGGEST_UNIT_SHARE} THEN 0 ELSE 1 + (g % {UNITS - 1}) END AS unit_idx,
                           CASE WHEN s < 0.08 THEN {q[State.SUBMITTED]} WHEN s < 0.16 THEN {q[State.IN_REVIEW]}
                                WHEN s < 0.20 THEN {q[State.AWAITING_COMPLEMENTS]} WHEN s < 0.80 THEN {q[State.ACCEPTED]}
                                WHEN s < 0.94 THEN {q[State.REFUSED]} ELSE {q[State.CLOSED]} END AS state,
                           CASE WHEN s < 0.20 THEN now() - random() * interval '70 days'
                                ELSE now() - interval '20 days' - random() * interval '1095 days' END AS filed_at
                    FROM (SELECT g, random() AS s FROM generate_series(1::bigint, {int(n)}) AS g) AS base
                ) AS raw
                JOIN bench_unit u ON u.idx = raw.unit_idx
            ) AS d
            """
        )
    print(f"  {n:,} dossiers inserted: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        indexes_create(cursor, indexes)
    print(f"  {len(indexes)} indexes rebuilt: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        permit_expressions = {
            "uuid": "gen_random_uuid()",
            "number": "'APT-B-' || id",
            "dossier_id": "id",
            "holder_first_name": "student_first_name",
            "holder_last_name": "student_last_name",
            "holder_birth_date": "student_birth_date",
            "holder_nationality": "student_nationality",
            "employer_name": "employer_name",
            "employer_siret": "employer_siret",
            "category_id": "category_id",
            "job_title": "job_title",
            "contract_type": "contract_type",
            "weekly_hours": "weekly_hours",
            "valid_from": "decided_at::date",
            "valid_until": "decided_at::date + 300",
            "unit_id": "unit_id",
            "signatory_name": "'X'",
            "issued_at": "decided_at",
            "issued_by_id": "assignee_id",
            "status": "'valid'",
        }
        permit_columns = [f.column for f in Permit._meta.concrete_fields if f.column != "id"]
        permit_select = ", ".join(
            permit_expressions.get(column) or default_expression(Permit, column) for column in permit_columns
        )
        cursor.execute(
            f"INSERT INTO permits_permit ({', '.join(permit_columns)}) "
            f"SELECT {permit_select} FROM dossiers_dossier WHERE state = {sql_literal(State.ACCEPTED)}"
        )
        cursor.execute(
            """
            INSERT INTO dossiers_message (dossier_id, author_id, from_staff, body, created_at)
            SELECT id, applicant_id, false, 'Question', submitted_at + interval '1 day'
            FROM dossiers_dossier WHERE id % 10 = 0
            """
        )
        labels_insert(cursor)
    started = time.perf_counter()
    events_insert()
    print(f"  events (submit, take, complements, decision): {time.perf_counter() - started:.1f} s")
    # What autovacuum does on a live server: statistics, and the visibility map for index-only scans.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  permits, messages, vacuum: {time.perf_counter() - started:.1f} s")


LABELS = ("Prioritaire", "À relancer", "Contrôle", "Employeur connu", "Titre à vérifier", "Litige")


def labels_insert(cursor) -> None:
    """Six labels per unit; one dossier in five carries one, one in twenty-five a second (the label
    filter then selects about 10,000 dossiers of the biggest unit)."""
    from workinfrance.backoffice.models import LabelColour

    colours = LabelColour.values
    values = ", ".join(f"('{name}', '{colours[i]}')" for i, name in enumerate(LABELS))
    cursor.execute(
        f"""
        INSERT INTO backoffice_label (name, colour, created_at, unit_id)
        SELECT v.name, v.colour, now(), u.id FROM territories_unit u, (VALUES {values}) AS v(name, colour)
        """
    )
    for condition, offset in (("d.id % 5 = 0", "d.id % 6"), ("d.id % 25 = 0", "(d.id / 7 + 1) % 6")):
        cursor.execute(
            f"""
            INSERT INTO backoffice_dossierlabel (added_at, added_by_id, dossier_id, label_id)
            SELECT d.submitted_at, NULL, d.id, l.id FROM dossiers_dossier d
            JOIN LATERAL (
                SELECT id FROM backoffice_label WHERE unit_id = d.unit_id ORDER BY id OFFSET {offset} LIMIT 1
            ) l ON true
            WHERE {condition} AND d.submitted_at IS NOT NULL
            ON CONFLICT DO NOTHING
            """
        )


def events_insert() -> None:
    """The audit events and transition log the services would have written (statistics read the log)."""
    from django.db import connection

    from workinfrance.dossiers.lifecycle import DECIDED_STATES, INITIAL_STATE, State, Transition, target_of

    q = {state: sql_literal(state) for state in State}
    decided = sql_list(DECIDED_STATES)
    filed = target_of(Transition.SUBMIT, INITIAL_STATE)
    took = target_of(Transition.TAKE, filed)
    asked = target_of(Transition.REQUEST_COMPLEMENTS, took)
    decision_verb = (
        f"CASE state WHEN {q[State.ACCEPTED]} THEN 'dossier.accept' WHEN {q[State.REFUSED]} THEN 'dossier.refuse' "
        "ELSE 'dossier.close' END"
    )

    def moved(source: State, target: State) -> str:
        return f"jsonb_build_object('from', {sql_literal(source)}, 'to', {sql_literal(target)})"

    with connection.cursor() as cursor:
        indexes = indexes_drop(cursor, "core_event")
        cursor.execute(
            f"""
            INSERT INTO core_event (actor_id, verb, target_type, target_id, created_at, data)
            SELECT applicant_id, 'dossier.submit', 'dossiers.dossier', id::text, submitted_at,
                   {moved(INITIAL_STATE, filed)}
            FROM dossiers_dossier
            UNION ALL
            SELECT assignee_id, 'dossier.take', 'dossiers.dossier', id::text,
                   submitted_at + (coalesce(decided_at, now()) - submitted_at) / 4,
                   {moved(filed, took)}
            FROM dossiers_dossier WHERE state <> {q[filed]}
            UNION ALL
            SELECT assignee_id, 'dossier.request_complements', 'dossiers.dossier', id::text,
                   submitted_at + (now() - submitted_at) / 2,
                   {moved(took, asked)}
            FROM dossiers_dossier WHERE state = {q[asked]}
            UNION ALL
            SELECT assignee_id, {decision_verb}, 'dossiers.dossier', id::text, decided_at,
                   jsonb_build_object('from', {q[took]}, 'to', state)
            FROM dossiers_dossier WHERE state IN ({decided})
            ORDER BY 5
            """
        )
        indexes_create(cursor, indexes)
        # The typed log, one row per transition event (as the migration back-fills it).
        cursor.execute(
            """
            INSERT INTO dossiers_dossiertransition (event_id, dossier_id, transition, from_state, to_state, actor_id, at)
            SELECT id, target_id::bigint, substr(verb, 9), data->>'from', data->>'to', actor_id, created_at
            FROM core_event WHERE target_type = 'dossiers.dossier' AND verb LIKE 'dossier.%'
            """
        )


def sql_literal(state) -> str:
    return f"'{state.value}'"


def sql_list(states) -> str:
    """A state set of the lifecycle as an SQL list."""
    return ", ".join(sql_literal(state) for state in sorted(states))


def indexes_drop(cursor, table: str) -> list[str]:
    """Drop a table's plain indexes (not its constraints') before a bulk insert; returns their definitions."""
    cursor.execute(
        """
        SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)
        """,
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes]


def indexes_create(cursor, definitions: list[str]) -> None:
    """Building indexes once after a bulk insert is much faster than maintaining them row by row."""
    cursor.execute("SET maintenance_work_mem = '256MB'")
    for definition in definitions:
        cursor.execute(definition)


def dossier_expressions(category_ids, applicant_ids) -> dict:
    last, first = sql_array(LAST_NAMES), sql_array(FIRST_NAMES)
    last_ascii = sql_array(ascii_fold(name) for name in LAST_NAMES)
    first_ascii = sql_array(ascii_fold(name) for name in FIRST_NAMES)
    words, cities = sql_array(EMPLOYER_WORDS), sql_array(CITIES)
    n_last, n_first, n_words, n_cities = len(LAST_NAMES), len(FIRST_NAMES), len(EMPLOYER_WORDS), len(CITIES)
    from workinfrance.dossiers.lifecycle import DECIDED_STATES, State

    decided = f"state IN ({sql_list(DECIDED_STATES)})"
    # First and last names drawn independently of each other (hashes of the row number): 9,000 plain
    # names and 1.3 million hyphenated ones, so that a first + last name has a few namesakes per unit,
    # not a hundred (a name derived from g modulo the list lengths gave 3,192 names for 300,000 files).
    first_index = f"1 + abs(hashint8(g)::bigint) % {n_first}"
    last_index = f"1 + abs(hashint8(g + 7919)::bigint) % {n_last}"
    second_index = f"1 + abs(hashint8(g + 15485863)::bigint) % {n_last}"
    # About 20,000 employers, each with a name and a SIRET-shaped number (not Luhn-checked: irrelevant here).
    employer = "((g * 7919) % 20011)"
    siret = f"(100000000 + {employer})::text || '00017'"
    return {
        "uuid": "gen_random_uuid()",
        "number": "'WIF-' || extract(year FROM filed_at)::int || '-' || dept || '-' || lpad(seq::text, 6, '0')",
        "state": "state",
        "category_id": f"(ARRAY{category_ids})[1 + (g % {len(category_ids)})]",
        "applicant_id": f"(ARRAY{applicant_ids})[1 + (g % {len(applicant_ids)})]",
        "filer_kind": "'student'",
        "unit_id": "unit_id",
        "assignee_id": f"CASE WHEN state = {sql_literal(State.SUBMITTED)} THEN NULL "
        f"ELSE agents[1 + (g % {AGENTS_PER_UNIT})] END",
        "student_first_name": f"({first})[{first_index}]",
        "student_last_name": f"({last})[{last_index}] || CASE WHEN g % 3 = 0 THEN '-' || ({last})[{second_index}] ELSE '' END",
        "student_birth_date": "date '1995-01-01' + (g % 3000)::int",
        "student_birth_place": f"({cities})[1 + (g % {n_cities})]",
        # The seven most frequent nationalities of the procedure, so that the monthly report has rows.
        "student_nationality": f"({sql_array(NATIONALITIES)})[1 + (g * 7919 % 1000) % {len(NATIONALITIES)}]",
        # firstname.lastname<g>@example.test: unique, as agents copy it from a message.
        "student_email": f"({first_ascii})[{first_index}] || '.' || ({last_ascii})[{last_index}] || g || '@example.test'",
        "student_address": "(g % 200) || ' rue des Écoles'",
        "student_postcode": "dept || '005'",
        "student_city": f"({cities})[1 + (g % {n_cities})]",
        "department_id": "dept",
        "residence_permit_type": "'student_card'",
        "residence_permit_number": "lpad(g::text, 10, '0')",
        "residence_permit_start": "filed_at::date - 200",
        "residence_permit_end": "filed_at::date + 20 + (g % 500)::int",
        "residence_permit_prefecture": "'Préfecture'",
        "institution_name": "'Université'",
        "enrolment_programme": "'Master'",
        "enrolment_year": "'2025-2026'",
        "employer_name": f"({words})[1 + {employer} % {n_words}] || ' ' || ({last})[1 + ({employer} / {n_words}) % {n_last}] || ' SARL'",
        "employer_siret": siret,
        "employer_address": "'3 rue Soufflot'",
        "employer_postcode": "dept || '005'",
        "employer_city": f"({cities})[1 + (g % {n_cities})]",
        "job_title": "'Apprenti'",
        "work_address": "'3 rue Soufflot'",
        "contract_type": "'apprenticeship'",
        "contract_start": "filed_at::date + 10",
        "contract_end": "filed_at::date + 375",
        "weekly_hours": "35",
        "gross_monthly_salary": "1100",
        "regulated_profession": "false",
        "refusal_reason": f"CASE WHEN state = {sql_literal(State.REFUSED)} THEN 'hours' ELSE '' END",
        "created_at": "filed_at - interval '1 day'",
        "updated_at": "filed_at",
        "first_submitted_at": "filed_at",
        "submitted_at": "filed_at",
        "decided_at": f"CASE WHEN {decided} THEN LEAST(now(), filed_at + (r * 20) * interval '1 day') END",
    }


def default_expression(model, column: str) -> str:
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    if field.null:
        return "NULL"
    if field.get_internal_type() == "BooleanField":
        return "false"
    return "''"


# ---------------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return (
        f"p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   "
        f"min {ordered[0] * 1000:5.1f} ms   (n={len(ordered)})"
    )


def load_average() -> str:
    """Other work on the machine inflates every figure: print it with them, and how long a fixed
    piece of Python takes here now (machines of the same kind differ, and so does one machine
    from hour to hour: compare figures of two runs only with this beside them)."""
    return (
        "load average "
        + " / ".join(f"{value:.1f}" for value in os.getloadavg())
        + f" on {os.cpu_count()} CPUs, reference Python loop {reference_loop_ms():.2f} ms"
    )


def reference_loop_ms() -> float:
    """Median of 15 runs of the same 100,000-step loop, in milliseconds."""
    samples = []
    for _ in range(15):
        started = time.perf_counter()
        total = 0
        for step in range(100_000):
            total += step * step
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)[len(samples) // 2]


def database_memory() -> str:
    """PostgreSQL's own cache: with the default 128 MB, a page reading rows no recent page read
    waits for the disk (20-30 ms more per search page at 1M dossiers on this kind of machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        [shared_buffers] = cursor.fetchone()
    return f"PostgreSQL shared_buffers {shared_buffers}"


def timed(function, repeat: int) -> list[float]:
    function()  # warm the cache: we measure a working server, not a cold disk
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(round(0.95 * len(samples))) - 1)]


def measure(repeat: int) -> dict:
    from django.db import connection
    from django.urls import reverse

    from bench.prepare import page, signed_in_client
    from workinfrance.accounts.models import User
    from workinfrance.backoffice.models import Label
    from workinfrance.backoffice.selectors import InboxQuery, inbox_page
    from workinfrance.dossiers.lifecycle import State
    from workinfrance.dossiers.models import Dossier

    total = Dossier.objects.count()
    agent = User.objects.get(email="agent0-1@bench.test")  # agent of the biggest unit
    in_unit = Dossier.objects.filter(unit__members=agent).count()
    print(
        f"\n{total:,} dossiers; the measured agent's unit holds {in_unit:,}; {load_average()}; "
        f"{database_memory()}"
    )
    rng = random.Random(7)
    label = Label.objects.filter(unit__members=agent).order_by("pk").values_list("pk", flat=True).first()

    def inbox(**params):
        page = params.pop("page", 1)
        return lambda: list(inbox_page(user=agent, query=InboxQuery(**params), page_number=page).object_list)

    scenarios = {
        "to take (default)": [inbox(tab="to_take")],
        "mine": [inbox(tab="mine")],
        "awaiting complements": [inbox(tab="awaiting")],
        "decided": [inbox(tab="decided")],
        "all": [inbox(tab="all")],
        "all, page 40": [inbox(tab="all", page=40)],
        "all, newest first": [inbox(tab="all", sort="-filed")],
        "all, one state filter": [inbox(tab="all", state=State.REFUSED.value)],
        "decided, longest waiting": [inbox(tab="decided", sort="-waiting")],
        "flag: late": [inbox(tab="all", flag="late")],
        "all, one label": [inbox(tab="all", label=label)],
        "to take, one label": [inbox(tab="to_take", label=label)],
        "all, one label, a name": [inbox(tab="all", label=label, q="Martin")],
    }
    print("\nInbox through the selectors (one page of 25 rows with its capped count):")
    inbox_samples = []
    for name, (function,) in scenarios.items():
        samples = timed(function, repeat)
        inbox_samples += samples
        print(f"  {name:<28} {percentiles(samples)}")
    print(f"  {'ALL INBOX SCENARIOS':<28} {percentiles(inbox_samples)}")

    client = signed_in_client(agent)
    url = reverse("backoffice:inbox")
    view_samples = []
    for tab in ("to_take", "mine", "decided", "all"):
        view_samples += timed(lambda tab=tab: page(client, url, {"tab": tab}).content, repeat)
    print(f"\nInbox through the view (HTTP GET, rendered page): {percentiles(view_samples)}")

    unit_rows = Dossier.objects.filter(unit__members=agent)
    sample = list(
        unit_rows.values_list("number", "student_last_name", "employer_name", "employer_siret")[:5000]
    )
    rng.shuffle(sample)
    queries = []
    for number, last_name, employer, siret in sample[: repeat * 4]:
        queries += [number, last_name.split("-")[0], employer.rsplit(" ", 1)[0], siret]
    queries += [name[:4] for name in LAST_NAMES[:repeat]]  # prefixes ("Hadd")
    search_samples, by_kind = [], {"number": [], "name": [], "employer": [], "siret": [], "prefix": []}
    kinds = ["number", "name", "employer", "siret"]
    for index, text in enumerate(queries):
        function = inbox(tab="all", q=text)
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
        search_samples.append(elapsed)
        by_kind[kinds[index % 4] if index < repeat * 16 else "prefix"].append(elapsed)
    print("\nSearch (tab 'all', page 1 with count):")
    for kind, samples in by_kind.items():
        if samples:
            print(f"  {kind:<28} {percentiles(samples)}")
    print(f"  {'ALL SEARCHES':<28} {percentiles(search_samples)}")
    print(f"  ({load_average()})")
    search = random_searches(agent, repeat)
    connection.close()
    return {
        "inbox_selector": {
            "p50": statistics.median(inbox_samples) * 1000,
            "p95": p95(inbox_samples) * 1000,
            "load": os.getloadavg()[0],
        },
        "search": search,
    }


def random_searches(agent, repeat: int) -> dict:
    """Queries drawn at random from the agent's unit, by kind: time, and whether the drawn dossier
    is found (in the results) and shown (on the first page)."""
    from bench.search_queries import KINDS, draw
    from workinfrance.backoffice.selectors import InboxQuery, inbox_page, inbox_selection

    queries = draw(list(agent.units.values_list("pk", flat=True)), per_kind=repeat)
    by_kind = {kind: {"times": [], "found": 0, "shown": 0, "n": 0} for kind in KINDS}
    inbox_page(user=agent, query=InboxQuery(tab="all", q="Martin"), page_number=1)  # warm up
    for query in queries:
        started = time.perf_counter()
        page = inbox_page(user=agent, query=InboxQuery(tab="all", q=query.text), page_number=1)
        shown = query.dossier_id in [dossier.pk for dossier in page.object_list]
        elapsed = time.perf_counter() - started
        found = shown or (
            inbox_selection(user=agent, query=InboxQuery(tab="all", q=query.text))
            .filter(pk=query.dossier_id)
            .exists()
        )
        figures = by_kind[query.kind]
        figures["times"].append(elapsed)
        figures["n"] += 1
        figures["found"] += found
        figures["shown"] += shown
    print("\nSearch, queries drawn at random from the unit's dossiers (tab 'all', page 1 with count):")
    every = []
    for kind, figures in by_kind.items():
        if not figures["n"]:
            continue
        every += figures["times"]
        print(
            f"  {kind:<22} {percentiles(figures['times'])}  max {max(figures['times']) * 1000:6.1f} ms  "
            f"found {figures['found'] / figures['n']:4.0%}  first page {figures['shown'] / figures['n']:4.0%}"
        )
    found = sum(f["found"] for f in by_kind.values()) / len(queries)
    print(f"  {'ALL':<22} {percentiles(every)}  max {max(every) * 1000:6.1f} ms  found {found:4.0%}")
    print(f"  ({load_average()})")
    return {
        "p50": statistics.median(every) * 1000,
        "p95": p95(every) * 1000,
        "max": max(every) * 1000,
        "found": found,
        "by_kind": {
            kind: {
                "p95": p95(f["times"]) * 1000,
                "max": max(f["times"]) * 1000,
                "found": f["found"] / f["n"],
            }
            for kind, f in by_kind.items()
            if f["n"]
        },
        "load": os.getloadavg()[0],
    }


def measure_export() -> dict:
    """Run alone in its process: the peak memory reported is the export's."""
    from django.urls import reverse

    from bench.prepare import page, signed_in_client
    from workinfrance.accounts.models import User

    everyone = User.objects.get(email="national@bench.test")
    client = signed_in_client(everyone)
    page(client, reverse("backoffice:inbox"))  # a worker that has served a page: every app is loaded
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = page(client, reverse("backoffice:export_csv"), {"tab": "all"})
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nCSV export of every dossier ({lines - 1:,} rows, {size / 1e6:.0f} MB) through the view: {elapsed:.1f} s; "
        f"process peak RSS {rss_before:.0f} MB before the export, {rss_after:.0f} MB after ({load_average()})"
    )
    return {"seconds": elapsed, "peak_mb": rss_after, "rows": lines - 1, "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100_000, help="number of dossiers (default 100,000)")
    parser.add_argument("--million", action="store_true", help="load 1,000,000 dossiers")
    parser.add_argument(
        "--database", default="wif_bench", help="bench database (dropped and recreated on load)"
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without database (default $BENCH_POSTGRES or 127.0.0.1:5432)",
    )
    parser.add_argument("--skip-load", action="store_true", help="measure what is already loaded")
    parser.add_argument("--repeat", type=int, default=30, help="samples per scenario")
    parser.add_argument("--no-export", action="store_true", help="skip the CSV export of every dossier")
    parser.add_argument("--measure-only", action="store_true", help="inbox and search figures only")
    parser.add_argument("--export-only", action="store_true", help="the CSV export figure only")
    parser.add_argument("--search-only", action="store_true", help="random-query search figures only")
    args = parser.parse_args()
    n = 1_000_000 if args.million else args.n

    if args.measure_only or args.export_only or args.search_only:
        setup_django(args.server, args.database)
        if args.measure_only:
            print("BENCH-RESULT " + json.dumps(measure(args.repeat)))
        elif args.search_only:
            from workinfrance.accounts.models import User

            result = random_searches(User.objects.get(email="agent0-1@bench.test"), args.repeat)
            print("BENCH-RESULT " + json.dumps({"search": result}))
        else:
            print("BENCH-RESULT " + json.dumps({"export": measure_export()}))
        return
    if not args.skip_load:
        print(f"Loading {n:,} dossiers into {args.database}")
        started = time.perf_counter()
        recreate_database(args.server, args.database)
        setup_django(args.server, args.database)
        load(n)
        print(f"  total load: {time.perf_counter() - started:.1f} s")
    # A fresh process: its peak memory is the measurements', not the loader's.
    command = [
        sys.executable,
        __file__,
        "--measure-only",
        "--database",
        args.database,
        "--server",
        args.server,
        "--repeat",
        str(args.repeat),
    ]
    subprocess.run(command, check=True)
    if not args.no_export:
        # Again a fresh process: the peak memory printed is the export's alone.
        subprocess.run([*command[:2], "--export-only", *command[3:]], check=True)


if __name__ == "__main__":
    main()
