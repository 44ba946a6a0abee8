"""A student and her dossier in review with the Paris agent, for the decisions journey, made inside the
service's own process (`LiveService.python`). Prints one JSON document on standard output."""

import json

STUDENT_EMAIL = "leila.benali@example.test"
STUDENT_PASSWORD = "Mon-mot-de-passe-2026"


def seed() -> None:
    from django.contrib.auth import get_user_model

    from workinfrance.dossiers import services

    from tests.factories import UserFactory, complete_draft

    agent = get_user_model().objects.get(email="agent.paris@workinfrance.test")
    student = UserFactory(
        email=STUDENT_EMAIL,
        first_name="Leïla",
        last_name="Benali",
        preferred_language="fr",
        password=STUDENT_PASSWORD,
    )
    dossier = complete_draft(applicant=student, student_first_name="Leïla", student_last_name="Benali")
    services.dossier_submit(dossier=dossier, actor=student)
    services.dossier_take(dossier=dossier, actor=agent)
    dossier.refresh_from_db()
    print(json.dumps({"uuid": str(dossier.uuid), "number": dossier.number}))
