from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from workinfrance.accounts.selectors import user_unit_ids
from workinfrance.dossiers.lifecycle import FILED_STATES, ordered
from workinfrance.dossiers.models import RefusalReason
from workinfrance.dossiers.terms import PermitTerms, permit_terms_problems, permit_terms_proposed
from workinfrance.procedures.models import Category, DocumentType
from workinfrance.territories.models import Department

from .models import BatchAction, Label, LabelColour
from .selectors import DEFAULT_SORT, DEFAULT_TAB, FLAGS, SORTS, TABS, UNASSIGNED, InboxQuery, unit_agents

if TYPE_CHECKING:
    from workinfrance.accounts.models import User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class InboxFilterForm(DsfrBaseForm):
    """The inbox's query string: tab, search, filters and sort. Invalid values are simply ignored."""

    tab = forms.ChoiceField(
        choices=[(k, v[0]) for k, v in TABS.items()], required=False, widget=forms.HiddenInput
    )
    q = forms.CharField(
        label=_("Rechercher"),
        help_text=_("Numéro de dossier, nom de l'étudiant ou de l'employeur, SIRET"),
        required=False,
        max_length=200,
    )
    category = forms.ModelChoiceField(
        label=_("Catégorie"), queryset=Category.objects.all(), required=False, empty_label=_("Toutes")
    )
    department = forms.ModelChoiceField(
        label=_("Département"), queryset=Department.objects.none(), required=False, empty_label=_("Tous")
    )
    state = forms.ChoiceField(label=_("État"), required=False)
    assignee = forms.ChoiceField(label=_("Instructeur"), required=False)
    filed_from = forms.DateField(label=_("Déposé à partir du"), required=False, widget=DateInput())
    filed_to = forms.DateField(label=_("Déposé jusqu'au"), required=False, widget=DateInput())
    flag = forms.ChoiceField(
        label=_("Signalement"), required=False, choices=[("", _("Tous"))] + list(FLAGS.items())
    )
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=list(SORTS.items()))
    label = forms.ChoiceField(label=_("Étiquette"), required=False)
    tab_only = forms.BooleanField(label=_("Rechercher dans cet onglet seulement"), required=False)

    def __init__(self, data, *, user, labels: "list[Label] | None" = None, **kwargs):
        super().__init__(data, **kwargs)
        self.labels = {str(label.pk): label for label in labels or ()}
        self.fields["label"].choices = [("", _("Toutes"))] + [
            (pk, label.name) for pk, label in self.labels.items()
        ]
        unit_ids = user_unit_ids(user)
        self.fields["department"].queryset = Department.objects.filter(units__in=unit_ids).distinct()
        self.fields["state"].choices = [("", _("Tous"))] + [(s.value, s.label) for s in ordered(FILED_STATES)]
        self.fields["assignee"].choices = [("", _("Tous")), (UNASSIGNED, _("Non attribué"))] + [
            (str(agent.pk), str(agent)) for agent in unit_agents(unit_ids)
        ]

    def to_query(self) -> InboxQuery:
        # Invalid fields are left out of cleaned_data: a bad date must not empty the inbox.
        self.is_valid()
        data = self.cleaned_data
        return InboxQuery(
            tab=data.get("tab") or DEFAULT_TAB,
            q=(data.get("q") or "").strip(),
            category=data.get("category"),
            department=data.get("department"),
            state=data.get("state") or "",
            assignee=data.get("assignee") or "",
            filed_from=data.get("filed_from"),
            filed_to=data.get("filed_to"),
            flag=data.get("flag") or "",
            sort=data.get("sort") or DEFAULT_SORT,
            label=self.labels.get(data.get("label") or ""),
            across_tabs=not data.get("tab_only"),
        )


class LabelForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom de l'étiquette"), max_length=40)
    colour = forms.ChoiceField(label=_("Couleur"), choices=LabelColour.choices)


class SavedFilterForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom du filtre"), max_length=60)
    query_string = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


class BatchForm(forms.Form):
    """A batch action on the inbox's selected rows (dossier uuids); its parameters per action."""

    action = forms.ChoiceField(choices=[*BatchAction.choices, ("export", _("Exporter la sélection"))])
    dossiers = forms.MultipleChoiceField(required=False)  # any uuid: each is checked when it is acted on
    assignee = forms.IntegerField(required=False)
    label = forms.IntegerField(required=False)
    message = forms.CharField(required=False, max_length=5000)
    document_types = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        posted = self.data.getlist("dossiers") if hasattr(self.data, "getlist") else []
        self.fields["dossiers"].choices = [(value, value) for value in posted]
        codes = self.data.getlist("document_types") if hasattr(self.data, "getlist") else []
        self.fields["document_types"].choices = [(value, value) for value in codes]


class AssignForm(DsfrBaseForm):
    assignee: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("Attribuer à"), queryset=None, empty_label=None
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = unit_agents([dossier.unit_id])
        if dossier.assignee_id:
            self.fields["assignee"].initial = dossier.assignee_id


class ComplementsForm(DsfrBaseForm):
    document_types: "forms.ModelMultipleChoiceField[DocumentType]" = forms.ModelMultipleChoiceField(
        label=_("Pièces à fournir"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(
        label=_("Message au demandeur"),
        help_text=_("Expliquez ce qui manque ou doit être corrigé."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_types"].queryset = DocumentType.objects.filter(category=dossier.category_id)
        self.fields["document_types"].label_from_instance = lambda doc_type: doc_type.label


class AcceptForm(DsfrBaseForm):
    """The permit's terms, prefilled from the dossier and checked by the service's own rules
    (dossiers.terms), each refusal shown beside its field."""

    validity_start = forms.DateField(label=_("Valable du"), widget=DateInput())
    validity_end = forms.DateField(label=_("Valable jusqu'au"), widget=DateInput())
    weekly_hours = forms.DecimalField(
        label=_("Durée hebdomadaire autorisée (heures)"), max_digits=4, decimal_places=1, min_value=0
    )

    def __init__(self, *args, dossier, **kwargs):
        self.dossier = dossier
        proposed = permit_terms_proposed(dossier)
        kwargs.setdefault("initial", proposed.__dict__)
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for problem in permit_terms_problems(self.dossier, self.terms()):
                self.add_error(problem.field, problem.message)
        return cleaned

    def terms(self) -> PermitTerms:
        data = self.cleaned_data
        return PermitTerms(
            validity_start=data["validity_start"],
            validity_end=data["validity_end"],
            weekly_hours=data["weekly_hours"],
        )


class RefuseForm(DsfrBaseForm):
    reason = forms.ChoiceField(label=_("Motif du refus"), choices=RefusalReason.choices)
    comment = forms.CharField(
        label=_("Motivation"),
        help_text=_("Elle figure dans la décision notifiée au demandeur, avec les voies de recours."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )


class CloseForm(DsfrBaseForm):
    comment = forms.CharField(
        label=_("Motif du classement sans suite"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ReopenForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Motif de la réouverture"),
        help_text=_("Une autorisation délivrée sera retirée avec ce motif."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class NoteForm(DsfrBaseForm):
    body = forms.CharField(
        label=_("Nouvelle note"),
        help_text=_("Visible uniquement par les agents de l'unité."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class MessageForm(DsfrBaseForm):
    body = forms.CharField(
        label=_("Message au demandeur"),
        help_text=_("Le demandeur est prévenu par e-mail."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
