"""The procedure as data: categories, their limits and the documents each one requires.

Every figure here is editable by administrators (the law changes; sources differ)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workinfrance.core.i18n import localized


class ContractType(models.TextChoices):
    FIXED_TERM = "fixed_term", _("Contrat à durée déterminée (CDD)")
    PERMANENT = "permanent", _("Contrat à durée indéterminée (CDI)")
    APPRENTICESHIP = "apprenticeship", _("Contrat d'apprentissage")
    PROFESSIONALISATION = "professionalisation", _("Contrat de professionnalisation")
    HOSPITAL = "hospital", _("Recrutement hospitalier (FFI)")
    DOCTORAL = "doctoral", _("Contrat doctoral")


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    name_en = models.CharField(_("nom (anglais)"), max_length=120, blank=True)
    eligibility_notes = models.TextField(_("conditions"), blank=True)
    eligibility_notes_en = models.TextField(_("conditions (anglais)"), blank=True)
    allowed_contract_types = models.JSONField(
        _("types de contrat admis"),
        default=list,
        help_text=_("Codes parmi : ") + ", ".join(ContractType.values),
    )
    max_weekly_hours = models.DecimalField(
        _("heures hebdomadaires maximales"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Vide : pas d'autre limite que la durée légale du travail."),
    )
    max_validity_months = models.PositiveSmallIntegerField(_("durée maximale de validité (mois)"), default=12)
    is_active = models.BooleanField(_("proposée aux usagers"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        return localized(self, "name")

    @property
    def notes(self) -> str:
        return localized(self, "eligibility_notes")


class DocumentFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"


class Requirement(models.TextChoices):
    MANDATORY = "mandatory", _("Obligatoire")
    CONDITIONAL = "conditional", _("Selon la situation")


class Condition(models.TextChoices):
    """Situations that make a conditional document required; evaluated by the dossier's checks."""

    MANDATED_FILER = (
        "mandated_filer",
        _("Quand la demande est déposée par une personne mandatée par l'employeur"),
    )
    RENEWAL = "renewal", _("Pour un renouvellement")
    REGULATED_PROFESSION = "regulated_profession", _("Pour une profession réglementée")
    RESIDENCE_RENEWAL = "residence_renewal", _("Quand le titre de séjour est en cours de renouvellement")


class DocumentType(models.Model):
    category = models.ForeignKey(
        Category, verbose_name=_("catégorie"), on_delete=models.CASCADE, related_name="document_types"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("nom"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True)
    help_text = models.TextField(_("aide"), blank=True)
    help_text_en = models.TextField(_("aide (anglais)"), blank=True)
    requirement = models.CharField(
        _("exigence"), max_length=20, choices=Requirement.choices, default=Requirement.MANDATORY
    )
    condition = models.CharField(
        _("condition"),
        max_length=40,
        choices=Condition.choices,
        blank=True,
        help_text=_("Pour un document « selon la situation » : quand il devient obligatoire."),
    )
    accepted_formats = models.JSONField(
        _("formats acceptés"), default=list, help_text=_("Parmi : pdf, jpeg, png.")
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("type de document")
        verbose_name_plural = _("types de document")
        ordering = ["category", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="document_type_code_unique"),
            models.CheckConstraint(
                condition=models.Q(requirement="mandatory", condition="")
                | models.Q(requirement="conditional") & ~models.Q(condition=""),
                name="document_type_condition_matches_requirement",
            ),
        ]

    def __str__(self):
        return f"{self.category.code} / {self.name}"

    @property
    def label(self) -> str:
        return localized(self, "name")

    @property
    def help(self) -> str:
        return localized(self, "help_text")
