"""The typed transition log, back-filled from the audit events written so far.

Each `dossier.<transition>` event on a dossier carries `{"from": ..., "to": ...}`: it becomes one
`DossierTransition` row pointing at it. Events of dossiers deleted since, or without both states,
are left out (the trail keeps them).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRANSITIONS = (
    "submit",
    "take",
    "assign",
    "request_complements",
    "resubmit",
    "accept",
    "refuse",
    "close",
    "reopen",
)
STATES = ("draft", "submitted", "in_review", "awaiting_complements", "accepted", "refused", "closed")
BATCH = 5000


POSTGRESQL_BACKFILL = """
    INSERT INTO dossiers_dossiertransition (event_id, dossier_id, transition, from_state, to_state, actor_id, at)
    SELECT e.id, d.id, substr(e.verb, 9), e.data->>'from', e.data->>'to', e.actor_id, e.created_at
    FROM core_event e JOIN dossiers_dossier d ON d.id::text = e.target_id
    WHERE e.target_type = 'dossiers.dossier' AND e.verb = ANY(%s)
      AND e.data->>'from' = ANY(%s) AND e.data->>'to' = ANY(%s)
    ON CONFLICT (event_id) DO NOTHING
"""


def backfill(apps, schema_editor):
    from django.db import connection

    if connection.vendor == "postgresql":  # one statement: production holds millions of events
        with connection.cursor() as cursor:
            cursor.execute(
                POSTGRESQL_BACKFILL, [[f"dossier.{t}" for t in TRANSITIONS], list(STATES), list(STATES)]
            )
        return
    Event = apps.get_model("core", "Event")
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierTransition = apps.get_model("dossiers", "DossierTransition")
    existing = set(Dossier.objects.values_list("pk", flat=True))
    events = Event.objects.filter(
        target_type="dossiers.dossier", verb__in=[f"dossier.{t}" for t in TRANSITIONS]
    ).order_by("pk")
    rows = []
    for event in events.iterator(BATCH):
        data = event.data or {}
        dossier_id = int(event.target_id) if event.target_id.isdigit() else None
        if dossier_id not in existing or data.get("from") not in STATES or data.get("to") not in STATES:
            continue
        rows.append(
            DossierTransition(
                dossier_id=dossier_id,
                event_id=event.pk,
                transition=event.verb.split(".", 1)[1],
                from_state=data["from"],
                to_state=data["to"],
                actor_id=event.actor_id,
                at=event.created_at,
            )
        )
        if len(rows) >= BATCH:
            DossierTransition.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    DossierTransition.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("dossiers", "0004_merge_identity_certified_and_search"),
        ("procedures", "0002_seed_categories"),
        ("territories", "0003_unit_require_proconnect"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DossierTransition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "transition",
                    models.CharField(
                        choices=[
                            ("submit", "Déposer"),
                            ("take", "Prendre en charge"),
                            ("assign", "Attribuer"),
                            ("request_complements", "Demander des compléments"),
                            ("resubmit", "Renvoyer le dossier complété"),
                            ("accept", "Accepter"),
                            ("refuse", "Refuser"),
                            ("close", "Classer sans suite"),
                            ("reopen", "Rouvrir"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "from_state",
                    models.CharField(
                        choices=[
                            ("draft", "Brouillon"),
                            ("submitted", "Déposé"),
                            ("in_review", "En cours d'instruction"),
                            ("awaiting_complements", "Compléments demandés"),
                            ("accepted", "Accepté"),
                            ("refused", "Refusé"),
                            ("closed", "Classé sans suite"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "to_state",
                    models.CharField(
                        choices=[
                            ("draft", "Brouillon"),
                            ("submitted", "Déposé"),
                            ("in_review", "En cours d'instruction"),
                            ("awaiting_complements", "Compléments demandés"),
                            ("accepted", "Accepté"),
                            ("refused", "Refusé"),
                            ("closed", "Classé sans suite"),
                        ],
                        max_length=32,
                    ),
                ),
                ("at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "transition",
                "verbose_name_plural": "transitions",
                "ordering": ["at", "event_id"],
            },
        ),
        migrations.AddField(
            model_name="dossiertransition",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="dossiertransition",
            name="dossier",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="transitions", to="dossiers.dossier"
            ),
        ),
        migrations.AddField(
            model_name="dossiertransition",
            name="event",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.event"
            ),
        ),
        migrations.AddIndex(
            model_name="dossiertransition",
            index=models.Index(fields=["dossier", "at"], name="transition_dossier_idx"),
        ),
        migrations.AddIndex(
            model_name="dossiertransition",
            index=models.Index(fields=["at"], name="transition_at_idx"),
        ),
        migrations.AddIndex(
            model_name="dossiertransition",
            index=models.Index(fields=["transition", "actor", "at"], name="transition_actor_idx"),
        ),
        migrations.AddConstraint(
            model_name="dossiertransition",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "transition__in",
                        [
                            "submit",
                            "take",
                            "assign",
                            "request_complements",
                            "resubmit",
                            "accept",
                            "refuse",
                            "close",
                            "reopen",
                        ],
                    )
                ),
                name="transition_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="dossiertransition",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "from_state__in",
                        [
                            "draft",
                            "submitted",
                            "in_review",
                            "awaiting_complements",
                            "accepted",
                            "refused",
                            "closed",
                        ],
                    ),
                    (
                        "to_state__in",
                        [
                            "draft",
                            "submitted",
                            "in_review",
                            "awaiting_complements",
                            "accepted",
                            "refused",
                            "closed",
                        ],
                    ),
                ),
                name="transition_states_valid",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
