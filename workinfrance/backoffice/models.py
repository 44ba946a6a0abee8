"""The agents' workspace: labels of a unit, saved filters and columns of an agent, batch actions.

Writes go through `services.py` (audited); reads through `selectors.py`. The dossiers themselves
stay in `dossiers`: a batch acts on them through `dossiers.services`, one dossier at a time."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class LabelColour(models.TextChoices):
    """The DSFR's illustrative colours (tags and badges: `fr-badge--<colour>`)."""

    GREEN_TILLEUL_VERVEINE = "green-tilleul-verveine", _("Vert tilleul")
    GREEN_BOURGEON = "green-bourgeon", _("Vert bourgeon")
    GREEN_EMERAUDE = "green-emeraude", _("Vert émeraude")
    GREEN_MENTHE = "green-menthe", _("Vert menthe")
    GREEN_ARCHIPEL = "green-archipel", _("Vert archipel")
    BLUE_ECUME = "blue-ecume", _("Bleu écume")
    BLUE_CUMULUS = "blue-cumulus", _("Bleu cumulus")
    PURPLE_GLYCINE = "purple-glycine", _("Violet glycine")
    PINK_MACARON = "pink-macaron", _("Rose macaron")
    PINK_TUILE = "pink-tuile", _("Rose tuile")
    YELLOW_TOURNESOL = "yellow-tournesol", _("Jaune tournesol")
    YELLOW_MOUTARDE = "yellow-moutarde", _("Jaune moutarde")
    ORANGE_TERRE_BATTUE = "orange-terre-battue", _("Orange terre battue")
    BROWN_CAFE_CREME = "brown-cafe-creme", _("Brun café crème")
    BROWN_CARAMEL = "brown-caramel", _("Brun caramel")
    BROWN_OPERA = "brown-opera", _("Brun opéra")
    BEIGE_GRIS_GALET = "beige-gris-galet", _("Beige gris galet")


class Label(models.Model):
    """A label of a unit (defined by its supervisor), put on the unit's dossiers by its agents."""

    unit = models.ForeignKey(
        "territories.Unit", verbose_name=_("unité"), on_delete=models.CASCADE, related_name="labels"
    )
    name = models.CharField(_("nom"), max_length=40)
    colour = models.CharField(
        _("couleur"), max_length=24, choices=LabelColour.choices, default=LabelColour.BLUE_ECUME
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("étiquette")
        verbose_name_plural = _("étiquettes")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint("unit", Lower("name"), name="label_name_unique_per_unit"),
            models.CheckConstraint(
                condition=models.Q(colour__in=LabelColour.values), name="label_colour_known"
            ),
        ]

    def __str__(self):
        return self.name


class DossierLabel(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="dossier_labels")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="dossier_labels")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "label"], name="dossier_label_once"),
        ]
        indexes = [models.Index(fields=["label", "dossier"], name="backoffice_label_dossier_idx")]


class SavedFilter(models.Model):
    """An agent's named inbox query string; only its owner sees it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("nom"), max_length=60)
    query_string = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint("owner", Lower("name"), name="saved_filter_name_unique_per_owner"),
        ]

    def __str__(self):
        return self.name


class InboxColumns(models.Model):
    """The optional columns an agent chose for the inbox table (absent: the default set)."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_columns"
    )
    columns = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)


class BatchAction(models.TextChoices):
    TAKE = "take", _("Prendre en charge")
    ASSIGN = "assign", _("Attribuer")
    LABEL = "label", _("Ajouter une étiquette")
    COMPLEMENTS = "complements", _("Demander des compléments")
    ACCEPT = "accept", _("Accepter")


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    FINISHED = "finished", _("Terminé")


class Batch(models.Model):
    """One action on a selection of dossiers, run in the background, dossier by dossier."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=BatchAction.choices)
    params = models.JSONField(default=dict)
    language = models.CharField(max_length=8, default="fr")
    status = models.CharField(max_length=12, choices=BatchStatus.choices, default=BatchStatus.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    declined = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BatchStatus.values), name="batch_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(action__in=BatchAction.values), name="batch_action_known"
            ),
        ]

    @property
    def processed(self) -> int:
        return self.done + self.declined

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)


class BatchItemStatus(models.TextChoices):
    PENDING = "pending", _("À traiter")
    DONE = "done", _("Fait")
    DECLINED = "declined", _("Refusé")


class BatchItem(models.Model):
    """One dossier of a batch and its result. `reference` is what was asked for (a dossier's uuid):
    a dossier outside the actor's units is never linked, only refused."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    reference = models.CharField(max_length=64)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.SET_NULL, null=True, related_name="+")
    params = models.JSONField(default=dict)  # e.g. the permit terms shown on the review screen
    status = models.CharField(max_length=12, choices=BatchItemStatus.choices, default=BatchItemStatus.PENDING)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BatchItemStatus.values), name="batch_item_status_known"
            ),
            models.UniqueConstraint(fields=["batch", "position"], name="batch_item_position_unique"),
        ]
