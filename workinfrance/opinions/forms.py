import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from workinfrance.dossiers.uploads import DocumentFileField

from .models import SharedSection
from .services import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH

DEFAULT_DELAY_DAYS = 7


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OpinionRequestForm(DsfrBaseForm):
    """The agent's request: to whom, what, by when, and what of the dossier the expert may see."""

    expert_email = forms.EmailField(
        label=_("E-mail de l'expert"),
        help_text=_(
            "Par exemple le service des étrangers de la préfecture. Il répond sans compte, par un lien sécurisé."
        ),
    )
    question = forms.CharField(
        label=_("Question"), widget=forms.Textarea(attrs={"rows": 4}), max_length=QUESTION_MAX_LENGTH
    )
    due_date = forms.DateField(label=_("Réponse attendue le"), widget=DateInput())
    sections = forms.MultipleChoiceField(
        label=_("Données du dossier partagées"),
        choices=SharedSection.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    documents = forms.MultipleChoiceField(
        label=_("Pièces partagées"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, documents, **kwargs):
        kwargs.setdefault(
            "initial", {"due_date": timezone.localdate() + datetime.timedelta(days=DEFAULT_DELAY_DAYS)}
        )
        super().__init__(*args, **kwargs)
        # The dossier's current documents, already loaded by the dossier screen (no query here).
        self.documents_by_id = {str(document.pk): document for document in documents}
        self.fields["documents"].choices = [
            (
                str(document.pk),
                f"{document.document_type.label if document.document_type else ''} — {document.original_name}".strip(
                    " —"
                ),
            )
            for document in documents
        ]

    def chosen_documents(self):
        return [self.documents_by_id[pk] for pk in self.cleaned_data["documents"]]


class AnswerForm(DsfrBaseForm):
    answer = forms.CharField(
        label=_("Votre avis"), widget=forms.Textarea(attrs={"rows": 8}), max_length=ANSWER_MAX_LENGTH
    )
    attachment = DocumentFileField(label=_("Pièce jointe (facultative)"), required=False)
