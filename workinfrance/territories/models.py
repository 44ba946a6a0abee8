from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A French department; the service opens department by department."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    is_open = models.BooleanField(
        _("ouvert au service"),
        default=False,
        help_text=_("Les demandes de ce département peuvent être déposées en ligne."),
    )
    closed_guidance = models.TextField(
        _("où s'adresser si fermé"),
        blank=True,
        help_text=_("Affiché aux usagers tant que le département n'est pas ouvert au service."),
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class Unit(models.Model):
    """A labour-administration unit (service main-d'œuvre étrangère) deciding for its departments."""

    name = models.CharField(_("nom"), max_length=200)
    address = models.TextField(_("adresse"))
    contact_email = models.EmailField(_("e-mail de contact"))
    signatory_name = models.CharField(
        _("nom du signataire"), max_length=200, help_text=_("Nom et qualité imprimés sur les autorisations.")
    )
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("départements couverts"),
        related_name="units",
        blank=True,
        through="UnitDepartment",
    )
    require_proconnect = models.BooleanField(
        _("connexion ProConnect obligatoire"),
        default=False,
        help_text=_("Les agents de l'unité ne peuvent plus se connecter avec un mot de passe."),
    )

    class Meta:
        verbose_name = _("unité")
        verbose_name_plural = _("unités")
        ordering = ["name"]

    def __str__(self):
        return self.name


class UnitDepartment(models.Model):
    """A unit covers a department. One unit at most per department: it alone decides there (the
    router, the statistics filter and the inbox all assume it)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, on_delete=models.CASCADE)

    class Meta:
        db_table = "territories_unit_departments"  # the table the plain many-to-many created
        verbose_name = _("département couvert")
        verbose_name_plural = _("départements couverts")
        constraints = [
            models.UniqueConstraint(fields=["department"], name="department_covered_by_one_unit"),
        ]

    def __str__(self):
        return f"{self.unit} – {self.department}"
