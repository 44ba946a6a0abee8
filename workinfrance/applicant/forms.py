from functools import partial

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from workinfrance.dossiers.checks import REQUIRED_FIELDS, consistency_problems
from workinfrance.dossiers.fields import (
    EMPLOYER_FIELDS,
    FILER_FIELDS,
    JOB_FIELDS,
    RESIDENCE_FIELDS,
    STEP_FIELDS,
)
from workinfrance.dossiers.identity import CERTIFIED_IDENTITY_FIELDS
from workinfrance.dossiers.lifecycle import INITIAL_STATE
from workinfrance.dossiers.models import Dossier, FilerKind
from workinfrance.dossiers.services import MESSAGE_MAX_LENGTH
from workinfrance.dossiers.uploads import DocumentFileField
from workinfrance.dossiers.validators import validate_siret
from workinfrance.procedures.models import Category, ContractType
from workinfrance.territories.models import Department


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _validate_unless_empty(field, value):
    if value in field.empty_values:
        return
    type(field).validate(field, value)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class StepForm(DsfrBaseForm, forms.ModelForm):
    """One step of the filing form.

    Fields needed to submit are shown as required, yet a draft may be saved with them empty:
    the review step lists what is still missing. Formats (dates, SIRET...) are checked at once."""

    step = ""
    use_required_attribute = False
    # Required to submit, beyond checks.REQUIRED_FIELDS (which is keyed by step).
    also_required: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Well-formed values refused only because they contradict another field of this step (an end
        # before its start): the autosave keeps them in the draft, the review page lists them.
        self.contradictions: dict[str, object] = {}
        required = set(REQUIRED_FIELDS.get(self.step, ())) | set(self.also_required)
        for name, field in self.fields.items():
            field.required = name in required
            field.validate = partial(_validate_unless_empty, field)
            if self.instance.pk and not self.instance.is_editable_by_applicant:
                field.disabled = True

    def _post_clean(self):
        super()._post_clean()  # the instance now holds what was typed (not saved)
        # Contradictions within this step (an end before its start...) at the field, at once: the
        # same rules as the review page (dossiers.checks), never a second copy of them.
        editable = {name for name, field in self.fields.items() if not field.disabled}
        for problem in consistency_problems(self.instance):
            field = problem.fields[-1] if problem.fields else ""
            if field and set(problem.fields) <= editable and not self.has_error(field):
                if field in self.cleaned_data:
                    self.contradictions[field] = self.cleaned_data[field]
                self.add_error(field, problem.message)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if not self.fields[name].disabled}

    def partial_changes(self, posted) -> dict:
        """What an autosave may write, whatever else is wrong: every field sent (a field absent from the
        request is left as it is) that is well formed, including one that only contradicts another.
        A malformed value (an impossible date, a SIRET with a wrong key) is not written: the draft
        keeps its previous value and the field shows the error."""
        changes = {}
        for name, field in self.fields.items():
            if field.disabled or self.add_prefix(name) not in posted:
                continue
            if name in self.cleaned_data:
                changes[name] = self.cleaned_data[name]
            elif name in self.contradictions:
                changes[name] = self.contradictions[name]
        return changes

    def field_errors(self) -> dict[str, list[str]]:
        """The errors at each field, keyed by the field's HTML name, in the active language."""
        return {
            self.add_prefix(name): [str(message) for message in messages]
            for name, messages in self.errors.items()
            if name in self.fields
        }


class FilerForm(StepForm):
    step = "filer"
    also_required = ("filer_kind", "category")

    category = CategoryChoiceField(
        label=_("Motif de la demande"),
        queryset=Category.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    class Meta:
        model = Dossier
        fields = list(FILER_FIELDS)
        widgets = {"filer_kind": forms.RadioSelect}
        labels = {"filer_kind": _("Qui dépose la demande ?")}
        help_texts = {
            "filer_kind": _(
                "L'employeur fait la demande, ou la confie par écrit à une personne (souvent l'étudiant) : "
                "le mandat sera alors demandé."
            ),
            "previous_permit_number": _(
                "Seulement pour un renouvellement : le numéro de l'autorisation précédente."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filer_kind"].choices = FilerKind.choices
        if self.instance.pk and self.instance.state != INITIAL_STATE:
            # Decides the unit and the documents: fixed once submitted.
            for name in ("filer_kind", "category"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        # A draft needs at least these two to exist at all.
        for name in ("filer_kind", "category"):
            if not self.fields[name].disabled and not cleaned.get(name):
                self.add_error(name, _("Ce champ est obligatoire."))
        return cleaned


class StudentForm(StepForm):
    step = "student"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.certified_by = (
            self.instance.get_student_identity_certified_by_display() if self.instance.pk else ""
        )
        if self.instance.pk and self.instance.student_identity_certified_by:
            note = _("Identité certifiée par %(provider)s : non modifiable.") % {
                "provider": self.certified_by
            }
            for name in CERTIFIED_IDENTITY_FIELDS:
                self.fields[name].disabled = True
                # The DSFR form has already built the bound fields, which copy the help text.
                self.fields[name].help_text = self[name].help_text = note

    class Meta:
        model = Dossier
        fields = list(STEP_FIELDS["student"])
        widgets = {"student_birth_date": DateInput}
        help_texts = {
            "student_first_name": _("Tels qu'ils figurent sur le titre de séjour."),
            "student_address": _("L'adresse qui figure sur le titre de séjour."),
            "enrolment_year": _("Par exemple : 2026-2027"),
        }


class ResidenceForm(StepForm):
    step = "residence"

    department = DepartmentChoiceField(
        label=_("Département de l'adresse figurant sur le titre de séjour"),
        queryset=Department.objects.order_by("code"),
        help_text=_(
            "C'est lui qui détermine le service qui instruit la demande, pas l'adresse de l'employeur."
        ),
    )

    class Meta:
        model = Dossier
        fields = list(RESIDENCE_FIELDS)
        widgets = {"residence_permit_start": DateInput, "residence_permit_end": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.state != INITIAL_STATE:
            self.fields["department"].disabled = True

    def clean_department(self):
        department = self.cleaned_data.get("department")
        if department is not None and not department.is_open and not self.fields["department"].disabled:
            message = _("Le département %(name)s n'est pas encore ouvert à Work in France.") % {
                "name": department
            }
            if department.closed_guidance:
                message = f"{message} {department.closed_guidance}"
            raise forms.ValidationError(message)
        return department


class EmployerForm(StepForm):
    step = "employer"

    class Meta:
        model = Dossier
        fields = list(EMPLOYER_FIELDS)
        help_texts = {
            "employer_siret": _("14 chiffres ; il figure sur l'avis de situation au répertoire SIRENE."),
            "employer_naf": _("Par exemple : 1071C"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        siret = self.fields["employer_siret"]
        # Spaces are accepted, then removed; the length is checked with the key in clean_employer_siret.
        siret.max_length = 20
        siret.validators = [v for v in siret.validators if not isinstance(v, MaxLengthValidator)]
        siret.widget.attrs.update(inputmode="numeric", maxlength="20")

    def clean_employer_siret(self):
        value = "".join(self.cleaned_data.get("employer_siret", "").split())
        if value:
            validate_siret(value)
        return value


class JobForm(StepForm):
    step = "job"

    class Meta:
        model = Dossier
        fields = list(JOB_FIELDS)
        widgets = {"contract_start": DateInput, "contract_end": DateInput}
        help_texts = {
            "contract_end": _("Obligatoire sauf pour un CDI."),
            "regulated_profession": _("Par exemple : santé, droit, architecture."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = self.instance.category.allowed_contract_types if self.instance.pk else []
        if allowed:
            self.fields["contract_type"].choices = [("", "---------")] + [
                (value, label) for value, label in ContractType.choices if value in allowed
            ]
        limit = self.instance.category.max_weekly_hours if self.instance.pk else None
        if limit is not None:
            self.fields["weekly_hours"].help_text = _("Au plus %(limit)s h pour cette catégorie.") % {
                "limit": limit
            }
        self.fields["weekly_hours"].widget.attrs.update(step="0.5", min="0")
        self.fields["gross_monthly_salary"].widget.attrs.update(step="0.01", min="0")


STEP_FORMS = {form.step: form for form in (FilerForm, StudentForm, ResidenceForm, EmployerForm, JobForm)}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _documents_help_text() -> str:
    return _(
        "Formats acceptés : PDF, JPEG ou PNG ; %(limit)s au maximum par fichier. Vous pouvez choisir plusieurs "
        "fichiers à la fois (par exemple le recto et le verso), jusqu'à %(count)s par pièce."
    ) % {
        "limit": filesizeformat(settings.WIF_UPLOAD_MAX_BYTES),
        "count": settings.WIF_UPLOAD_MAX_FILES_PER_TYPE,
    }


class DocumentUploadForm(DsfrBaseForm):
    """The chooser of one document type's files. Shown only: the upload view checks each file alone
    (`services.document_upload`), so a bad one is refused with its reason and the good ones are kept."""

    file = forms.FileField(
        label=_("Fichiers"),
        widget=MultipleFileInput(
            attrs={"multiple": True, "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    def __init__(self, *args, accepted_formats=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self["file"].help_text = _documents_help_text()

    def uploaded_files(self) -> list:
        return self.files.getlist(self.add_prefix("file")) if self.files else []


class MessageForm(DsfrBaseForm):
    body = forms.CharField(
        label=_("Votre message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachment = DocumentFileField(label=_("Pièce jointe"), required=False)


class GuideForm(DsfrBaseForm):
    """The eligibility guide: no account, nothing stored."""

    OTHER_JOB = "other_job"
    INTERNSHIP = "internship"

    filer_kind = forms.ChoiceField(label=_("Vous êtes"), widget=forms.RadioSelect)
    situation = forms.ChoiceField(label=_("La situation"), widget=forms.RadioSelect)
    department = DepartmentChoiceField(
        label=_("Département de l'adresse figurant sur le titre de séjour de l'étudiant"),
        queryset=Department.objects.order_by("code"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filer_kind"].choices = [
            (FilerKind.STUDENT, _("L'étudiant")),
            (FilerKind.EMPLOYER, _("L'employeur")),
            (FilerKind.MANDATARY, _("Une personne mandatée par l'employeur")),
        ]
        self.fields["situation"].choices = [
            (category.code, category.label) for category in Category.objects.filter(is_active=True)
        ] + [
            (self.OTHER_JOB, _("Un autre emploi salarié (job étudiant), étudiant non algérien")),
            (self.INTERNSHIP, _("Un stage avec convention de stage")),
        ]


class InviteForm(DsfrBaseForm):
    """Invite the other party of the dossier (one small form per side still free)."""

    email = forms.EmailField(label=_("Adresse e-mail de la personne à inviter"), max_length=254)


class AcceptInvitationForm(DsfrBaseForm):
    """Shown only when the account's address differs from the invited one."""

    other_email_confirmed = forms.BooleanField(
        label=_("Je rejoins ce dossier avec le compte sous lequel je suis connecté(e)."), required=False
    )
