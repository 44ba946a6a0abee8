"""A request for a temporary work authorisation, its documents, messages and private notes."""

import os
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from workinfrance.procedures.models import ContractType

from .lifecycle import AWAITING_UNIT_STATES, DECIDED_STATES, EDITABLE_STATES, State, Transition, values
from .search_document import SearchDocument, SearchIndex


class FilerKind(models.TextChoices):
    STUDENT = "student", _("L'étudiant, mandaté par l'employeur")
    EMPLOYER = "employer", _("L'employeur")
    MANDATARY = "mandatary", _("Une personne mandatée par l'employeur")


class ResidencePermitType(models.TextChoices):
    STUDENT_CARD = "student_card", _("Carte de séjour « étudiant »")
    VLS_TS = "vls_ts", _("Visa long séjour valant titre de séjour (VLS-TS) « étudiant »")
    ALGERIAN_CERTIFICATE = "algerian_certificate", _("Certificat de résidence algérien « étudiant »")
    RENEWAL_RECEIPT = "renewal_receipt", _("Récépissé de renouvellement (avec l'ancien titre)")


class RefusalReason(models.TextChoices):
    INCOMPLETE = "incomplete", _("Dossier incomplet malgré la demande de compléments")
    NOT_STUDENT = "not_student", _("Le demandeur n'a pas la qualité d'étudiant")
    RESIDENCE = "residence", _("Titre de séjour non valable ou inadapté")
    HOURS = "hours", _("Durée du travail supérieure à la limite autorisée")
    CONTRACT = "contract", _("Contrat non conforme à la catégorie")
    SALARY = "salary", _("Rémunération inférieure au minimum légal")
    FRAUD = "fraud", _("Documents frauduleux ou incohérents")
    OTHER = "other", _("Autre motif (précisé ci-dessous)")


class DossierManager(models.Manager["Dossier"]):
    def get_queryset(self) -> models.QuerySet["Dossier"]:
        # The search document is the database's business: never shipped to Python.
        return super().get_queryset().defer("search_vector")


class Dossier(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Public number, given at first submission: WIF-<year>-<department>-<sequence>.
    number = models.CharField(_("numéro"), max_length=24, unique=True, null=True, blank=True)
    state = models.CharField(_("état"), max_length=24, choices=State.choices, default=State.DRAFT)
    category = models.ForeignKey(
        "procedures.Category", verbose_name=_("catégorie"), on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandeur"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    filer_kind = models.CharField(_("déposé par"), max_length=16, choices=FilerKind.choices)
    unit = models.ForeignKey(
        "territories.Unit",
        verbose_name=_("unité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructeur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    renewal_of = models.ForeignKey(
        "self",
        verbose_name=_("renouvellement de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewals",
    )
    previous_permit_number = models.CharField(
        _("numéro de l'autorisation précédente"), max_length=40, blank=True
    )

    # The student.
    student_first_name = models.CharField(_("prénom(s)"), max_length=150, blank=True)
    student_last_name = models.CharField(_("nom"), max_length=150, blank=True)
    student_birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    student_birth_place = models.CharField(_("lieu de naissance"), max_length=150, blank=True)
    # Set when the names and birth date came from an identity provider (dossiers.identity): then fixed.
    student_identity_certified_by = models.CharField(
        _("identité certifiée par"),
        max_length=20,
        choices=[("franceconnect", "FranceConnect")],
        blank=True,
    )
    student_identity_certified_at = models.DateTimeField(_("identité certifiée le"), null=True, blank=True)
    student_nationality = models.CharField(_("nationalité"), max_length=100, blank=True)
    student_email = models.EmailField(_("e-mail de l'étudiant"), blank=True)
    student_phone = models.CharField(_("téléphone de l'étudiant"), max_length=30, blank=True)
    # Address as written on the residence permit: its department routes the dossier.
    student_address = models.CharField(_("adresse"), max_length=250, blank=True)
    student_postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    student_city = models.CharField(_("commune"), max_length=150, blank=True)
    department = models.ForeignKey(
        "territories.Department",
        verbose_name=_("département du titre de séjour"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    residence_permit_type = models.CharField(
        _("type de titre de séjour"), max_length=24, choices=ResidencePermitType.choices, blank=True
    )
    residence_permit_number = models.CharField(_("numéro du titre de séjour"), max_length=40, blank=True)
    residence_permit_start = models.DateField(_("titre valable du"), null=True, blank=True)
    residence_permit_end = models.DateField(_("titre valable jusqu'au"), null=True, blank=True)
    residence_permit_prefecture = models.CharField(_("préfecture de délivrance"), max_length=150, blank=True)
    institution_name = models.CharField(
        _("établissement d'enseignement supérieur"), max_length=250, blank=True
    )
    enrolment_programme = models.CharField(_("formation suivie"), max_length=250, blank=True)
    enrolment_year = models.CharField(_("année universitaire"), max_length=9, blank=True)

    # The employer.
    employer_name = models.CharField(_("raison sociale"), max_length=250, blank=True)
    employer_siret = models.CharField(_("SIRET"), max_length=14, blank=True, db_index=True)
    employer_naf = models.CharField(_("code NAF"), max_length=6, blank=True)
    employer_address = models.CharField(_("adresse de l'employeur"), max_length=250, blank=True)
    employer_postcode = models.CharField(_("code postal de l'employeur"), max_length=10, blank=True)
    employer_city = models.CharField(_("commune de l'employeur"), max_length=150, blank=True)
    employer_representative = models.CharField(_("représentant légal"), max_length=150, blank=True)
    employer_contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    employer_contact_phone = models.CharField(_("téléphone de contact"), max_length=30, blank=True)

    # The job.
    job_title = models.CharField(_("intitulé du poste"), max_length=200, blank=True)
    work_address = models.CharField(_("lieu de travail"), max_length=250, blank=True)
    contract_type = models.CharField(
        _("type de contrat"), max_length=24, choices=ContractType.choices, blank=True
    )
    contract_start = models.DateField(_("début du contrat"), null=True, blank=True)
    contract_end = models.DateField(_("fin du contrat"), null=True, blank=True)
    weekly_hours = models.DecimalField(
        _("heures par semaine"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    gross_monthly_salary = models.DecimalField(
        _("salaire brut mensuel (€)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    regulated_profession = models.BooleanField(_("profession réglementée"), default=False)

    # Decision.
    refusal_reason = models.CharField(
        _("motif de refus"), max_length=20, choices=RefusalReason.choices, blank=True
    )
    decision_comment = models.TextField(_("motivation de la décision"), blank=True)

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    first_submitted_at = models.DateTimeField(_("premier dépôt le"), null=True, blank=True)
    # Last (re)submission of a complete file: the legal two-month deadline runs from here.
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    # Retention (workinfrance.retention): when the applicant was told an idle draft would be
    # deleted, and when the personal data of a decided dossier were erased (the row stays, for
    # the statistics and the permit's verification).
    retention_warned_at = models.DateTimeField(_("avertissement de suppression le"), null=True, blank=True)
    purged_at = models.DateTimeField(_("données effacées le"), null=True, blank=True)

    # Kept by the database (stored generated column), queried by `backoffice.search`, never loaded
    # (`DossierManager` defers it). See `search_document.py`.
    search_vector = models.GeneratedField(
        expression=SearchDocument(), output_field=SearchVectorField(), db_persist=True, editable=False
    )

    objects = DossierManager()
    # Templates compare with `dossier.State.ACCEPTED` (the lifecycle's values, never spelled out).
    State = State

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=State.values), name="dossier_state_valid"),
            models.CheckConstraint(
                condition=models.Q(state=State.DRAFT) | models.Q(number__isnull=False, unit__isnull=False),
                name="dossier_submitted_has_number_and_unit",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=sorted(s.value for s in DECIDED_STATES))
                | models.Q(decided_at__isnull=False),
                name="dossier_decided_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "state", "submitted_at"], name="dossier_inbox_idx"),
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant_idx"),
            models.Index(fields=["assignee", "state"], name="dossier_assignee_idx"),
            # Agents paste an e-mail address from a message: searched lower-cased, exactly.
            models.Index(Lower("student_email"), name="dossier_student_email_idx"),
            models.Index(Lower("employer_contact_email"), name="dossier_employer_email_idx"),
            # The back-office inbox: a unit's files in filing order (tabs spanning several states,
            # pagination ties), and the "waiting > 7 days" / "implicit refusal" signals, which read
            # the oldest files still awaiting the unit without walking the decided ones.
            models.Index(fields=["unit", "submitted_at", "id"], name="dossier_unit_filed_idx"),
            models.Index(
                fields=["unit", "submitted_at", "id"],
                condition=Q(state__in=values(AWAITING_UNIT_STATES)),
                name="dossier_open_filed_idx",
            ),
            # "My files" in filing order, counted from the index alone (unit_id included on PostgreSQL).
            models.Index(
                fields=["assignee", "state", "submitted_at", "id"],
                include=["unit"],
                name="dossier_assignee_filed_idx",
            ),
            # The "decided" tab sorted by processing time.
            models.Index(
                F("unit"), F("decided_at") - F("submitted_at"), F("id"), name="dossier_processing_idx"
            ),
            SearchIndex(fields=["search_vector"], name="dossier_search_vector_idx"),
        ]

    def __str__(self):
        return self.number or _("Brouillon n°%(pk)s") % {"pk": self.pk}

    @property
    def is_editable_by_applicant(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_decided(self) -> bool:
        return self.state in DECIDED_STATES

    @property
    def student_full_name(self) -> str:
        return f"{self.student_first_name} {self.student_last_name.upper()}".strip()


class DossierNumberSequence(models.Model):
    """Last sequence number given per (year, department); locked while numbering."""

    year = models.PositiveSmallIntegerField()
    department_code = models.CharField(max_length=3)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "department_code"], name="number_sequence_unique")
        ]


STORED_EXTENSIONS = {".pdf", ".jpg", ".png"}


def document_upload_path(instance, filename):
    # Random names: nothing personal in paths, nothing guessable; the extension is the service's
    # own (the detected type's, passed by dossiers.services), never the user's.
    extension = os.path.splitext(filename)[1].lower()
    return f"dossiers/{instance.dossier.uuid}/{uuid.uuid4().hex}{extension if extension in STORED_EXTENSIONS else ''}"


class Document(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    document_type = models.ForeignKey(
        "procedures.DocumentType",
        verbose_name=_("type de document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=document_upload_path, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A newer file of the same type replaces this one; the old one stays in the history.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["dossier", "document_type"], name="document_dossier_type_idx")]

    def __str__(self):
        return self.original_name

    @property
    def download_name(self) -> str:
        """The user's name with the extension of the stored type (never `x.html`)."""
        from .uploads import download_name

        return download_name(self.original_name, self.content_type)


class Message(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]


class ComplementRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="complement_requests")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="complement_request")
    document_types = models.ManyToManyField("procedures.DocumentType", related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Note(models.Model):
    """Private note by staff; never shown to the applicant."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class DossierTransition(models.Model):
    """The typed transition log: one row per transition applied, written by `services._apply`
    with the audit event it belongs to. Statistics and the applicant's timeline read it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")
    event = models.OneToOneField("core.Event", on_delete=models.PROTECT, related_name="+")
    transition = models.CharField(max_length=32, choices=Transition.choices)
    from_state = models.CharField(max_length=32, choices=State.choices)
    to_state = models.CharField(max_length=32, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["at", "event_id"]
        indexes = [
            models.Index(fields=["dossier", "at"], name="transition_dossier_idx"),
            models.Index(fields=["at"], name="transition_at_idx"),
            models.Index(fields=["transition", "actor", "at"], name="transition_actor_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(transition__in=Transition.values), name="transition_valid"),
            models.CheckConstraint(
                condition=Q(from_state__in=State.values, to_state__in=State.values),
                name="transition_states_valid",
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.transition} {self.from_state}->{self.to_state}"


class PartySide(models.TextChoices):
    """Who a party is in the dossier: the student, the employer (its contact) or its mandatary."""

    STUDENT = "student", _("L'étudiant")
    EMPLOYER = "employer", _("L'employeur")
    MANDATARY = "mandatary", _("La personne mandatée par l'employeur")


EMPLOYER_SIDES = frozenset({PartySide.EMPLOYER, PartySide.MANDATARY})


class PartyStatus(models.TextChoices):
    INVITED = "invited", _("Invitation envoyée")
    JOINED = "joined", _("A rejoint le dossier")


class DossierParty(models.Model):
    """A person around a dossier with their own account: the filer from creation, the others once
    they accept the e-mailed invitation (`party_services`). One party per side and dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("rôle"), max_length=16, choices=PartySide.choices)
    status = models.CharField(_("statut"), max_length=16, choices=PartyStatus.choices)
    email = models.EmailField(_("e-mail"))
    # Bound when the invitation is accepted (the filer's at creation).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier_parties",
    )
    # SHA-256 of the single-use link's secret; the secret itself is only in the e-mail.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("partie au dossier")
        verbose_name_plural = _("parties au dossier")
        ordering = ["dossier", "side"]
        indexes = [models.Index(fields=["user", "status"], name="party_user_idx")]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "side"], name="party_one_per_side"),
            models.UniqueConstraint(
                fields=["dossier", "user"], condition=Q(user__isnull=False), name="party_one_side_per_user"
            ),
            models.CheckConstraint(condition=Q(side__in=PartySide.values), name="party_side_valid"),
            models.CheckConstraint(condition=Q(status__in=PartyStatus.values), name="party_status_valid"),
            models.CheckConstraint(
                condition=Q(status=PartyStatus.JOINED, user__isnull=False, accepted_at__isnull=False)
                | Q(status=PartyStatus.INVITED, user__isnull=True, token_hash__isnull=False),
                name="party_status_matches_binding",
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.side} {self.status}"

    @property
    def is_accepted(self) -> bool:
        return self.status == PartyStatus.JOINED
